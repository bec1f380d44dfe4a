"""Docking: the array model and the plain per-agent Mesa twin (tests/reference/twin.py) agree statistically.

Both start from the same state, a built ``MentoringModel(..., agents=False)`` per seed after its
burn-in (people, employers' weights, hiring scale and the reference group's stock), and then use their
own random numbers. The array side drives ``model.pair_dynamics`` (step 7) and ``model.market`` (step 8)
directly on that state, as ``MentoringModel.step`` does, without intake, matching or funding; pairs are
formed once at month 0 with mentors drawn from the same distribution on both sides (``PairSetup``).
Careers (``sim/model/careers.py``, inside ``model.market.step``; the twin's ``Jobseeker.careers_month``)
run on both sides with the defaults: moves up to one's level, language, recognition, fading, the gender
factor and the retention support. The labour market on both sides: finite openings per employer
(Poisson, economy factors), origin groups non-EU / EU with the offer gap and each employer's bias,
crowding ``V / (A + V)`` per sector over all applicants including the reference stock, whose expected
hires and job losses move it each month. The calibration itself is compared exactly
(``test_twin_calibration_matches_array``).

The statistical test, for every metric: over the seeds, the difference of the two means must lie within
4 standard errors of the difference, sqrt(var_array / k + var_twin / k) from the seed-to-seed spread
(k seeds a side), plus a small absolute floor per metric (``FLOORS``) that keeps a lucky small spread
from failing the test on noise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference.twin import PairSetup, TwinModel

from sim.model.mentors import MentorPool, availability_codes
from sim.model.model import MentoringModel
from sim.model.pairs import start_pairs
from sim.model.population import Exit, Labour, is_employed
from sim.scenario.schema import Scenario, Shock

N = 10_000
SEEDS = (11, 12, 13, 14, 15)
PAIR_SEEDS = tuple(range(21, 31))  # pair outcomes need more power: 10 seeds x about 3,000 pairs
CHECKPOINTS = (12, 36, 60)
STATUSES = {
    "unemployed": Labour.UNEMPLOYED,
    "at_level": Labour.EMPLOYED_AT_LEVEL,
    "below_level": Labour.EMPLOYED_BELOW_LEVEL,
    "training": Labour.TRAINING,
    "inactive": Labour.INACTIVE,
}
ORIGINS = {"non_eu": True, "eu": False}  # employed shares by origin group: the per-origin bias
PAIRS = PairSetup(n_pairs=4000, sector_match_share=0.6, follow_up=0.5, trained_share=0.5)
PAIR_MONTHS = 12
Z = 4.0
FLOORS = {"months_unemployed": 0.3, "meetings": 0.1, "new_ties": 0.05}  # other metrics are shares: SHARE_FLOOR
# (reference_unemployed is the reference group's unemployed stock per jobseeker here, on the same footing)
SHARE_FLOOR = 0.005

Metrics = dict[str, float]


def docking_scenario(months: int) -> Scenario:
    """Defaults with a downturn (months 24-41) so the economy factor and SME bias are exercised, and turnover."""
    scenario = Scenario(months=months)
    scenario.population.size = N
    scenario.economy.shocks = [Shock(start="2016-01", end="2017-06")]
    scenario.programme.guidelines.network_opening = True  # more openings: a sharper test of the ties
    scenario.population.turnover_rate = 0.01  # as the base scenario: newcomers replace leavers
    return scenario


# -- the array side ----------------------------------------------------------------------------------
def draw_mentor_arrays(
    scenario: Scenario, mentee_sector: np.ndarray, setup: PairSetup, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Mentor attributes, the same distribution as ``TwinModel._draw_mentor`` (vectorised)."""
    cfg, n, k = scenario.mentors, len(mentee_sector), len(scenario.sectors)
    match = rng.random(n) < setup.sector_match_share
    sector = np.where(match, mentee_sector, (mentee_sector + rng.integers(1, k, n)) % k)
    retired = rng.random(n) < cfg.retired_share
    network_mean = np.where(retired, cfg.network_size_retired, cfg.network_size_active)
    w = min(max(cfg.willingness_mean, 1e-3), 1 - 1e-3)
    m = scenario.programme.matching
    return {
        "sector": sector,
        "network": rng.poisson(network_mean),
        "willingness": rng.beta(w * 6, (1 - w) * 6, n),
        "hours": rng.gamma(4.0, cfg.hours_mean / 4.0, n),
        "trained": rng.random(n) < setup.trained_share,
        "district": rng.integers(0, m.districts, n),
        "preference": rng.integers(0, m.preference_groups, n),
        "multilingual": rng.random(n) < m.mentor_language_support_share,
        "availability": availability_codes(rng.random(n), retired, m),
    }


def array_labour_metrics(model: MentoringModel, month: int) -> Metrics:
    p = model.people
    out = {f"{name}@{month}": float(np.mean(p.labour == code)) for name, code in STATUSES.items()}
    out[f"months_unemployed@{month}"] = float(p.months_unemployed[p.labour == Labour.UNEMPLOYED].mean())
    for origin, non_eu in ORIGINS.items():
        out[f"employed_{origin}@{month}"] = float(is_employed(p.labour[p.non_eu == non_eu]).mean())
    out[f"reference_unemployed@{month}"] = model.market.reference_unemployed / p.n
    return out


def run_array(scenario: Scenario, seed: int, months: int, pairs: PairSetup | None) -> Metrics:
    """Steps 7-8 of the array model on its state after the burn-in (pairs formed at month 0 if ``pairs``)."""
    model = MentoringModel(scenario, seed=seed, agents=False)
    people = model.people
    pool = MentorPool.empty()
    mentees = (
        np.flatnonzero(people.labour == Labour.UNEMPLOYED)[: pairs.n_pairs] if pairs else np.zeros(0, dtype=np.int64)
    )
    if pairs:
        mentors = pool.add(
            **draw_mentor_arrays(scenario, people.sector[mentees], pairs, np.random.default_rng([seed, 99]))
        )
        start_pairs(0, people, pool, mentees, mentors)
    follow_up = pairs.follow_up if pairs else 0.0
    out: Metrics = {}
    for t in range(months):
        model.pair_dynamics.step(t, people, pool, follow_up, True)
        model._turnover(t)  # step 8 as in MentoringModel.step: leavers replaced, then the market
        cfg = scenario.programme.pairs
        model.market.step(t, people, cfg.training_entry_multiplier, cfg.internship_rate)  # as MentoringModel.step
        if t + 1 in CHECKPOINTS:
            out |= array_labour_metrics(model, t + 1)
    if pairs:
        reason = people.exit_reason[mentees]
        out |= {
            "completed": float(np.mean(reason == Exit.COMPLETED)),
            "ended_early": float(np.mean(reason == Exit.ENDED_EARLY)),
            "never_started": float(np.mean(reason == Exit.NEVER_STARTED)),
            "network_opened": float(people.network_opened[mentees].mean()),
            "meetings": float(people.meetings[mentees].mean()),
            "new_ties": float(people.new_ties[mentees].mean()),
            "local_knowledge": float(people.local_knowledge[mentees].mean()),
            "employed": float(is_employed(people.labour[mentees]).mean()),
        }
    return out


# -- the twin side -----------------------------------------------------------------------------------
def twin_labour_metrics(twin: TwinModel, month: int) -> Metrics:
    shares = twin.labour_shares()
    out = {f"{name}@{month}": shares[int(code)] for name, code in STATUSES.items()}
    out[f"months_unemployed@{month}"] = twin.mean_months_unemployed()
    for origin, non_eu in ORIGINS.items():
        out[f"employed_{origin}@{month}"] = twin.employed_share(non_eu)
    out[f"reference_unemployed@{month}"] = twin.reference_unemployed / len(twin.jobseekers)
    return out


def run_twin(scenario: Scenario, seed: int, months: int, pairs: PairSetup | None) -> Metrics:
    """The per-agent twin from the same state (after the burn-in), with its own random numbers."""
    twin = TwinModel(MentoringModel(scenario, seed=seed, agents=False), seed=1_000_003 * seed + 7, pairs=pairs)
    out: Metrics = {}
    for t in range(months):
        twin.step()
        if t + 1 in CHECKPOINTS:
            out |= twin_labour_metrics(twin, t + 1)
    if pairs:
        out |= twin.pair_outcomes()
    return out


# -- the comparison ----------------------------------------------------------------------------------
def compare(array: list[Metrics], twin: list[Metrics]) -> tuple[list[str], list[str]]:
    """Table rows for every metric, and the rows of the metrics that fail the test of the module docstring."""
    rows, failures = [], []
    for key in array[0]:
        a = np.array([m[key] for m in array])
        b = np.array([m[key] for m in twin])
        diff = b.mean() - a.mean()
        se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        tolerance = Z * se + FLOORS.get(key.split("@")[0], SHARE_FLOOR)
        row = f"{key:24s} array {a.mean():9.4f}  twin {b.mean():9.4f}  diff {diff:+8.4f}  se {se:7.4f}  tol {tolerance:7.4f}"
        rows.append(row)
        if not abs(diff) <= tolerance:
            failures.append(row)
    return rows, failures


def dock(months: int, pairs: PairSetup | None, seeds: tuple[int, ...]) -> None:
    scenario = docking_scenario(months)
    array = [run_array(scenario, seed, months, pairs) for seed in seeds]
    twin = [run_twin(scenario, seed, months, pairs) for seed in seeds]
    rows, failures = compare(array, twin)
    print("\n" + "\n".join(rows))
    assert not failures, "array model and twin disagree:\n" + "\n".join(failures)


def test_twin_calibration_matches_array() -> None:
    """Deterministic: from the same state the twin's calibration equals ``LabourMarket.calibrate``.

    The state is the array model's after its burn-in (a stationary cross-section: durations of
    unemployment, newcomers), with cross-sector ties and local knowledge given to some people so that
    every channel counts. The twin copies it agent by agent before the array model calibrates again
    on it; then both compute the scale, the openings per sector and the reference stock on the same
    people and the same employer weights. This checks attractiveness, referral boosts, the employers'
    per-origin bias with the offer gap, the openings each origin group is offered and the crowding,
    agent by agent. The offer tables in a downturn (SMEs' extra bias) are compared too.

    Tolerances: relative 1e-6 where attractiveness enters (the array model keeps attractiveness and
    referral boosts in float32, the twin computes them in double), 1e-12 elsewhere.
    """
    scenario = docking_scenario(12)
    scenario.population.size = 2000
    model = MentoringModel(scenario, seed=3, agents=False)
    people, rng = model.people, np.random.default_rng(3)
    k = len(scenario.sectors)
    some = np.flatnonzero(rng.random(people.n) < 0.3)
    other = (people.sector[some] + rng.integers(1, k, len(some))) % k
    people.ties[some, other] += rng.integers(1, 4, len(some)).astype(np.uint8)
    people.cross_ties[some] = True
    people.local_knowledge[some] = rng.random(len(some)).astype(np.float32)
    twin = TwinModel(model, seed=3)  # a copy of the state before the array model calibrates on it
    assert sum(js.labour == Labour.UNEMPLOYED for js in twin.jobseekers) > 500
    for downturn in (False, True):
        weights = model.employers.weight
        expected = model.market._openness(weights, downturn)
        assert np.allclose(twin.offer_table(weights.tolist(), downturn), expected, rtol=1e-12, atol=0)
    model.market.calibrate(people)
    twin.calibrate()
    market = model.market
    assert twin.scale == pytest.approx(market.scale, rel=1e-6)
    assert twin.reference_unemployed == pytest.approx(market.reference_unemployed, rel=1e-12)
    assert twin.reference_labour_force == pytest.approx(market.reference_labour_force, rel=1e-12)
    weights = np.array([e.weight for e in twin.employer_list])
    assert np.allclose(weights, model.employers.weight, rtol=1e-6, atol=0)
    assert twin.economy_index() == pytest.approx(market.economy_index(0), rel=1e-12)


@pytest.mark.slow
def test_labour_market_docks() -> None:
    """10k jobseekers, 5 seeds, 60 months with a downturn: shares unemployed / employed at level / below
    level / in training / inactive, the mean months unemployed (of the unemployed), the employed share of
    each origin group (non-EU, EU) and the reference group's unemployed stock per jobseeker, at months
    12, 36, 60.
    Test: |mean_twin - mean_array| <= 4 x sqrt(var_a/5 + var_t/5) + floor (0.005 for shares, 0.3 months)."""
    dock(max(CHECKPOINTS), None, SEEDS)


@pytest.mark.slow
def test_pairs_dock() -> None:
    """Pairs formed at month 0 for the first 4,000 unemployed (after the burn-in about 3,000 are unemployed,
    so all of them; 10k jobseekers, 10 seeds, 12 months): shares completed / ended early /
    never started / network opened, mean meetings, new ties and local knowledge, mentees employed at 12,
    plus the labour metrics at month 12. Test: |mean_twin - mean_array| <= 4 x sqrt(var_a/10 + var_t/10)
    + floor (0.005 for shares, 0.1 meetings, 0.05 ties)."""
    dock(PAIR_MONTHS, PAIRS, PAIR_SEEDS)
