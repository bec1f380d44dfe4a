"""The ``mentorsim`` command line: one module per group of commands, registered on one Typer app here.

- :mod:`sim.cli.scenarios`: ``validate``, ``describe``, ``diff``, ``run``
- :mod:`sim.cli.studies`: ``compare``, ``sweep``
- :mod:`sim.cli.analysis`: ``sensitivity``, ``discover``
- :mod:`sim.cli.validation`: ``check``, ``calibrate``
- :mod:`sim.cli.report`: ``report``, ``export``
- :mod:`sim.cli.dashboard`: ``dashboard``

What they share (exit status, options, console) is in :mod:`sim.cli.common`. While the commands' modules load
(seconds: the simulator's stack), :func:`sim.cli.startup.loading` says so on stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sim.cli.startup import loading

with loading():
    from sim.cli import analysis, common, dashboard, report, scenarios, studies, validation

app = typer.Typer(
    name="mentorsim",
    help="Agent-based simulator of mentoring-to-work programmes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress messages on stderr (bars, spinners, 'loading'); warnings and errors still show. "
            "Also: MENTORSIM_QUIET=1.",
        ),
    ] = False,
) -> None:
    """Agent-based simulator of mentoring-to-work programmes."""
    common.set_quiet(quiet)


app.command()(scenarios.validate)
app.command()(scenarios.describe)
app.command()(scenarios.diff)
app.command("run")(scenarios.run_command)
app.command()(studies.compare)
app.command()(studies.sweep)
app.command()(analysis.sensitivity)
app.command()(analysis.discover)
app.command()(validation.check)
app.command()(validation.calibrate)
app.command("report")(report.report_command)
app.command("export")(report.export_command)
app.command("dashboard")(dashboard.dashboard_command)

__all__ = ["app"]
