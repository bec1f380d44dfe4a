"""The validation commands: ``mentorsim check`` (every scenario with targets: reported vs simulated) and ``mentorsim calibrate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli.common import console, load_or_exit, markdown_table, progress_console, refuse
from sim.scenario.loader import ScenarioError
from sim.studies.calibration import CalibrationError, write_overlay, write_report
from sim.studies.calibration import calibrate as fit
from sim.studies.validation import check as check_all
from sim.studies.validation import failures, summary_line, table_rows, write_docs

ROOT = Path("scenarios")
DOCS = Path("docs")


def _print(rows: list[dict[str, str]], title: str) -> None:
    table = Table(title=title)
    for column in rows[0] if rows else ["programme", "target"]:
        table.add_column(column, overflow="fold")
    for row in rows:
        style = "red" if row.get("result") == "FAIL" else None
        table.add_row(*(Text(v) for v in row.values()), style=style)
    console(160).print(table)


def check(
    replicates: Annotated[
        int, typer.Option(min=1, help="Replicates per scenario (seeds from each scenario's seed).")
    ] = 10,
    root: Annotated[Path, typer.Option(help="Folder searched (recursively) for scenarios with targets.")] = ROOT,
    write_docs_: Annotated[
        bool, typer.Option("--write-docs", help="Also write docs/validation.md and docs/validation.png.")
    ] = False,
    docs: Annotated[Path, typer.Option(help="Folder for --write-docs.")] = DOCS,
) -> None:
    """Run every scenario that has targets and print its targets, reported vs simulated, with pass or fail.

    Columns: programme, target, reported, simulated (90 % interval), result (pass, known miss, FAIL). A lower
    bound reads "≥ 700 (bound)". Exit status 1 when a target misses without a `known_miss:` reason in its
    programme file (the docs are still written); the last line says how many pass, are known misses, fail.
    """
    stderr = progress_console()
    try:
        table = check_all(root, replicates, progress=lambda p: stderr.print(f"[dim]running {p}[/dim]"))
    except ScenarioError as err:
        refuse(str(err))
    _print(table_rows(table), "Reported vs simulated")
    if write_docs_:
        typer.echo(f"wrote {write_docs(table, docs, replicates, lambda rows: markdown_table(rows, list(rows[0])))}")
    typer.echo(summary_line(table))
    if len(failures(table)):
        raise typer.Exit(1)


def calibrate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file with targets: and calibrate:.", show_default=False)
    ],
    trials: Annotated[int, typer.Option(min=1, help="Optimiser trials (the first one is the file's values).")] = 30,
    replicates: Annotated[int, typer.Option(min=1, help="Replicates per trial, on the same seeds in every trial.")] = 4,
    seed: Annotated[int | None, typer.Option(help="First seed (default: the scenario's seed).")] = None,
) -> None:
    """Fit the parameters listed under calibrate: within their ranges to the targets.

    Writes <scenario>.calibrated.yaml (an extends overlay) and <scenario>.calibration.csv (the report).
    """
    load_or_exit(scenario)
    try:
        result = fit(
            scenario, trials, replicates, seed, progress=lambda n, v: typer.echo(f"trial {n}: {v:.4g}", err=True)
        )
    except CalibrationError as err:
        refuse(f"Cannot calibrate {scenario}: {err}")
    _print(table_rows(result.table), f"{result.scenario.name}: fitted {result.values}")
    typer.echo(f"objective {result.start_objective:.4g} at the file's values -> {result.objective:.4g} fitted")
    typer.echo(f"wrote {write_overlay(scenario, result, replicates, seed)} and {write_report(scenario, result)}")
    typer.echo(summary_line(result.table))
