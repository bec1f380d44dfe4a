"""The ``mentorsim dashboard`` command: serve the interactive dashboard on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import load_or_exit, refuse
from sim.dashboard.server import HOST, SCENARIO_ENV, server_command
from sim.extras import MissingExtra, require


def dashboard_command(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML to open first (default: the first in scenarios/).")
    ] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Start the interactive dashboard on 127.0.0.1: pick a scenario, move levers, run, see gross and net."""
    try:
        require("dashboard")
    except MissingExtra as err:
        refuse(str(err))
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
    if scenario is not None:
        load_or_exit(scenario)
        env[SCENARIO_ENV] = str(scenario.resolve())
    typer.echo(f"Dashboard on http://{HOST}:{port}/ (Ctrl-C to stop)", err=True)
    command = server_command(port)
    os.execve(command[0], command, env)  # the server replaces this process: signals reach it directly
