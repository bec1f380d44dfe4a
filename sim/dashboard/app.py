"""The Solara page of ``mentorsim dashboard``: pick a scenario, move the main levers, run, compare gross and net.

Runs are small (a reduced population, few replicates on the scenario's seeds) so that a click answers in
seconds; for real answers use ``mentorsim run``. Started by :mod:`sim.dashboard.server`, which passes the
scenario to open first in the environment variable ``MENTORSIM_DASHBOARD_SCENARIO``.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, get_args

import solara
from solara.lab import use_task

from sim.outputs.figures import plot_funding_timeline, plot_mentor_pool, plot_pairs_and_waiting, plot_placements
from sim.outputs.report import (
    COSTS,
    GROSS,
    NET,
    cost_sentence,
    funding_cliffs,
    headline,
    outcome_rows,
)
from sim.outputs.run_folder import RunFolder
from sim.replicates import SPREAD_NAME, RunResult, run
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Matching, Scenario, month_index, parameter_records

SCENARIO_ENV = "MENTORSIM_DASHBOARD_SCENARIO"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FOLDERS = ("", "programmes", "funding")  # scenario folders offered (studies are not scenarios)
POPULATION = 1500  # people: a reduced region, for runs of a few seconds
REPLICATES = 3
STRATEGIES = list(get_args(Matching.model_fields["strategy"].annotation))  # as the schema allows them
CSS = """
.outcomes { border-collapse: collapse; font-size: 14px; width: 100%; }
.outcomes td, .outcomes th { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.outcomes .num { text-align: right; white-space: nowrap; }
.headline { font-size: 16px; }
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
        """``--set`` strings that apply the levers to ``scenario``."""
        values = [
            *sector_mix_overrides(scenario, self.sector_alignment),
            f"programme.matching.strategy={self.strategy}",
            f"programme.matching.fallback_months={self.fallback_months}",
            f"programme.follow_up.intensity={self.follow_up:.2f}",
            f"programme.guidelines.network_opening={str(self.network_guideline).lower()}",
        ]
        return values + ([f"funding.grants.0.end={self.funding_end}"] if self.funding_end else [])


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


def fast_overrides(scenario: Scenario) -> list[str]:
    """A reduced population (within the range the scenario documents for it)."""
    low, _ = _range(scenario, "population.size", (0, 0))
    return [f"population.size={max(min(POPULATION, scenario.population.size), int(low))}"]


def run_levers(path: Path, levers: Levers) -> RunResult:
    """Run the scenario at ``path`` with the levers, small and fast; :class:`ScenarioError` if a value is refused."""
    base = load_scenario(path)
    scenario = load_scenario(path, [*fast_overrides(base), *levers.overrides(base)])
    return run(scenario, replicates=REPLICATES)


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

    def simulate() -> tuple[RunResult | None, str]:
        """Runs in a thread, so the page stays responsive; a refused value is shown, not raised."""
        try:
            return run_levers(path, levers), ""
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
            solara.Button("Run", on_click=task, color="primary", disabled=task.pending)
            solara.Text(f"{REPLICATES} replicates, a region of about {POPULATION:,} people: a quick look, not a study.")
    solara.ProgressLinear(task.pending)
    if task.error:
        solara.Error(f"The run failed: {task.exception}")
    elif task.latest is not None:
        result, refused = task.latest
        if refused:
            solara.Error(refused)
        if result is not None:
            Results(result)


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
def Results(result: RunResult) -> None:
    """Gross next to net in words, then placements, waiting list, mentor pool and funding over time."""
    folder = RunFolder.from_result(result)
    for sentence in [*headline(folder), cost_sentence(folder)]:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(sentence), classes=["headline"])
    with solara.Columns([1, 1]):
        OutcomeTable("Gross: what happened to participants", outcome_rows(folder, GROSS))
        OutcomeTable("Net: against the same people without the programme", outcome_rows(folder, (*NET, *COSTS)))
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
def OutcomeTable(title: str, rows: list[dict[str, str]]) -> None:
    """Label, mean and 5th-95th percentile of replicates per outcome (the rows of the report)."""
    cells = "".join(
        f"<tr><td>{html.escape(r['label'])}</td><td class='num'>{html.escape(r['mean'])}</td>"
        f"<td class='num'>{html.escape(r['interval'])}</td></tr>"
        for r in rows
    )
    header = f"<tr><th></th><th class='num'>mean</th><th class='num'>{SPREAD_NAME}</th></tr>"
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<h3>{html.escape(title)}</h3><table class='outcomes'>{header}{cells}</table>",
    )


def _range(scenario: Scenario, path: str, default: tuple[float, float]) -> tuple[float, float]:
    """The range a scenario file documents for a parameter (values outside it are refused)."""
    low, high = parameter_records(scenario).get(path, {}).get("range", default)
    return float(low), float(high)
