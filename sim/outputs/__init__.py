"""Outputs: what a run produces and how every face shows it.

- :mod:`sim.outputs.vocabulary`: the record of every outcome and time series (kind, unit, group,
  direction, label, description, how it is computed) and the one formatter every face uses.
- :mod:`sim.outputs.files`: the one atomic write (and file hashes, folder names) every file goes through.
- :mod:`sim.outputs.run_folder`: the results folder of a run, its layout, written atomically and read back.
- :mod:`sim.outputs.figures`: every figure, each returned as ``(fig, ax)`` on a Figure object, and ``save_png``.
- :mod:`sim.outputs.report`: the self-contained HTML report of a run folder.

It depends on :mod:`sim.replicates`, :mod:`sim.model` and :mod:`sim.scenario`, never on studies or faces.
"""
