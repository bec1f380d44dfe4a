"""``mentorsim dashboard``: start the Solara app of :mod:`sim.dashboard_app` on 127.0.0.1.

Kept apart from the app so that the command line does not load Solara until the dashboard is asked for.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.loader import ScenarioError, load_scenario

HOST = "127.0.0.1"  # local only: the dashboard runs simulations for whoever can reach it
APP = "sim.dashboard_app"
SCENARIO_ENV = "MENTORSIM_DASHBOARD_SCENARIO"
EXIT_INVALID_SCENARIO = 2


def server_command(port: int) -> list[str]:
    """The command that serves the app on ``HOST:port``: production mode, no browser opened, and no look-up
    of a newer Solara version (it blocks the start where there is no network)."""
    options = ["--host", HOST, "--port", str(port), "--production", "--no-open", "--no-check-version"]
    return [sys.executable, "-m", "solara", "run", APP, *options]


def dashboard_command(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML to open first (default: the first in scenarios/).")
    ] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Start the interactive dashboard on 127.0.0.1: pick a scenario, move levers, run, see gross and net."""
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
    if scenario is not None:
        try:
            load_scenario(scenario)
        except ScenarioError as err:
            typer.echo(str(err), err=True)
            raise typer.Exit(EXIT_INVALID_SCENARIO) from None
        env[SCENARIO_ENV] = str(scenario.resolve())
    typer.echo(f"Dashboard on http://{HOST}:{port}/ (Ctrl-C to stop)", err=True)
    command = server_command(port)
    os.execve(command[0], command, env)  # the server replaces this process: signals reach it directly
