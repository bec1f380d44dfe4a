"""Reproducibility and common random numbers: same seed, same results; policies change only what they touch."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from helpers import scenario

from sim.model.model import MentoringModel
from sim.model.population import NO_MONTH, turnover
from sim.replicates import run, run_replicate
from sim.scenario.schema import Scenario

SMALL = ("population.size=2000", "months=96")  # past the ESF end of base (2020-12)


@pytest.fixture(scope="module")
def small() -> Scenario:
    return scenario("base", *SMALL)


def assert_same(a: tuple[pd.DataFrame, dict[str, float]], b: tuple[pd.DataFrame, dict[str, float]]) -> None:
    """Exactly equal time series and outcomes (NaN equal to NaN)."""
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    assert pd.Series(a[1]).equals(pd.Series(b[1]))


def test_same_seed_gives_identical_results(small: Scenario) -> None:
    """Two runs of one scenario with one seed: identical time series and outcomes, exactly."""
    assert_same(run_replicate(small, 7), run_replicate(small, 7))


def test_different_seeds_give_different_results(small: Scenario) -> None:
    """Seeds 1 and 2 differ in their outcomes and their time series."""
    (ts1, out1), (ts2, out2) = run_replicate(small, 1), run_replicate(small, 2)
    assert not pd.Series(out1).equals(pd.Series(out2))
    assert not ts1.equals(ts2)


def test_order_of_runs_does_not_matter(small: Scenario) -> None:
    """Seeds run in the order 3, 1, 2 give the same per-seed results as ``run`` over seeds 1, 2, 3."""
    shuffled = {seed: run_replicate(small, seed) for seed in (3, 1, 2)}
    result = run(small, replicates=3, seed=1)
    for seed in (1, 2, 3):
        series = (
            result.timeseries[result.timeseries.seed == seed].drop(columns=["replicate", "seed"]).reset_index(drop=True)
        )
        outcomes = result.outcomes[result.outcomes.seed == seed].drop(columns=["replicate", "seed"]).iloc[0].to_dict()
        assert_same((series, outcomes), shuffled[seed])


def test_programme_does_not_change_the_population_at_set_up(small: Scenario) -> None:
    """With and without the programme, the jobseekers and employers drawn at set-up are identical."""
    on = MentoringModel(small, seed=5, agents=False)
    off = MentoringModel(scenario("base", *SMALL, "programme.enabled=false"), seed=5, agents=False)
    for f in fields(on.people):
        np.testing.assert_array_equal(getattr(on.people, f.name), getattr(off.people, f.name), err_msg=f.name)
    for f in fields(on.employers):
        np.testing.assert_array_equal(getattr(on.employers, f.name), getattr(off.employers, f.name), err_msg=f.name)


def test_programme_lever_changes_nothing_when_the_programme_is_off() -> None:
    """With ``programme.enabled: false``, changing programme levers (matching, follow-up, screening,
    implementation, guidelines, staff, funding) leaves every time series and outcome exactly as it was."""
    off = ("programme.enabled=false", *SMALL)
    reference = run_replicate(scenario("base", *off), 4)
    for name, extra in [
        ("generic_mentors", ()),
        ("no_follow_up", ()),
        ("creaming", ()),
        ("dual_model", ()),
        ("network_guidelines", ("programme.staff.max_coaches=6",)),
        ("staggered_funding", ()),
    ]:
        assert_same(run_replicate(scenario(name, *off, *extra), 4), reference)


# openings never run out: no competition, no spill-overs (a record wider than base.yaml's range [0.5, 8])
PLENTIFUL = "labour_market.vacancy_tightness={value: 1000000, range: [0.1, 1000000]}"


def test_untreated_labour_histories_are_those_of_the_world_without_the_programme() -> None:
    """With plentiful openings, month by month, the labour status of everyone who never applied is the same
    with the programme as without it, and so is every applicant's (participants and comparison group)
    before their acceptance month (no competition for openings, so no spill-overs on others; common random
    numbers). From acceptance on, applicants no longer leave the region (turnover), so they are compared
    only before it. With finite openings the programme does reach others (test below)."""
    on = MentoringModel(scenario("base", *SMALL, PLENTIFUL), seed=6, agents=False)
    off = MentoringModel(scenario("base", *SMALL, PLENTIFUL, "programme.enabled=false"), seed=6, agents=False)
    history_on, history_off = [], []
    for _ in range(on.params.months):
        on.step()
        off.step()
        history_on.append(on.people.labour.copy())
        history_off.append(off.people.labour.copy())
    differ = np.array(history_on) != np.array(history_off)  # (months, people)
    accepted = on.people.accepted_month
    untreated = accepted == NO_MONTH
    participants = ~untreated
    assert untreated.sum() > 1000 and participants.sum() > 100
    assert not differ[:, untreated].any()
    before = np.arange(on.params.months)[:, None] < accepted[None, :]
    assert not (differ & before)[:, participants].any()
    assert differ[:, participants].any()  # the programme does change participants' histories


def test_with_few_openings_the_programme_reaches_people_who_never_applied() -> None:
    """Tightness 0.2 (a slack market): some people who never applied have another labour history with the
    programme than without it (mentees take openings others would have had), and the twin, which follows
    everyone, sees the same people as the programme run."""
    slack = (*SMALL, "labour_market.vacancy_tightness={value: 0.2, range: [0.1, 8]}")
    on = MentoringModel(scenario("base", *slack), seed=6, agents=False).run()
    off = MentoringModel(scenario("base", *slack, "programme.enabled=false"), seed=6, agents=False).run()
    untreated = on.people.accepted_month == NO_MONTH
    assert (on.people.labour[untreated] != off.people.labour[untreated]).any()


def test_twin_is_the_world_without_the_programme() -> None:
    """The counterfactual twin of a programme run (programme off, same seed; it follows everyone from the
    same state after the burn-in) gives each person the labour status they have in a run of the scenario
    with ``programme.enabled: false``, under the same openings. Without turnover: with it, participants stay
    in the region from their application on in both the programme run and its twin, but not in a run
    without any programme (see the test above)."""
    closed = (*SMALL, "population.turnover_rate=0")
    model = MentoringModel(scenario("base", *closed), seed=8, agents=False).run()
    twin = MentoringModel(scenario("base", *closed), seed=8, twin_of=model.twin_plan(), agents=False).run()
    off = MentoringModel(scenario("base", *closed, "programme.enabled=false"), seed=8, agents=False).run()
    assert twin.people.n > 100
    np.testing.assert_array_equal(twin.people.labour, off.people.labour[twin.people.id])
    for name in ("vacancies", "economy_index"):
        np.testing.assert_array_equal(twin.series[name], off.series[name], err_msg=name)


class _DrawingTwin(MentoringModel):
    """The twin as it was before it replayed the programme run's newcomers: it draws its own leavers
    (exempt: applicants from their application on, as the plan says) and newcomers."""

    def _turnover(self, t: int) -> None:
        if self.twin_of is None or t < 0:
            return super()._turnover(t)
        accepted = self.twin_of.accepted_month[self.people.id]
        exempt = (accepted != NO_MONTH) & (accepted <= t)
        arrived = turnover(self.params, self.streams, self.people, t, exempt)
        if arrived is not None:
            self.market.welcome(arrived[1])


def test_twin_replaying_the_programme_runs_newcomers_equals_a_twin_drawing_its_own() -> None:
    """The twin takes leavers and newcomers from the programme run (a speed-up): every person's labour
    history, and every series, is what a twin drawing them afresh gives (turnover 3 % a month)."""
    churn = (*SMALL, "population.turnover_rate=0.03")
    for seed in (3, 4):
        model = MentoringModel(scenario("base", *churn), seed=seed, agents=False).run()
        plan = model.twin_plan()
        assert sum(len(rows) for rows, _ in plan.arrivals.values()) > 100
        replayed = MentoringModel(scenario("base", *churn), seed=seed, twin_of=plan, agents=False)
        again = MentoringModel(scenario("base", *churn), seed=seed, agents=False).run()
        drawn = _DrawingTwin(scenario("base", *churn), seed=seed, twin_of=again.twin_plan(), agents=False)
        replayed.run(), drawn.run()
        for f in fields(replayed.people):
            np.testing.assert_array_equal(getattr(replayed.people, f.name), getattr(drawn.people, f.name), f.name)
        for name, values in replayed.series.items():
            np.testing.assert_array_equal(values, drawn.series[name], err_msg=name)
