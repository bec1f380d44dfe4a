"""Studies: many runs and what is learnt from them.

- :mod:`sim.studies.experiments`: study files, their experiments and paired differences.
- :mod:`sim.studies.executors` and :mod:`sim.studies.store`: running tasks in local processes or on
  Dask, and the resumable results store of a study folder.
- :mod:`sim.studies.sensitivity` (Sobol, Morris) and :mod:`sim.studies.discovery` (PRIM).
- :mod:`sim.studies.validation` (reported vs simulated, target checks) and
  :mod:`sim.studies.calibration` (fitting the parameters a scenario lists).
"""
