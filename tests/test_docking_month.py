"""Docking of the programme's month: the array model against the per-agent twin in ``tests/reference/programme.py``.

Each month of a full array run (funders, staff, mentor supply, pairs and the labour market as they
are), the twin is given the array model's state at the point where the programme steps start and
runs them agent by agent from the documented rules: the coaches' hours and what is kept for pairs
and matching (step 2, from the state at the array model's ``plan_hours``), then leaving the waiting
list, intake, screening, the comparison group, the dual hand-over (step 5, from the state before
``_leave_waiting_list``), matching (step 6) and the hours of mentor support and check-ins with the
share of pairs checked in on (step 7, compared at the array model's ``pair_dynamics.step``, before
the pairs' month). Both sides read the same named per-agent draws (``sim.model.rng``), so the test
is exact: every person's programme status, acceptance, service, readiness and exit, every pair
formed this month (mentee and mentor), the month's applications, acceptances, new participants,
new matches, hand-over queue, active pairs and waiting list must be equal; the hours available and
used by task and the follow-up share equal to a relative 1e-9 (sums of the same hours in another
order). Re-synced each month, a disagreement points at the month and the step where it arises.

The whole month (``test_whole_month_docks``, slow): ``tests/reference/month.py`` runs the programme twin
with the labour twin of ``tests/reference/twin.py`` (pairs, turnover, careers, labour month) on its own
state and random numbers for 48 months; monthly series and pair endings are compared statistically,
paired by seed (docs/model.md, "Docking against a per-agent twin").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import scenario as load
from reference.month import MonthTwin
from reference.programme import MENTOR_FIELDS, PERSON_FIELDS, TASKS, MonthInput, ProgrammeTwin

from sim.model.model import MentoringModel
from sim.model.population import Exit, Status, is_employed
from sim.scenario.schema import Scenario

STATE = ("programme", "served", "accepted_month", "served_month", "ready_month", "exit_reason", "exit_month")
COUNTS = ("applications", "accepted", "new_matches", "handover_queue", "active_pairs", "waiting_list")
HOURS = ("coach_hours_available", *(f"coach_hours_used_{task}" for task in TASKS), "follow_up_share")


def columns(source: Any, names: tuple[str, ...], n: int) -> dict[str, list[object]]:
    return {name: getattr(source, name)[:n].tolist() for name in names}


class Docking:
    """An array run with the twin hooked in at the programme steps; ``failures`` lists every disagreement."""

    def __init__(self, scenario: Scenario, seed: int, twin_scenario: Scenario | None = None) -> None:
        self.model = model = MentoringModel(scenario, seed=seed, agents=False)
        self.twin = ProgrammeTwin(twin_scenario or scenario, seed)
        self.failures: list[str] = []
        self.months: list[dict[str, float]] = []  # the array model's values, month by month
        self.row: dict[str, float] = {}
        org = model.organisation
        self._wrap(org, "plan_hours", before=self._plan)
        self._wrap(model, "_leave_waiting_list", before=self._programme)
        self._wrap(org, "_interview", before=self._applications)
        self._wrap(model.pair_dynamics, "step", before=self._compare)

    @staticmethod
    def _wrap(owner: object, name: str, before: Callable[..., None]) -> None:
        original = getattr(owner, name)

        def wrapped(*args: object) -> object:
            before(*args)
            return original(*args)

        setattr(owner, name, wrapped)

    def _load(self) -> None:
        m = self.model
        self.twin.load(columns(m.people, PERSON_FIELDS, m.people.n), columns(m.pool, MENTOR_FIELDS, m.pool.count))

    def _plan(self, *_: object) -> None:
        m, org = self.model, self.model.organisation
        self._load()
        rules = [
            (g.eligibility.min_age, g.eligibility.max_age, g.eligibility.non_eu_only)
            for g in m.funding.active_grants(m.t)
        ]
        self.twin.plan(m.t, MonthInput(org.coaches, org.intake_open, rules))
        self.row = {"applications": 0.0}

    def _programme(self, *_: object) -> None:
        self._load()
        self.twin.programme_month()

    def _applications(self, t: int, applicants: np.ndarray, free: int) -> None:
        self.row["applications"] = len(applicants)

    def _compare(self, t: int, people: Any, pool: Any, follow_up: float, funded: bool) -> None:
        twin, org = self.twin, self.model.organisation
        accepted = people.accepted_month == t
        if not org.intake_open:  # referrals queue unscreened: every applicant is accepted
            self.row["applications"] = int(np.count_nonzero(accepted))
        row = (
            self.row
            | {
                "accepted": int(np.count_nonzero(accepted)),
                "new_matches": int(np.count_nonzero(people.matched_month == t)),
                "active_pairs": int(np.count_nonzero(people.programme == Status.PAIRED)),
                "waiting_list": int(np.count_nonzero(people.programme == Status.WAITING)),
                "coach_hours_available": org.hours_available,
                "follow_up_share": follow_up,
            }
            | {f"coach_hours_used_{task}": hours for task, hours in org.hours_used().items()}
        )
        for name in STATE:
            mine = np.array([getattr(p, name) for p in twin.people])
            wrong = np.flatnonzero(mine != getattr(people, name))
            if len(wrong):
                self.failures.append(f"month {t}: {name} differs for {len(wrong)} people, first {wrong[:5].tolist()}")
        matched = np.flatnonzero(people.matched_month == t)
        pairs = set(zip(matched.tolist(), people.mentor[matched].tolist(), strict=True))
        if pairs != set(twin.new_pairs):
            self.failures.append(f"month {t}: pairs formed differ ({len(pairs)} array, {len(twin.new_pairs)} twin)")
        self.months.append(row)

    def run(self) -> Docking:
        m = self.model
        while m.running:
            m.step()
            self._after(m.t - 1)
        return self

    def _after(self, t: int) -> None:
        """After the month: the series the array model recorded against the twin's record."""
        row, twin = self.months[t], self.twin.record
        row["handover_queue"] = self.model.series["handover_queue"][t]
        row["new_participants"] = self.model.series["new_participants"][t]
        for name in (*COUNTS, "new_participants"):
            if twin[name] != row[name]:
                self.failures.append(f"month {t}: {name} array {row[name]} twin {twin[name]}")
        for name in HOURS:
            if twin[name] != pytest.approx(row[name], rel=1e-9, abs=1e-9):
                self.failures.append(f"month {t}: {name} array {row[name]} twin {twin[name]}")

    def total(self, name: str) -> float:
        return float(sum(row[name] for row in self.months))


def docked(scenario: Scenario, seed: int) -> Docking:
    run = Docking(scenario, seed).run()
    assert len(run.months) == scenario.months
    return run


BASE = ("population.size=3000", "months=96")  # the ESF call ends 2020-12 (month 84): intake closes, referrals queue
SHORT = ("population.size=3000", "months=48")
# coaches' hours bind: one coach, full follow-up at 3 h a check-in, intake ranked first, strict screening
TIGHT = (
    "population.size=3000",
    "months=60",
    "programme.staff.max_coaches=1.0",
    "programme.follow_up.intensity=1.0",
    "programme.follow_up.check_in_hours=3.0",
    "programme.staff.hours_priority=[intake,matching,check_in,mentor_support]",
)
CASES = {
    "base": ("base", BASE),  # sector_first with fallback, a funding cliff
    "dual_model": ("dual_model", BASE),  # two organisations, the hand-over queue
    "optimal": ("base", (*BASE, "programme.matching.strategy=optimal")),
    "tight_hours_creaming": ("creaming", TIGHT),  # triage, interviews cut by hours, screening to the caseload
    "sector_only": ("sector_only", SHORT),
    "random": ("generic_mentors", SHORT),
    "yearly_women_long_term": (
        "base",
        (
            *SHORT,
            "programme.intake.mode=yearly",
            "programme.target.gender=women",
            "programme.target.min_months_unemployed=6",
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_programme_month_docks(case: str) -> None:
    """Every month of the run: statuses, pairs formed, counts exactly; hours and follow-up share to 1e-9."""
    name, overrides = CASES[case]
    run = docked(load(name, *overrides), seed=3)
    assert not run.failures, "\n".join(run.failures[:20])
    assert run.total("new_matches") > 50 and run.total("applications") > 0  # the steps did something


def test_base_docks_on_a_second_seed() -> None:
    run = docked(load("base", *BASE), seed=4)
    assert not run.failures, "\n".join(run.failures[:20])


PERTURBED = {  # the twin given another rule than the array model: the docking must see it
    "priority": ("creaming", TIGHT, "programme.staff.hours_priority=[mentor_support,check_in,matching,intake]"),
    "screening": ("creaming", TIGHT, "programme.screening_strictness=0.0"),
    "fallback": ("base", SHORT, "programme.matching.fallback_months=3"),
    "optimal_weights": (
        "base",
        (*SHORT, "programme.matching.strategy=optimal"),
        "programme.matching.weight_location=0.0",
    ),
    "handover_loss": ("dual_model", SHORT, "programme.handover_loss=0.1"),
}


@pytest.mark.parametrize("case", list(PERTURBED))
def test_docking_can_fail(case: str) -> None:
    """A twin that follows a different rule (one parameter changed on its side only) fails the docking."""
    name, overrides, change = PERTURBED[case]
    run = Docking(load(name, *overrides), seed=3, twin_scenario=load(name, *overrides, change)).run()
    assert run.failures


# -- the whole month, statistically ------------------------------------------------------------------
FROZEN_MENTORS = (  # mentor supply is not in the twin: a fixed pool of 60 mentors who all re-enlist
    "mentors.initial=60",
    "mentors.individual_recruitment_per_month={value: 0.0, range: [0.0, 4.0]}",
    "mentors.attrition_rate={value: 0.0, range: [0.0, 0.05]}",
    "mentors.reenlist_share=1.0",
    "employers.champions_initial=0",
    "employers.champion_recruitment_rate=0.0",
)
WHOLE = ("population.size=3000", "months=48", *FROZEN_MENTORS)
WHOLE_SEEDS = (31, 32, 33, 34, 35)


def array_whole(scenario: Scenario, seed: int) -> tuple[dict[str, list[float]], list[MonthInput]]:
    """The array run's monthly series and the organisation's month (the twin's input)."""
    model = MentoringModel(scenario, seed=seed, agents=False)
    org, inputs = model.organisation, []
    plan = org.plan_hours

    def record(pairs: int, matchable: int) -> None:
        rules = [
            (g.eligibility.min_age, g.eligibility.max_age, g.eligibility.non_eu_only)
            for g in model.funding.active_grants(model.t)
        ]
        inputs.append(MonthInput(org.coaches, org.intake_open, rules))
        plan(pairs, matchable)

    org.plan_hours = record  # type: ignore[method-assign]
    employed = []
    while model.running:
        model.step()
        employed.append(float(is_employed(model.people.labour).mean()))
    series = {name: model.series[name].tolist() for name in WHOLE_SERIES if name in model.series}
    series["employed"] = employed
    series["employed_participants"] = model.series["employed_share_participants"].tolist()
    for name, code in ENDINGS.items():
        series[name] = [float(np.count_nonzero(model.people.exit_reason == code))]
    return series, inputs


WHOLE_SERIES = (
    "new_participants", "new_matches", "waiting_list", "active_pairs", "coach_hours_available",
    *(f"coach_hours_used_{task}" for task in ("intake", "matching", "first_meeting", "check_in", "mentor_support")),
    "employed", "employed_participants",
)  # fmt: skip
ENDINGS = {"completed": Exit.COMPLETED, "ended_early": Exit.ENDED_EARLY, "never_started": Exit.NEVER_STARTED}
WINDOWS = ((0, 12), (12, 24), (24, 48))  # months [first, last) whose mean is compared
Z = 4.0


def twin_whole(scenario: Scenario, seed: int, inputs: list[MonthInput]) -> dict[str, list[float]]:
    twin = MonthTwin(MentoringModel(scenario, seed=seed, agents=False), inputs, seed=seed)
    for _ in range(scenario.months):
        twin.step()
    for name, code in ENDINGS.items():  # pairs ended by the end, by how
        twin.series[name] = [float(sum(p.exit_reason == code for p in twin.programme.people))]
    return twin.series


def window_means(series: dict[str, list[float]]) -> dict[str, float]:
    means = {f"{name}@{a}-{b}": float(np.nanmean(series[name][a:b])) for name in WHOLE_SERIES for a, b in WINDOWS}
    return means | {f"pairs_{name}": series[name][0] for name in ENDINGS}


def dock_whole(scenario: Scenario, twin_scenario: Scenario) -> tuple[list[str], list[str]]:
    """Table rows of every series and window, and the rows that fail (see ``test_whole_month_docks``)."""
    array, twin = [], []
    for seed in WHOLE_SEEDS:
        series, inputs = array_whole(scenario, seed)
        array.append(window_means(series))
        twin.append(window_means(twin_whole(twin_scenario, seed, inputs)))
    failures, rows = [], []
    for key in array[0]:
        a = np.array([m[key] for m in array])
        b = np.array([m[key] for m in twin])
        se = float(np.std(b - a, ddof=1)) / np.sqrt(len(a))  # paired: both sides start from the seed's state
        tolerance = Z * se + (0.005 if key.startswith("employed") else 0.03 * abs(a.mean()))
        row = f"{key:40s} array {a.mean():10.4f} twin {b.mean():10.4f} diff {b.mean() - a.mean():+9.4f} tol {tolerance:8.4f}"
        rows.append(row)
        if not abs(b.mean() - a.mean()) <= tolerance:
            failures.append(row)
    return rows, failures


WHOLE_CASES = {"base": "base", "dual_model": "dual_model", "optimal": "base"}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(WHOLE_CASES))
def test_whole_month_docks(case: str) -> None:
    """Base, the dual model and base with optimal matching (3,000 jobseekers, 48 months, mentor supply frozen),
    5 seeds a side, own random numbers on each side.

    For every series and window (months 0-11, 12-23, 24-47), and for the pairs completed, ended early and
    never started by the end, the mean over seeds of the window's mean (of the count). Both sides start
    from the seed's state, so the per-seed differences are paired: |mean(twin - array)| <= 4 x sd(twin -
    array) / sqrt(5) + a floor: 0.005 for the employed shares, 3 % of the array's mean for counts and hours
    (about 4 s a seed and side).
    """
    extra = ("programme.matching.strategy=optimal",) if case == "optimal" else ()
    scenario = load(WHOLE_CASES[case], *WHOLE, *extra)
    rows, failures = dock_whole(scenario, scenario)
    print("\n" + "\n".join(rows))
    assert not failures, "array model and whole-month twin disagree:\n" + "\n".join(failures)


@pytest.mark.slow
def test_whole_month_docking_can_fail() -> None:
    """A twin whose pairs never start a little more often (0.25 -> 0.35) fails the whole-month docking."""
    _, failures = dock_whole(load("base", *WHOLE), load("base", *WHOLE, "programme.pairs.never_start_base=0.35"))
    assert any(row.startswith("pairs_never_started") for row in failures)
