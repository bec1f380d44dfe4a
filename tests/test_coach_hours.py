"""Coaches' time is a budget (issue 11, item 1): statistical checks across seeds on common random numbers.

Each coach FTE has casework hours a month; intake interviews, matching, first meetings, check-ins and
mentor support take them, and the organisation plans its caseload in hours (sim/model/organisation.py).
Reduced settings: 4,000 jobseekers over 48 months (inside base's ESF grant), no twin (no net effects are
read). "Raises X" means the mean paired difference (treatment minus control, same seeds) is above 0 and
its 95 % t interval excludes 0.
"""

from __future__ import annotations

import pytest
from helpers import assert_negative, assert_positive, outcome, paired, scenario
from pydantic import ValidationError

from sim.model.organisation import CoachHours
from sim.scenario.schema import Staff

SMALL = ("population.size=4000", "months=48", "counterfactual.twin=false")
SEEDS = range(1, 5)
SHORT_HOURS = "programme.staff.hours_per_fte_month={value: 40, range: [20, 200]}"  # hours run short
REVERSED = "programme.staff.hours_priority=[intake, matching, check_in, mentor_support]"


def total(name: str):  # noqa: ANN201
    """A metric: the sum of a time series over the run."""
    return lambda series, _outcomes: float(series[name].sum())


def test_triage_serves_tasks_in_priority_order() -> None:
    """A task may use what is left after the tasks done and the reservations of pending higher-ranked tasks."""
    hours = CoachHours(["mentor_support", "check_in", "matching", "intake"])
    hours.open(100.0, {"mentor_support": 30.0, "check_in": 40.0, "matching": 20.0})
    assert hours.cap("intake") == pytest.approx(10.0)  # intake comes first in the month, ranks last
    hours.use("intake", intake=10.0)
    assert hours.cap("matching") == pytest.approx(20.0)
    hours.use("matching", matching=12.0, first_meeting=8.0)
    assert hours.cap("mentor_support") == pytest.approx(70.0)
    hours.use("mentor_support", mentor_support=30.0)
    assert hours.cap("check_in") == pytest.approx(40.0)
    assert sum(hours.used.values()) == pytest.approx(60.0) and hours.total["first_meeting"] == 8.0
    reversed_order = CoachHours(["intake", "matching", "check_in", "mentor_support"])
    reversed_order.open(100.0, {"mentor_support": 30.0, "check_in": 40.0, "matching": 20.0})
    assert reversed_order.cap("intake") == pytest.approx(100.0)


def test_hours_priority_lists_every_task_once() -> None:
    with pytest.raises(ValidationError, match="once"):
        Staff(hours_priority=["intake", "intake", "matching", "check_in"])


def test_follow_up_uses_coaches_hours_and_costs_intake_and_matches() -> None:
    """follow_up.intensity 1 vs 0, 4 seeds: more coaches' hours on follow-up, fewer participants and matches.

    The money is the same (the coaches are paid either way): follow-up is paid in intake and matches.
    """
    none = scenario("base", *SMALL, "programme.follow_up.intensity=0")
    full = scenario("base", *SMALL, "programme.follow_up.intensity=1")
    assert_positive(paired(none, full, outcome("coach_hours_follow_up"), SEEDS, "follow-up hours"))
    assert_positive(paired(none, full, total("coach_hours_used_check_in"), SEEDS, "check-in hours"))
    assert_negative(paired(none, full, outcome("enrolled"), SEEDS, "participants"))
    assert_negative(paired(none, full, total("new_matches"), SEEDS, "matches"))
    assert_negative(paired(none, full, outcome("dropout_share"), SEEDS, "drop-out"))  # what it buys


def test_triage_order_holds_when_hours_are_short() -> None:
    """Hours short (40 a FTE): the default order keeps mentor support whole and starves intake first;

    reversed (intake first, mentor support last), intake takes more hours and support fewer, and more
    pairs drop out (support not given cuts the follow-up share).
    """
    default = scenario("base", *SMALL, SHORT_HOURS)
    reverse = scenario("base", *SMALL, SHORT_HOURS, REVERSED)
    assert_positive(paired(default, reverse, total("coach_hours_used_intake"), SEEDS, "intake hours"))
    assert_negative(paired(default, reverse, total("coach_hours_used_mentor_support"), SEEDS, "support hours"))
    assert_positive(paired(default, reverse, outcome("dropout_share"), SEEDS, "drop-out"))


def test_more_hours_make_more_matches() -> None:
    """40 vs 140 hours a FTE: more casework hours, more matches and participants."""
    short = scenario("base", *SMALL, SHORT_HOURS)
    base = scenario("base", *SMALL)
    assert_positive(paired(short, base, total("coach_hours_available"), SEEDS, "hours available"))
    assert_positive(paired(short, base, total("new_matches"), SEEDS, "matches"))
    assert_positive(paired(short, base, outcome("enrolled"), SEEDS, "participants"))


@pytest.mark.parametrize(
    ("path", "low", "high", "measure", "direction"),
    [
        ("programme.follow_up.check_in_hours", 0.5, 3.0, "enrolled", -1),
        ("programme.follow_up.first_meeting_hours", 1.0, 4.0, "coach_hours_used_first_meeting", 1),
        ("programme.matching.hours_per_match", 1.0, 6.0, "enrolled", -1),
        ("programme.staff.mentor_support_hours", 0.25, 1.5, "enrolled", -1),
        ("programme.staff.other_duties_share", 0.3, 0.7, "enrolled", -1),
        ("programme.staff.hours_per_fte_month", 120.0, 160.0, "enrolled", 1),
        ("programme.staff.intake_hours_per_applicant", 0.5, 2.0, "coach_hours_used_intake", 1),
    ],
)
def test_each_hours_parameter_moves_its_output(
    path: str, low: float, high: float, measure: str, direction: int
) -> None:
    """Each task's hours (at its record's range ends) moves what it should, 4 seeds."""
    metric = outcome(measure) if measure == "enrolled" else total(measure)
    lo = scenario("base", *SMALL, f"{path}={low}")
    hi = scenario("base", *SMALL, f"{path}={high}")
    result = paired(lo, hi, metric, SEEDS, path)
    (assert_positive if direction > 0 else assert_negative)(result)
