"""How the Solara app of :mod:`sim.dashboard.app` is served: on 127.0.0.1 only, in production mode.

Kept apart from the app so that the command line does not load Solara until the dashboard is asked for.
"""

from __future__ import annotations

import sys

HOST = "127.0.0.1"  # local only: the dashboard runs simulations for whoever can reach it
APP = "sim.dashboard.app"
SCENARIO_ENV = "MENTORSIM_DASHBOARD_SCENARIO"


def server_command(port: int) -> list[str]:
    """The command that serves the app on ``HOST:port``.

    Production mode, no browser opened, and no look-up of a newer Solara version (it blocks the start where
    there is no network).
    """
    options = ["--host", HOST, "--port", str(port), "--production", "--no-open", "--no-check-version"]
    return [sys.executable, "-m", "solara", "run", APP, *options]
