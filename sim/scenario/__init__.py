"""Scenarios: what a user writes. The lowest layer: it imports nothing else of ``sim``.

- :mod:`sim.scenario.schema`: the pydantic schema, every parameter with its unit, source and range.
- :mod:`sim.scenario.loader`: reading YAML files (``extends``, ``--set``, parameter records) into a
  validated :class:`~sim.scenario.schema.Scenario`, with errors that name file, line and field.
- :mod:`sim.scenario.describe`: the parameter table of ``mentorsim describe``, read from the schema.
- :mod:`sim.scenario.paths`: the value at a dotted path such as ``sectors.2.mentor_share`` (or ``funding.grants[*].end``).
"""
