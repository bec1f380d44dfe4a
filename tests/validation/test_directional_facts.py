"""Directional facts of the evaluations (issue 3), on paired seeds (common random numbers).

Facts already proven in ``tests/test_mechanisms.py`` are not run again here:

1. sector-specific beats generic matches: ``test_sector_matching_beats_generic_matching``;
3. network access needs the guidelines: ``test_network_guidelines_raise_network_access``;
4. follow-up lowers never-started and silent pairs: ``test_follow_up_prevents_never_started_pairs_and_drop_out``;
6. ESF end without renewal (intake stops, staff and mentors lost) and the staggered design:
   ``test_grant_end_stops_intake_and_loses_staff_and_mentors``, ``test_staggered_funding_has_fewer_months_without_intake``;
7. downturn, SMEs more: ``test_downturn_lowers_vacancies_hires_and_mentor_supply``, ``test_downturn_hits_sme_hiring_harder``;
8. creaming, gross vs net: ``test_creaming_raises_gross_placement_more_than_net_effect``;
9. net << gross: ``test_net_effect_is_much_smaller_than_gross_placement``;
10. champions raise mentor supply: ``test_employer_champions_raise_mentor_supply``.

Added here: 2 (sector_first vs sector_only under shortage), 5 (MentorU interruption + downturn, slow
recovery), 6 (the wind-down rule for pairs in progress), 9 (the net effect grows from 6 to 12 months)
and 10 (TRIEC's share of mentors via companies).
Unless a docstring says otherwise, "lower"/"higher" means the mean paired difference has a 95 % t
interval that excludes 0 (``assert_negative`` / ``assert_positive`` of tests/helpers.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    LONG,
    SCENARIOS,
    SHORT,
    Paired,
    assert_negative,
    assert_positive,
    outcome,
    paired,
    replicate,
    scenario,
    series_mean,
    values,
)

from sim.model.model import MentoringModel
from sim.model.population import Exit
from sim.scenario.loader import load_scenario
from sim.scenario.schema import month_index

# A mentor shortage: few mentors at the start, few recruited, no company champions. Since mentors tire and
# rest (issue 11, item 3), 1.5 recruited a month is so deep a shortage that nearly every free mentor finds
# a mentee of their own sector already waiting and sector_first seldom falls back: 2.5 keeps the shortage
# (40+ waiting) with fallbacks to see.
SHORTAGE = (
    "mentors.initial=10",
    "mentors.individual_recruitment_per_month=2.5",
    "employers.champions_initial=0",
    "employers.champion_recruitment_rate=0",
)
MENTORU = SCENARIOS / "programmes" / "mentoru.yaml"


def _mentoru_month(label: str) -> int:
    return month_index(label) - month_index("2011-09")


# -- 2. mentor shortage: sector_first vs sector_only --------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "label", "direction"),
    [
        (series_mean("waiting_list"), "waiting_list (mean over the run)", -1),
        (outcome("matched_share"), "matched_share", 1),
        (outcome("sector_match_share"), "sector_match_share", -1),
        (outcome("network_access_share"), "network_access_share", -1),
    ],
    ids=["waiting", "matched", "sector_match", "network_access"],
)
def test_shortage_sector_first_waits_less_but_loses_quality(metric, label: str, direction: int) -> None:
    """Under a mentor shortage (10 mentors at the start, 2.5 recruited a month, no champions),
    sector_first vs sector_only, 16 seeds (8 left the network access interval at -0.005 [-0.012, +0.002] once the
    matching criteria and coaches' hours joined), 60 months: the waiting list is shorter and more participants get
    a mentor (waiting falls), while fewer matches are in the mentee's sector and fewer matched mentees
    gain employer ties (quality drops); 95 % CI of the paired difference excludes 0 in the stated direction.
    Placement at skill level (employed_at_level_share) moves by less than 0.005 at this size and is not asserted."""
    only = scenario("base", *SHORT, *SHORTAGE, "programme.matching.strategy=sector_only")
    first = scenario("base", *SHORT, *SHORTAGE, "programme.matching.strategy=sector_first")
    result = paired(only, first, metric, range(1, 17), label)
    (assert_positive if direction > 0 else assert_negative)(result)


# -- 5. MentorU: interruption in a downturn, slow recovery --------------------------------------------


def test_mentoru_interruption_and_downturn_shrink_the_company_mentor_pool() -> None:
    """mentoru.yaml (year-1 grant to 2012-08, no money 2012-09..12, downturn from 2012-06, grant again
    2013-01..06) vs the same programme funded without a break and without the downturn, 10 seeds:
    champion employers at 2012-12 and the mean mentor pool in 2013-01..06 are lower (95 % CI < 0); the
    downturn adds to the interruption: champions at 2012-12 are lower than with the break alone (95 % CI < 0)."""
    interrupted = load_scenario(MENTORU)
    steady = load_scenario(
        MENTORU, ["funding.grants.0.end=2012-12", "funding.grants.0.amount_eur=160000", "economy.shocks=[]"]
    )
    break_only = load_scenario(MENTORU, ["economy.shocks=[]"])
    december = _mentoru_month("2012-12")
    seeds = range(1, 11)
    assert_negative(
        paired(steady, interrupted, series_mean("champions", december, december), seeds, "champions 2012-12")
    )
    phase2 = (_mentoru_month("2013-01"), _mentoru_month("2013-06"))
    assert_negative(paired(steady, interrupted, series_mean("mentor_pool", *phase2), seeds, "mentor pool 2013-01..06"))
    assert_negative(
        paired(
            break_only,
            interrupted,
            series_mean("champions", december, december),
            seeds,
            "champions 2012-12, + downturn",
        )
    )


def test_mentoru_recovers_capacity_only_slowly() -> None:
    """mentoru.yaml, 10 seeds: six months after the money returns (2013-06) the mentor pool is below its
    size before the break (2012-08) in at least 9 replicates and, on average, by more than a quarter; in
    the first month of the second grant (2013-01) the coaches are below the planned 1.5 FTE in every
    replicate (rehired slowly). (A small pool can regrow past its old size by chance: 23 -> 24 on seed 8.)"""
    sc = load_scenario(MENTORU)
    before, after, back = _mentoru_month("2012-08"), _mentoru_month("2013-06"), _mentoru_month("2013-01")
    pools = []
    for seed in range(1, 11):
        ts, _ = replicate(sc, seed)
        print(
            f"seed {seed}: mentor pool {ts.mentor_pool[before]:.0f} -> {ts.mentor_pool[after]:.0f}, coaches 2013-01 {ts.coaches_fte[back]:.2f}"
        )
        pools.append((ts.mentor_pool[before], ts.mentor_pool[after]))
        assert ts.coaches_fte[back] < sc.programme.staff.max_coaches
    old, new = np.array(pools).T
    assert (new < old).sum() >= 9
    assert new.mean() < 0.75 * old.mean()


# -- 6. ESF end: the wind-down rule for pairs in progress ---------------------------------------------


def test_wind_down_rule_decides_what_happens_to_pairs_in_progress() -> None:
    """base with a cash shortfall (reserves EUR 20,000, reimbursements 12 months in arrears: the money stops
    before pairs can run to term), 3 seeds, in every replicate: with wind_down 'end' the programme ends the
    pairs in progress when its coaches go (exit PROGRAMME_ENDED), with 'finish' it ends none, and with 'end'
    no pair is active the month after the grant's end. (Since issue 10 intake and matching close when a new
    pair could not run to term before a known end, so without a shortfall few pairs are left at the end.)"""
    end = month_index("2020-12") - month_index("2014-01")
    shortfall = ("funding.reserves_eur=20000", "funding.grants.0.payment.reimbursement_lag_months=12")
    finish = scenario("base", *LONG, *shortfall, "programme.wind_down=finish")
    stop = scenario("base", *LONG, *shortfall, "programme.wind_down=end")
    for seed in range(1, 4):
        kept = MentoringModel(finish, seed=seed, agents=False).run()
        cut = MentoringModel(stop, seed=seed, agents=False).run()
        ended = [int((m.people.exit_reason == Exit.PROGRAMME_ENDED).sum()) for m in (kept, cut)]
        print(f"seed {seed}: pairs ended by the programme: finish {ended[0]}, end {ended[1]}")
        assert ended[0] == 0 and ended[1] > 20
        assert cut.series["active_pairs"][end + 1] == 0


# -- 9. the net effect grows between 6 and 12 months after the start ----------------------------------


def test_net_effect_grows_from_6_to_12_months_after_start() -> None:
    """base, 12 seeds, 60 months: net_effect_employed_12m_after_start minus net_effect_employed_6m_after_start
    is > 0 (95 % CI > 0), as causal studies find (~0 at 6 months, +13 points at 12; Battisti et al. 2019),
    and the 6-month effect is below 0.05 in mean."""
    base = scenario("base", *SHORT)
    six = values(base, outcome("net_effect_employed_6m_after_start"), range(1, 13))
    twelve = values(base, outcome("net_effect_employed_12m_after_start"), range(1, 13))
    assert_positive(Paired("net effect: 12 minus 6 months after the start", twelve - six, six, twelve))
    assert np.mean(six) < 0.05


# -- 10. champions: TRIEC's mentors come mostly through companies --------------------------------------


def test_triec_mentors_come_mostly_through_companies() -> None:
    """triec_mentoring_partnership (calibrated), 3 seeds, 6,000 jobseekers: in every replicate 80-92 % of
    all mentors ever recruited came through champion employers (TRIEC: 80-90 % via companies or word of
    mouth from them, DOMAIN.md §1); champions themselves raising mentor supply is
    ``test_employer_champions_raise_mentor_supply`` in tests/test_mechanisms.py."""
    sc = load_scenario(
        SCENARIOS / "programmes" / "triec_mentoring_partnership.calibrated.yaml", ["population.size=6000"]
    )
    for seed in range(1, 4):
        pool = MentoringModel(sc, seed=seed, agents=False).run().pool
        share = float(pool.via_company[: pool.count].mean())
        print(f"seed {seed}: {pool.count} mentors, {share:.3f} via companies")
        assert 0.80 <= share <= 0.92
