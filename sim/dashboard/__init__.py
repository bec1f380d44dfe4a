"""The interactive dashboard: a Solara app (:mod:`sim.dashboard.app`) and how it is served
(:mod:`sim.dashboard.server`). Needs the ``dashboard`` extra: ``pip install mentorsim[dashboard]``."""
