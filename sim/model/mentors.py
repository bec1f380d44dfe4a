"""The volunteer mentor pool as growable arrays: recruitment (individual or via champions), attrition, rest, return.

Mentors tire: monthly attrition rises by a factor for every pair a mentor has finished and by another
for every hard one (never started, ended early, or a mentee still unemployed at the end after long
unemployment: MentorU mentors found mentees far from the labour market hard, DOMAIN.md §2.5). A mentor
who finishes a pair and stays re-enlists for a new pair at once (``reenlist_share``, 91 % at DUO for a
JOB Ghent: issue 11's figure, an assumption here) or rests for some months first (``rest_months_mean``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any

import numpy as np

from sim.model.population import Exit, Labour, Population, in_codes
from sim.model.rng import Streams
from sim.scenario.schema import AVAILABILITY, Matching, Scenario

PAIR_ENDINGS = (Exit.COMPLETED, Exit.ENDED_EARLY, Exit.NEVER_STARTED, Exit.PROGRAMME_ENDED)  # a mentor's pair ended
HARD_ENDINGS = (Exit.ENDED_EARLY, Exit.NEVER_STARTED)


class MentorStatus(IntEnum):
    """Where a mentor stands: free for a mentee, in a pair, gone from the pool, or resting between pairs."""

    AVAILABLE = 0
    PAIRED = 1
    LEFT = 2
    RESTING = 3  # in the pool, but not available for a new mentee until the rest is over


@dataclass
class MentorPool:
    """State of every mentor ever recruited; ``count`` slots are in use."""

    sector: np.ndarray
    retired: np.ndarray  # bool
    via_company: np.ndarray  # bool: recruited through a champion employer
    employer: np.ndarray  # champion employer index, -1 for individual mentors
    network: np.ndarray  # employer ties in the mentor's sector
    willingness: np.ndarray  # 0-1 willingness to open the network
    hours: np.ndarray  # hours a month available
    trained: np.ndarray  # bool
    pairs_done: np.ndarray
    hard_pairs: np.ndarray  # finished pairs that were hard (never started, ended early, mentee far from work)
    status: np.ndarray  # MentorStatus
    tenure: np.ndarray  # months since (re)joining
    mentee: np.ndarray  # jobseeker index, -1 if none
    district: np.ndarray
    preference: np.ndarray
    multilingual: np.ndarray  # bool: speaks a language of the mentee's origin group (can give language support)
    availability: np.ndarray  # when one can meet: 0 any time, 1 daytime only, 2 evenings only (AVAILABILITY)
    count: int = 0

    @classmethod
    def empty(cls, capacity: int = 64) -> MentorPool:
        """A pool with room for ``capacity`` mentors and none recruited."""
        f = {
            "sector": np.int8, "retired": bool, "via_company": bool, "employer": np.int32, "network": np.int16,
            "willingness": np.float32, "hours": np.float32, "trained": bool, "pairs_done": np.int16,
            "hard_pairs": np.int16, "status": np.int8, "tenure": np.int16, "mentee": np.int32, "district": np.int8,
            "preference": np.int8, "multilingual": bool, "availability": np.int8,
        }  # fmt: skip
        arrays: dict[str, Any] = {k: np.zeros(capacity, dtype=v) for k, v in f.items()}
        return cls(**arrays)

    def _grow(self, needed: int) -> None:
        capacity = len(self.sector)
        if self.count + needed <= capacity:
            return
        new = max(2 * capacity, self.count + needed)
        for f in fields(self):
            if f.name != "count":
                old = getattr(self, f.name)
                arr = np.zeros(new, dtype=old.dtype)
                arr[: len(old)] = old
                setattr(self, f.name, arr)

    def add(self, **attrs: np.ndarray) -> np.ndarray:
        """Append mentors with the given attribute arrays; returns their indices."""
        n = len(next(iter(attrs.values())))
        self._grow(n)
        idx = np.arange(self.count, self.count + n)
        for name, values in attrs.items():
            getattr(self, name)[idx] = values
        self.mentee[idx] = -1
        self.count += n
        return idx

    def active(self) -> np.ndarray:
        """Indices of mentors in the pool (available, paired or resting)."""
        return np.flatnonzero(self.status[: self.count] != MentorStatus.LEFT)

    def available(self) -> np.ndarray:
        """Indices of mentors free for a new mentee."""
        return np.flatnonzero(self.status[: self.count] == MentorStatus.AVAILABLE)


def draw_mentors(
    scenario: Scenario,
    streams: Streams,
    name: str,
    t: int,
    n: int,
    *,
    sector: np.ndarray | None = None,
    employer: np.ndarray | None = None,
    trained: bool,
) -> dict[str, np.ndarray]:
    """Attributes of ``n`` new mentors. Company mentors (``employer`` given) are active professionals of its sector."""
    cfg, matching = scenario.mentors, scenario.programme.matching
    g = streams.generator(f"mentors.new.{name}", t)
    company = employer is not None
    if sector is None:
        sector = np.searchsorted(
            _cumulative(tuple(s.mentor_share for s in scenario.sectors)), g.random(n), side="right"
        )
    retired = np.zeros(n, dtype=bool) if company else g.random(n) < cfg.retired_share
    network_mean = np.where(retired, cfg.network_size_retired, cfg.network_size_active)
    w = min(max(cfg.willingness_mean, 1e-3), 1 - 1e-3)
    return {
        "sector": sector,
        "retired": retired,
        "via_company": np.full(n, company),
        "employer": employer if employer is not None else np.full(n, -1),
        "network": g.poisson(network_mean),
        "willingness": g.beta(w * 6, (1 - w) * 6, n),
        "hours": g.gamma(4.0, cfg.hours_mean / 4.0, n),
        "trained": np.full(n, trained),
        "pairs_done": np.zeros(n),
        "hard_pairs": np.zeros(n),
        "status": np.full(n, MentorStatus.AVAILABLE),
        "tenure": np.zeros(n),
        "district": g.integers(0, matching.districts, n),
        "preference": g.integers(0, matching.preference_groups, n),
        "multilingual": g.random(n) < matching.mentor_language_support_share,
        "availability": availability_codes(g.random(n), retired, matching),
    }


@functools.cache
def _cumulative(shares: tuple[float, ...]) -> np.ndarray:
    """``np.cumsum(shares)[:-1]``, kept: the category bounds of a draw (read-only)."""
    bounds = np.cumsum(shares)[:-1]
    bounds.flags.writeable = False
    return bounds


def availability_codes(u: np.ndarray, retired: np.ndarray, matching: Matching) -> np.ndarray:
    """When each mentor can meet (0 any time, 1 daytime only, 2 evenings only), by retired or in work."""
    active = _cumulative(tuple(matching.mentor_availability_active[a] for a in AVAILABILITY))
    retired_cum = _cumulative(tuple(matching.mentor_availability_retired[a] for a in AVAILABILITY))
    code = np.where(retired, np.searchsorted(retired_cum, u, side="right"), np.searchsorted(active, u, side="right"))
    return code.astype(np.int8)


class MentorSupply:
    """Monthly mentor supply: champion employers' mentors and volunteers, recruited, leaving and returning.

    Champion employers engage, supply and withdraw mentors; volunteers are recruited, leave (peaks at
    3, 6, 12 months; more when idle during an interruption; more with every pair done and every hard
    pair), re-enlist or rest after a pair, and return.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.scenario = scenario
        self.cfg = scenario.mentors
        self.ecfg = scenario.employers
        self.streams = streams
        self.recruited = 0
        self.lost = 0
        self.reenlisted = 0  # mentors who took a new pair at once after one ended
        self.rested = 0  # mentors who rested after a pair
        self.pairs_ended = 0  # pairs debriefed (their mentor's pair ended)
        self.hard = 0  # of which hard

    def initial(self, pool: MentorPool, trained: bool) -> np.ndarray:
        """Recruit the mentors in the pool at the start; returns their indices."""
        return pool.add(**draw_mentors(self.scenario, self.streams, "initial", -1, self.cfg.initial, trained=trained))

    def champions(self, t: int, champion: np.ndarray, funded: bool, downturn: bool) -> np.ndarray:
        """Update champion engagement in place; returns the employers that withdrew this month."""
        e = self.ecfg
        rate = (
            e.normal_withdrawal_rate
            + (e.downturn_withdrawal_rate if downturn else 0.0)
            + (0.0 if funded else e.interruption_withdrawal_rate)
        )
        current = np.flatnonzero(champion)
        withdrawn = current[self.streams.uniform("employers.withdraw", t, current) < min(rate, 1.0)]
        champion[withdrawn] = False
        if funded and champion.sum() < e.max_champions:
            g = self.streams.generator("employers.engage", t)
            engaged = int(t == 0) * e.champions_initial + int(g.random() < e.champion_recruitment_rate)
            candidates = np.flatnonzero(~champion)
            engaged = min(engaged, e.max_champions - int(champion.sum()), len(candidates))
            champion[g.choice(candidates, engaged, replace=False)] = True
        return withdrawn

    def recruit(
        self, t: int, pool: MentorPool, champion: np.ndarray, employer_sector: np.ndarray, funded: bool, trained: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """New mentors of the month: individual volunteers (while outreach is funded) and champions' staff.

        Returns (new mentor indices, the employer each company mentor came from).
        """
        if not funded:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        g = self.streams.generator("mentors.recruit", t)
        n_ind = int(g.poisson(self.cfg.individual_recruitment_per_month))
        champs = np.flatnonzero(champion)
        per = g.poisson(self.ecfg.mentors_per_champion_per_year / 12, len(champs))
        employer = np.repeat(champs, per)
        new = [np.zeros(0, dtype=np.int64)]
        if n_ind:
            new.append(pool.add(**draw_mentors(self.scenario, self.streams, "individual", t, n_ind, trained=trained)))
        if len(employer):
            new.append(
                pool.add(
                    **draw_mentors(
                        self.scenario,
                        self.streams,
                        "company",
                        t,
                        len(employer),
                        sector=employer_sector[employer],
                        employer=employer,
                        trained=trained,
                    )
                )
            )
        idx = np.concatenate(new)
        self.recruited += len(idx)
        return idx, employer

    def attrition(
        self, t: int, pool: MentorPool, champion: np.ndarray, funded: bool, people: Population
    ) -> dict[str, float]:
        """Mentors who finished a pair last month re-enlist or rest; rests end; mentors leave or return.

        Monthly attrition rises with the pairs a mentor has finished and, more, with the hard ones;
        mentors leave while paired too (their pairs end for mentor reasons). Company mentors whose
        employer no longer is a champion leave once they have no mentee. Returns the month's
        ``mentors_resting`` and ``mentors_left``.
        """
        cfg = self.cfg
        n = pool.count
        resting = np.flatnonzero(pool.status[:n] == MentorStatus.RESTING)  # rests end (geometric)
        rested = resting[self.streams.uniform("mentors.rest_over", t, resting) < 1 / cfg.rest_months_mean]
        pool.status[rested] = MentorStatus.AVAILABLE
        self._debrief(t, pool, people)
        active = pool.active()
        pool.tenure[active] += 1
        tenure = pool.tenure[active]
        rate = cfg.attrition_rate * (
            cfg.attrition_per_pair ** pool.pairs_done[active].astype(float)
            * cfg.attrition_per_hard_pair ** pool.hard_pairs[active].astype(float)
        )
        rate[(tenure == 3) | (tenure == 6) | (tenure == 12)] *= cfg.attrition_peak_multiplier
        idle = pool.status[active] != MentorStatus.PAIRED  # available or resting
        rate[~idle] *= cfg.paired_attrition_multiplier
        if not funded:
            rate[idle] *= cfg.idle_attrition_multiplier
        leave = active[self.streams.uniform("mentors.leave", t, active) < rate]
        company_gone = active[idle & pool.via_company[active] & ~champion[pool.employer[active]]]
        flag = np.zeros(n, dtype=bool)  # np.union1d(leave, company_gone), by a mask
        flag[leave] = True
        flag[company_gone] = True
        leaving = np.flatnonzero(flag)
        self.lost += len(leaving)
        gone = np.flatnonzero(pool.status[:n] == MentorStatus.LEFT)
        if funded:
            back = gone[(self.streams.uniform("mentors.return", t, gone) < cfg.return_rate) & ~pool.via_company[gone]]
            pool.status[back] = MentorStatus.AVAILABLE
            pool.tenure[back] = 0
        pool.status[leaving] = MentorStatus.LEFT
        return {
            "mentors_resting": int(np.count_nonzero(pool.status[:n] == MentorStatus.RESTING)),
            "mentors_left": len(leaving),
        }

    def _debrief(self, t: int, pool: MentorPool, people: Population) -> None:
        """Mentors whose pair ended last month (step 7) count it, hard or not, and re-enlist or rest."""
        ended = np.flatnonzero(people.exit_month == t - 1)
        ended = ended[in_codes(people.exit_reason[ended], PAIR_ENDINGS)]
        mentors = people.mentor[ended]
        hard = in_codes(people.exit_reason[ended], HARD_ENDINGS) | (
            (people.labour[ended] == Labour.UNEMPLOYED)
            & (people.months_unemployed[ended] >= self.cfg.hard_pair_months_unemployed)
        )
        pool.hard_pairs[mentors[hard]] += 1
        self.pairs_ended += len(ended)
        self.hard += int(hard.sum())
        stay = mentors[pool.status[mentors] == MentorStatus.AVAILABLE]  # not left, not paired again
        rest = stay[self.streams.uniform("mentors.reenlist", t, stay) >= self.cfg.reenlist_share]
        pool.status[rest] = MentorStatus.RESTING
        self.reenlisted += len(stay) - len(rest)
        self.rested += len(rest)

    def outcomes(self, pool: MentorPool) -> dict[str, float]:
        """The run's mentor-supply outcomes, in the order of the outputs vocabulary."""
        done = pool.pairs_done[: pool.count]
        with_pair = int(np.count_nonzero(done >= 1))
        return {
            "mentors_recruited": self.recruited,
            "mentors_lost": self.lost,
            "mentors_reenlisted": self.reenlisted,
            "mentors_rested": self.rested,
            "hard_pairs_share": self.hard / self.pairs_ended if self.pairs_ended else np.nan,
            "mentors_repeat_share": int(np.count_nonzero(done >= 2)) / with_pair if with_pair else np.nan,
        }
