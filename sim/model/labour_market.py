"""Employers, the economy and the monthly labour-market flows of the jobseekers (vectorised).

Hiring (DOMAIN.md §2.1, 2.8, 2.10): an unemployed jobseeker's monthly chance of a job is a baseline
rate times an attractiveness (skill, language, local knowledge, recognised qualifications,
motivation, duration of unemployment) times what the vacancies of the month offer after hiring
bias (weaker in shortage occupations and with a diversity plan, stronger for the low-skilled and at
SMEs in downturns), each sector boosted by the referral ties the jobseeker has there. Search goes
partly to one's own sector (jobs at level unless 'brain waste') and partly to any sector (below
level for the medium and highly skilled). Jobs end; training starts and ends; people leave and
re-enter the labour force.

The kernel reads its parameters by name from a ``LABOUR_PARAMS`` record (float64, one a month, built
by ``LabourMarket._monthly_params``): ``scale`` (normalises the hiring hazard so the initial
unemployed find jobs at ``job_finding_rate``), ``own_sector_share`` (share of search in one's own
sector), ``local_knowledge_effect`` (log effect of local knowledge on attractiveness),
``duration_dependence`` (attractiveness lost per month unemployed, floored at 0.4),
``job_loss_rate`` and ``probation_multiplier`` (monthly job loss, higher in the first 6 months),
``economy_index`` (the month's index, floored at 0.2: job loss is divided by it),
``inactivity_rate``, ``training_entry_rate``, ``training_months`` (length of a training spell),
``training_to_job`` (chance of a job when it ends), ``return_rate`` (inactive back to unemployed)
and ``level_gain`` (cut in the below-level share for own-sector hires helped by recognition or a
tie). Its random streams come by name from the ``LABOUR_STREAMS`` record of keys (see
:class:`sim.model.rng.StreamSet`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from sim.model.population import Labour, Population, Status
from sim.model.records import make_records, record_dtype
from sim.model.rng import Streams, StreamSet, uniform_at
from sim.scenario.schema import SKILLS, Scenario, month_index

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
        """Number of employers."""
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
        weight=cfg.large_firm_vacancies_per_month * np.where(sme, cfg.sme_vacancy_weight, 1.0),
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
        self.boost = np.exp(self.cfg.referral_per_tie * np.arange(256).clip(0, self.cfg.referral_cap)).astype(
            np.float32
        )
        self.skill_effect = np.array([self.cfg.skill_effect[s] for s in SKILLS], dtype=np.float32)
        self.static = self._static_attractiveness(people)  # indexed by person id
        self.below_share = np.array([self.cfg.below_level_share[s] for s in SKILLS], dtype=np.float32)
        self.scale = 1.0
        self.params = self._monthly_params()  # scale 1: the raw hazards, to normalise
        normal = self._offer_matrix(employers.weight, downturn=False)
        unemployed = np.flatnonzero(people.labour == Labour.UNEMPLOYED)
        reference = unemployed if len(unemployed) else np.arange(people.n)
        self.scale = self.cfg.job_finding_rate / max(float(self._hazards(people, normal, reference).mean()), 1e-12)
        self.params = self._monthly_params()

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
        """Draw every employer's vacancies for month ``t`` (its weight times the month's demand factor)."""
        e = self.employers
        mean = e.weight * np.where(e.sme, self.sme_factor[t], self.large_factor[t])
        e.vacancies = self.streams.generator("economy.vacancies", t).poisson(mean).astype(np.int32)

    def _offer_matrix(self, vacancies: np.ndarray, downturn: bool) -> np.ndarray:
        """(sectors, skills): vacancies relative to normal, discounted by hiring bias."""
        weighted = vacancies[:, None] * self.inv_bias[int(downturn)]
        out = np.stack(
            [
                np.bincount(self.employers.sector, weights=weighted[:, k], minlength=self.n_sectors)
                for k in range(N_SKILLS)
            ],
            axis=1,
        )
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

    def welcome(self, newcomers: Population) -> None:
        """Newcomers replace leavers: their fixed attractiveness replaces the leavers'."""
        self.static[newcomers.id] = self._static_attractiveness(newcomers)

    def _hazards(self, people: Population, offers: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Monthly hiring chance of jobseekers ``idx`` (used to normalise the baseline rate)."""
        return _hazards(idx, *self._person_arrays(people), *self._offer_arrays(offers), self.boost, self.params[:1])

    def _person_arrays(self, people: Population) -> tuple[np.ndarray, ...]:
        return (
            people.sector,
            people.skill,
            people.ties,
            people.cross_ties,
            people.id,
            self.static,
            people.local_knowledge,
            people.months_unemployed,
        )

    def _offer_arrays(self, offers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weighted = self.vacancy_share[:, None] * offers  # (sectors, skills)
        return offers, weighted

    def _monthly_params(self) -> np.ndarray:
        """The kernel's parameters, one record a month, by name (fields in the module docstring)."""
        cfg = self.cfg
        return make_records(
            LABOUR_PARAMS,
            {
                "scale": self.scale,
                "own_sector_share": cfg.own_sector_share,
                "local_knowledge_effect": cfg.local_knowledge_effect,
                "duration_dependence": cfg.duration_dependence,
                "job_loss_rate": cfg.job_loss_rate,
                "probation_multiplier": cfg.probation_multiplier,
                "economy_index": np.maximum(self.index, 0.2),
                "inactivity_rate": cfg.inactivity_rate,
                "training_entry_rate": cfg.training_entry_rate,
                "training_months": cfg.training_months,
                "training_to_job": cfg.training_to_job,
                "return_rate": cfg.return_rate,
                "level_gain": cfg.recognition_or_referral_level_gain,
            },
            n=self.scenario.months,
        )

    def _employer_weights(self) -> np.ndarray:
        """(employers + 1, skills) cumulative vacancies x (1 / bias), employers grouped by sector."""
        weights = (self.employers.vacancies[self.by_sector] + 1e-3)[:, None] * self.inv_bias_sorted[int(self.downturn)]
        return np.vstack([np.zeros((1, N_SKILLS)), np.cumsum(weights, axis=0)])

    def step(
        self, t: int, people: Population, mentee_training: float = 1.0, mentee_internship: float = 0.0
    ) -> dict[str, float]:
        """One month of flows: turnover, vacancies, hiring, job loss, training and inactivity.

        ``mentee_training`` multiplies training entry of mentees in running pairs; ``mentee_internship``
        adds their monthly chance of an internship arranged through the mentor.
        """
        self.downturn = self.index[t] < self.scenario.economy.downturn_threshold
        self.draw_vacancies(t)
        offers = self._offer_matrix(self.employers.vacancies, self.downturn)
        keys = LABOUR_STREAMS.keys(self.streams, t)
        e = self.employers
        counts = _labour_month(
            people.labour, people.months_in_status, people.employer, people.recognised, people.programme,
            people.pair_started, mentee_training, mentee_internship,
            *self._person_arrays(people), *self._offer_arrays(offers), self.boost, self.params[t : t + 1],
            self.below_share, self._employer_weights(), self.by_sector, self.sector_first, self.sector_last,
            e.hires, e.sme, keys,
        )  # fmt: skip
        return {
            "economy_index": float(self.index[t]),
            "vacancies": int(e.vacancies.sum()),
            "hires": int(counts[0]),
            "hires_sme": int(counts[1]),
            "hires_large": int(counts[0] - counts[1]),
            "hires_from_training": int(counts[3]),
            "unemployed": int(counts[2]),
        }


LABOUR_STREAMS = StreamSet(
    job_loss="labour.job_loss",  # the employed: lose the job
    unemployed_exit="labour.unemployed_exit",  # the unemployed: hired, inactive, training or still unemployed
    training_exit="labour.training_exit",  # end of training: a job or not
    reentry="labour.return",  # the inactive: back to the labour force
    channel="labour.channel",  # a hire: own sector or any sector
    hire_sector="labour.hire_sector",  # a hire through any sector: which sector
    level="labour.level",  # an own-sector hire: at or below one's level
    employer="labour.employer",  # a hire: which employer in the sector
)
LABOUR_PARAMS = record_dtype(
    (
        "scale", "own_sector_share", "local_knowledge_effect", "duration_dependence", "job_loss_rate",
        "probation_multiplier", "economy_index", "inactivity_rate", "training_entry_rate", "training_months",
        "training_to_job", "return_rate", "level_gain",
    )
)  # fmt: skip
UNEMPLOYED, AT_LEVEL, BELOW_LEVEL, TRAINING, INACTIVE = (int(x) for x in Labour)
PAIRED = int(Status.PAIRED)


@numba.njit(cache=True)
def _channels(i, sector, skill, ties, cross_ties, offers, weighted, boost, own_share):  # noqa: ANN001, ANN202
    """Hiring intensity of person ``i`` through their own sector and through any sector (below level).

    The any-sector channel sums what every sector offers, boosted by one's ties there.
    """
    s, k = sector[i], skill[i]
    boost_own = boost[ties[i, s]]
    own = own_share * offers[s, k] * boost_own
    other = 0.0
    for j in range(offers.shape[0]):
        other += weighted[j, k] * (boost_own if j == s else (boost[ties[i, j]] if cross_ties[i] else 1.0))
    return own, (1 - own_share) * other


@numba.njit(cache=True)
def _hazard(i, sector, skill, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted, boost, p):  # noqa: ANN001, ANN202
    """Monthly hiring intensity of person ``i`` (attractiveness x channels) and its two channels."""
    own, other = _channels(i, sector, skill, ties, cross_ties, offers, weighted, boost, p.own_sector_share)
    scarring = max(0.4, 1 - p.duration_dependence * months_unemployed[i])
    attract = static[ids[i]] * np.exp(p.local_knowledge_effect * knowledge[i]) * scarring
    return p.scale * attract * (own + other), own, other


@numba.njit(cache=True)
def _hazards(
    idx, sector, skill, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted, boost, params
):  # noqa: ANN001, ANN202
    p = params[0]
    out = np.empty(len(idx))
    for j in range(len(idx)):
        out[j] = _hazard(idx[j], sector, skill, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted, boost, p)[0]  # fmt: skip
    return out


@numba.njit(cache=True)
def _pick_employer(sec, k, u, cum, order, first, last):  # noqa: ANN001, ANN202
    """Employer within sector ``sec`` drawn by cumulative (vacancies / bias) weights for skill ``k``."""
    lo_i, hi_i = first[sec], last[sec]
    target = cum[lo_i, k] + u * (cum[hi_i, k] - cum[lo_i, k])
    lo, hi = lo_i, hi_i - 1
    while lo < hi:  # first position p with cum[p + 1] > target
        mid = (lo + hi) // 2
        if cum[mid + 1, k] > target:
            hi = mid
        else:
            lo = mid + 1
    return order[lo]


@numba.njit(cache=True)
def _labour_month(
    labour, months_in_status, employer, recognised, programme, pair_started, mentee_training, mentee_internship,
    sector, skill, ties, cross_ties, ids, static, knowledge, months_unemployed,
    offers, weighted, boost, params, below_share, emp_cum, emp_order, first, last, hires, sme, stream_keys,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One month of labour-market flows for every person, in place.

    ``params`` is a ``LABOUR_PARAMS`` record, ``stream_keys`` the month's ``LABOUR_STREAMS`` keys.

    Returns (hires by employers, of which by SMEs, unemployed at the end, jobs found at the end of training).
    """
    p, keys = params[0], stream_keys[0]
    hired = hired_sme = unemployed_now = trained_hires = 0
    for i in range(len(labour)):
        was = labour[i]
        months_in_status[i] += 1
        new = was
        pid = ids[i]
        if AT_LEVEL <= was <= BELOW_LEVEL:  # employed
            loss = p.job_loss_rate * (p.probation_multiplier if months_in_status[i] <= 6 else 1.0) / p.economy_index
            if uniform_at(keys.job_loss, pid) < loss:
                new = UNEMPLOYED
                employer[i] = -1
        elif was == UNEMPLOYED:
            h, own, other = _hazard(i, sector, skill, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted, boost, p)  # fmt: skip
            h = min(h, 0.9)
            train = p.training_entry_rate
            if programme[i] == PAIRED and pair_started[i]:
                train = train * mentee_training + mentee_internship
            u = uniform_at(keys.unemployed_exit, pid)
            if u < h:
                k = skill[i]
                if uniform_at(keys.channel, pid) < own / max(own + other, 1e-12):  # own-sector channel
                    sec = sector[i]
                    helped = recognised[i] or ties[i, sec] > 0
                    below = below_share[k] * ((1 - p.level_gain) if helped else 1.0)
                    at_level = uniform_at(keys.level, pid) >= below
                else:  # any sector, by what each offers this person
                    total = 0.0
                    for j in range(offers.shape[0]):
                        total += weighted[j, k] * boost[ties[i, j]]
                    pick = uniform_at(keys.hire_sector, pid) * total
                    sec, acc = offers.shape[0] - 1, 0.0
                    for j in range(offers.shape[0]):
                        acc += weighted[j, k] * boost[ties[i, j]]
                        if acc >= pick:
                            sec = j
                            break
                    at_level = k == 0
                e = _pick_employer(sec, k, uniform_at(keys.employer, pid), emp_cum, emp_order, first, last)
                employer[i] = e
                hires[e] += 1
                hired += 1
                hired_sme += sme[e]
                new = AT_LEVEL if at_level else BELOW_LEVEL
            elif u < h + p.inactivity_rate:
                new = INACTIVE
            elif u < h + p.inactivity_rate + train:
                new = TRAINING
        elif was == TRAINING:
            if months_in_status[i] >= p.training_months:
                new = UNEMPLOYED
                if uniform_at(keys.training_exit, pid) < p.training_to_job:
                    new = AT_LEVEL if (skill[i] == 0 or recognised[i]) else BELOW_LEVEL
                    trained_hires += 1
        elif was == INACTIVE and uniform_at(keys.reentry, pid) < p.return_rate:
            new = UNEMPLOYED
        if new != was:
            labour[i] = new
            months_in_status[i] = 0
        if new == UNEMPLOYED:
            months_unemployed[i] += 1
            unemployed_now += 1
        else:
            months_unemployed[i] = 0
    return np.array([hired, hired_sme, unemployed_now, trained_hires])
