"""Matching strategies on a prepared waiting list and mentor pool."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.matching import (
    STRATEGIES,
    MatchRequest,
    availability_clash,
    compatibility,
    match,
    needs_language_support,
)
from sim.model.mentors import MentorPool, draw_mentors
from sim.model.population import build_population
from sim.model.rng import Streams
from sim.scenario.schema import Matching, Scenario


def request(
    strategy: str,
    *,
    mentors: int = 30,
    mentees: int = 60,
    wait: int = 0,
    capacity: int = 1000,
    seed: int = 1,
    **matching: float,
) -> MatchRequest:
    """Waiting mentees (all people of a small population) and freshly drawn available mentors."""
    scenario = Scenario.model_validate({"population": {"size": mentees}})
    streams = Streams(seed)
    people = build_population(scenario, streams)
    pool = MentorPool.empty()
    pool.add(**draw_mentors(scenario, streams, "test", 0, mentors, trained=True))
    cfg = Matching(strategy=strategy, fallback_months=2, **matching)
    return MatchRequest(
        mentees=np.arange(mentees),
        mentors=pool.available(),
        wait=np.full(mentees, wait),
        capacity=capacity,
        people=people,
        pool=pool,
        cfg=cfg,
        u=streams.uniform("order", 0, pool.available()),
    )


def pairs_ok(req: MatchRequest, e: np.ndarray, m: np.ndarray) -> None:
    """Each mentee and each mentor at most once, only from the request."""
    assert len(e) == len(m) == len(set(e)) == len(set(m))
    assert np.isin(e, req.mentees).all() and np.isin(m, req.mentors).all()


def test_registry_has_the_four_strategies() -> None:
    assert {"random", "sector_only", "sector_first", "optimal"} <= set(STRATEGIES)


@pytest.mark.parametrize("strategy", ["random", "sector_only", "sector_first", "optimal"])
def test_capacity_is_respected(strategy: str) -> None:
    """No strategy makes more matches than the coaches can (capacity), nor reuses anyone."""
    req = request(strategy, capacity=7, wait=5)
    e, m = match(req)
    pairs_ok(req, e, m)
    assert len(e) <= 7


def test_sector_only_pairs_only_within_a_sector() -> None:
    req = request("sector_only")
    e, m = match(req)
    pairs_ok(req, e, m)
    assert len(e) > 0
    assert (req.people.sector[e] == req.pool.sector[m]).all()


def test_sector_first_falls_back_only_after_the_wait() -> None:
    """With short waits sector_first equals sector_only; after fallback_months it also uses the other mentors."""
    short = request("sector_first", wait=0)
    e, m = match(short)
    assert (short.people.sector[e] == short.pool.sector[m]).all()
    long = request("sector_first", wait=2)
    e2, m2 = match(long)
    pairs_ok(long, e2, m2)
    assert len(e2) == min(len(long.mentees), len(long.mentors))  # every mentor used
    assert (long.people.sector[e2] != long.pool.sector[m2]).any()


def test_longest_waiting_are_served_first() -> None:
    """Mentees come in wait order; with capacity for a few, the first ones in that order get mentors."""
    req = request("random", capacity=5)
    e, _ = match(req)
    assert list(e) == list(req.mentees[:5])


def test_optimal_beats_random_on_compatibility() -> None:
    """Across seeds, the linear_sum_assignment solution scores at least as high as random matching, and strictly higher on average."""
    gains = []
    for seed in range(5):
        best = request("optimal", mentees=30, mentors=30, seed=seed)
        rand = request("random", mentees=30, mentors=30, seed=seed)
        e, m = match(best)
        er, mr = match(rand)
        pairs_ok(best, e, m)
        assert len(e) == len(er) == 30
        score_best = compatibility(best, e, m).diagonal().sum()
        score_random = compatibility(rand, er, mr).diagonal().sum()
        assert score_best >= score_random - 1e-9
        gains.append(score_best - score_random)
    assert np.mean(gains) > 0


def test_no_mentors_no_matches() -> None:
    req = request("sector_first", mentors=0)
    e, m = match(req)
    assert len(e) == len(m) == 0


ONLY = {  # every criterion's weight at 0; each test sets one
    name: 0.0
    for name in ("weight_sector", "weight_language", "weight_location", "weight_preferences", "weight_availability")
}


@pytest.mark.parametrize(
    ("weight", "missed"),
    [
        ("weight_location", lambda r, e, m: r.people.district[e] != r.pool.district[m]),
        ("weight_preferences", lambda r, e, m: r.people.preference[e] != r.pool.preference[m]),
        ("weight_availability", lambda r, e, m: availability_clash(r.people.availability[e], r.pool.availability[m])),
        (
            "weight_language",
            lambda r, e, m: needs_language_support(r.people.language[e], r.cfg) & ~r.pool.multilingual[m],
        ),
    ],
)
def test_optimal_weighs_each_criterion(weight: str, missed) -> None:  # noqa: ANN001
    """With only one weight set, optimal misses that criterion in fewer pairs than random matching (5 seeds)."""
    optimal_missed, random_missed = 0, 0
    for seed in range(5):
        best = request("optimal", mentees=40, mentors=40, seed=seed, **(ONLY | {weight: 1.0}))
        rand = request("random", mentees=40, mentors=40, seed=seed)
        e, m = match(best)
        er, mr = match(rand)
        assert len(e) == len(er) == 40
        optimal_missed += int(missed(best, e, m).sum())
        random_missed += int(missed(rand, er, mr).sum())
    assert optimal_missed < random_missed


def test_availability_clash_is_daytime_against_evenings() -> None:
    """Codes 0 any time, 1 daytime only, 2 evenings only: only 1 with 2 clash."""
    mentee = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    mentor = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    assert availability_clash(mentee, mentor).tolist() == [False] * 5 + [True, False, True, False]
