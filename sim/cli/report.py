"""``mentorsim report`` (a run folder as one self-contained HTML file) and ``mentorsim export`` (as an Excel workbook)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from sim.cli.common import progress_console, refuse, warn_if_rough
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
        with progress_console().status("Reading the results...") as status:
            if is_study_folder(results_dir) and baseline is None:
                written = write_study_report(results_dir, out, progress=status.update)
            else:
                written = write_report(results_dir, out, baseline, progress=status.update)
    except RunFolderError as err:
        refuse(f"Refused: {err}")
    for folder in (results_dir, baseline):
        if folder is not None and (replicates := _replicates(folder)):
            warn_if_rough(replicates)
    typer.echo(f"Report written to {written}")


def _replicates(folder: Path) -> int | None:
    """The replicates of a run folder (its manifest) or of a study folder (its seeds); None if unknown."""
    try:
        if is_study_folder(folder):
            return int(pd.read_parquet(folder / "experiments.parquet", columns=["seed"])["seed"].nunique())
        return int(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["replicates"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


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
        with progress_console().status("Writing the workbook..."):
            written = export_xlsx(results_dir, xlsx)
    except RunFolderError as err:
        refuse(f"Refused: {err}")
    typer.echo(f"Workbook written to {written}")
