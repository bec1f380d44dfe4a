"""What every command shares: the exit status for refused input, option types, the console, loading or exiting.

Every command that refuses bad input (an invalid scenario or study, a results folder that is taken or in
use, a folder that is not a run) prints one clear message on stderr and exits with :data:`EXIT_REFUSED`,
without a traceback and before anything is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from sim.cli.startup import quiet_requested
from sim.outputs.run_folder import OutDirError
from sim.outputs.vocabulary import OUTCOMES, find, rough_intervals
from sim.scenario.limits import scenario_warnings
from sim.scenario.loader import ScenarioError
from sim.scenario.schema import Scenario
from sim.studies.validation import load_checked

EXIT_REFUSED = 2  # bad input: an invalid scenario or study, a folder taken or in use; nothing was written

T = TypeVar("T")

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override one parameter (of every scenario read): PATH=VALUE, e.g. "
        "programme.matching.strategy=random (repeatable).",
    ),
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="Local worker processes (default: all cores; 1: in this process).")
]
DaskOption = Annotated[
    str | None,
    typer.Option(help="Run on Dask: a scheduler address tcp://HOST:PORT, or 'local' for a 2-worker LocalCluster."),
]


ReplicatesOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=10_000,
        help="Replicates (seeds) per experiment (default: the study's replicates).",
        show_default=False,
    ),
]


def check_outcomes(names: list[str] | None) -> None:
    """Exit with :data:`EXIT_REFUSED` (before any compute) if a name is not an outcome, with the closest names."""
    for name in names or ():
        found = find(name)
        if found is None or found.series:
            close = difflib.get_close_matches(name, list(OUTCOMES), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            refuse(f"Refused: --outcome {name!r} is not an outcome{hint} (all outcomes: docs/outputs.md)")


def refuse(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with :data:`EXIT_REFUSED`."""
    typer.echo(message, err=True)
    raise typer.Exit(EXIT_REFUSED)


def load_or_exit(path: Path, overrides: list[str] | tuple[str, ...] | None = None) -> Scenario:
    """Load a scenario and check its targets and limits; if it is invalid, exit with :data:`EXIT_REFUSED`.

    On :class:`ScenarioError` its message is printed before the exit; what is valid but likely a mistake
    (:func:`~sim.scenario.limits.scenario_warnings`) is printed as warnings on stderr.
    """
    try:
        scenario = load_checked(path, overrides or ())
    except ScenarioError as err:
        refuse(str(err))
    for warning in scenario_warnings(scenario):
        typer.echo(f"Warning: {str(warning).replace(chr(10) + '    ', ' ')}", err=True)
    return scenario


@contextmanager
def refused_if_invalid() -> Iterator[None]:
    """A :class:`ScenarioError` (a study error too) raised inside becomes its message and exit status 2."""
    try:
        yield
    except ScenarioError as err:
        refuse(str(err))


def out_dir_or_exit(action: Callable[..., T], *args: Any) -> T:
    """Call ``action``; an :class:`OutDirError` (results would be overwritten) exits with status 2."""
    try:
        return action(*args)
    except OutDirError as err:
        refuse(f"Refused: {err}")


_quiet = {"on": False}  # set by the app's --quiet (sim.cli.app's callback)


def set_quiet(quiet: bool) -> None:
    """Switch progress messages off (``--quiet``)."""
    _quiet["on"] = quiet


def is_quiet() -> bool:
    """Whether progress messages are off: ``--quiet``/``-q`` or ``MENTORSIM_QUIET``."""
    return _quiet["on"] or quiet_requested([])


def progress_console() -> Console:
    """The console of progress bars and spinners: stderr, silent when quiet."""
    return Console(stderr=True, quiet=is_quiet())


def warn_if_rough(replicates: int) -> None:
    """A warning on stderr when intervals rest on fewer than 5 replicates (or paired seeds); never quiet."""
    if message := rough_intervals(replicates):
        typer.echo(f"Warning: {message}", err=True)


def console(min_width: int = 120) -> Console:
    """A console on stdout, at least ``min_width`` characters wide when piped (tables stay readable in logs)."""
    out = Console()
    if not out.is_terminal:
        out.width = max(out.width, min_width)
    return out


def markdown_table(rows: list[dict[str, str]], columns: list[str]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(row[c].replace("|", "\\|").replace("\n", " ") for c in columns) + " |")
    return "\n".join(lines)
