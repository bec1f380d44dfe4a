"""The ``mentorsim report`` command: a run folder as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.cli.common import refuse
from sim.outputs.report import write_report
from sim.outputs.run_folder import RunFolderError


def report_command(
    results_dir: Annotated[Path, typer.Argument(help="A run folder written by `mentorsim run`.", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file to write (default: report.html in RESULTS_DIR).", show_default=False),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Another run folder: show what changed against it.", show_default=False),
    ] = None,
) -> None:
    """Write a self-contained HTML report of a run (figures embedded, no external assets) to mail around."""
    try:
        with Console(stderr=True).status("Reading the run and drawing the report's figures..."):
            written = write_report(results_dir, out, baseline)
    except RunFolderError as err:
        refuse(f"Refused: {err}")
    typer.echo(f"Report written to {written}")
