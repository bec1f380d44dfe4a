"""The ``mentorsim`` command line: ``validate`` and ``describe`` scenario files.

Commands that read a scenario use :func:`load_or_exit`, which turns a :class:`ScenarioError` into
its message on stderr and exit status 2 (no traceback).
"""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.describe import TABLE_COLUMNS, describe_table
from sim.loader import ScenarioError, load_scenario
from sim.scenario import Scenario

EXIT_INVALID_SCENARIO = 2

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


# The `run` command goes here: load the scenario with `load_or_exit(scenario, set_)` so that an
# invalid scenario exits with status 2 and a located message, like `validate`.


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


if __name__ == "__main__":
    app()
