"""Target groups, eligibility, outreach channels and intake timing (issue 12: 2).

Each eligibility rule of ``programme.target`` restricts who becomes a participant: the attributes of every
accepted applicant are recorded at the moment of acceptance (language, recognition and labour status change
later) and must satisfy the rule, while base's unrestricted intake takes people outside it (so each check
can fail). A yearly group or a single cohort puts all acceptances in its intake month; a stricter
eligibility changes outcomes in the expected direction on common seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import SCENARIOS, assert_negative, outcome, paired

from sim.model.model import MentoringModel
from sim.model.organisation import Organisation
from sim.model.population import NO_MONTH, Exit, Labour
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import month_index

SMALL = ("population.size=2000", "months=18", "labour_market.burn_in_months=12")
ATTRIBUTES = ("female", "non_eu", "refugee", "recognised", "work_permit", "language", "motivation", "labour", "age")


def _accepted_at_entry(overrides: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, seed: int = 1) -> dict[str, Any]:
    """Attributes of every accepted applicant at the month of acceptance, for base with ``overrides``."""
    seen: dict[str, list[np.ndarray]] = {a: [] for a in ATTRIBUTES}
    original = Organisation.intake

    def recording(self: Organisation, t: int, people: Any) -> np.ndarray:
        accepted = original(self, t, people)
        for a in ATTRIBUTES:
            seen[a].append(getattr(people, a)[accepted].copy())
        return accepted

    monkeypatch.setattr(Organisation, "intake", recording)
    sc = load_scenario(SCENARIOS / "base.yaml", [*SMALL, *overrides])
    MentoringModel(sc, seed=seed, agents=False).run()
    return {a: np.concatenate(v) for a, v in seen.items()}


RULES: list[tuple[str, tuple[str, ...], Callable[[dict[str, Any]], np.ndarray]]] = [
    ("women only", ("programme.target.gender=women",), lambda p: p["female"]),
    ("men only", ("programme.target.gender=men",), lambda p: ~p["female"]),
    ("non-EU only", ("programme.target.non_eu_only=true",), lambda p: p["non_eu"]),
    ("EU only", ("programme.target.eu_only=true",), lambda p: ~p["non_eu"]),
    ("refugees only", ("programme.target.refugees_only=true",), lambda p: p["refugee"]),
    ("recognised required", ("programme.target.recognised_qualifications=required",), lambda p: p["recognised"]),
    ("recognised excluded", ("programme.target.recognised_qualifications=excluded",), lambda p: ~p["recognised"]),
    ("work permit", ("programme.target.work_permit_required=true",), lambda p: p["work_permit"]),
    ("language >= 0.6", ("programme.target.min_language=0.6",), lambda p: p["language"] >= 0.6),
    ("motivation >= 0.7", ("programme.target.min_motivation=0.7",), lambda p: p["motivation"] >= 0.7),
    ("inactive", ("programme.target.labour_statuses=[inactive]",), lambda p: p["labour"] == Labour.INACTIVE),
    (
        "employed below level",
        ("programme.target.labour_statuses=[employed_below_level]",),
        lambda p: p["labour"] == Labour.EMPLOYED_BELOW_LEVEL,
    ),
    ("ages 18-30", ("programme.target.min_age=18", "programme.target.max_age=30"), lambda p: p["age"] <= 30),
]


@pytest.fixture(scope="module")
def unrestricted() -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    try:
        return _accepted_at_entry((), mp)
    finally:
        mp.undo()


@pytest.mark.parametrize(("label", "overrides", "rule"), RULES, ids=[r[0] for r in RULES])
def test_eligibility_rule_restricts_participants(
    label: str,
    overrides: tuple[str, ...],
    rule: Callable[[dict[str, Any]], np.ndarray],
    unrestricted: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every accepted applicant satisfies the rule at entry; base (no rule) accepts some who do not."""
    accepted = _accepted_at_entry(overrides, monkeypatch)
    n = len(accepted["age"])
    print(f"{label}: {n} accepted, unrestricted {len(unrestricted['age'])} of whom {rule(unrestricted).mean():.2f} fit")
    assert n > 0, f"{label}: nobody accepted"
    assert rule(accepted).all(), f"{label}: accepted applicants outside the target group"
    assert not rule(unrestricted).all(), f"{label}: base's intake already fits the rule (the test could not fail)"


@pytest.mark.parametrize("status", ["inactive", "employed_below_level"])
def test_entrants_outside_unemployment_wait_for_a_mentor_and_are_matched(status: str) -> None:
    """A programme for the inactive (or the employed below level): its entrants stay on the waiting list
    (they do not leave it for not being unemployed) and get mentors."""
    sc = load_scenario(SCENARIOS / "base.yaml", [*SMALL, f"programme.target.labour_statuses=[{status}]"])
    people = MentoringModel(sc, seed=1, agents=False).run().people
    accepted = people.accepted_month != NO_MONTH
    matched = accepted & (people.matched_month != NO_MONTH)
    early = accepted & (people.exit_reason == Exit.LEFT_WAITING) & (people.exit_month - people.accepted_month < 9)
    print(f"{status}: {accepted.sum()} accepted, {matched.sum()} matched, {early.sum()} left the list early")
    assert matched.sum() >= 0.3 * accepted.sum() > 0
    assert early.sum() <= 0.05 * accepted.sum()  # those who left before max_wait_months: a change of status only


def _accepted_months(overrides: tuple[str, ...]) -> np.ndarray:
    sc = load_scenario(SCENARIOS / "base.yaml", ["population.size=2000", "months=30", *overrides])
    people = MentoringModel(sc, seed=2, agents=False).run().people
    t = people.accepted_month[people.accepted_month != NO_MONTH]
    return sc.start_index + t  # month indices of the calendar


def test_yearly_intake_accepts_only_in_its_month() -> None:
    """programme.intake yearly, month 9: every acceptance falls in a September (2014-09, 2015-09)."""
    months = _accepted_months(("programme.intake.mode=yearly", "programme.intake.month=9"))
    print(np.unique(months % 12 + 1, return_counts=True))
    assert len(months) > 0 and np.all(months % 12 == 8)
    assert len(np.unique(months)) == 2  # two Septembers in 30 months from 2014-01


def test_cohort_intake_accepts_only_in_its_month() -> None:
    """programme.intake cohort 2014-03: all acceptances in that month; the monthly flow spreads them."""
    months = _accepted_months(("programme.intake.mode=cohort", "programme.intake.cohort=2014-03"))
    assert len(months) > 0 and np.all(months == month_index("2014-03"))
    assert len(np.unique(_accepted_months(()))) > 12


def test_a_channel_written_in_yaml_shapes_who_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel defined in the scenario with zero weight for men: only women apply through it."""
    channel = "{name: women_only, female: [1, 1, 1], male: [0, 0, 0], source: test}"
    accepted = _accepted_at_entry(
        (
            f"programme.outreach.channels=[{channel}]",
            "programme.outreach.channel=women_only",
        ),
        monkeypatch,
    )
    assert len(accepted["female"]) > 0 and accepted["female"].all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (("programme.outreach.channel=radio",), "not one of the channels"),
        (("programme.target.non_eu_only=true", "programme.target.eu_only=true"), "exclude each other"),
        (("programme.target.labour_statuses=[employed_at_level]",), "labour_statuses"),
        (("population.refugee_share={non_eu: 0.3}",), "refugee_share"),
        (("programme.intake.mode=weekly",), "mode"),
        (("programme.intake.mode=cohort", "programme.intake.cohort=2030-01"), "outside the programme's months"),
    ],
)
def test_invalid_choices_are_clear_errors(overrides: tuple[str, ...], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(SCENARIOS / "base.yaml", overrides)


def test_stricter_eligibility_takes_fewer_and_less_employable_participants() -> None:
    """min_months_unemployed 12 (the long-term unemployed only) vs none (base), 4 seeds, 3,000 people, 30 months:
    fewer participants, and fewer of them in work 12 months after acceptance (long spells scar: duration
    dependence; those who stayed unemployed are selected on finding work slowly); paired on common seeds.
    Measured: participants 350 -> 232; in work 12 months after acceptance 0.25 -> 0.19 (4 seeds, before the
    merge of coaches' hours and matching criteria, when every seed was lower; now the paired mean over 8 seeds)."""
    small = ("population.size=3000", "months=30", "labour_market.burn_in_months=12")
    base = load_scenario(SCENARIOS / "base.yaml", small)
    strict = load_scenario(SCENARIOS / "base.yaml", [*small, "programme.target.min_months_unemployed=12"])
    enrolled = paired(base, strict, outcome("enrolled"), range(1, 5), "participants, long-term unemployed - all")
    print(enrolled)
    assert np.all(enrolled.diffs < 0)
    employed = paired(
        base,
        strict,
        outcome("employed_12m_after_start_share"),
        range(1, 9),
        "in work 12 months after acceptance, long-term unemployed - all",
    )
    print(employed)
    assert_negative(employed)  # 8 seeds: the mean is lower and its 95 % interval excludes 0
