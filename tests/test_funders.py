"""Funders decide renewals on what the programme reports; the organisation holds cash (issue 10, items 3-4).

Paired runs on common random numbers: both arms of a comparison use the same seeds, so the renewal
draw (stream ``funding.renewal``) and every other draw are the same, and a difference comes from the
lever alone. Small populations and short horizons keep the file fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import Funder
from sim.model.funding import FundingSchedule, Report, esf_eligible_until, renewal_chance
from sim.model.model import MentoringModel
from sim.model.rng import Streams
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Grant, Scenario, month_index

SEEDS = range(1, 17)
END = 23  # the grant of these tests: 2014-01 to 2015-12 (model months 0-23)
ESF: dict[str, Any] = {"name": "ESF", "funder": "esf", "amount_eur": 24 * 20_000, "start": "2014-01", "end": "2015-12"}
RENEWED = {"probability": 1.0, "call_months": 12, "max_renewals": 1}
TARGETS = {"pairs_per_month": 6.0}  # what a three-coach programme of this size matches (6.6 a month)


def scenario(grant: dict[str, Any] | None = None, months: int = 30, size: int = 2500, **sections: Any) -> Scenario:
    """A small region with one ESF grant (``grant`` overrides its keys); ``sections`` as nested dicts."""
    data: dict[str, Any] = {
        "population": {"size": size},
        "months": months,
        "funding": {"grants": [ESF | (grant or {})]},
        "counterfactual": {"twin": False},
    }
    for key, value in sections.items():
        data[key] = data.get(key, {}) | value
    return Scenario.model_validate(data)


def run(sc: Scenario, seed: int, agents: bool = False) -> MentoringModel:
    return MentoringModel(sc, seed=seed, agents=agents).run()


def renewals(sc: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Refusals and achievements (reported / target) over SEEDS."""
    refused, score = [], []
    for seed in SEEDS:
        model = run(sc, seed)
        refused.append(model.outcomes()["renewals_refused"])
        score.append(model.funding.ledger.decisions[0].achievement)
    return np.array(refused), np.array(score)


STRONG = {"staff": {"max_coaches": 3.0}}
WEAK = {"staff": {"max_coaches": 0.5}}


# -- item 3: funders decide ----------------------------------------------------------------------------


def test_weak_programme_is_refused_more_often() -> None:
    """A grant renewed only on performance (probability 1 when targets are met, 6 pairs a month): a programme
    with half a coach reaches fewer pairs and is refused more often than one with three coaches, same seeds.
    With common draws a refusal of the strong programme implies one of the weak."""
    grant = {"renewal": RENEWED, "targets": TARGETS}
    strong, strong_score = renewals(scenario(grant, programme=STRONG))
    weak, weak_score = renewals(scenario(grant, programme=WEAK))
    print(f"refused: strong {strong.sum()}/16, weak {weak.sum()}/16; achievement {strong_score.mean():.2f} vs "
          f"{weak_score.mean():.2f}")  # fmt: skip
    assert (weak_score < strong_score).all()
    assert weak.sum() >= strong.sum() + 4
    assert (weak >= strong).all()


def test_targets_do_not_matter_at_zero_steepness_and_tolerance_forgives() -> None:
    """The weak programme of the test above: steepness 0 makes the targets irrelevant (never refused at
    probability 1); a tolerance of 0.5 forgives its shortfall; a target twice as high refuses more."""
    base = {"targets": TARGETS, "renewal": RENEWED}
    refused = {
        name: renewals(scenario(base | {"renewal": RENEWED | extra}, programme=WEAK))[0].sum()
        for name, extra in (("default", {}), ("flat", {"steepness": 0.0}), ("tolerant", {"shortfall_tolerance": 0.5}))
    }
    higher = renewals(scenario(base | {"targets": {"pairs_per_month": 12.0}}, programme=WEAK))[0].sum()
    print(refused, "target 12:", higher)
    assert refused["flat"] == 0 and refused["tolerant"] < refused["default"] < higher


def test_placement_target_counts_as_a_target() -> None:
    """Reported placements are judged as pairs are: an unreachable placement target means a refusal."""
    grant = {"renewal": RENEWED, "targets": {"placements_per_month": 100.0}}
    model = run(scenario(grant), 1)
    assert model.funding.ledger.decisions[0].reason == "performance"
    assert model.outcomes()["renewals_refused"] == 1 and model.outcomes()["renewals_granted"] == 0


def test_the_renewal_rule() -> None:
    """The documented rule: the base chance when targets are met (within the tolerance), 2 / (1 + e^(k s)) times
    it with shortfall s beyond the tolerance; steepness 0 ignores the targets."""
    grant = Grant.model_validate(ESF | {"renewal": {"probability": 0.8, "steepness": 5.0, "shortfall_tolerance": 0.1}})
    assert renewal_chance(grant, 1.2) == renewal_chance(grant, 0.9) == pytest.approx(0.8)
    assert renewal_chance(grant, 0.6) == pytest.approx(0.8 * 2 / (1 + np.exp(5 * 0.3)))
    assert renewal_chance(grant, 0.3) < renewal_chance(grant, 0.6)
    flat = grant.model_copy(update={"renewal": grant.renewal.model_copy(update={"steepness": 0.0})})
    assert renewal_chance(flat, 0.0) == pytest.approx(0.8)


def test_funder_budget_limits_renewal() -> None:
    """A funder without the money for the new call refuses it, whatever the programme reported."""
    call = 12 * 20_000
    for budget, granted in ((call - 1, 0), (call, 1)):
        model = run(scenario({"renewal": RENEWED | {"funder_budget_eur": budget}}), 1)
        out = model.outcomes()
        assert (out["renewals_granted"], out["renewals_refused"]) == (granted, 1 - granted)
    assert model.funding.ledger.budget[0] == 0


def test_funder_agent_decides_during_the_run() -> None:
    """The Funder agent takes the decision at its decision month (3 months before the end by default), on
    what was reported so far; with and without Mesa agents the run is the same."""
    sc = scenario({"renewal": RENEWED, "targets": TARGETS})
    with_agents = run(sc, 2, agents=True)
    funder = with_agents.agents_by_type[Funder][0]
    assert len(funder.decisions) == 1
    decision = funder.decisions[0]
    assert decision.month == END - 3
    reported = with_agents.series["new_matches"][: END - 3].sum()
    assert decision.achievement == pytest.approx(reported / (6.0 * (END - 3)))
    without = run(sc, 2)
    assert without.funding.ledger.decisions == with_agents.funding.ledger.decisions
    np.testing.assert_array_equal(without.series["cash_balance_eur"], with_agents.series["cash_balance_eur"])


def test_early_decision_keeps_intake_open_and_coaches() -> None:
    """A renewal decided 6 months before the end (not at the end) keeps intake open and coaches at work in the
    last months of the first call, on the same seeds: fewer months without intake, more coach FTE."""
    late, early = (scenario({"renewal": RENEWED | {"decision_months_before_end": d}}) for d in (0, 6))
    for seed in SEEDS[:3]:
        a, b = run(late, seed), run(early, seed)
        assert a.outcomes()["renewals_granted"] == b.outcomes()["renewals_granted"] == 1
        assert b.outcomes()["months_without_intake"] < a.outcomes()["months_without_intake"]
        window = slice(END - 5, END + 1)
        assert b.series["coaches_fte"][window].sum() > a.series["coaches_fte"][window].sum()
        assert b.series["intake_open"][window].all() and not a.series["intake_open"][window].all()


def test_esf_renewal_ends_at_n_plus_3() -> None:
    """An ESF 2014-2020 grant's 4-year renewal stops in December 2023 (N+3); a regional one runs 4 years."""
    last = {}
    for kind in ("esf", "regional"):
        grant = ESF | {"funder": kind, "end": "2020-12", "renewal": RENEWED | {"call_months": 48}}
        sc = Scenario.model_validate({"months": 144, "funding": {"grants": [grant]}})
        schedule = FundingSchedule(sc, Streams(1))
        assert schedule.decide([0], Report(80, np.zeros(144), np.zeros(144)))[0].renewed
        last[kind] = schedule.calls[-1].last
    assert esf_eligible_until(Grant.model_validate(ESF), month_index("2014-01")) == 119  # 2023-12
    assert last == {"esf": 119, "regional": 84 + 47}


def test_shipped_scenarios_count_their_renewals() -> None:
    """base refuses its one renewal (probability 0: the funding cliff); grant_renewed grants it."""
    for name, counts in (("base", (0, 1)), ("grant_renewed", (1, 0))):
        sc = load_scenario(f"scenarios/{name}.yaml", ["population.size=1500", "counterfactual.twin=false"])
        out = run(sc, 1).outcomes()
        assert (out["renewals_granted"], out["renewals_refused"]) == counts, name


# -- item 4: cash ---------------------------------------------------------------------------------------


def first_closed(model: MentoringModel) -> int:
    return int(np.flatnonzero(model.series["intake_open"] == 0)[0])


def test_reimbursement_lag_constrains_cash_and_stops_intake_earlier() -> None:
    """Reserves of EUR 20,000 (one month of cost): with no reimbursement lag no month is cash-constrained and
    intake closes only when a pair could no longer run to term (month 19); with a 12-month lag the cash runs out,
    months are constrained and intake closes within the first months; same seeds."""
    for seed in SEEDS[:4]:
        none, long = (
            run(scenario({"payment": {"reimbursement_lag_months": lag}}, funding={"reserves_eur": 20_000}), seed)
            for lag in (0, 12)
        )
        print(seed, none.organisation.months_cash_constrained, long.organisation.months_cash_constrained,
              first_closed(none), first_closed(long))  # fmt: skip
        assert none.outcomes()["months_cash_constrained"] == 0
        assert long.outcomes()["months_cash_constrained"] > 6
        assert first_closed(none) == END - 4 and first_closed(long) < 6
        assert long.outcomes()["cost_total_eur"] < none.outcomes()["cost_total_eur"]


def test_reserves_and_prefinancing_relieve_the_cash_constraint() -> None:
    """A 6-month lag: more reserves, or more pre-financing, mean fewer cash-constrained months."""
    lag = {"payment": {"reimbursement_lag_months": 6}}
    constrained = {}
    for name, grant, reserves in (
        ("thin", lag, 20_000),
        ("reserves", lag, 120_000),
        ("prefinanced", {"payment": {"reimbursement_lag_months": 6, "prefinancing_share_per_year": 0.3}}, 20_000),
    ):
        constrained[name] = run(
            scenario(grant, funding={"reserves_eur": reserves}), 1
        ).organisation.months_cash_constrained
    print(constrained)
    assert constrained["reserves"] < constrained["thin"] and constrained["prefinanced"] < constrained["thin"]
    assert constrained["reserves"] == 0


def test_cash_never_goes_negative_and_ends_with_the_reserves() -> None:
    """Over funders, lags and reserves the cash balance is never negative; once every call's final balance
    is paid, the organisation has its reserves back (pre-financing not spent is recovered)."""
    cases = [
        ({}, 120_000),
        ({"payment": {"reimbursement_lag_months": 12}}, 5_000),
        ({"funder": "foundation"}, 0),
        ({"funder": "city", "payment": {"reimbursement_lag_months": 2}}, 0),
        ({"cofinancing_share": 0.4}, 50_000),
    ]
    for grant, reserves in cases:
        for seed in SEEDS[:2]:
            model = run(scenario(grant, months=40, funding={"reserves_eur": reserves}), seed)
            cash = model.series["cash_balance_eur"]
            assert cash.min() >= 0, (grant, reserves)
            assert cash[-1] == pytest.approx(reserves, abs=1.0), (grant, reserves, cash[-1])


def test_intake_stops_when_pairs_could_not_run_to_term() -> None:
    """Intake closes when fewer funded months are left than a pair lasts: 6-month pairs close it 5 months
    before the end, 3-month pairs 2 months before."""
    for months, closed in ((6, END - 4), (3, END - 1)):
        model = run(scenario(programme={"pairs": {"duration_months": months}}), 1)
        assert first_closed(model) == closed
        assert model.series["new_matches"][closed:].sum() == 0


def test_coaches_leave_ahead_of_a_known_end() -> None:
    """In the last months of the money coaches leave and are not replaced: coach FTE in the last 6 funded
    months is lower with a 10 % monthly leaving rate than without, lower again with a 12-month horizon, and
    the money not spent on them lowers the cost; same seeds."""
    fte, cost = {}, {}
    for name, staff in (
        ("stay", {"leave_before_end_rate": 0.0}),
        ("leave", {"leave_before_end_rate": 0.1}),
        ("leave_early", {"leave_before_end_rate": 0.1, "leave_horizon_months": 12}),
    ):
        model = run(scenario(programme={"staff": staff}), 1)
        fte[name] = model.series["coaches_fte"][END - 5 : END + 1].sum()
        cost[name] = model.outcomes()["cost_total_eur"]
    print(fte)
    assert fte["stay"] > fte["leave"] > fte["leave_early"]
    assert cost["stay"] > cost["leave"] > cost["leave_early"]


def test_a_call_no_longer_than_the_leave_horizon_is_staffed_to_its_end() -> None:
    """A 6-month call (the leave horizon): coaches are hired and stay; a 24-month call loses coaches ahead of its end."""
    short = scenario({"funder": "regional", "amount_eur": 100_000, "start": "2014-01", "end": "2014-06"}, months=8)
    model = run(short, 1)
    assert model.series["coaches_fte"][:6].max() > 1.0
    assert np.all(np.diff(model.series["coaches_fte"][:6]) >= 0)  # nobody leaves inside the short call
    long = run(scenario(), 1).series["coaches_fte"]
    assert long[END] < long[END - 7]  # the long call's coaches leave in its last months


def test_a_programme_may_keep_intake_open_to_the_end_of_a_short_call() -> None:
    """A 6-month call with 6-month pairs: by default intake closes at once (no pair could run to term) and
    few become participants; with intake.close_months 1 (MentorU 2013 took people in to the end) intake stays
    open to the last funded month and more are served (measured: 7-10 vs 43-56); 3 seeds."""
    short = {"funder": "regional", "amount_eur": 100_000, "start": "2014-01", "end": "2014-06"}
    served = {}
    for close in (None, 1):
        sc = scenario(short, months=8, programme={"intake": {"close_months": close}})
        runs = [run(sc, seed) for seed in SEEDS[:3]]
        served[close] = [int(m.people.served.sum()) for m in runs]
        open_months = [int(m.series["intake_open"].sum()) for m in runs]
        assert open_months == ([1] * 3 if close is None else [6] * 3), open_months  # 6 funded months
    print(served)
    assert all(a < b for a, b in zip(served[None], served[1], strict=True))
