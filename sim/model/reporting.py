"""How a programme counted its figure: the share *as the programme would report it* (DOMAIN.md §6).

Programmes report 50-70 % positive outcomes where a model of all participants gives 20-30 %; both can be
true because programmes count differently: over those who finished, over those who answered a follow-up
survey, with training and internships counted as positive, or counting anyone who worked at any time in a
window. A :class:`~sim.scenario.schema.Counting` rule says which; :func:`reported_share` applies it to the
per-person records of a run (:class:`~sim.model.outcomes.Checkpoints`, :class:`~sim.model.population.Population`).

The survey's response model is deterministic: a share ``R`` of the denominator answers (``response_rate``)
and the odds of answering are ``response_odds_ratio`` times higher for those with the counted outcome
(non-response is not balanced: Behaghel et al. 2009; CETA 1978). With ``p`` the true share, the base odds
``b`` solve ``p q(OR b) + (1 - p) q(b) = R`` (``q(x) = x / (1 + x)``), and the respondents' share is
``p q(OR b) / R``: the expected figure over respondents, with no extra random draw (so paired runs on
common seeds differ only by the programme).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model.outcomes import Checkpoints
from sim.model.population import NO_MONTH, Exit, Labour, Population, is_employed, participants
from sim.scenario.schema import Counting

SNAPSHOTS = {("exit", 0): "exit", ("after_exit", 0): "exit", ("after_exit", 6): "exit6",
             ("after_start", 6): "acc6", ("after_start", 12): "acc12"}  # fmt: skip


def denominator(people: Population, rule: Counting) -> np.ndarray:
    """Who the programme counts over (before the survey): all participants, those started, or completed."""
    part = participants(people)
    if rule.denominator == "completed":
        return part & (people.exit_reason == Exit.COMPLETED)
    if rule.denominator == "started":
        never = (people.exit_reason == Exit.NEVER_STARTED) | (people.exit_reason == Exit.PROGRAMME_ENDED)
        return part & (people.matched_month != NO_MONTH) & people.pair_started & ~never
    return part


def _counted_status(status: np.ndarray, counts: Sequence[str]) -> np.ndarray:
    """Whether a labour status counts as positive under ``counts``."""
    out = np.zeros(len(status), dtype=bool)
    if "job" in counts:
        out |= is_employed(status)
    if "job_at_level" in counts:
        out |= status == Labour.EMPLOYED_AT_LEVEL
    if {"training", "internship", "study"} & set(counts):
        out |= status == Labour.TRAINING
    return out


def _first_counted(checks: Checkpoints, counts: Sequence[str]) -> np.ndarray:
    """The first month from acceptance on in a counted status (a large number when never)."""
    never = np.iinfo(np.int32).max
    firsts = []
    if "job" in counts:
        firsts.append(checks.first_job)
    if "job_at_level" in counts:
        firsts.append(checks.first_at_level)
    if {"training", "internship", "study"} & set(counts):
        firsts.append(checks.first_training)
    months = [np.where(f == NO_MONTH, never, f).astype(np.int64) for f in firsts]
    return np.minimum.reduce(months)


def measured(people: Population, checks: Checkpoints, rule: Counting, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``(reached, positive)``: who reached the rule's moment within the run's ``horizon`` months, and who counts."""
    key = SNAPSHOTS.get((rule.moment, rule.months))
    if key is not None:
        status = getattr(checks, key)
        return status >= 0, _counted_status(status, rule.counts)
    first = _first_counted(checks, rule.counts)
    if rule.moment == "within_after_start":
        end = people.accepted_month.astype(np.int64) + rule.months
        started = people.accepted_month != NO_MONTH
    else:
        end = people.exit_month.astype(np.int64) + rule.months
        started = people.exit_month != NO_MONTH
    reached = started & (end < horizon)
    return reached, reached & (first <= end)


def respondents_share(true_share: float, response_rate: float, odds_ratio: float) -> float:
    """The share among survey respondents when those with the outcome answer with ``odds_ratio`` times the odds."""
    if not np.isfinite(true_share) or true_share in (0.0, 1.0) or odds_ratio == 1.0:
        return true_share
    low, high = -30.0, 30.0  # log base odds: bisection on the overall response rate
    for _ in range(100):
        mid = (low + high) / 2
        rate = true_share * _answer(mid + np.log(odds_ratio)) + (1 - true_share) * _answer(mid)
        low, high = (mid, high) if rate < response_rate else (low, mid)
    log_odds = (low + high) / 2
    yes = true_share * _answer(log_odds + np.log(odds_ratio))
    return float(yes / (yes + (1 - true_share) * _answer(log_odds)))


def _answer(log_odds: float) -> float:
    return float(1.0 / (1.0 + np.exp(-log_odds)))


def reported_share(
    people: Population, checks: Checkpoints, rule: Counting, horizon: int, among: np.ndarray | None = None
) -> float:
    """The share a programme counting by ``rule`` would report (NaN when nobody is counted).

    ``among`` restricts the count (e.g. to a cohort); ``horizon`` is the number of months simulated.
    """
    reached, positive = measured(people, checks, rule, horizon)
    base = denominator(people, rule) & reached
    if among is not None:
        base &= among
    n = int(base.sum())
    if not n:
        return float("nan")
    true_share = float((positive & base).sum() / n)
    if rule.survey:
        return respondents_share(true_share, rule.response_rate, rule.response_odds_ratio)
    return true_share


def reporting_outcomes(people: Population, checks: Checkpoints, rule: Counting, horizon: int) -> dict[str, float]:
    """The outputs: the share as reported, and the same outcome at the same moment over all participants."""
    everyone = rule.model_copy(update={"denominator": "all", "survey": False})
    reported = reported_share(people, checks, rule, horizon)
    gross = reported_share(people, checks, everyone, horizon)
    return {"reported_share": reported, "reported_share_all_participants": gross, "reporting_gap": reported - gross}


def moment_in_words(rule: Counting) -> str:
    """When a rule looks, in words (``6 months after exit``): one phrasing for the check table and the report."""
    return {
        "exit": "at exit",
        "after_exit": f"{rule.months} months after exit" if rule.months else "at exit",
        "after_start": f"{rule.months} months after acceptance",
        "within_after_start": f"at any time within {rule.months} months of acceptance",
        "within_after_exit": f"at any time from acceptance to {rule.months} months after exit",
    }[rule.moment]
