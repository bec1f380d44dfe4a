"""Statistical checks of the mechanisms of DOMAIN.md §2 across seeds.

Each test runs two arms on the same seeds (common random numbers) with reduced settings (6,000
jobseekers; ``SHORT``: 60 months, inside the ESF grant of base; ``LONG``: the full 120 months, three
years past the grant's end in 2020-12) and checks the paired differences: unless a docstring says otherwise, "raises X"
means the mean paired difference is above 0 and its 95 % t interval excludes 0. Replicates are cached
per scenario and seed, so arms shared between tests (base) run once per session.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    LONG,
    SHORT,
    Metric,
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
from sim.model.population import NO_MONTH
from sim.scenario.schema import Scenario, month_index

GRANT_END = month_index("2020-12") - month_index("2014-01")  # last funded month of base (model month 83)
SHOCK = (month_index("2020-03") - month_index("2014-01"), GRANT_END)  # downturn_2020 months (74..83)


def seeds(n: int) -> range:
    return range(1, n + 1)


# -- §2.1 sector-specific vs generic matches --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("measure", ["net_effect_at_level_6m", "network_access_share"])
def test_sector_matching_beats_generic_matching(measure: str) -> None:
    """sector_only vs generic (random) matching, 12 seeds: the net effect on employment at skill level 6 months
    after the programme (participants minus the same people without it: the gross share at level is too noisy
    since careers move people up to their level anyway) and the share of matched mentees who gained employer
    ties are higher (95 % CI > 0)."""
    result = paired(
        scenario("generic_mentors", *SHORT), scenario("sector_only", *SHORT), outcome(measure), seeds(12), measure
    )
    assert_positive(result)


# -- §2.4 follow-up ----------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["never_started_share", "dropout_share"])
def test_follow_up_prevents_never_started_pairs_and_drop_out(measure: str) -> None:
    """follow_up.intensity 1 vs 0, 6 seeds: fewer matched pairs never start and fewer started pairs
    end early (mean paired difference < 0, 95 % CI excludes 0)."""
    none = scenario("base", *SHORT, "programme.follow_up.intensity=0")
    full = scenario("base", *SHORT, "programme.follow_up.intensity=1")
    assert_negative(paired(none, full, outcome(measure), seeds(6), measure))


# -- §2.3 network access -----------------------------------------------------------------------------


def test_network_guidelines_raise_network_access() -> None:
    """network_guidelines vs base, 6 seeds: network_access_share rises (95 % CI > 0), and without the
    guidelines it stays below 0.3 in every replicate (few mentees got a network, VDC19 §4.2)."""
    result = paired(
        scenario("base", *SHORT),
        scenario("network_guidelines", *SHORT),
        outcome("network_access_share"),
        seeds(6),
        "network_access_share",
    )
    assert_positive(result)
    assert (result.control < 0.3).all(), result.control


# -- §2.7 funding cycles -----------------------------------------------------------------------------


def test_grant_end_stops_intake_and_loses_staff_and_mentors() -> None:
    """base (ESF grant ends 2020-12, no renewal), 4 seeds, in every replicate: intake is open until a pair
    could no longer run to term (6-month pairs: it closes 5 months before the end) and closed from then
    on; after the end month no new matches are made and coaches are 0; the waiting list is larger in the
    year after the end than in the year before; the mentor pool a year after the end is below the
    pool at the end. grant_renewed keeps intake open and matching in the year after the end."""
    after = slice(GRANT_END + 1, GRANT_END + 13)
    before = slice(GRANT_END - 11, GRANT_END + 1)
    open_until = GRANT_END - 4  # the first month with fewer funded months left than a pair lasts
    for seed in seeds(4):
        ts, _ = replicate(scenario("base", *LONG), seed)
        print(
            f"seed {seed}: waiting list {ts.waiting_list[before].mean():.0f} -> {ts.waiting_list[after].mean():.0f}, "
            f"mentor pool {ts.mentor_pool[GRANT_END]:.0f} -> {ts.mentor_pool[GRANT_END + 12]:.0f}"
        )
        assert ts.intake_open[GRANT_END - 11 : open_until].all() and not ts.intake_open[open_until:].any()
        assert (ts.new_matches[GRANT_END + 1 :] == 0).all()
        assert (ts.coaches_fte[GRANT_END + 1 :] == 0).all()
        assert ts.waiting_list[after].mean() > ts.waiting_list[before].mean()
        assert ts.mentor_pool[GRANT_END + 12] < ts.mentor_pool[GRANT_END]
        renewed, _ = replicate(scenario("grant_renewed", *LONG), seed)
        assert renewed.intake_open[after].all()
        assert renewed.new_matches[after].sum() > 0


def test_staggered_funding_has_fewer_months_without_intake() -> None:
    """staggered_funding (ESF + regional 3-year calls + city annual + foundation, about the same
    total) vs base (one ESF grant), 8 seeds over 120 months: fewer months_without_intake (95 % CI < 0)."""
    result = paired(
        scenario("base", *LONG),
        scenario("staggered_funding", *LONG),
        outcome("months_without_intake"),
        seeds(8),
        "months_without_intake",
    )
    assert_negative(result)


# -- §2.8 economic climate ---------------------------------------------------------------------------


def _shock_mean(name: str) -> Metric:
    return series_mean(name, *SHOCK)


@pytest.mark.slow
@pytest.mark.parametrize("measure", ["vacancies", "hires", "placements", "champions", "mentor_pool"])
def test_downturn_lowers_vacancies_hires_and_mentor_supply(measure: str) -> None:
    """downturn_2020 vs base, 8 seeds, mean over the shock months 2020-03..2020-12: vacancies, hires,
    participants' placements, champion employers and the mentor pool are lower (95 % CI < 0)."""
    result = paired(scenario("base", *LONG), scenario("downturn_2020", *LONG), _shock_mean(measure), seeds(8), measure)
    assert_negative(result)


@pytest.mark.slow
def test_downturn_hits_sme_hiring_harder() -> None:
    """downturn_2020 vs base, 8 seeds: hires during the shock relative to the same months without it
    fall more at SMEs than at large firms (log ratio SME minus log ratio large < 0, 95 % CI < 0)."""
    base, down = scenario("base", *LONG), scenario("downturn_2020", *LONG)

    def log_ratio(measure: str) -> np.ndarray:
        return np.log(values(down, _shock_mean(measure), seeds(8)) / values(base, _shock_mean(measure), seeds(8)))

    large, sme = log_ratio("hires_large"), log_ratio("hires_sme")
    assert_negative(Paired("log(downturn/normal hires): SME minus large firms", sme - large, large, sme))


# -- §2.5 creaming and §3 gross vs net ---------------------------------------------------------------


@pytest.mark.slow
def test_creaming_raises_gross_placement_more_than_net_effect() -> None:
    """creaming (screening_strictness 1.5) vs base, 15 seeds: the gross placement rate
    (employed_6m_share) rises (95 % CI > 0), and it rises more than the net effect
    (net_effect_employed_6m): the paired difference of (gross - net) is > 0 with its 95 % CI."""
    base, creaming = scenario("base", *SHORT), scenario("creaming", *SHORT)
    assert_positive(paired(base, creaming, outcome("employed_6m_share"), seeds(15), "gross employed_6m_share"))
    print(paired(base, creaming, outcome("net_effect_employed_6m"), seeds(15), "net_effect_employed_6m"))

    def gross_minus_net(_series: object, out: dict[str, float]) -> float:
        return out["employed_6m_share"] - out["net_effect_employed_6m"]

    assert_positive(paired(base, creaming, gross_minus_net, seeds(15), "gross minus net"))


def test_net_effect_is_much_smaller_than_gross_placement() -> None:
    """base, 15 seeds: the mean net effect on employment 6 months after the programme is below a
    third of the mean gross placement rate, and gross minus net is > 0 in every replicate."""
    base = scenario("base", *SHORT)
    gross = values(base, outcome("employed_6m_share"), seeds(15))
    net = values(base, outcome("net_effect_employed_6m"), seeds(15))
    print(Paired("net minus gross", net - gross, gross, net))
    assert net.mean() < gross.mean() / 3
    assert (gross > net).all()


# -- §1 employer champions ---------------------------------------------------------------------------


def test_employer_champions_raise_mentor_supply() -> None:
    """base (3 champions at the start, 0.08 engaged a month) vs no champions (0 and 0), 6 seeds: more
    champion employers (95 % CI > 0, none in the control arm) and a larger mean mentor pool over the
    run (95 % CI > 0)."""
    none = scenario("base", *SHORT, "employers.champions_initial=0", "employers.champion_recruitment_rate=0")
    base = scenario("base", *SHORT)
    champions = paired(none, base, series_mean("champions"), seeds(6), "champions")
    assert_positive(champions)
    assert (champions.control == 0).all()
    assert_positive(paired(none, base, series_mean("mentor_pool"), seeds(6), "mentor_pool"))


# -- §2.9 outreach channel ---------------------------------------------------------------------------


def _young_male_share(sc: Scenario, seed: int) -> float:
    """Share of men aged 18-25 among the accepted applicants of a run."""
    people = MentoringModel(sc, seed=seed, agents=False).run().people
    accepted = people.accepted_month != NO_MONTH
    young_men = ~people.female & (people.age >= 18) & (people.age <= 25)
    return float(young_men[accepted].mean())


def test_youth_centres_reach_mostly_young_men() -> None:
    """outreach.channel youth_centres vs employment_office, 5 seeds over 24 months: the share of men
    aged 18-25 among accepted applicants is higher (95 % CI > 0) and above one half with youth centres."""
    short = ("population.size=6000", "months=24")
    office = scenario("base", *short)
    youth = scenario("base", *short, "programme.outreach.channel=youth_centres")
    a = np.array([_young_male_share(office, s) for s in seeds(5)])
    b = np.array([_young_male_share(youth, s) for s in seeds(5)])
    result = Paired("share of men aged 18-25 among participants", b - a, a, b)
    assert_positive(result)
    assert b.mean() > 0.5


# -- §2.6 implementation model -----------------------------------------------------------------------


def test_dual_model_waits_longer_and_loses_more() -> None:
    """Dual vs centralised with a mentor surplus (the wait is the organisations', not the mentors'), 6 seeds,
    the same total coach FTE: a longer mean wait to a match (95 % CI > 0: at least handover_months in the
    hand-over queue, longer while the matching organisation's caseload is full) and a smaller share of
    participants ever matched (95 % CI < 0: lost at the referral and while waiting to be taken in). In base's
    mentor shortage the wait for mentors dominates and the dual model's losses shorten it, so the wait is
    tested where mentors are at hand (issue 11: 5; tests/test_dual_model.py has the rest)."""
    central = scenario("mentor_surplus", *SHORT)
    dual = scenario("mentor_surplus", *SHORT, "programme.implementation=dual")
    assert_positive(paired(central, dual, outcome("wait_months_mean"), seeds(6), "wait_months_mean"))
    assert_negative(paired(central, dual, outcome("matched_share"), seeds(6), "matched_share"))


# -- internships arranged through the mentor (MentorU, Joblinge) ---------------------------------------


def test_internships_raise_positive_outcomes_not_the_twin() -> None:
    """pairs.internship_rate 0.1 vs 0 (base), 6 seeds: the positive outcome at exit (employed or in training)
    rises (95 % CI > 0), while the same people without the programme are all but untouched: the twin's
    employed share differs by less than 0.5 pp seed by seed (internships happen only in running pairs; interns
    leave the competition for openings, so the next applicants, and hence the people followed, can differ)."""
    internships = scenario("base", *SHORT, "programme.pairs.internship_rate=0.1")
    result = paired(scenario("base", *SHORT), internships, outcome("positive_outcome_share"), seeds(6), "positive")
    assert_positive(result)
    # the first 12 months have the same participants in both arms (nobody has exited yet, intake is the same)
    before_exits = series_mean("employed_share_participants_without_programme", 0, 5)
    twin = paired(scenario("base", *SHORT), internships, before_exits, seeds(6))
    assert np.all(np.abs(twin.diffs) < 0.005), twin


def test_participants_series_adds_up_to_enrolled() -> None:
    """esf_approval_gap (referrals queue while there is no money; some are matched later), 3 seeds: the
    monthly new_participants series sums to the enrolled outcome exactly, queued referrals included in the
    month of their match."""
    gap = scenario("funding/esf_approval_gap", SHORT[0])
    for seed in seeds(3):
        series, outcomes = replicate(gap, seed)
        assert series["new_participants"].sum() == outcomes["enrolled"]
        people = MentoringModel(gap, seed=seed, agents=False).run().people  # the same run, for who queued
        accepted = people.accepted_month
        queued = (accepted != NO_MONTH) & (series["intake_open"].to_numpy()[np.maximum(accepted, 0)] == 0)
        assert (queued & (people.matched_month != NO_MONTH)).sum() > 0  # queued, then matched: counted late


def test_mentor_hours_are_the_meetings_held() -> None:
    """The mentor_hours series (TRIEC's volunteer hours) sums, over a run, to every meeting held in every pair
    (each participant is matched at most once, so the meetings of their pair stay on record) times the hours
    a meeting takes; 2 seeds."""
    sc = scenario("base", *SHORT, "mentors.hours_mean=40")
    for seed in seeds(2):
        model = MentoringModel(sc, seed=seed, agents=False).run()
        held = int(model.people.meetings.sum())
        assert held > 0
        assert model.series["mentor_hours"].sum() == pytest.approx(held * sc.programme.pairs.hours_per_meeting)
