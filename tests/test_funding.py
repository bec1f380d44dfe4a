"""Grants on a calendar and the coaches they pay."""

from __future__ import annotations

import numpy as np

from sim.model.funding import FundingSchedule, Report, schedule_calls
from sim.model.model import MentoringModel
from sim.model.rng import Streams
from sim.scenario.schema import Scenario, month_index


def scenario(grants: list[dict], months: int = 120, **programme: object) -> Scenario:
    return Scenario.model_validate(
        {"population": {"size": 1500}, "months": months, "funding": {"grants": grants}, "programme": programme}
    )


ESF = {"name": "ESF", "funder": "esf", "amount_eur": 840_000, "start": "2014-01", "end": "2020-12"}


def test_money_flows_between_start_and_end_only() -> None:
    s = scenario([ESF])
    schedule = FundingSchedule(s, Streams(1))
    end = month_index("2020-12") - s.start_index
    assert np.allclose(schedule.monthly[0, : end + 1], 10_000)
    assert (schedule.monthly[0, end + 1 :] == 0).all()
    assert schedule.remaining(0) == 840_000 and schedule.remaining(end + 1) == 0


def decide_first_call(s: Scenario, seed: int = 1) -> FundingSchedule:
    """The funder's decision on the first call, taken at its decision month (targets met: nothing reported is needed)."""
    schedule = FundingSchedule(s, Streams(seed))
    call = schedule.calls[0]
    t = call.last - s.funding.grants[0].renewal.decision_months_before_end
    schedule.decide([0], Report(t, np.zeros(s.months), np.zeros(s.months)))
    return schedule


def test_only_first_calls_are_known_at_the_start() -> None:
    """Renewals are decided during the run: at the start only each grant's first call is scheduled."""
    renewed = ESF | {"renewal": {"probability": 1.0, "call_months": 36, "max_renewals": 1}}
    assert len(schedule_calls(scenario([renewed]), Streams(1))) == 1


def test_renewal_comes_after_the_approval_gap() -> None:
    """A regional renewal starts after the gap and runs its months (an ESF one would stop at N+3: test_funders.py)."""
    renewed = ESF | {
        "funder": "regional",
        "renewal": {"probability": 1.0, "call_months": 36, "gap_months": 6, "max_renewals": 1},
    }
    calls = decide_first_call(scenario([renewed])).calls
    assert len(calls) == 2
    assert calls[1].first == calls[0].last + 7 and calls[1].last - calls[1].first == 35
    assert calls[1].monthly_eur == calls[0].monthly_eur


def test_renewal_probability_is_a_chance_per_call() -> None:
    """Over many seeds a renewal probability of 0.5 (targets met) renews about half of the first calls (binomial, 4 SD)."""
    risky = ESF | {"renewal": {"probability": 0.5, "call_months": 36}}
    renewed = [decide_first_call(scenario([risky]), seed).ledger.granted == 1 for seed in range(400)]
    assert abs(np.mean(renewed) - 0.5) < 4 * np.sqrt(0.25 / 400)


def test_cofinancing_caps_what_a_grant_pays() -> None:
    """An ESF grant paying 40 % of the cost cannot fund the programme alone; with a regional co-funder it can."""
    esf = ESF | {"amount_eur": 8_400_000, "cofinancing_share": 0.4}
    alone = FundingSchedule(scenario([esf]), Streams(1))
    regional = {"name": "Region", "funder": "regional", "amount_eur": 8_400_000, "start": "2014-01", "end": "2020-12"}
    both = FundingSchedule(scenario([esf, regional]), Streams(1))
    assert alone.available(0, 10_000) == 4_000
    assert both.available(0, 10_000) == 10_000


def test_coaches_are_lost_at_the_cliff_and_rehired_slowly() -> None:
    """Funding 2014-2016, a gap in 2017, again from 2018: coaches drop to 0 at once and climb back over months.

    Coaches here do not leave ahead of the end (``leave_before_end_rate`` 0: tested in test_funders.py).
    """
    first = ESF | {"end": "2016-12", "amount_eur": 36 * 25_000}
    second = ESF | {"name": "ESF 2", "start": "2018-01", "end": "2023-12", "amount_eur": 72 * 25_000}
    model = MentoringModel(scenario([first, second], staff={"leave_before_end_rate": 0.0}), seed=2, agents=False).run()
    coaches = model.series["coaches_fte"]
    gap, back = 36, 48  # 2017-01 and 2018-01
    assert coaches[gap - 1] > 2 and (coaches[gap:back] == 0).all()
    assert 0 < coaches[back] < coaches[back + 6] and coaches[back] < 0.5 * coaches[back + 12]
    assert model.organisation.staff_lost_fte >= coaches[gap - 1]
    assert (model.series["intake_open"][gap:back] == 0).all()
