"""The validation commands: ``mentorsim check`` (every scenario with targets: reported vs simulated) and ``mentorsim calibrate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from sim.cli.common import console, load_or_exit, markdown_table, progress_console, refuse
from sim.scenario.loader import ScenarioError
from sim.studies.calibration import CalibrationError, write_overlay, write_report
from sim.studies.calibration import calibrate as fit
from sim.studies.executors import ExecutorError
from sim.studies.joint import (
    MECHANISMS,
    fit_rows,
    leave_one_out,
    loo_rows,
    loo_summary,
    write_calibration_docs,
    write_fit,
    write_loo_docs,
)
from sim.studies.joint import fit as joint_fit
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
    leave_one_out_: Annotated[
        bool,
        typer.Option(
            "--leave-one-out",
            help="Also predict each study's outcome targets from the joint fit without it (needs a prior "
            "`calibrate --joint`) and show in-sample and left-out errors side by side.",
        ),
    ] = False,
    mechanisms: Annotated[Path, typer.Option(help="--leave-one-out: the shared parameters' file.")] = MECHANISMS,
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
    if leave_one_out_:
        check_leave_one_out(root, mechanisms, replicates, table, write_docs_, docs)
    if len(failures(table)):
        raise typer.Exit(1)


def calibrate(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario YAML file with targets: and calibrate: (not with --joint).", show_default=False),
    ] = None,
    joint: Annotated[
        bool,
        typer.Option(
            "--joint",
            help="Fit the shared mechanism parameters (scenarios/shared/mechanisms.yaml) to the outcome targets of "
            "every scenario under --root at once.",
        ),
    ] = False,
    trials: Annotated[
        int, typer.Option(min=1, help="Optimiser trials (the first one is the file's values); --joint: design trials.")
    ] = 30,
    refine: Annotated[int, typer.Option(min=0, help="--joint: refinement trials around the accepted ones.")] = 16,
    replicates: Annotated[int, typer.Option(min=1, help="Replicates per trial, on the same seeds in every trial.")] = 4,
    seed: Annotated[int | None, typer.Option(help="First seed (default: the scenario's seed).")] = None,
    root: Annotated[Path, typer.Option(help="--joint: folder searched for scenarios with targets.")] = ROOT,
    mechanisms: Annotated[Path, typer.Option(help="--joint: the shared parameters' file.")] = MECHANISMS,
    workers: Annotated[
        int | None, typer.Option(min=1, help="--joint: local worker processes (default: cores).")
    ] = None,
    dask: Annotated[str | None, typer.Option(help="--joint: a Dask scheduler address, or 'local'.")] = None,
    write: Annotated[
        bool, typer.Option("--write/--dry-run", help="--joint: write the fitted values into the mechanisms file.")
    ] = True,
    docs: Annotated[Path, typer.Option(help="--joint: folder of calibration.md, rewritten with the fit.")] = DOCS,
) -> None:
    """Fit the parameters listed under calibrate: within their ranges to the targets.

    Writes <scenario>.calibrated.yaml (an extends overlay) and <scenario>.calibration.csv (the report).
    With --joint (no scenario): fits the shared mechanism parameters to every outcome target under --root,
    writes their values into scenarios/shared/mechanisms.yaml, every trial into mechanisms.trials.csv and the
    fitted values with their uncertainty into docs/calibration.md; then refit each programme's scale with
    `mentorsim calibrate FILE` and check with `mentorsim check --leave-one-out`.
    """
    if joint:
        if scenario is not None:
            refuse("calibrate --joint fits every scenario under --root: give no scenario file")
        _joint(root, mechanisms, trials, refine, replicates, seed, workers, dask, write, docs)
        return
    if scenario is None:
        refuse("calibrate needs a scenario file, or --joint")
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


def _joint(
    root: Path,
    mechanisms: Path,
    design: int,
    refine: int,
    replicates: int,
    seed: int | None,
    workers: int | None,
    dask: str | None,
    write: bool,
    docs: Path,
) -> None:
    """``calibrate --joint``: run the fit, print the fitted values, write them (unless --dry-run)."""
    err = progress_console()
    try:
        result = joint_fit(
            root, mechanisms, design, refine, replicates, seed, workers=workers, dask=dask,
            progress=lambda phase, n, total: err.print(f"[dim]{phase}: {n}/{total} runs[/dim]") if n % 50 == 0 or n == total else None,
        )  # fmt: skip
    except (CalibrationError, ExecutorError) as problem:
        refuse(f"Cannot calibrate jointly: {problem}")
    except ScenarioError as problem:
        refuse(str(problem))
    rows = fit_rows(result)
    _print(rows, "Shared mechanism parameters")
    best = result.best
    typer.echo(
        f"objective {result.trials['distance'].iloc[0]:.4g} at the values before -> {best['distance']:.4g} fitted"
    )
    if write:
        files = write_fit(result, mechanisms)
        page = write_calibration_docs(result, docs, lambda r: markdown_table(r, list(r[0])))
        typer.echo(f"wrote {files[0]}, {files[1]} and {page}")


def check_leave_one_out(
    root: Path, mechanisms: Path, replicates: int, table: pd.DataFrame, write_docs_: bool, docs: Path
) -> None:
    """``check --leave-one-out``: predict each study from the fit without it; print (and write) both errors."""
    err = progress_console()
    try:
        loo = leave_one_out(root, mechanisms, replicates, progress=lambda m: err.print(f"[dim]{m}[/dim]"))
    except CalibrationError as problem:
        refuse(f"Cannot check leave-one-out: {problem}")
    rows = loo_rows(table, loo)
    _print(rows, "Outcome targets: in-sample vs left out")
    if write_docs_:
        typer.echo(f"wrote {write_loo_docs(rows, docs, replicates, lambda r: markdown_table(r, list(r[0])))}")
    typer.echo(loo_summary(table, loo))
