"""How the Solara app of :mod:`sim.dashboard.app` is served: on 127.0.0.1 only, in production mode.

Requests must also be addressed to 127.0.0.1 or localhost (the ``Host`` header, checked by
:mod:`sim.dashboard.guarded`), so that another web site cannot reach the dashboard through DNS rebinding.

Kept apart from the app so that the command line does not load Solara until the dashboard is asked for.
"""

from __future__ import annotations

import sys

HOST = "127.0.0.1"  # local only: the dashboard runs simulations for whoever can reach it
ALLOWED_HOSTS = ("127.0.0.1", "localhost")  # the Host headers answered (any other: 400)
APP = "sim.dashboard.app"
SCENARIO_ENV = "MENTORSIM_DASHBOARD_SCENARIO"


def server_command(port: int) -> list[str]:
    """The command that serves the app on ``HOST:port``.

    Production mode, no browser opened, and no look-up of a newer Solara version (it blocks the start where
    there is no network).
    """
    options = ["--host", HOST, "--port", str(port), "--production", "--no-open", "--no-check-version"]
    return [sys.executable, "-m", "sim.dashboard.serve", APP, *options]
