"""The Solara page of ``mentorsim dashboard``: pick a scenario, move the main levers, run, see the reform beside its baseline.

A run is what ``mentorsim run`` does: the scenario as written (its population, months and seeds), with the
replicates the user chooses (:data:`REPLICATES` by default), so the page's numbers are the command line's. The
baseline (the scenario file as it is) and the reform (the file with the levers moved) run on the same seeds;
the page shows both and their mean paired differences with the 95 % t interval of the mean, computed by the
report's :func:`~sim.outputs.report.compare_runs` (the function of ``mentorsim compare``). The baseline of a
file and replicate count is run once and kept while the server runs. Started by :mod:`sim.dashboard.server`,
which passes the scenario to open first in the environment variable ``MENTORSIM_DASHBOARD_SCENARIO``.
"""

from __future__ import annotations

import html
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import solara
from solara.lab import use_task

from sim.outputs.figures import plot_funding_timeline, plot_mentor_pool, plot_pairs_and_waiting, plot_placements
from sim.outputs.report import (
    COSTS,
    GROSS,
    NET,
    compare_runs,
    cost_sentence,
    funding_cliffs,
    headline,
    outcome_rows,
    reporting_gap,
)
from sim.outputs.run_folder import RunFolder
from sim.outputs.vocabulary import rough_intervals
from sim.replicates import DIFFERENCE_NAME, SPREAD_NAME, RunResult, run
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Matching, Scenario, month_index, parameter_records

SCENARIO_ENV = "MENTORSIM_DASHBOARD_SCENARIO"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FOLDERS = ("", "programmes", "funding")  # scenario folders offered (studies are not scenarios)
REPLICATES = 5  # the default of the replicates slider: ~2 s a replicate at base size, baseline and reform
MAX_REPLICATES = 20
STRATEGIES = list(get_args(Matching.model_fields["strategy"].annotation))  # as the schema allows them
CSS = """
.outcomes { border-collapse: collapse; font-size: 14px; width: 100%; }
.outcomes td, .outcomes th { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.outcomes .num { text-align: right; white-space: nowrap; }
.headline { font-size: 16px; }
.note { color: #555; font-size: 13px; }
"""


@dataclass(frozen=True)
class Levers:
    """The levers the dashboard moves, as the scenario has them to start with."""

    strategy: str
    fallback_months: int
    sector_alignment: float  # 0: the scenario's mentor mix by sector; 1: mentors recruited in the mentees' sectors
    follow_up: float
    funding_end: str
    network_guideline: bool

    @classmethod
    def of(cls, scenario: Scenario) -> Levers:
        """The levers as ``scenario`` sets them: no sector alignment, the first grant's end (``""`` if none)."""
        programme = scenario.programme
        return cls(
            strategy=programme.matching.strategy,
            fallback_months=programme.matching.fallback_months,
            sector_alignment=0.0,
            follow_up=programme.follow_up.intensity,
            funding_end=scenario.funding.grants[0].end if scenario.funding.grants else "",
            network_guideline=programme.guidelines.network_opening,
        )

    def overrides(self, scenario: Scenario) -> list[str]:
        """``--set`` strings that apply the levers moved away from ``scenario``'s own (none when none moved)."""
        start = Levers.of(scenario)
        values = sector_mix_overrides(scenario, self.sector_alignment)
        if self.strategy != start.strategy:
            values.append(f"programme.matching.strategy={self.strategy}")
        if self.fallback_months != start.fallback_months:
            values.append(f"programme.matching.fallback_months={self.fallback_months}")
        if round(self.follow_up, 4) != round(start.follow_up, 4):
            values.append(f"programme.follow_up.intensity={self.follow_up:.2f}")
        if self.network_guideline != start.network_guideline:
            values.append(f"programme.guidelines.network_opening={str(self.network_guideline).lower()}")
        if self.funding_end and self.funding_end != start.funding_end:
            values.append(f"funding.grants.0.end={self.funding_end}")
        return values


def sector_mix_overrides(scenario: Scenario, alignment: float) -> list[str]:
    """``--set`` strings that move the mentors' sector mix ``alignment`` of the way towards the mentees' mix.

    Individually recruited mentors by sector move from the scenario's mix to the mentees' mix: the
    sector-specific share of matches a programme buys by recruiting where mentees are (mentor shortage in
    the mentees' sectors [VDC19 §5.2]). Nothing changes at 0.
    """
    if alignment <= 0:
        return []
    return [
        f"sectors.{i}.mentor_share={alignment * s.jobseeker_share + (1 - alignment) * s.mentor_share!r}"
        for i, s in enumerate(scenario.sectors)
    ]


def scenario_files(root: Path = SCENARIOS) -> dict[str, Path]:
    """The scenarios offered, by their path relative to ``root``; the one named in the environment too."""
    files = {str(p.relative_to(root)): p for folder in FOLDERS for p in sorted((root / folder).glob("*.yaml"))}
    chosen = os.environ.get(SCENARIO_ENV)
    if chosen:
        path = Path(chosen).resolve()
        files = {(str(path.relative_to(root)) if path.is_relative_to(root) else str(path)): path, **files}
    return files


@dataclass(frozen=True)
class Comparison:
    """A baseline and a reform run on the same seeds, as the page shows them."""

    baseline: RunResult
    reform: RunResult
    overrides: tuple[str, ...]


def run_levers(path: Path, levers: Levers, replicates: int = REPLICATES) -> RunResult:
    """The reform: the scenario at ``path`` with the levers, as ``mentorsim run`` runs it.

    :class:`ScenarioError` if a value is refused.
    """
    base = load_scenario(path)
    return run(load_scenario(path, levers.overrides(base)), replicates=replicates)


def run_baseline(path: Path, replicates: int = REPLICATES) -> RunResult:
    """The baseline: the scenario file at ``path`` as it is (run once per file version and replicate count)."""
    stat = path.stat()
    return _baseline(str(path.resolve()), stat.st_mtime_ns, stat.st_size, replicates)


@lru_cache(maxsize=8)
def _baseline(path: str, mtime_ns: int, size: int, replicates: int) -> RunResult:
    return run(load_scenario(path), replicates=replicates)


def run_comparison(path: Path, levers: Levers, replicates: int = REPLICATES) -> Comparison:
    """Baseline and reform on the same seeds (the scenario's seed, seed + 1, ...)."""
    overrides = tuple(levers.overrides(load_scenario(path)))
    reform = run_levers(path, levers, replicates)
    return Comparison(run_baseline(path, replicates), reform, overrides)


def cli_command(path: Path, overrides: Sequence[str], replicates: int) -> str:
    """The ``mentorsim run`` command that gives the reform's numbers."""
    sets = " ".join(f"--set {shlex.quote(o)}" for o in overrides)
    return f"mentorsim run {shlex.quote(str(path))} --replicates {replicates}" + (f" {sets}" if sets else "")


@solara.component
def Page() -> None:
    """The page ``solara run`` serves: a scenario picker above the dashboard of the scenario picked."""
    files = scenario_files()
    name = solara.use_reactive(next(iter(files)))
    solara.Title("mentorsim dashboard")
    solara.Style(CSS)
    with solara.Column(style={"max-width": "1200px", "margin": "auto", "padding": "16px"}):
        solara.HTML(tag="h1", unsafe_innerHTML="mentorsim dashboard")
        solara.Select(label="Scenario", values=list(files), value=name)
        Dashboard(files[name.value]).key(name.value)  # a new scenario starts from its own levers


@solara.component
def Dashboard(path: Path) -> None:
    """The levers of the scenario at ``path``, a Run button and the latest run's results (or why it was refused)."""
    scenario = solara.use_memo(lambda: load_scenario(path), [path])
    start = Levers.of(scenario)
    levers, set_levers = solara.use_state(start)

    def set_lever(**changes: Any) -> None:
        set_levers(replace(levers, **changes))

    replicates, set_replicates = solara.use_state(REPLICATES)

    def simulate() -> tuple[Comparison | None, str]:
        """Runs in a thread, so the page stays responsive; a refused value is shown, not raised."""
        try:
            return run_comparison(path, levers, replicates), ""
        except ScenarioError as err:
            return None, str(err)

    task = use_task(simulate, dependencies=None)

    solara.Text(f"{scenario.description or scenario.name} ({scenario.months} months from {scenario.start})")
    with solara.Columns([1, 1, 1]):
        with solara.Column():
            solara.Select(
                label="Matching rule",
                values=STRATEGIES,
                value=levers.strategy,
                on_value=lambda v: set_lever(strategy=v),
            )
            solara.Text(f"Sector-first: months before any mentor is accepted: {levers.fallback_months}")
            solara.SliderInt(
                label="",
                value=levers.fallback_months,
                min=0,
                max=12,
                on_value=lambda v: set_lever(fallback_months=v),
            )
            solara.Text(
                f"Mentors recruited in the mentees' sectors (0: as in the scenario, 1: all): {levers.sector_alignment:.1f}"
            )
            solara.SliderFloat(
                label="",
                value=levers.sector_alignment,
                min=0.0,
                max=1.0,
                step=0.1,
                on_value=lambda v: set_lever(sector_alignment=v),
            )
        with solara.Column():
            low, high = _range(scenario, "programme.follow_up.intensity", (0.0, 1.0))
            solara.Text(f"Follow-up intensity (share of pairs checked monthly): {levers.follow_up:.2f}")
            solara.SliderFloat(
                label="",
                value=levers.follow_up,
                min=low,
                max=high,
                step=0.05,
                on_value=lambda v: set_lever(follow_up=v),
            )
            if levers.funding_end:
                FundingEnd(scenario, levers.funding_end, lambda v: set_lever(funding_end=v))
        with solara.Column():
            solara.Switch(
                label="Network-opening guideline",
                value=levers.network_guideline,
                on_value=lambda v: set_lever(network_guideline=v),
            )
            solara.Text(f"Replicates (seeds {scenario.seed} to {scenario.seed + replicates - 1}): {replicates}")
            solara.SliderInt(
                label="",
                value=replicates,
                min=2,
                max=MAX_REPLICATES,
                on_value=set_replicates,
            )
            solara.Button("Run", on_click=task, color="primary", disabled=task.pending)
            solara.Text(
                f"The full scenario, as mentorsim run runs it: {scenario.population.size:,} people, "
                f"{scenario.months} months, {replicates} replicates, baseline and reform on the same seeds "
                f"(about {2 * replicates * 2} s)."
            )
    solara.ProgressLinear(task.pending)
    if task.error:
        solara.Error(f"The run failed: {task.exception}")
    elif task.latest is not None:
        comparison, refused = task.latest
        if refused:
            solara.Error(refused)
        if comparison is not None:
            Results(path, comparison)


@solara.component
def FundingEnd(scenario: Scenario, end: str, on_end: object) -> None:
    """A slider over the months in which the first grant may end."""
    calendar = scenario.calendar()
    first = max(0, month_index(scenario.funding.grants[0].start) - scenario.start_index)
    months = calendar[first:] or calendar
    index = months.index(end) if end in months else len(months) - 1
    solara.Text(f"First grant ({scenario.funding.grants[0].name}) ends: {months[index]}")
    solara.SliderInt(
        label="",
        value=index,
        min=0,
        max=len(months) - 1,
        thumb_label=False,
        on_value=lambda i: on_end(months[i]),  # type: ignore[operator]
    )


@solara.component
def Results(path: Path, comparison: Comparison) -> None:
    """The reform beside its baseline (paired differences), then the reform's gross and net and its figures."""
    result = comparison.reform
    folder = RunFolder.from_result(result)
    base = RunFolder.from_result(comparison.baseline)
    folder.manifest["scenario"], base.manifest["scenario"] = "the reform", f"the baseline ({base.scenario.name})"
    compared = compare_runs(folder, base)
    solara.HTML(tag="p", unsafe_innerHTML=f"<b>{html.escape(compared['sentence'])}</b>", classes=["headline"])
    if rough := rough_intervals(len(result.seeds)):  # the replicates slider goes down to 2
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(rough), classes=["note", "rough"])
    ComparisonTable(compared)
    solara.HTML(
        tag="p",
        unsafe_innerHTML="The reform's numbers are those of <code>"
        + html.escape(cli_command(path, comparison.overrides, len(result.seeds)))
        + "</code>; the baseline's those of the same command without <code>--set</code>.",
        classes=["note"],
    )
    for sentence in [*headline(folder), cost_sentence(folder)]:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(sentence), classes=["headline"])
    reporting = reporting_gap(folder)  # where the scenario states how the programme counts (report's numbers)
    if reporting is not None:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(reporting["sentence"]), classes=["headline", "reporting"])
        OutcomeTable("Reform: what the programme would report vs all participants", reporting["rows"], "reporting")
    with solara.Columns([1, 1]):
        OutcomeTable("Reform, gross: what happened to participants", outcome_rows(folder, GROSS))
        OutcomeTable("Reform, net: against the same people without the programme", outcome_rows(folder, (*NET, *COSTS)))
    figures = solara.use_memo(
        lambda: [
            plot_placements(result.timeseries)[0],
            plot_pairs_and_waiting(result.timeseries)[0],
            plot_mentor_pool(result.timeseries)[0],
            plot_funding_timeline(result.timeseries, funding_cliffs(folder))[0],
        ],
        [result],
    )
    for figure in figures:
        solara.FigureMatplotlib(figure, format="png", dependencies=[result])


@solara.component
def ComparisonTable(compared: dict[str, Any]) -> None:
    """What changed (in words), then baseline, reform and their mean paired difference per outcome."""
    changed = "".join(
        f"<li>{html.escape(c['words'])}: {html.escape(c['other'])} &rarr; {html.escape(c['this'])}</li>"
        for c in compared["changed"]
    )
    rows = "".join(
        f"<tr data-outcome='{html.escape(r['outcome'])}'><td>{html.escape(r['label'])}</td>"
        f"<td class='num baseline'>{html.escape(r['baseline'])}</td><td class='num reform'>{html.escape(r['this'])}</td>"
        f"<td class='num difference'>{html.escape(r['difference'])}</td>"
        f"<td class='num interval'>{html.escape(r['interval'])}</td></tr>"
        for r in compared["outcomes"]
    )
    header = (
        "<tr><th></th><th class='num'>baseline</th><th class='num'>reform</th><th class='num'>difference</th>"
        f"<th class='num'>{html.escape(DIFFERENCE_NAME)}</th></tr>"
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML="<h3>Reform beside its baseline</h3>"
        + (
            f"<p>What changed:</p><ul>{changed}</ul>"
            if changed
            else "<p>No lever moved: the reform is the baseline.</p>"
        )
        + f"<table class='outcomes comparison'>{header}{rows}</table>",
    )


@solara.component
def OutcomeTable(title: str, rows: list[dict[str, str]], kind: str = "") -> None:
    """Label, mean and 5th-95th percentile of replicates per outcome (the rows of the report); ``kind``: a CSS class."""
    cells = "".join(
        f"<tr><td>{html.escape(r['label'])}</td><td class='num mean'>{html.escape(r['mean'])}</td>"
        f"<td class='num'>{html.escape(r['interval'])}</td></tr>"
        for r in rows
    )
    header = f"<tr><th></th><th class='num'>mean</th><th class='num'>{SPREAD_NAME}</th></tr>"
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<h3>{html.escape(title)}</h3><table class='outcomes {kind}'>{header}{cells}</table>",
    )


def _range(scenario: Scenario, path: str, default: tuple[float, float]) -> tuple[float, float]:
    """The range a scenario file documents for a parameter (values outside it are refused)."""
    low, high = parameter_records(scenario).get(path, {}).get("range", default)
    return float(low), float(high)
