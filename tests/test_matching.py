"""Matching strategies on a prepared waiting list and mentor pool."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.matching import STRATEGIES, MatchRequest, compatibility, match
from sim.model.mentors import MentorPool, draw_mentors
from sim.model.population import build_population
from sim.model.rng import Streams
from sim.scenario.schema import Matching, Scenario


def request(
    strategy: str, *, mentors: int = 30, mentees: int = 60, wait: int = 0, capacity: int = 1000, seed: int = 1
) -> MatchRequest:
    """Waiting mentees (all people of a small population) and freshly drawn available mentors."""
    scenario = Scenario.model_validate({"population": {"size": mentees}})
    streams = Streams(seed)
    people = build_population(scenario, streams)
    pool = MentorPool.empty()
    pool.add(**draw_mentors(scenario, streams, "test", 0, mentors, trained=True))
    cfg = Matching(strategy=strategy, fallback_months=2)
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
