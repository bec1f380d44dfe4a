"""Mentoring pairs: start or never start, meet at a rate that decays without follow-up, open the
mentor's network, end early (mostly for mentor reasons) or complete (DOMAIN.md §2.1, 2.3, 2.4).
"""

from __future__ import annotations

import numpy as np

from sim.mentors import MentorPool, MentorStatus
from sim.organisation import end_participation
from sim.population import Exit, Labour, Population, Status
from sim.rng import Streams
from sim.scenario import Programme


def start_pairs(t: int, people: Population, pool: MentorPool, mentees: np.ndarray, mentors: np.ndarray) -> None:
    """Form new pairs (step 6)."""
    people.programme[mentees] = Status.PAIRED
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


class PairDynamics:
    """Monthly life of every running pair (step 7)."""

    def __init__(self, cfg: Programme, streams: Streams, n_sectors: int) -> None:
        self.cfg = cfg
        self.pairs = cfg.pairs
        self.streams = streams
        self.n_sectors = n_sectors

    def step(self, t: int, people: Population, pool: MentorPool, follow_up: float, funded: bool) -> dict[str, int]:
        s, pc = self.streams, self.pairs
        paired = np.flatnonzero(people.programme == Status.PAIRED)
        if not funded and self.cfg.wind_down == "end" and len(paired):
            self._end(t, people, pool, paired, Exit.PROGRAMME_ENDED)
            return {"ended": len(paired), "completed": 0, "never_started": 0}
        # a new pair may never really start: follow-up (staff at the first meeting) prevents it
        new = paired[people.matched_month[paired] == t]
        p_never = pc.never_start_base * (1 - self.cfg.follow_up.never_start_reduction * follow_up) * (1.5 - people.motivation[new])
        never_mask = s.uniform("pairs.never_start", t, new) < p_never
        delayed = s.uniform("pairs.start_delay", t, new) < pc.start_delay_share
        people.pair_started[new[~never_mask & ~delayed]] = True
        older = paired[(people.matched_month[paired] < t) & ~people.pair_started[paired]]
        people.pair_started[older] = True  # delayed first meetings happen a month later
        never = new[never_mask]
        self._end(t, people, pool, never, Exit.NEVER_STARTED)
        running = paired[people.pair_started[paired] & (people.programme[paired] == Status.PAIRED)]
        self._contact(t, people, running, follow_up)
        self._meet_and_open(t, people, pool, running)
        return self._endings(t, people, pool, running) | {"never_started": len(never)}

    def _contact(self, t: int, people: Population, running: np.ndarray, follow_up: float) -> None:
        """Contact decays and lapses; a coach's check-in restores part of it."""
        s, pc = self.streams, self.pairs
        c = people.contact[running] * (1 - pc.contact_decay)
        c = np.where(s.uniform("pairs.lapse", t, running) < pc.lapse_rate, c * 0.5, c)
        checked = s.uniform("pairs.check_in", t, running) < follow_up
        c = np.where(checked, c + self.cfg.follow_up.check_in_restores * (1 - c), c)
        people.contact[running] = c

    def _meet_and_open(self, t: int, people: Population, pool: MentorPool, running: np.ndarray) -> None:
        """Meetings build local knowledge and trust; a trusting, willing mentor may open the network."""
        s, pc = self.streams, self.pairs
        hours_cap = pool.hours[people.mentor[running]] / (pc.hours_per_meeting * max(pc.meetings_per_month, 1e-9))
        expected = pc.meetings_per_month * people.contact[running] * np.minimum(1.0, hours_cap)
        meetings = np.floor(expected + s.uniform("pairs.meetings", t, running)).astype(np.int16)
        people.meetings[running] += meetings
        gain = pc.local_knowledge_per_meeting * meetings * np.where(people.sector_match[running], 2.0, 1.0)
        people.local_knowledge[running] = np.minimum(1.0, people.local_knowledge[running] + gain)
        closed = running[~people.network_opened[running]]
        m = people.mentor[closed]
        logit = (
            pc.network_open_base
            + pc.network_guideline_effect * self.cfg.guidelines.network_opening
            + pc.network_trust_effect * people.meetings[closed]
            + pc.network_sector_effect * people.sector_match[closed]
            + pc.network_willingness_effect * (pool.willingness[m] - 0.5)
        )
        opens = closed[s.uniform("pairs.network_open", t, closed) < 1 / (1 + np.exp(-logit))]
        self._give_ties(t, people, pool, opens)

    def _give_ties(self, t: int, people: Population, pool: MentorPool, opens: np.ndarray) -> None:
        """An opened network gives ties in the mentor's sector; few are relevant across sectors."""
        if len(opens) == 0:
            return
        g = self.streams.generator("pairs.ties", t)
        m = people.mentor[opens]
        ties = g.binomial(pool.network[m], self.pairs.ties_per_opening)
        own = people.sector[opens]
        cross = ~people.sector_match[opens]
        relevant = np.where(cross, g.binomial(ties, self.pairs.cross_sector_tie_relevance), ties)
        people.network_opened[opens] = True
        people.new_ties[opens] += ties.astype(np.int16)
        np.add.at(people.ties, (opens, own), relevant.astype(np.uint8))
        np.add.at(people.ties, (opens[cross], pool.sector[m[cross]]), (ties - relevant)[cross].astype(np.uint8))
        people.cross_ties[opens[cross & (ties > relevant)]] = True

    def _endings(self, t: int, people: Population, pool: MentorPool, running: np.ndarray) -> dict[str, int]:
        """Silent pairs, early endings (mentor or mentee reasons) and completions."""
        s, pc = self.streams, self.pairs
        months = t - people.matched_month[running]
        m = people.mentor[running]
        mentor_rate = pc.early_end_rate * np.where(months <= 3, 1.0, 1 / 3)
        mentor_rate = mentor_rate * np.where(pool.trained[m], 1 - pc.training_early_end_reduction, 1.0)
        mentor_gone = pool.status[m] == MentorStatus.LEFT
        u = s.uniform("pairs.early_end", t, running)
        silent = people.contact[running] < pc.silent_threshold
        mentee_gone = people.labour[running] == Labour.INACTIVE
        early = mentor_gone | silent | mentee_gone | (u < mentor_rate + pc.mentee_end_rate)
        done = ~early & (months >= pc.duration_months)
        self._end(t, people, pool, running[early], Exit.ENDED_EARLY)
        self._end(t, people, pool, running[done], Exit.COMPLETED)
        return {"ended": int(early.sum()), "completed": int(done.sum())}

    def _end(self, t: int, people: Population, pool: MentorPool, mentees: np.ndarray, reason: Exit) -> None:
        release_mentors(people, pool, mentees)
        end_participation(people, mentees, t, reason)

    def training_boost(self, people: Population) -> np.ndarray:
        """Training entry multiplier per jobseeker: mentees in running pairs are pointed to training."""
        boost = np.ones(people.n, dtype=np.float32)
        boost[(people.programme == Status.PAIRED) & people.pair_started] = self.pairs.training_entry_multiplier
        return boost
