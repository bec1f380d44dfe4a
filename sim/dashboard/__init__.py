"""The interactive dashboard of ``mentorsim dashboard``: a Solara app and how it is served.

The app is :mod:`sim.dashboard.app`, how it is served :mod:`sim.dashboard.server`. Needs the ``dashboard``
extra: ``pip install mentorsim[dashboard]``.
"""
