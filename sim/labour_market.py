"""Employers, the economy and the monthly labour-market flows of the jobseekers (vectorised).

Hiring (DOMAIN.md §2.1, 2.8, 2.10): an unemployed jobseeker's monthly chance of a job is a baseline
rate times an attractiveness (skill, language, local knowledge, recognised qualifications,
motivation, duration of unemployment) times what the vacancies of the month offer after hiring
bias (weaker in shortage occupations and with a diversity plan, stronger for the low-skilled and at
SMEs in downturns), each sector boosted by the referral ties the jobseeker has there. Search goes
partly to one's own sector (jobs at level unless 'brain waste') and partly to any sector (below
level for the medium and highly skilled). Jobs end; training starts and ends; people leave and
re-enter the labour force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.population import Labour, Population
from sim.rng import Streams
from sim.scenario import SKILLS, Scenario, month_index

N_SKILLS = len(SKILLS)


@dataclass
class Employers:
    """State of all employers, one array element per Employer agent."""

    sector: np.ndarray
    sme: np.ndarray  # bool
    weight: np.ndarray  # expected vacancies a month in normal times
    hard_to_fill: np.ndarray  # bool: hiring mostly in shortage occupations
    diversity_plan: np.ndarray  # bool
    champion: np.ndarray  # bool: engaged as a mentor champion
    vacancies: np.ndarray  # this month
    hires: np.ndarray  # cumulative hires from the jobseeker population
    mentors_supplied: np.ndarray

    @property
    def n(self) -> int:
        return len(self.sector)


def build_employers(scenario: Scenario, streams: Streams) -> Employers:
    """Draw the region's employers (sector by vacancy share, size, shortage occupations, diversity plans)."""
    cfg = scenario.employers
    n = max(len(scenario.sectors), round(scenario.population.size * cfg.per_1000_jobseekers / 1000))
    u = lambda name: streams.uniform(f"init.employer.{name}", -1, n)  # noqa: E731
    shares = np.array([s.vacancy_share for s in scenario.sectors])
    sector = np.searchsorted(np.cumsum(shares)[:-1], u("sector"), side="right").astype(np.int8)
    sector[: len(shares)] = np.arange(len(shares))  # every sector has at least one employer
    sme = u("sme") < cfg.sme_share
    plan_share = np.where(sme, cfg.diversity_plan_share / 3, cfg.diversity_plan_share)
    hard = np.array([s.hard_to_fill for s in scenario.sectors])[sector]
    return Employers(
        sector=sector,
        sme=sme,
        weight=np.where(sme, cfg.sme_vacancy_weight, 1.0),
        hard_to_fill=u("hard_to_fill") < hard,
        diversity_plan=u("plan") < plan_share,
        champion=np.zeros(n, dtype=bool),
        vacancies=np.zeros(n, dtype=np.int32),
        hires=np.zeros(n, dtype=np.int64),
        mentors_supplied=np.zeros(n, dtype=np.int32),
    )


def economy_factors(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Monthly vacancy factor for large firms and for SMEs (1 in normal times)."""
    large = np.ones(scenario.months)
    sme = np.ones(scenario.months)
    for shock in scenario.economy.shocks:
        a = max(0, month_index(shock.start) - scenario.start_index)
        b = min(scenario.months, month_index(shock.end) - scenario.start_index + 1)
        large[a:b] *= shock.vacancy_factor
        sme[a:b] *= shock.sme_vacancy_factor
    return large, sme


class LabourMarket:
    """Monthly vacancies, hiring, job loss, training and inactivity for the whole population."""

    def __init__(self, scenario: Scenario, employers: Employers, people: Population, streams: Streams) -> None:
        self.cfg = scenario.labour_market
        self.scenario = scenario
        self.employers = employers
        self.streams = streams
        self.large_factor, self.sme_factor = economy_factors(scenario)
        w, sme = employers.weight, employers.sme
        self.index = (np.outer(self.large_factor, w * ~sme) + np.outer(self.sme_factor, w * sme)).sum(axis=1) / w.sum()
        self.by_sector = np.argsort(employers.sector, kind="stable")  # employers grouped by sector
        bounds = np.searchsorted(employers.sector[self.by_sector], np.arange(len(scenario.sectors) + 1))
        self.sector_first, self.sector_last = bounds[:-1], bounds[1:]
        self.n_sectors = len(scenario.sectors)
        self.vacancy_share = np.array([s.vacancy_share for s in scenario.sectors])
        self.expected = np.bincount(employers.sector, weights=employers.weight, minlength=self.n_sectors)
        self.expected = np.maximum(self.expected, 1e-9)
        self.inv_bias = np.stack([self._inverse_bias(downturn) for downturn in (False, True)])
        self.inv_bias_sorted = self.inv_bias[:, self.by_sector]
        self.downturn = False
        self.boost = np.exp(self.cfg.referral_per_tie * np.arange(256).clip(0, self.cfg.referral_cap)).astype(np.float32)
        self.skill_effect = np.array([self.cfg.skill_effect[s] for s in SKILLS], dtype=np.float32)
        self.static = self._static_attractiveness(people)  # indexed by person id
        self.below_share = np.array([self.cfg.below_level_share[s] for s in SKILLS], dtype=np.float32)
        self.scale = 1.0
        normal = self._offer_matrix(employers.weight, downturn=False)
        unemployed = np.flatnonzero(people.labour == Labour.UNEMPLOYED)
        reference = unemployed if len(unemployed) else np.arange(people.n)
        self.scale = self.cfg.job_finding_rate / max(float(self._hazard(people, normal, reference).mean()), 1e-12)

    # -- economy -----------------------------------------------------------------------------
    def economy_index(self, t: int) -> float:
        """Vacancy-weighted economy index of month ``t`` (1 normal)."""
        return float(self.index[t])

    def _inverse_bias(self, downturn: bool) -> np.ndarray:
        """(employers, skills) 1 / discrimination ratio, the share of a native's chance."""
        cfg, e = self.cfg, self.employers
        base = np.where(e.hard_to_fill, cfg.bias_shortage, cfg.bias_non_shortage)[:, None]
        low = np.array([cfg.bias_low_skill_extra, 1.0, 1.0])[None, :]
        sme = np.where(e.sme & downturn, cfg.sme_downturn_bias, 1.0)[:, None]
        bias = base * low * sme
        bias = 1 + (bias - 1) * np.where(e.diversity_plan, 1 - cfg.diversity_plan_bias_reduction, 1.0)[:, None]
        return 1.0 / bias

    def draw_vacancies(self, t: int) -> None:
        e = self.employers
        mean = e.weight * np.where(e.sme, self.sme_factor[t], self.large_factor[t])
        e.vacancies = self.streams.generator("economy.vacancies", t).poisson(mean).astype(np.int32)

    def _offer_matrix(self, vacancies: np.ndarray, downturn: bool) -> np.ndarray:
        """(sectors, skills): vacancies relative to normal, discounted by hiring bias."""
        weighted = vacancies[:, None] * self.inv_bias[int(downturn)]
        out = np.stack([np.bincount(self.employers.sector, weights=weighted[:, k], minlength=self.n_sectors) for k in range(N_SKILLS)], axis=1)
        return out / self.expected[:, None]

    # -- hiring ------------------------------------------------------------------------------
    def _static_attractiveness(self, people: Population) -> np.ndarray:
        """Hiring chance multiplier from fixed characteristics: skill, language, recognition, motivation."""
        cfg = self.cfg
        log = (
            cfg.language_effect * (people.language - 0.5)
            + cfg.recognition_effect * (people.recognised & (people.skill > 0))
            + cfg.motivation_effect * (people.motivation - 0.5)
        )
        return (self.skill_effect[people.skill] * np.exp(log)).astype(np.float32)

    def attractiveness(self, people: Population, idx: np.ndarray) -> np.ndarray:
        """Relative hiring chance of jobseekers ``idx``: fixed characteristics, local knowledge gained, scarring."""
        cfg = self.cfg
        scarring = np.maximum(0.4, 1 - cfg.duration_dependence * people.months_unemployed[idx])
        knowledge = np.exp(cfg.local_knowledge_effect * people.local_knowledge[idx])
        return self.static[people.id[idx]] * knowledge * scarring

    def _channels(self, people: Population, offers: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unscaled hiring intensity through one's own sector and through any sector.

        The any-sector channel sums what every sector offers, boosted by one's ties there. Most
        people have ties in their own sector only, so that sum is the tie-free total plus the own
        sector's boost; the few with ties elsewhere (from a mentor of another sector) get the full sum.
        """
        own_share = self.cfg.own_sector_share
        skill = people.skill[idx]
        sector = people.sector[idx]
        offer_own = offers[sector, skill]
        boost_own = self.boost[people.ties[idx, sector]]
        own = own_share * offer_own * boost_own
        weighted = self.vacancy_share[:, None] * offers  # (sectors, skills)
        other = weighted.sum(axis=0)[skill] + self.vacancy_share[sector] * offer_own * (boost_own - 1)
        cross = np.flatnonzero(people.cross_ties[idx])
        if len(cross):
            boost = self.boost[people.ties[idx[cross]]] - 1
            boost[np.arange(len(cross)), sector[cross]] = 0
            other[cross] += (boost * weighted[:, skill[cross]].T).sum(axis=1)
        return own, (1 - own_share) * other

    def _hazard(self, people: Population, offers: np.ndarray, idx: np.ndarray) -> np.ndarray:
        own, other = self._channels(people, offers, idx)
        return self.scale * self.attractiveness(people, idx) * (own + other)

    def step(self, t: int, people: Population, training_boost: np.ndarray | None = None) -> dict[str, float]:
        """One month of flows. ``training_boost`` multiplies training entry (mentees advised by mentors)."""
        cfg, s = self.cfg, self.streams
        downturn = self.downturn = self.economy_index(t) < self.scenario.economy.downturn_threshold
        self.draw_vacancies(t)
        offers = self._offer_matrix(self.employers.vacancies, downturn)
        labour = people.labour
        was = labour.copy()
        people.months_in_status += 1

        # jobs end (more often in the first six months; more in a downturn)
        employed = np.flatnonzero((was == Labour.EMPLOYED_AT_LEVEL) | (was == Labour.EMPLOYED_BELOW_LEVEL))
        loss = cfg.job_loss_rate * np.where(people.months_in_status[employed] <= 6, cfg.probation_multiplier, 1.0)
        loss = loss / max(self.economy_index(t), 0.2)
        lost = employed[s.uniform("labour.job_loss", t, people.id[employed]) < loss]

        # unemployed: hired, inactive or into training (competing risks on one draw)
        unemployed = np.flatnonzero(was == Labour.UNEMPLOYED)
        own, other = self._channels(people, offers, unemployed)
        hazard = np.minimum(0.9, self.scale * self.attractiveness(people, unemployed) * (own + other))
        train = cfg.training_entry_rate * (training_boost[unemployed] if training_boost is not None else 1.0)
        u = s.uniform("labour.unemployed_exit", t, people.id[unemployed])
        hired_mask = u < hazard
        inactive_mask = ~hired_mask & (u < hazard + cfg.inactivity_rate)
        training_mask = ~hired_mask & ~inactive_mask & (u < hazard + cfg.inactivity_rate + train)
        hired = unemployed[hired_mask]
        at_level, employer = self._place(t, people, offers, hired, own[hired_mask] / np.maximum(own + other, 1e-12)[hired_mask])

        # training ends; inactive people return
        trainees = np.flatnonzero((was == Labour.TRAINING) & (people.months_in_status >= cfg.training_months))
        to_job = trainees[s.uniform("labour.training_exit", t, people.id[trainees]) < cfg.training_to_job]
        inactive = np.flatnonzero(was == Labour.INACTIVE)
        back = inactive[s.uniform("labour.return", t, people.id[inactive]) < cfg.return_rate]

        labour[lost] = Labour.UNEMPLOYED
        people.employer[lost] = -1
        labour[hired] = np.where(at_level, Labour.EMPLOYED_AT_LEVEL, Labour.EMPLOYED_BELOW_LEVEL)
        people.employer[hired] = employer
        labour[unemployed[inactive_mask]] = Labour.INACTIVE
        labour[unemployed[training_mask]] = Labour.TRAINING
        labour[trainees] = Labour.UNEMPLOYED
        trained_level = (people.skill[to_job] == 0) | people.recognised[to_job]
        labour[to_job] = np.where(trained_level, Labour.EMPLOYED_AT_LEVEL, Labour.EMPLOYED_BELOW_LEVEL)
        labour[back] = Labour.UNEMPLOYED
        changed = labour != was
        people.months_in_status[changed] = 0
        still = labour == Labour.UNEMPLOYED
        people.months_unemployed *= still
        people.months_unemployed += still
        sme_hires = int(self.employers.sme[employer].sum())
        return {
            "economy_index": self.economy_index(t),
            "vacancies": int(self.employers.vacancies.sum()),
            "hires": len(hired) + len(to_job),
            "hires_sme": sme_hires,
            "hires_large": len(hired) - sme_hires,
            "unemployed": int(np.count_nonzero(still)),
        }

    def _place(self, t: int, people: Population, offers: np.ndarray, hired: np.ndarray, own_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each hire is at skill level, and which employer hires them."""
        cfg, s = self.cfg, self.streams
        skill = people.skill[hired]
        own = s.uniform("labour.channel", t, people.id[hired]) < own_share
        # the sector of a hire through the any-sector channel, by what each sector offers this person
        boost = self.boost[people.ties[hired]]
        weights = boost * (self.vacancy_share[None, :] * offers[:, skill].T)
        cum = np.cumsum(weights, axis=1)
        pick = s.uniform("labour.hire_sector", t, people.id[hired]) * cum[:, -1]
        other_sector = (cum < pick[:, None]).sum(axis=1).clip(0, self.n_sectors - 1)
        sector = np.where(own, people.sector[hired], other_sector)
        helped = people.recognised[hired] | (people.ties[hired, people.sector[hired]] > 0)
        below = self.below_share[skill] * np.where(helped, 1 - cfg.recognition_or_referral_level_gain, 1.0)
        at_level = np.where(own, s.uniform("labour.level", t, people.id[hired]) >= below, skill == 0)
        employer = self._pick_employers(sector, skill, s.uniform("labour.employer", t, people.id[hired]))
        return at_level, employer

    def _pick_employers(self, sector: np.ndarray, skill: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Employer of each hire: within the sector, by vacancies discounted by that employer's bias."""
        e = self.employers
        order = self.by_sector
        weights = (e.vacancies[order] + 1e-3)[:, None] * self.inv_bias_sorted[int(self.downturn)]  # (employers, skills)
        cum = np.vstack([np.zeros((1, N_SKILLS)), np.cumsum(weights, axis=0)])
        lo = cum[self.sector_first[sector], skill]
        hi = cum[self.sector_last[sector], skill]
        target = lo + u * (hi - lo)
        pos = np.empty(len(sector), dtype=np.int64)
        for k in range(N_SKILLS):  # one search per skill column
            mine = skill == k
            pos[mine] = np.searchsorted(cum[1:, k], target[mine], side="right")
        pos = np.clip(pos, self.sector_first[sector], self.sector_last[sector] - 1)
        out = order[pos].astype(np.int32)
        np.add.at(e.hires, out, 1)
        return out
