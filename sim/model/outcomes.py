"""Outcomes of a run: what programmes report (gross) next to the net effect (DOMAIN.md §3).

Participants are the applicants accepted into the programme (not the comparison group). Each
participant's employment is recorded at fixed checkpoints: when they leave the programme, 6 months
later, and 6, 12 and 24 months after acceptance. The same checkpoints are recorded for the same people
in the twin run without the programme (common random numbers), which gives the net effect.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numba
import numpy as np

from sim.model.population import NO_MONTH, Exit, Labour, Population, Status, is_employed, participants
from sim.scenario.schema import SKILLS

CHECKS = ("exit", "exit6", "acc6", "acc12", "acc24")  # checkpoint: months after exit / acceptance


FIRSTS = ("first_job", "first_at_level", "first_training")  # first month in that status from acceptance on


@dataclass
class Checkpoints:
    """Labour status of each jobseeker at each checkpoint (-1: not reached), and first months in a status.

    ``first_job``, ``first_at_level``, ``first_training``: the first month from acceptance on in a job, in a job
    at level and in training (NO_MONTH: not yet), for the reporting layer (sim.model.reporting: "employed at
    any time within N months").
    """

    exit: np.ndarray
    exit6: np.ndarray
    acc6: np.ndarray
    acc12: np.ndarray
    acc24: np.ndarray
    first_job: np.ndarray
    first_at_level: np.ndarray
    first_training: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Checkpoints:
        """Checkpoints for ``n`` people, none recorded yet (-1, NO_MONTH)."""
        checks = (np.full(n, -1, dtype=np.int8) for _ in CHECKS)
        return cls(*checks, *(np.full(n, NO_MONTH, dtype=np.int32) for _ in FIRSTS))

    def record(
        self,
        t: int,
        people: Population,
        accepted: np.ndarray,
        exited: np.ndarray,
        served: np.ndarray,
        served_month: np.ndarray,
    ) -> dict[str, float]:
        """Record the status of everyone whose checkpoint falls in month ``t``; return the month's tallies.

        ``accepted``/``exited`` are the months of acceptance and exit, ``served``/``served_month`` who is a
        participant and since when (all from the programme run, also in its twin, which has no programme).
        """
        n = _tally(
            t, people.labour, people.months_in_status, people.programme, served, served_month, accepted, exited,
            self.exit, self.exit6, self.acc6, self.acc12, self.acc24, self.first_job, self.first_at_level,
            self.first_training,
        )  # fmt: skip
        return {
            "employed_share_participants": n[1] / n[0] if n[0] else np.nan,
            "employed_share_comparison": n[3] / n[2] if n[2] else np.nan,
            "active_pairs": int(n[4]),
            "waiting_list": int(n[5]),
            "placements": int(n[6]),
            "employed_non_participants": int(n[7]),
            "participants_so_far": int(n[0]),
        }

    def __iter__(self):
        return iter(getattr(self, f.name) for f in fields(self))


PAIRED, WAITING, COMPARISON = int(Status.PAIRED), int(Status.WAITING), int(Status.COMPARISON)
AT_LEVEL, BELOW_LEVEL = int(Labour.EMPLOYED_AT_LEVEL), int(Labour.EMPLOYED_BELOW_LEVEL)
TRAINING = int(Labour.TRAINING)


@numba.njit(cache=True)
def _tally(
    t, labour, months_in_status, programme, served, served_month, accepted, exited, c_exit, c_exit6, c_acc6, c_acc12,
    c_acc24, first_job, first_at_level, first_training,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One pass over the people: checkpoints due this month, and the month's counts (see Checkpoints.record)."""
    joined = joined_employed = comparison = comparison_employed = paired = waiting = placements = others = 0
    for i in range(len(labour)):
        status, a, x = labour[i], accepted[i], exited[i]
        employed = AT_LEVEL <= status <= BELOW_LEVEL
        if x == t:
            c_exit[i] = status
        if x == t - 6:
            c_exit6[i] = status
        if a == t - 6:
            c_acc6[i] = status
        if a == t - 12:
            c_acc12[i] = status
        if a == t - 24:
            c_acc24[i] = status
        if a != NO_MONTH and a <= t:
            if employed and first_job[i] == NO_MONTH:
                first_job[i] = t
            if status == AT_LEVEL and first_at_level[i] == NO_MONTH:
                first_at_level[i] = t
            if status == TRAINING and first_training[i] == NO_MONTH:
                first_training[i] = t
        state = programme[i]
        paired += state == PAIRED
        waiting += state == WAITING
        if state == COMPARISON:
            comparison += 1
            comparison_employed += employed
        elif served[i] and NO_MONTH < served_month[i] <= t:
            joined += 1
            joined_employed += employed
            placements += employed and months_in_status[i] == 0
            continue
        others += employed
    return np.array([joined, joined_employed, comparison, comparison_employed, paired, waiting, placements, others])


def _share(mask: np.ndarray, among: np.ndarray) -> float:
    n = int(among.sum())
    return float((mask & among).sum() / n) if n else float("nan")


def _employed(status: np.ndarray) -> np.ndarray:
    return is_employed(status)


def _positive(status: np.ndarray) -> np.ndarray:
    return is_employed(status) | (status == Labour.TRAINING)


def compute_outcomes(
    people: Population, checks: Checkpoints, twin: Checkpoints | None, cost_total: float, extra: dict[str, float]
) -> dict[str, float]:
    """One row of outcomes for one replicate (definitions in docs/outputs.md and sim.outputs.vocabulary)."""
    part = participants(people)
    comparison = people.programme == Status.COMPARISON
    matched = part & (people.matched_month != NO_MONTH)
    started = (
        matched
        & (people.exit_reason != Exit.NEVER_STARTED)
        & (people.exit_reason != Exit.PROGRAMME_ENDED)
        & people.pair_started
    )
    ended = started & (people.exit_reason != Exit.NONE)
    at_exit = part & (checks.exit >= 0)
    at_exit6 = part & (checks.exit6 >= 0)
    enrolled = int(part.sum())
    wait = (people.matched_month - people.accepted_month)[matched]
    out: dict[str, float] = {
        "enrolled": enrolled,
        "queued_unserved": int(((people.accepted_month != NO_MONTH) & ~people.served).sum()),
        "comparison_group": int(comparison.sum()),
        "matched_share": _share(matched, part),
        "wait_months_mean": float(wait.mean()) if len(wait) else float("nan"),
        "never_started_share": _share(people.exit_reason == Exit.NEVER_STARTED, matched),
        "dropout_share": _share(people.exit_reason == Exit.ENDED_EARLY, ended),
        "completed_share": _share(people.exit_reason == Exit.COMPLETED, ended),
        "network_access_share": _share(people.new_ties > 0, matched),
        "sector_match_share": _share(people.sector_match, matched),
        "employed_end_share": _share(_employed(checks.exit), at_exit),
        "positive_outcome_share": _share(_positive(checks.exit), at_exit),
        "positive_outcome_completed_share": _share(
            _positive(checks.exit), at_exit & (people.exit_reason == Exit.COMPLETED)
        ),
        "employed_6m_share": _share(_employed(checks.exit6), at_exit6),
        "employed_at_level_share": _share(checks.exit6 == Labour.EMPLOYED_AT_LEVEL, at_exit6),
        "positive_outcome_6m_share": _share(_positive(checks.exit6), at_exit6),
        "employed_12m_after_start_share": _share(_employed(checks.acc12), part & (checks.acc12 >= 0)),
    }
    out |= _net_effects(part, checks, twin)
    out |= _career_effects(people, part, checks, twin)
    out |= _rct_effect(people, part, comparison, checks)
    out |= _breakdowns(people, part, checks)
    out["cost_total_eur"] = cost_total
    out["cost_per_participant_eur"] = cost_total / enrolled if enrolled else float("nan")
    out |= _placements(out["net_effect_employed_6m"], int(at_exit6.sum()), cost_total)
    out |= extra
    # jobs taken from others count against the programme (no twin, or a cohort of it: not defined)
    after = out["net_effect_employed_6m"] + extra.get("displacement_employed_6m", float("nan"))
    out["net_effect_employed_6m_with_displacement"] = after
    return out | _placements(after, int(at_exit6.sum()), cost_total, "_with_displacement")


def _placements(net_effect: float, followed: int, cost_total: float, suffix: str = "") -> dict[str, float]:
    """Net placements (the net effect times the participants followed up 6 months after) and their unit cost."""
    placements = net_effect * followed
    return {
        f"net_placements{suffix}": placements,
        f"cost_per_net_placement{suffix}_eur": cost_total / placements if placements > 0 else float("nan"),
    }


def _net_effects(part: np.ndarray, checks: Checkpoints, twin: Checkpoints | None) -> dict[str, float]:
    """Participants' employment minus the same people's employment without the programme."""
    out = {}
    for key, name in (
        ("exit6", "net_effect_employed_6m"),
        ("acc6", "net_effect_employed_6m_after_start"),
        ("acc12", "net_effect_employed_12m_after_start"),
        ("acc24", "net_effect_employed_24m_after_start"),
    ):
        if twin is None:
            out[name] = float("nan")
            continue
        here, there = getattr(checks, key), getattr(twin, key)
        among = part & (here >= 0)
        out[name] = _share(_employed(here), among) - _share(_employed(there), among)
    return out


def _career_effects(
    people: Population, part: np.ndarray, checks: Checkpoints, twin: Checkpoints | None
) -> dict[str, float]:
    """Net effects 6 months after leaving on work at one's level, and on work for women and for men."""
    names = ("net_effect_at_level_6m", "net_effect_employed_6m_female", "net_effect_employed_6m_male")
    if twin is None:
        return dict.fromkeys(names, float("nan"))
    here, there = checks.exit6, twin.exit6
    among = part & (here >= 0)
    at_level = Labour.EMPLOYED_AT_LEVEL
    out = {names[0]: _share(here == at_level, among) - _share(there == at_level, among)}
    for name, group in zip(names[1:], (people.female, ~people.female), strict=True):
        out[name] = _share(_employed(here), among & group) - _share(_employed(there), among & group)
    return out


def _rct_effect(people: Population, part: np.ndarray, comparison: np.ndarray, checks: Checkpoints) -> dict[str, float]:
    """Randomised comparison: employed 12 months after acceptance, randomised participants minus comparison group.

    Only applicants randomised at acceptance count: referrals who queued while intake was closed and
    were matched later have no randomised counterpart (and are selected on staying unemployed), so
    they are reported apart.
    """
    reached = checks.acc12 >= 0
    queued = part & (people.served_month != people.accepted_month)
    employed = _employed(checks.acc12)
    return {
        "rct_effect_employed_12m": _share(employed, part & ~queued & reached) - _share(employed, comparison & reached),
        "queued_participants": int(queued.sum()),
        "employed_12m_after_start_share_queued": _share(employed, queued & reached),
    }


def displacement(people: Population, jobs: np.ndarray | None, participants_so_far: np.ndarray) -> dict[str, float]:
    """Non-participants' employment change per participant, where participants are measured 6 months after.

    ``jobs`` is the month's jobs of non-participants, programme run minus twin (None without a twin).
    At each participant's 6-months-after checkpoint month, the change is divided by the participants
    served so far, and averaged over those participants (DOMAIN.md §5: net, not gross).
    """
    if jobs is None:
        return {"displacement_employed_6m": float("nan")}
    due = participants(people) & (people.exit_month != NO_MONTH) & (people.exit_month + 6 < len(jobs))
    months = people.exit_month[due] + 6
    if len(months) == 0:
        return {"displacement_employed_6m": float("nan")}
    per_participant = jobs[months] / np.maximum(participants_so_far[months], 1)
    return {"displacement_employed_6m": float(per_participant.mean())}


def _breakdowns(people: Population, part: np.ndarray, checks: Checkpoints) -> dict[str, float]:
    """Employment 6 months after the programme, by gender and by skill level."""
    at = part & (checks.exit6 >= 0)
    emp = _employed(checks.exit6)
    out = {
        "employed_6m_share_female": _share(emp, at & people.female),
        "employed_6m_share_male": _share(emp, at & ~people.female),
    }
    for k, skill in enumerate(SKILLS):
        out[f"employed_6m_share_{skill}"] = _share(emp, at & (people.skill == k))
    return out
