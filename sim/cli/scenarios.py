"""The scenario commands: ``validate`` and ``describe`` a scenario file, ``run`` it."""

from __future__ import annotations

import csv
import difflib
import shlex
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Column, Table
from rich.text import Text

from sim.cli.common import (
    ScenarioArg,
    SetOption,
    console,
    load_or_exit,
    markdown_table,
    out_dir_or_exit,
    progress_console,
    refuse,
    warn_if_rough,
)
from sim.outputs.changes import differences
from sim.outputs.run_folder import check_out_dir, default_out_dir, rounded_summary, write_run
from sim.outputs.vocabulary import KEY_OUTCOMES, format_range, format_value, outcome_group, outcome_order
from sim.replicates import SPREAD_NAME, RunResult
from sim.replicates import run as run_scenario
from sim.scenario.describe import TABLE_COLUMNS, describe_table
from sim.scenario.loader import scenario_files
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
        Path | None,
        typer.Argument(help="Scenario YAML file: show its values next to the base it extends.", show_default=False),
    ] = None,
    set_: SetOption = None,
    section: Annotated[
        str | None,
        typer.Option(help="Only the parameters under this path, e.g. programme.matching or funding.grants."),
    ] = None,
    format_: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """List every parameter with its default, unit, allowed values, source and description.

    With a scenario file, ``value`` is the file's value (after ``--set``) and ``base`` the value of the file it
    extends (the schema default when it extends none), so what the file changes stands next to what it keeps.
    """
    loaded = load_or_exit(scenario, set_) if scenario is not None else None
    rows = describe_table(loaded)
    columns = [c for c in TABLE_COLUMNS if c != "value" or loaded is not None]
    if loaded is not None:
        base = _extended_base(loaded)
        base_rows = describe_table(base) if base is not None else None
        for i, row in enumerate(rows):
            row["base"] = base_rows[i]["value"] if base_rows is not None else row["default"]
        columns = ["path", "base", *(c for c in columns if c not in ("path", "default"))]
    if section is not None:
        rows = _in_section(rows, section)
    if format_ is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row[c] for c in columns} for row in rows)
    elif format_ is Format.markdown:
        typer.echo(markdown_table(rows, columns))
    else:
        _print_table(rows, columns)


def _extended_base(scenario: Scenario) -> Scenario | None:
    """The scenario of the file ``scenario``'s file extends (without ``--set``), or None when it extends none."""
    files = scenario_files(scenario)
    return load_or_exit(files[1]) if len(files) > 1 else None


def _in_section(rows: list[dict[str, str]], section: str) -> list[dict[str, str]]:
    """The rows under ``section`` (``funding.grants`` also matches ``funding.grants[*].end``); exit 2 if none."""
    prefix = section.strip().strip(".")
    chosen = [r for r in rows if r["path"] == prefix or r["path"].startswith((prefix + ".", prefix + "["))]
    if not chosen:
        sections = sorted({p for r in rows for p in _prefixes(r["path"])})
        close = difflib.get_close_matches(prefix, sections, n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        refuse(f"Refused: no parameter under --section {section!r}{hint}")
    return chosen


def _prefixes(path: str) -> list[str]:
    """``a.b[*].c`` -> ``a``, ``a.b``, ``a.b[*].c``: the sections a path lies in, and the path."""
    parts = path.replace("[*]", "").split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def diff(
    first: Annotated[Path, typer.Argument(help="A scenario YAML file.", show_default=False)],
    second: Annotated[Path, typer.Argument(help="Another scenario YAML file.", show_default=False)],
    format_: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """List the parameters whose values differ between two scenarios, after extends (in words, with their paths)."""
    a, b = load_or_exit(first), load_or_exit(second)
    rows = [
        {"parameter": r["words"], "path": r["path"], str(first): r["other"], str(second): r["this"]}
        for r in differences(b.model_dump(mode="json"), a.model_dump(mode="json"))
    ]
    columns = ["parameter", "path", str(first), str(second)]
    if format_ is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif format_ is Format.markdown:
        typer.echo(markdown_table(rows, columns))
    elif not rows:
        typer.echo(f"No parameter differs between {first} and {second} (name and description aside).")
    else:
        table = Table(title=f"{len(rows)} parameters differ (after extends and defaults)")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(Text(row[c]) for c in columns))
        console().print(table)


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
    warn_if_rough(len(result.seeds))
    target = out_dir or default_out_dir(loaded.name, started)
    with progress_console().status("Writing tables and figures..."):
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
    with Progress(*columns, console=progress_console()) as progress:
        task = progress.add_task("replicates", total=replicates)
        return run_scenario(scenario, replicates, seed, progress=lambda n: progress.advance(task, n))


def _print_summary(result: RunResult) -> None:
    """The summary as a rich table: grouped, key outcomes first (others dimmed)."""
    seeds = result.seeds
    table = Table(
        "Outcome",
        Column("Mean", justify="right"),
        Column(SPREAD_NAME, justify="right"),
        title=f"{result.scenario.name}: {len(seeds)} replicates (seeds {seeds[0]}-{seeds[-1]})",
        caption=(
            f"Mean across replicates and the {SPREAD_NAME} (the spread of one run, not an interval of the mean).\n"
            "Net = with minus without the programme, same people (pp: percentage points)."
        ),
    )
    summary = rounded_summary(result.summary)  # the numbers of summary.csv, so the report shows the same
    rows = sorted(summary.itertuples(index=False), key=lambda row: outcome_order(row.outcome))
    group = None
    for row in rows:
        if outcome_group(row.outcome) != group:
            group = outcome_group(row.outcome)
            if table.rows:
                table.add_section()
            table.add_row(Text(group, style="bold"))
        style = None if row.outcome in KEY_OUTCOMES else "dim"
        interval = format_range(row.outcome, row.p05, row.p95)
        table.add_row(row.outcome, format_value(row.outcome, row.mean), interval, style=style)
    console(MIN_WIDTH).print(table)


def _print_table(rows: list[dict[str, str]], columns: list[str]) -> None:
    """A rich table on stdout, at least 160 characters wide when piped; long descriptions wrap in their column."""
    table = Table(title="Scenario parameters", expand=True, show_lines=True)
    for column in columns:
        table.add_column(column, overflow="fold", ratio={"path": 2, "description": 3}.get(column, 1))
    for row in rows:
        table.add_row(*(Text(row[c]) for c in columns))  # Text: values like [a, b] are not markup
    console(160).print(table)
