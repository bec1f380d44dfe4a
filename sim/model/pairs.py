"""Mentoring pairs: start or never start, meet at a rate that decays without follow-up, open the
mentor's network, end early (mostly for mentor reasons) or complete (DOMAIN.md §2.1, 2.3, 2.4).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model.mentors import MentorPool, MentorStatus
from sim.model.organisation import end_participation
from sim.model.population import Exit, Labour, Population, Status
from sim.model.rng import Streams, uniform_at
from sim.scenario.schema import Programme


def start_pairs(t: int, people: Population, pool: MentorPool, mentees: np.ndarray, mentors: np.ndarray) -> None:
    """Form new pairs (step 6)."""
    people.programme[mentees] = Status.PAIRED
    people.served[mentees] = True
    people.matched_month[mentees] = t
    people.mentor[mentees] = mentors
    people.sector_match[mentees] = people.sector[mentees] == pool.sector[mentors]
    people.pair_started[mentees] = False
    people.contact[mentees] = 1.0
    people.meetings[mentees] = 0
    pool.status[mentors] = MentorStatus.PAIRED
    pool.mentee[mentors] = mentees


def release_mentors(people: Population, pool: MentorPool, mentees: np.ndarray) -> None:
    """Mentors of ending pairs become available again (unless they left the pool)."""
    m = people.mentor[mentees]
    still = m[pool.status[m] == MentorStatus.PAIRED]
    pool.status[still] = MentorStatus.AVAILABLE
    pool.mentee[still] = -1
    pool.pairs_done[m] += 1


PAIR_STREAMS = (
    "pairs.never_start",
    "pairs.start_delay",
    "pairs.lapse",
    "pairs.check_in",
    "pairs.meetings",
    "pairs.network_open",
    "pairs.early_end",
    "pairs.ties",
    "pairs.tie_relevance",
)
# positions in the parameter vector built by PairDynamics._params
(
    Q_FOLLOW_UP, Q_NEVER, Q_NEVER_REDUCTION, Q_DELAY, Q_DECAY, Q_LAPSE, Q_RESTORE, Q_MEETINGS, Q_HOURS_PER_MEETING,
    Q_KNOWLEDGE, Q_OPEN_BASE, Q_OPEN_TRUST, Q_OPEN_SECTOR, Q_OPEN_WILLING, Q_TIES, Q_CROSS, Q_EARLY, Q_MENTEE_END,
    Q_TRAINED, Q_SILENT, Q_DURATION,
) = range(21)  # fmt: skip
MAX_NETWORK = 1 << 12  # draws per mentee for ties: counter i * MAX_NETWORK + j


class PairDynamics:
    """Monthly life of every running pair (step 7)."""

    def __init__(self, cfg: Programme, streams: Streams, n_sectors: int) -> None:
        self.cfg = cfg
        self.pairs = cfg.pairs
        self.streams = streams
        self.n_sectors = n_sectors

    def _params(self, follow_up: float) -> np.ndarray:
        pc, fu = self.pairs, self.cfg.follow_up
        guideline = pc.network_guideline_effect if self.cfg.guidelines.network_opening else 0.0
        return np.array(
            [
                follow_up, pc.never_start_base, fu.never_start_reduction, pc.start_delay_share, pc.contact_decay,
                pc.lapse_rate, fu.check_in_restores, pc.meetings_per_month, pc.hours_per_meeting,
                pc.local_knowledge_per_meeting, pc.network_open_base + guideline, pc.network_trust_effect,
                pc.network_sector_effect, pc.network_willingness_effect, pc.ties_per_opening,
                pc.cross_sector_tie_relevance, pc.early_end_rate, pc.mentee_end_rate,
                pc.training_early_end_reduction, pc.silent_threshold, pc.duration_months,
            ]
        )  # fmt: skip

    def step(self, t: int, people: Population, pool: MentorPool, follow_up: float, funded: bool) -> dict[str, int]:
        """Advance every pair by a month; end those that never started, went silent, ended early or completed.

        Returns the counts of endings by reason and the ``meetings`` held this month."""
        if not funded and self.cfg.wind_down == "end":
            paired = np.flatnonzero(people.programme == Status.PAIRED)
            self._end(t, people, pool, paired, Exit.PROGRAMME_ENDED)
            return {"ended": len(paired), "completed": 0, "never_started": 0, "meetings": 0}
        keys = np.array([self.streams.key(name, t) for name in PAIR_STREAMS], dtype=np.uint64)
        p = people
        idx, codes, held = _pair_month(
            t, p.programme, p.matched_month, p.pair_started, p.contact, p.meetings, p.local_knowledge,
            p.network_opened, p.sector_match, p.motivation, p.language, p.labour, p.mentor, p.id, p.sector, p.ties,
            p.cross_ties, p.new_ties, pool.hours, pool.willingness, pool.trained, pool.status, pool.network,
            pool.sector, self._params(follow_up), keys,
        )  # fmt: skip
        counts = {"meetings": int(held)}
        for reason, name in (
            (Exit.NEVER_STARTED, "never_started"),
            (Exit.ENDED_EARLY, "ended"),
            (Exit.COMPLETED, "completed"),
        ):
            ending = idx[codes == reason]
            self._end(t, people, pool, ending, reason)
            counts[name] = len(ending)
        return counts

    def _end(self, t: int, people: Population, pool: MentorPool, mentees: np.ndarray, reason: Exit) -> None:
        release_mentors(people, pool, mentees)
        end_participation(people, mentees, t, reason)


PAIRED, INACTIVE, LEFT = int(Status.PAIRED), int(Labour.INACTIVE), int(MentorStatus.LEFT)
NEVER_STARTED, ENDED_EARLY, COMPLETED = int(Exit.NEVER_STARTED), int(Exit.ENDED_EARLY), int(Exit.COMPLETED)


@numba.njit(cache=True)
def _give_ties(i, m, t, sector, ties, cross_ties, new_ties, sector_match, network, mentor_sector, q, keys):  # noqa: ANN001, ANN202
    """An opened network gives ties in the mentor's sector; across sectors few are relevant to the mentee."""
    pid = i * MAX_NETWORK
    for j in range(min(network[m], MAX_NETWORK)):
        if uniform_at(keys[7], pid + j) < q[Q_TIES]:
            new_ties[i] += 1
            if sector_match[i] or uniform_at(keys[8], pid + j) < q[Q_CROSS]:
                ties[i, sector[i]] += 1
            else:
                ties[i, mentor_sector[m]] += 1
                cross_ties[i] = True


@numba.njit(cache=True)
def _pair_month(
    t, programme, matched_month, pair_started, contact, meetings, knowledge, network_opened, sector_match,
    motivation, language, labour, mentor, ids, sector, ties, cross_ties, new_ties, hours, willingness, trained,
    mentor_status, network, mentor_sector, q, keys,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One month of every pair, in place. Returns (mentees whose pair ends, exit code of each, meetings held)."""
    ending, codes = [], []
    held_total = 0
    for i in range(len(programme)):
        if programme[i] != PAIRED:
            continue
        pid, m = ids[i], mentor[i]
        if matched_month[i] == t:  # a new pair: it may never really start; the first meeting may wait a month
            if uniform_at(keys[0], pid) < q[Q_NEVER] * (1 - q[Q_NEVER_REDUCTION] * q[Q_FOLLOW_UP]) * (
                1.5 - motivation[i]
            ):
                ending.append(i)
                codes.append(NEVER_STARTED)
                continue
            pair_started[i] = uniform_at(keys[1], pid) >= q[Q_DELAY]
        else:
            pair_started[i] = True
        if not pair_started[i]:
            continue
        # contact decays and lapses; a coach's check-in restores part of it
        c = contact[i] * (1 - q[Q_DECAY])
        if uniform_at(keys[2], pid) < q[Q_LAPSE]:
            c *= 0.5
        if uniform_at(keys[3], pid) < q[Q_FOLLOW_UP]:
            c += q[Q_RESTORE] * (1 - c)
        contact[i] = c
        # meetings, as far as the mentor's hours allow, build local knowledge and trust
        hours_cap = min(1.0, hours[m] / (q[Q_HOURS_PER_MEETING] * max(q[Q_MEETINGS], 1e-9)))
        held = int(np.floor(q[Q_MEETINGS] * c * hours_cap + uniform_at(keys[4], pid)))
        meetings[i] += held
        held_total += held
        need = 2 * (1 - language[i])  # those furthest from the local codes gain most
        knowledge[i] = min(1.0, knowledge[i] + q[Q_KNOWLEDGE] * held * need * (2.0 if sector_match[i] else 1.0))
        if not network_opened[i]:
            logit = (
                q[Q_OPEN_BASE]
                + q[Q_OPEN_TRUST] * meetings[i]
                + q[Q_OPEN_SECTOR] * sector_match[i]
                + q[Q_OPEN_WILLING] * (willingness[m] - 0.5)
            )
            if uniform_at(keys[5], pid) < 1 / (1 + np.exp(-logit)):
                network_opened[i] = True
                _give_ties(i, m, t, sector, ties, cross_ties, new_ties, sector_match, network, mentor_sector, q, keys)
        # silent pairs, early endings (mostly mentor reasons, fewer with trained mentors), completion
        months = t - matched_month[i]
        mentor_rate = q[Q_EARLY] * (1.0 if months <= 3 else 1 / 3) * ((1 - q[Q_TRAINED]) if trained[m] else 1.0)
        gone = mentor_status[m] == LEFT or labour[i] == INACTIVE or c < q[Q_SILENT]
        if gone or uniform_at(keys[6], pid) < mentor_rate + q[Q_MENTEE_END]:
            ending.append(i)
            codes.append(ENDED_EARLY)
        elif months >= q[Q_DURATION]:
            ending.append(i)
            codes.append(COMPLETED)
    return np.array(ending, dtype=np.int64), np.array(codes, dtype=np.int64), held_total
