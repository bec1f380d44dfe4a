"""The ``mentorsim`` command line: ``validate`` and ``describe`` scenario files, ``run`` them.

Commands that read a scenario use :func:`load_or_exit`, which turns a :class:`ScenarioError` into
its message on stderr and exit status 2 (no traceback).
"""

from __future__ import annotations

import csv
import math
import shlex
import sys
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Column, Table
from rich.text import Text

from sim.dashboard import dashboard_command
from sim.describe import TABLE_COLUMNS, describe_table
from sim.loader import ScenarioError, load_scenario
from sim.report import report_command
from sim.results import OutDirError, check_out_dir, default_out_dir, write_run
from sim.run import RunResult
from sim.run import run as run_scenario
from sim.scenario import Scenario

EXIT_INVALID_SCENARIO = 2
EXIT_OUT_DIR_TAKEN = 2  # the output folder is not empty: refuse rather than overwrite

app = typer.Typer(
    name="mentorsim",
    help="Agent-based simulator of mentoring-to-work programmes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override one parameter: PATH=VALUE, e.g. programme.matching.strategy=random (repeatable)."
    ),
]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    markdown = "markdown"


def load_or_exit(path: Path, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario; on :class:`ScenarioError` print its message to stderr and exit with status 2."""
    try:
        return load_scenario(path, overrides or ())
    except ScenarioError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(EXIT_INVALID_SCENARIO) from None


@app.command()
def validate(scenario: ScenarioArg, set_: SetOption = None) -> None:
    """Check a scenario file (and the files it extends) without running it; writes nothing."""
    loaded = load_or_exit(scenario, set_)
    typer.echo(f"OK: {scenario} is a valid scenario ({loaded.name}, {loaded.months} months from {loaded.start})")


@app.command()
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
        typer.echo(_markdown(rows, columns))
    else:
        _print_table(rows, [c for c in columns if c != "description"])  # descriptions are too long for a terminal


@app.command("run")
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
    if out_dir is not None:
        _out_dir_or_exit(check_out_dir, out_dir)
    started = _now()
    result = _run_with_progress(loaded, replicates, seed)
    finished = _now()
    _print_summary(result)
    target = out_dir or default_out_dir(loaded.name, started)
    with Console(stderr=True).status("Writing tables and figures..."):
        written = _out_dir_or_exit(write_run, result, target, shlex.join(sys.argv), started, finished, set_ or ())
    typer.echo(f"Results written to {written}")


app.command("report")(report_command)
app.command("dashboard")(dashboard_command)


KEY_OUTCOMES = (
    "enrolled", "matched_share", "wait_months_mean", "never_started_share", "dropout_share",
    "network_access_share", "employed_end_share", "employed_6m_share", "employed_at_level_share",
    "positive_outcome_share", "net_effect_employed_6m", "cost_per_participant_eur", "cost_per_net_placement_eur",
)  # fmt: skip
GROUPS = ("Gross outcomes", "Net effects", "Costs", "Programme operation")
MIN_WIDTH = 100


def _now() -> datetime:
    return datetime.now().astimezone()


def _out_dir_or_exit[T](action: Callable[..., T], *args: Any) -> T:
    """Call ``action``; an :class:`OutDirError` (results would be overwritten) exits with status 2."""
    try:
        return action(*args)
    except OutDirError as err:
        typer.echo(f"Refused: {err}", err=True)
        raise typer.Exit(EXIT_OUT_DIR_TAKEN) from None


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
    rows = sorted(result.summary.itertuples(index=False), key=lambda row: _order(row.outcome))
    group = None
    for row in rows:
        if _group(row.outcome) != group:
            group = _group(row.outcome)
            if table.rows:
                table.add_section()
            table.add_row(Text(group, style="bold"))
        interval = f"{_format(row.outcome, row.low)} to {_format(row.outcome, row.high)}"
        style = None if row.outcome in KEY_OUTCOMES else "dim"
        table.add_row(row.outcome, _format(row.outcome, row.mean), interval, style=style)
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, MIN_WIDTH)
    console.print(table)


def _group(outcome: str) -> str:
    """The heading an outcome is listed under."""
    if outcome.startswith(("net_", "rct_")):
        return GROUPS[1]
    if outcome.startswith("cost_"):
        return GROUPS[2]
    if _is_share(outcome) or outcome in ("enrolled", "wait_months_mean"):
        return GROUPS[0]
    return GROUPS[3]


def _is_share(outcome: str) -> bool:
    """Shares, including breakdowns such as ``employed_6m_share_female``."""
    return outcome.endswith("_share") or "_share_" in outcome


def _order(outcome: str) -> tuple[int, int]:
    """Groups in order; within a group the key outcomes first (in their order), then the rest."""
    key = KEY_OUTCOMES.index(outcome) if outcome in KEY_OUTCOMES else len(KEY_OUTCOMES)
    return GROUPS.index(_group(outcome)), key


def _format(outcome: str, value: float) -> str:
    """A value with its unit: shares in %, effects in percentage points, money in EUR."""
    if math.isnan(value):
        return "n/a"
    if outcome.startswith(("net_effect", "rct_effect")):
        return f"{value * 100:+.1f} pp"
    if _is_share(outcome):
        return f"{value * 100:.1f} %"
    if outcome.endswith("_eur"):
        return f"{value:,.0f} EUR"
    if outcome.endswith("_months_mean"):
        return f"{value:.1f} months"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _print_table(rows: list[dict[str, str]], columns: list[str]) -> None:
    """A rich table on stdout, at least 160 characters wide when piped."""
    table = Table(title="Scenario parameters", expand=True)
    for column in columns:
        table.add_column(column, overflow="fold", ratio=2 if column == "path" else 1)
    for row in rows:
        table.add_row(*(Text(row[c]) for c in columns))  # Text: values like [a, b] are not markup
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 160)
    console.print(table)


def _markdown(rows: list[dict[str, str]], columns: list[str]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(row[c].replace("|", "\\|").replace("\n", " ") for c in columns) + " |")
    return "\n".join(lines)


# Studies (sim/study_cli.py): compare scenarios on common seeds, sweep a study file.
from sim.study_cli import compare, sweep  # noqa: E402 - the study commands use load_or_exit from above

app.command()(compare)
app.command()(sweep)

# Analyses of studies (sim/analysis_cli.py): global sensitivity (SALib), scenario discovery (PRIM).
from sim.analysis_cli import discover, sensitivity  # noqa: E402 - the analysis commands reuse sim.study_cli

app.command()(sensitivity)
app.command()(discover)

# Validation (sim/validation_cli.py): reported vs simulated for the programme scenarios, calibration.
from sim.validation_cli import calibrate, check  # noqa: E402 - the validation commands use load_or_exit from above

app.command()(check)
app.command()(calibrate)

if __name__ == "__main__":
    app()
