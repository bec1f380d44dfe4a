"""The volunteer mentor pool as growable arrays: recruitment (individual or via champions), attrition, return."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any

import numpy as np

from sim.model.rng import Streams
from sim.scenario.schema import Scenario


class MentorStatus(IntEnum):
    """Where a mentor stands: free for a mentee, in a pair, or gone from the pool."""

    AVAILABLE = 0
    PAIRED = 1
    LEFT = 2


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
    status: np.ndarray  # MentorStatus
    tenure: np.ndarray  # months since (re)joining
    mentee: np.ndarray  # jobseeker index, -1 if none
    district: np.ndarray
    preference: np.ndarray
    multilingual: np.ndarray  # bool: speaks a language of the mentee's origin group
    count: int = 0

    @classmethod
    def empty(cls, capacity: int = 64) -> MentorPool:
        """A pool with room for ``capacity`` mentors and none recruited."""
        f = {
            "sector": np.int8, "retired": bool, "via_company": bool, "employer": np.int32, "network": np.int16,
            "willingness": np.float32, "hours": np.float32, "trained": bool, "pairs_done": np.int16,
            "status": np.int8, "tenure": np.int16, "mentee": np.int32, "district": np.int8,
            "preference": np.int8, "multilingual": bool,
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
        """Indices of mentors in the pool (available or paired)."""
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
    cfg = scenario.mentors
    g = streams.generator(f"mentors.new.{name}", t)
    company = employer is not None
    if sector is None:
        shares = np.array([s.mentor_share for s in scenario.sectors])
        sector = np.searchsorted(np.cumsum(shares)[:-1], g.random(n), side="right")
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
        "status": np.full(n, MentorStatus.AVAILABLE),
        "tenure": np.zeros(n),
        "district": g.integers(0, scenario.programme.matching.districts, n),
        "preference": g.integers(0, 4, n),
        "multilingual": g.random(n) < 0.3,
    }


class MentorSupply:
    """Monthly mentor supply: champion employers' mentors and volunteers, recruited, leaving and returning.

    Champion employers engage, supply and withdraw mentors; volunteers are recruited, leave (peaks at
    3, 6, 12 months; more when idle during an interruption) and return.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.scenario = scenario
        self.cfg = scenario.mentors
        self.ecfg = scenario.employers
        self.streams = streams
        self.recruited = 0
        self.lost = 0

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

    def attrition(self, t: int, pool: MentorPool, champion: np.ndarray, funded: bool) -> None:
        """Mentors leave (paired ones too: their pairs end for mentor reasons) or return.

        Company mentors whose employer no longer is a champion leave once they have no mentee.
        """
        n = pool.count
        active = pool.active()
        pool.tenure[active] += 1
        rate = np.full(len(active), self.cfg.attrition_rate)
        tenure = pool.tenure[active]
        rate[(tenure == 3) | (tenure == 6) | (tenure == 12)] *= self.cfg.attrition_peak_multiplier
        idle = pool.status[active] == MentorStatus.AVAILABLE
        rate[~idle] *= self.cfg.paired_attrition_multiplier
        if not funded:
            rate[idle] *= self.cfg.idle_attrition_multiplier
        leave = active[self.streams.uniform("mentors.leave", t, active) < rate]
        company_gone = active[idle & pool.via_company[active] & ~champion[pool.employer[active]]]
        leaving = np.union1d(leave, company_gone)
        self.lost += len(leaving)
        gone = np.flatnonzero(pool.status[:n] == MentorStatus.LEFT)
        if funded:
            back = gone[
                (self.streams.uniform("mentors.return", t, gone) < self.cfg.return_rate) & ~pool.via_company[gone]
            ]
            pool.status[back] = MentorStatus.AVAILABLE
            pool.tenure[back] = 0
        pool.status[leaving] = MentorStatus.LEFT
