"""The study commands: ``mentorsim compare`` and ``mentorsim sweep``.

Both run their experiments x seeds through the results store of one folder (default
``results/<study>/``): finished runs are skipped when the command is run again, failed runs are
reported, and a second command writing into the same folder is refused with exit status 2.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Column, Table

from sim.cli.common import (
    DaskOption,
    ReplicatesOption,
    SetOption,
    WorkersOption,
    check_outcomes,
    console,
    load_or_exit,
    progress_console,
    refuse,
    refused_if_invalid,
    warn_if_rough,
)
from sim.outputs.files import atomic_write, file_hash, safe_name
from sim.outputs.run_folder import RESULTS_ROOT
from sim.outputs.study_report import MAX_TIMELINES
from sim.outputs.vocabulary import COMPARE_OUTCOMES, format_difference, format_range, format_value
from sim.replicates import DIFFERENCE_NAME, paired_differences, run_replicate
from sim.scenario.limits import memory_estimate, workers_memory_problem
from sim.scenario.loader import scenario_hash
from sim.studies.executors import Done, ExecutorError, Task, default_workers
from sim.studies.experiments import (
    Experiment,
    Study,
    load_study,
    pending,
    run_tasks,
    run_with_cliffs,
    study_experiments,
    tasks_for,
)
from sim.studies.store import Store, StoreRefused

OutDirOption = Annotated[
    Path | None, typer.Option("--out-dir", help="Results folder (default: results/<study>/).", show_default=False)
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Start this study in a results folder that holds something else (another study, a run, other files): "
        "its manifest and tables are first moved into replaced-<time>/.",
    ),
]


def compare(
    base: Annotated[Path, typer.Argument(help="Base scenario YAML file.", show_default=False)],
    alternatives: Annotated[list[Path], typer.Argument(help="Alternative scenario files.", show_default=False)],
    replicates: Annotated[int, typer.Option(min=2, help="Replicates (seeds) per scenario.")] = 10,
    outcome: Annotated[list[str] | None, typer.Option(help="Outcome to show (repeatable).")] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    set_: SetOption = None,
    out_dir: OutDirOption = None,
    force: ForceOption = False,
) -> None:
    """Every alternative against the base on the same seeds: paired differences with a 95 % interval."""
    check_outcomes(outcome)
    scenarios = [load_or_exit(p, set_) for p in (base, *alternatives)]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        refuse(f"Refused: the scenarios need different names to be compared, got {names}")
    experiments = [Experiment(i, {"scenario": s.name}, s) for i, s in enumerate(scenarios)]
    seeds = [scenarios[0].seed + r for r in range(replicates)]
    folder = out_dir or RESULTS_ROOT / safe_name("compare-" + "-".join(names))[:120]
    digest = "-".join(scenario_hash(s)[:12] for s in scenarios)
    tasks = tasks_for(experiments, seeds)
    table = run_study(f"compare {' '.join(names)}", folder, digest, tasks, workers, dask, force)
    _report_differences(table, "scenario", names[0], list(outcome or COMPARE_OUTCOMES), folder)


def sweep(
    study: Annotated[Path, typer.Argument(help="Study YAML file (scenarios/studies/).", show_default=False)],
    replicates: ReplicatesOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    set_: SetOption = None,
    out_dir: OutDirOption = None,
    force: ForceOption = False,
) -> None:
    """Run a study's experiments x replicates; write experiments.parquet and .csv (one row per run).

    A study of kind designs also reports each design against the first (the base) on the same seeds. Every sweep
    keeps each run's time series and draws cliffs.png: when each design's money falls (`mentorsim report` on the
    folder gives the whole report).
    """
    with refused_if_invalid():
        spec = with_replicates(load_study(study), replicates)
        experiments = study_experiments(spec, study, set_ or ())
    seeds = [spec.seed + r for r in range(spec.replicates)]
    designs = spec.kind == "designs"
    # a sweep keeps the runs' time series of the designs its cliff timelines (cliffs.png) and report draw: every
    # design of a study of designs, the first MAX_TIMELINES experiments of a sweep of levers (~50 kB a run)
    runner = run_with_cliffs if designs else run_replicate
    drawn = len(experiments) if designs else MAX_TIMELINES
    tasks = tasks_for(experiments[:drawn], seeds, runner, keep_series=True) + tasks_for(
        experiments[drawn:], seeds, runner
    )
    folder = out_dir or RESULTS_ROOT / safe_name(spec.name)
    digest = file_hash(study) + ":" + shlex.join(set_ or ())
    table = run_study(spec.name, folder, digest, tasks, workers, dask, force)
    names = reported_outcomes(spec, table)
    if spec.kind == "designs":
        _print_means(table, "design", names)
        _report_differences(table, "design", experiments[0].values["design"], names, folder)
    else:
        _print_sweep(table, names, len(experiments), len(seeds))
    _write_cliff_timelines(table, folder)


def _write_cliff_timelines(table: pd.DataFrame, folder: Path) -> None:
    """cliffs.png: the money per month and the waiting list of every design (of the first ones of a large sweep)."""
    if table.empty:
        return
    from sim.outputs.figures import save_png  # the plotting stack loads only to draw
    from sim.outputs.study_report import cliff_timelines

    path = save_png(cliff_timelines(folder), folder / "cliffs.png")
    shown = "every design" if table["experiment"].nunique() <= MAX_TIMELINES else f"the first {MAX_TIMELINES} designs"
    typer.echo(f"Cliff timelines ({shown}): {path}; a report: mentorsim report {folder}")


# --- running -------------------------------------------------------------------------------------


def with_replicates(study: Study, replicates: int | None) -> Study:
    """The study with ``--replicates`` in place of its own replicates (the same study when not given)."""
    return study if replicates is None else study.model_copy(update={"replicates": replicates})


def reported_outcomes(study: Study, table: pd.DataFrame) -> list[str]:
    """The study's outcomes that the runs report (a note on stderr names the others)."""
    names = [o.name for o in study.outcomes]
    missing = [n for n in names if not table.empty and n not in table.columns]
    if missing:
        typer.echo(f"Note: the study names outcomes that no run reports: {', '.join(missing)}", err=True)
    return [n for n in names if n not in missing]


def run_study(
    name: str,
    folder: Path,
    digest: str,
    tasks: Sequence[Task],
    workers: int | None,
    dask: str | None,
    force: bool = False,
) -> pd.DataFrame:
    """Run the tasks through the store in ``folder`` with a progress bar; write and return the table.

    A folder that is not this study's is refused (exit status 2) unless ``force``; a table that exists with
    other content is kept as ``<name>.previous-<time>.<ext>`` before the new one is written.
    """
    console = progress_console()
    if tasks and dask is None:  # a local pool runs a replicate per worker at once: check before any file is written
        largest = max((t.scenario for t in tasks), key=memory_estimate)
        if problem := workers_memory_problem(largest, workers or default_workers()):
            refuse(f"Refused: {problem}")
    try:
        with Store(folder, name, digest, force) as store:
            if store.replaced is not None:
                typer.echo(f"--force: the folder's earlier manifest and tables moved to {store.replaced}", err=True)
            if store.repaired:
                typer.echo(f"Damaged run files removed, their runs are done again: {len(store.repaired)}", err=True)
            todo = pending(tasks, store)
            skipped = len({t.key for t in tasks}) - len(todo)
            failed = 0
            columns = (
                TextColumn("Runs"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console) as progress:
                bar = progress.add_task("runs", total=len(todo), failed=0)

                def advance(done: Done) -> None:
                    nonlocal failed
                    failed += done.error is not None
                    progress.update(bar, advance=1, failed=failed)

                table = run_tasks(tasks, store, workers, dask, on_result=advance)
            keys = {t.key for t in tasks}
            failures = {k: e for k, e in store.failures().items() if k in keys}
    except (StoreRefused, ExecutorError) as err:
        refuse(f"Refused: {err}")
    atomic_write(folder / "experiments.parquet", lambda p: table.to_parquet(p, index=False), keep_previous=True)
    atomic_write(folder / "experiments.csv", lambda p: table.to_csv(p, index=False), keep_previous=True)
    typer.echo(
        f"{len(keys)} runs: {len(keys) - len(failures)} done ({skipped} from earlier), {len(failures)} failed. "
        f"Table: {folder / 'experiments.parquet'} ({len(table)} rows)"
    )
    for key, error in list(failures.items())[:5]:
        typer.echo(f"  failed {key}: {error}", err=True)
    if failures:
        typer.echo(f"  (all errors in {folder / 'manifest.json'}; run the command again to retry them)", err=True)
    return table


# --- reporting -----------------------------------------------------------------------------------


def _report_differences(table: pd.DataFrame, by: str, reference: str, outcomes: list[str], folder: Path) -> None:
    """Paired differences against ``reference``: a rich table, differences.csv (all outcomes) and differences.png."""
    if table.empty:
        typer.echo("No finished runs to compare.", err=True)
        return
    numeric = [c for c in table.columns if c not in (by, "experiment", "replicate", "seed", "run_key")]
    numeric = [c for c in numeric if pd.api.types.is_numeric_dtype(table[c])]
    diffs = paired_differences(table, by, reference, numeric)
    atomic_write(folder / "differences.csv", lambda p: diffs.to_csv(p, index=False), keep_previous=True)
    shown = pd.concat([diffs[diffs["outcome"] == o] for o in outcomes]) if outcomes else diffs.iloc[:0]
    _print_differences(shown, by, reference)
    if len(diffs):
        warn_if_rough(int(diffs["n"].max()))  # paired seeds (an outcome without values has fewer)
    if not shown.empty:
        from sim.outputs.figures import plot_differences, save_png  # the plotting stack loads only to draw

        save_png(plot_differences(shown, by, reference)[0], folder / "differences.png")
    typer.echo(f"Differences: {folder / 'differences.csv'}, {folder / 'differences.png'}")


def _print_differences(diffs: pd.DataFrame, by: str, reference: str) -> None:
    table = Table(
        "Outcome",
        by.capitalize(),
        Column(reference, justify="right"),
        Column("Alternative", justify="right"),
        Column("Mean paired difference (95 % t interval of the mean)", justify="right"),
        Column("n", justify="right"),
        title=f"Against {reference}, same seeds (common random numbers)",
        caption=f"Alternative minus reference, seed by seed: {DIFFERENCE_NAME} (pp: percentage points); "
        "~ the interval includes 0.",
    )
    for outcome, group in diffs.groupby("outcome", sort=False):
        for row in group.itertuples(index=False):
            name = str(outcome)
            interval = f"{format_difference(name, row.difference)} ({format_range(name, row.low, row.high, True)})"
            mark = "" if not row.low <= 0 <= row.high else " ~"  # ~: the interval includes 0
            table.add_row(
                name,
                str(getattr(row, by)),
                format_value(name, row.reference_mean),
                format_value(name, row.mean),
                interval + mark,
                str(row.n),
            )
        table.add_section()
    console().print(table)


def _print_means(table: pd.DataFrame, by: str, outcomes: list[str]) -> None:
    """Mean of each outcome per value of ``by`` (rows in the order of the table)."""
    means = table.groupby(by, sort=False)[outcomes].mean()
    out = Table(
        "Outcome",
        *(Column(str(n), justify="right") for n in means.index),
        title="Means across replicates (differences and their intervals below)",
    )
    for o in outcomes:
        out.add_row(o, *(format_value(o, float(v)) for v in means[o]))
    console().print(out)


def _print_sweep(table: pd.DataFrame, outcomes: list[str], experiments: int, replicates: int) -> None:
    """Per outcome: the spread across experiments of the experiment means."""
    if table.empty:
        return
    means = table.groupby("experiment")[outcomes].mean()
    out = Table(
        "Outcome",
        *(Column(c, justify="right") for c in ("lowest", "median", "highest")),
        title=f"{experiments} experiments x {replicates} replicates: experiment means",
    )
    for name in outcomes:
        column = means[name]
        out.add_row(name, *(format_value(name, v) for v in (column.min(), column.median(), column.max())))
    console().print(out)
