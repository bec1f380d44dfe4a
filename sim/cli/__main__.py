"""``python -m sim.cli``: the same as the ``mentorsim`` command."""

from sim.cli import app

app()
