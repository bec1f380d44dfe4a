"""Matching strategies: who among the waiting mentees gets which available mentor this month.

Strategies are registered by name (``programme.matching.strategy``), so a new rule is a new function,
not a new ``if``. Each returns arrays ``(mentees, mentors)`` of the pairs to form, at most
``capacity`` of them, mentees with the longest wait served first (DOMAIN.md §2.1-2.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.mentors import MentorPool
from sim.model.population import Population
from sim.scenario.schema import Matching


@dataclass
class MatchRequest:
    """What a strategy sees: waiting mentees (longest wait first), available mentors, this month's draws."""

    mentees: np.ndarray
    mentors: np.ndarray
    wait: np.ndarray  # months each mentee has waited
    capacity: int
    people: Population
    pool: MentorPool
    cfg: Matching
    u: np.ndarray  # one uniform per available mentor (random order)


Strategy = Callable[[MatchRequest], tuple[np.ndarray, np.ndarray]]
STRATEGIES: dict[str, Strategy] = {}


def register(name: str) -> Callable[[Strategy], Strategy]:
    """Register a matching strategy under ``name`` (the value of ``programme.matching.strategy``)."""

    def wrap(fn: Strategy) -> Strategy:
        STRATEGIES[name] = fn
        return fn

    return wrap


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _within_sector(
    req: MatchRequest, mentees: np.ndarray, mentors: np.ndarray, capacity: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pair mentees (in wait order) with random mentors of their own sector."""
    sector_of_mentee = req.people.sector[mentees]
    order = np.argsort(req.u[np.searchsorted(req.mentors, mentors)], kind="stable")
    mentors = mentors[order]
    sector_of_mentor = req.pool.sector[mentors]
    out_e, out_m = [], []
    for s in np.flatnonzero(np.bincount(sector_of_mentee)):  # the sectors present, ascending (as np.unique)
        e = mentees[sector_of_mentee == s]
        m = mentors[sector_of_mentor == s]
        k = min(len(e), len(m))
        out_e.append(e[:k])
        out_m.append(m[:k])
    if not out_e:
        return _empty()
    e, m = np.concatenate(out_e), np.concatenate(out_m)
    keep = np.argsort(_wait_rank(req.mentees, e), kind="stable")[:capacity]
    return e[keep], m[keep]


def _member(items: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """``np.isin(items, chosen)`` for non-negative indices, by a mask."""
    if not len(items):
        return np.zeros(0, dtype=bool)
    mark = np.zeros(int(max(items.max(), chosen.max() if len(chosen) else 0)) + 1, dtype=bool)
    mark[chosen] = True
    return mark[items]


def _wait_rank(order: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Position of each of ``items`` in the (unsorted) array ``order``."""
    sort = np.argsort(order, kind="stable")
    return sort[np.searchsorted(order[sort], items)]


def _any(mentees: np.ndarray, mentors: np.ndarray, u: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(len(mentees), len(mentors), capacity)
    return mentees[:k], mentors[np.argsort(u, kind="stable")][:k]


@register("random")
def random_match(req: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Any available mentor, in random order (generic matching)."""
    return _any(req.mentees, req.mentors, req.u, req.capacity)


@register("sector_only")
def sector_only(req: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Only a mentor of the mentee's own sector; otherwise keep waiting."""
    return _within_sector(req, req.mentees, req.mentors, req.capacity)


@register("sector_first")
def sector_first(req: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Sector matches first; mentees waiting ``fallback_months`` or more then take any mentor left."""
    e, m = _within_sector(req, req.mentees, req.mentors, req.capacity)
    left_e = req.mentees[~_member(req.mentees, e) & (req.wait >= req.cfg.fallback_months)]
    free = ~_member(req.mentors, m)
    fe, fm = _any(left_e, req.mentors[free], req.u[free], req.capacity - len(e))
    return np.concatenate([e, fe]), np.concatenate([m, fm])


MAX_OPTIMAL = 2000  # largest side of the assignment problem (the longest-waiting mentees)


def needs_language_support(language: np.ndarray, cfg: Matching) -> np.ndarray:
    """Mentees whose local-language proficiency is below ``language_support_below``."""
    return language < cfg.language_support_below


def availability_clash(mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
    """One side can meet only in the daytime (code 1), the other only in the evenings (code 2)."""
    return (mentee.astype(np.int16) * mentor.astype(np.int16)) == 2


def compatibility(req: MatchRequest, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """Score of every mentee x mentor pair: sector, language support, district, availability, preferences.

    Each criterion met adds its weight (``programme.matching.weight_*``); language support counts only
    for a mentee who needs it and a mentor who can give it. The same criteria, missed, change the pair's
    life (``programme.pairs.mismatch``, :mod:`sim.model.pairs`).
    """
    p, pool, c = req.people, req.pool, req.cfg
    same_sector = p.sector[mentees][:, None] == pool.sector[mentors][None, :]
    support = needs_language_support(p.language[mentees], c)[:, None] & pool.multilingual[mentors][None, :]
    same_district = p.district[mentees][:, None] == pool.district[mentors][None, :]
    same_pref = p.preference[mentees][:, None] == pool.preference[mentors][None, :]
    can_meet = ~availability_clash(p.availability[mentees][:, None], pool.availability[mentors][None, :])
    return (
        c.weight_sector * same_sector
        + c.weight_language * support
        + c.weight_location * same_district
        + c.weight_availability * can_meet
        + c.weight_preferences * same_pref
    )


@register("optimal")
def optimal(req: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Maximise total compatibility with ``scipy.optimize.linear_sum_assignment``; skip pairs below ``min_score``."""
    mentees = req.mentees[:MAX_OPTIMAL]
    mentors = req.mentors[np.argsort(req.u, kind="stable")][:MAX_OPTIMAL]
    if len(mentees) == 0 or len(mentors) == 0 or req.capacity <= 0:
        return _empty()
    score = compatibility(req, mentees, mentors)
    from scipy.optimize import linear_sum_assignment  # here: scipy.optimize costs a second to import

    rows, cols = linear_sum_assignment(score, maximize=True)
    good = score[rows, cols] >= req.cfg.min_score
    rows, cols = rows[good], cols[good]
    keep = np.argsort(rows, kind="stable")[: req.capacity]  # rows follow wait order
    return mentees[rows[keep]], mentors[cols[keep]]


def match(req: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Run the configured strategy."""
    if req.capacity <= 0 or len(req.mentees) == 0 or len(req.mentors) == 0:
        return _empty()
    return STRATEGIES[req.cfg.strategy](req)
