"""``mentorsim report`` (a run folder as one self-contained HTML file) and ``mentorsim export`` (as an Excel workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.cli.common import refuse
from sim.extras import MissingExtra, require
from sim.outputs.report import write_report
from sim.outputs.run_folder import RunFolderError
from sim.outputs.study_report import is_study_folder, write_study_report


def report_command(
    results_dir: Annotated[
        Path,
        typer.Argument(
            help="A run folder of `mentorsim run`, or the folder of a `mentorsim sweep` of designs.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file to write (default: report.html in RESULTS_DIR).", show_default=False),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Another run folder: show what changed against it.", show_default=False),
    ] = None,
) -> None:
    """Write a self-contained HTML report of a run or a study of designs (figures embedded, no external assets).

    A study folder gets the paired table of every design against the first and a section per design with its
    funding timeline.
    """
    try:
        with Console(stderr=True).status("Reading the results and drawing the report's figures..."):
            if is_study_folder(results_dir) and baseline is None:
                written = write_study_report(results_dir, out)
            else:
                written = write_report(results_dir, out, baseline)
    except RunFolderError as err:
        refuse(f"Refused: {err}")
    typer.echo(f"Report written to {written}")


def export_command(
    results_dir: Annotated[Path, typer.Argument(help="A run folder written by `mentorsim run`.", show_default=False)],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel file to write (.xlsx).", show_default=False)],
) -> None:
    """Write a run as one Excel workbook: a sheet per table, labelled columns with units, a README sheet."""
    try:
        require("excel")
    except MissingExtra as err:
        refuse(str(err))
    from sim.outputs.export import export_xlsx  # pandas' Excel writer loads only to export

    try:
        with Console(stderr=True).status("Writing the workbook..."):
            written = export_xlsx(results_dir, xlsx)
    except RunFolderError as err:
        refuse(f"Refused: {err}")
    typer.echo(f"Workbook written to {written}")
