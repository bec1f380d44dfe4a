"""The scenario commands: ``validate`` and ``describe`` a scenario file, ``run`` it."""

from __future__ import annotations

import csv
import shlex
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Column, Table
from rich.text import Text

from sim.cli.common import ScenarioArg, SetOption, console, load_or_exit, markdown_table, out_dir_or_exit
from sim.outputs.run_folder import check_out_dir, default_out_dir, write_run
from sim.outputs.vocabulary import KEY_OUTCOMES, format_range, format_value, outcome_group, outcome_order
from sim.replicates import RunResult
from sim.replicates import run as run_scenario
from sim.scenario.describe import TABLE_COLUMNS, describe_table
from sim.scenario.schema import Scenario


class Format(StrEnum):
    """The output formats of ``mentorsim describe --format``: a terminal table, CSV or a Markdown table."""

    table = "table"
    csv = "csv"
    markdown = "markdown"


def validate(scenario: ScenarioArg, set_: SetOption = None) -> None:
    """Check a scenario file (and the files it extends) without running it; writes nothing."""
    loaded = load_or_exit(scenario, set_)
    typer.echo(f"OK: {scenario} is a valid scenario ({loaded.name}, {loaded.months} months from {loaded.start})")


def describe(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML file: show its values too.", show_default=False)
    ] = None,
    set_: SetOption = None,
    format_: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """List every parameter with its default (and the scenario's value), unit, allowed values and source."""
    loaded = load_or_exit(scenario, set_) if scenario is not None else None
    rows = describe_table(loaded)
    columns = [c for c in TABLE_COLUMNS if c != "value" or loaded is not None]
    if format_ is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row[c] for c in columns} for row in rows)
    elif format_ is Format.markdown:
        typer.echo(markdown_table(rows, columns))
    else:
        _print_table(rows, [c for c in columns if c != "description"])  # descriptions are too long for a terminal


def run_command(
    scenario: ScenarioArg,
    replicates: Annotated[int, typer.Option(min=1, help="Number of replicates; replicate r uses seed + r.")] = 10,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Base seed (default: the scenario's seed).", show_default=False)
    ] = None,
    set_: SetOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="A new or empty folder for the results (default: results/<scenario>/<YYYYmmdd-HHMMSS>/).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a scenario, print the summary and write the results to a new folder (never overwrites)."""
    loaded = load_or_exit(scenario, set_)
    started = _now()
    out_dir_or_exit(check_out_dir, out_dir or default_out_dir(loaded.name, started))  # before the compute
    result = _run_with_progress(loaded, replicates, seed)
    finished = _now()
    _print_summary(result)
    target = out_dir or default_out_dir(loaded.name, started)
    with Console(stderr=True).status("Writing tables and figures..."):
        written = out_dir_or_exit(write_run, result, target, shlex.join(sys.argv), started, finished, set_ or ())
    typer.echo(f"Results written to {written}")


MIN_WIDTH = 100


def _now() -> datetime:
    return datetime.now().astimezone()


def _run_with_progress(scenario: Scenario, replicates: int, seed: int | None) -> RunResult:
    """Run the replicates with a progress bar on stderr."""
    columns = (
        TextColumn("Replicates"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("replicates", total=replicates)
        return run_scenario(scenario, replicates, seed, progress=lambda n: progress.advance(task, n))


def _print_summary(result: RunResult) -> None:
    """The summary as a rich table: grouped, key outcomes first (others dimmed)."""
    seeds = result.seeds
    table = Table(
        "Outcome",
        Column("Mean", justify="right"),
        Column("90 % interval", justify="right"),
        title=f"{result.scenario.name}: {len(seeds)} replicates (seeds {seeds[0]}-{seeds[-1]})",
        caption=(
            "Mean across replicates; interval: 5th to 95th percentile.\n"
            "Net = with minus without the programme, same people (pp: percentage points)."
        ),
    )
    rows = sorted(result.summary.itertuples(index=False), key=lambda row: outcome_order(row.outcome))
    group = None
    for row in rows:
        if outcome_group(row.outcome) != group:
            group = outcome_group(row.outcome)
            if table.rows:
                table.add_section()
            table.add_row(Text(group, style="bold"))
        style = None if row.outcome in KEY_OUTCOMES else "dim"
        interval = format_range(row.outcome, row.low, row.high)
        table.add_row(row.outcome, format_value(row.outcome, row.mean), interval, style=style)
    console(MIN_WIDTH).print(table)


def _print_table(rows: list[dict[str, str]], columns: list[str]) -> None:
    """A rich table on stdout, at least 160 characters wide when piped."""
    table = Table(title="Scenario parameters", expand=True)
    for column in columns:
        table.add_column(column, overflow="fold", ratio=2 if column == "path" else 1)
    for row in rows:
        table.add_row(*(Text(row[c]) for c in columns))  # Text: values like [a, b] are not markup
    console(160).print(table)
