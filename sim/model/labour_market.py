"""Employers, the economy and the monthly labour-market flows of the jobseekers (vectorised).

Hiring (DOMAIN.md §2.1, 2.8, 2.10, §5-6): employers open a finite number of openings each month
(per employer, by sector and size, fewer in a downturn). Every unemployed jobseeker directs a hiring
intensity at each sector: a scale times their attractiveness (skill, language, local knowledge,
recognised qualifications, motivation, duration of unemployment) times the share of a native's
chance the hiring employers give their origin group (callback gap widened at the offer stage; weaker
in shortage occupations and with a diversity plan, stronger for the low-skilled and at SMEs in
downturns), boosted by the referral ties the jobseeker has in that sector. A reference group of
natives and EU citizens (a mean-field stock, no bias) competes for the same openings. In each sector
the hires follow ``H = A V / (A + V)`` (applications ``A``, openings ``V``), so each applicant's
chance is their intensity times ``V / (A + V)``: openings run out, and a mentee hired can be a job
someone else does not get. The scale is set so the reference group finds work at
``job_finding_rate``; migrant-background jobseekers' chances follow (no rescaling). Search goes
partly to one's own sector (jobs at level unless 'brain waste') and partly to any sector (below
level for the medium and highly skilled); the hiring employer is drawn by openings and bias. Jobs
end; training starts and ends; people leave and re-enter the labour force. Before these flows, careers
move (:mod:`sim.model.careers`: job-to-job moves up to one's level, language and recognition that
improve, mentoring gains that fade, the mentor's support that lowers job loss in a new job).

The kernel reads its parameters by name from a ``LABOUR_PARAMS`` record (float64, one a month, built
by ``LabourMarket._monthly_params``): ``scale`` (sets the hiring intensity so the reference group
finds jobs at ``job_finding_rate``), ``own_sector_share`` (share of search in one's own
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

from sim.model.careers import Careers
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
    weight: np.ndarray  # expected openings a month in normal times (set by LabourMarket.calibrate)
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
        weight=np.where(sme, cfg.sme_vacancy_weight, 1.0),  # relative; LabourMarket.calibrate sets the totals
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
    """Monthly openings, hiring, job loss, training and inactivity for the whole population.

    Openings are finite: in each sector the month's hires follow a matching function of the
    applications ``A`` (every unemployed jobseeker's hiring intensity there, migrant-background
    jobseekers and the reference group of natives and EU citizens) and the openings ``V``,
    ``H = A V / (A + V)``, so that each applicant's chance is their intensity times the crowding
    factor ``V / (A + V)``: with plentiful openings nobody competes, with few openings a mentee hired
    is a job another jobseeker does not get (displacement).
    """

    def __init__(self, scenario: Scenario, employers: Employers, people: Population, streams: Streams) -> None:
        self.cfg = scenario.labour_market
        self.scenario = scenario
        self.employers = employers
        self.streams = streams
        self.large_factor, self.sme_factor = economy_factors(scenario)
        self.by_sector = np.argsort(employers.sector, kind="stable")  # employers grouped by sector
        bounds = np.searchsorted(employers.sector[self.by_sector], np.arange(len(scenario.sectors) + 1))
        self.sector_first, self.sector_last = bounds[:-1], bounds[1:]
        self.n_sectors = len(scenario.sectors)
        self.vacancy_share = np.array([s.vacancy_share for s in scenario.sectors])
        self.inv_bias = np.stack([self._inverse_bias(downturn) for downturn in (False, True)])
        self.inv_bias_sorted = self.inv_bias[:, :, self.by_sector]
        self.downturn = False
        self.boost = np.exp(self.cfg.referral_per_tie * np.arange(256).clip(0, self.cfg.referral_cap)).astype(
            np.float32
        )
        self.skill_effect = np.array([self.cfg.skill_effect[s] for s in SKILLS], dtype=np.float32)
        self.static = self._static_attractiveness(people)  # indexed by person id
        self.below_share = np.array([self.cfg.below_level_share[s] for s in SKILLS], dtype=np.float32)
        self.careers = Careers(self.cfg, streams, people.n)
        self.calibrate(people)

    # -- set-up --------------------------------------------------------------------------------
    def calibrate(self, people: Population) -> None:
        """Set the hiring scale and the openings from the reference group's job-finding rate and the tightness.

        In normal times at this state: the reference group (natives and EU citizens, no bias, average
        attractiveness) finds work at ``job_finding_rate``; openings are ``vacancy_tightness`` times the
        hires that unlimited openings would bring, spread over sectors by their vacancy share. The
        gaps of the migrant-background jobseekers then follow from bias and attractiveness (there is
        no rescaling of their chances). The reference group's unemployed stock starts at
        ``reference_unemployed_ratio`` times the unemployed here, in a steady state of its flows.
        """
        cfg, e = self.cfg, self.employers
        unemployed = int(np.count_nonzero(people.labour == Labour.UNEMPLOYED))
        self.reference_unemployed = cfg.reference_unemployed_ratio * max(unemployed, 1)
        self.scale = 1.0
        self.params = make_records(LABOUR_PARAMS, self._param_values(1.0, 1.0), n=1)
        open_normal = self._openness(e.weight, downturn=False)
        raw = self._demand(people, open_normal) + self.reference_unemployed * self.vacancy_share
        openings = cfg.vacancy_tightness * raw.sum() * self.vacancy_share
        crowding = openings / np.maximum(raw + openings, 1e-12)
        self.scale = cfg.job_finding_rate / max(float((self.vacancy_share * crowding).sum()), 1e-12)
        per_sector = np.bincount(e.sector, weights=e.weight, minlength=self.n_sectors)
        e.weight = e.weight * (self.scale * openings / np.maximum(per_sector, 1e-12))[e.sector]
        w, large = e.weight, ~e.sme
        self.index = (np.outer(self.large_factor, w * large) + np.outer(self.sme_factor, w * e.sme)).sum(
            axis=1
        ) / w.sum()
        hazard = min(cfg.job_finding_rate, 0.9)
        self.reference_labour_force = self.reference_unemployed * (1 + hazard / max(cfg.job_loss_rate, 1e-12))
        self.params = self._monthly_params()
        self.normal = make_records(LABOUR_PARAMS, self._param_values(self.scale, 1.0), n=1)

    # -- economy -----------------------------------------------------------------------------
    def economy_index(self, t: int) -> float:
        """Vacancy-weighted economy index of month ``t`` (1 normal)."""
        return float(self.index[t])

    def _inverse_bias(self, downturn: bool) -> np.ndarray:
        """(origin groups non-EU / EU, employers, skills): 1 / hiring ratio, the share of a native's chance.

        The callback ratio (shortage or not, low-skill extra, SMEs in a downturn, less with a diversity
        plan) widens at the offer stage by ``offer_gap_multiplier``; EU-origin jobseekers face
        ``eu_origin_bias_share`` of the gap (DOMAIN.md §5-6).
        """
        cfg, e = self.cfg, self.employers
        base = np.where(e.hard_to_fill, cfg.bias_shortage, cfg.bias_non_shortage)[:, None]
        low = np.array([cfg.bias_low_skill_extra, 1.0, 1.0])[None, :]
        sme = np.where(e.sme & downturn, cfg.sme_downturn_bias, 1.0)[:, None]
        callback = base * low * sme
        excess = (callback - 1) * np.where(e.diversity_plan, 1 - cfg.diversity_plan_bias_reduction, 1.0)[:, None]
        groups = np.array([1.0, cfg.eu_origin_bias_share])[:, None, None]
        return 1.0 / (1 + excess[None] * cfg.offer_gap_multiplier * groups)

    def draw_vacancies(self, month: int) -> None:
        """Draw every employer's openings for ``month`` (its weight times the month's demand factor).

        Burn-in months (negative) have a normal economy.
        """
        e = self.employers
        factor = np.where(e.sme, self.sme_factor[month], self.large_factor[month]) if month >= 0 else 1.0
        e.vacancies = self.streams.generator("economy.vacancies", month).poisson(e.weight * factor).astype(np.int32)

    def _openness(self, vacancies: np.ndarray, downturn: bool) -> np.ndarray:
        """(groups, sectors, skills): the opening-weighted share of a native's chance in each sector."""
        total, out = _opening_sums(self.employers.sector, vacancies, self.inv_bias[int(downturn)], self.n_sectors)
        return out / np.maximum(total, 1e-12)[None, :, None]

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

    def _demand(self, people: Population, offers: np.ndarray) -> np.ndarray:
        """(sectors,) hiring intensity the unemployed here direct at each sector if openings were unlimited."""
        return _demand(
            people.labour, *self._person_arrays(people), *self._offer_arrays(offers), self.boost, self.params
        )

    def _person_arrays(self, people: Population) -> tuple[np.ndarray, ...]:
        return (
            people.sector,
            people.skill,
            people.non_eu,
            people.ties,
            people.cross_ties,
            people.id,
            self.static,
            people.local_knowledge,
            people.months_unemployed,
        )

    def _offer_arrays(self, offers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weighted = self.vacancy_share[None, :, None] * offers  # (groups, sectors, skills)
        return offers, weighted

    def _param_values(self, scale: float, index: float | np.ndarray) -> dict[str, float | np.ndarray]:
        cfg = self.cfg
        return {
            "scale": scale,
            "own_sector_share": cfg.own_sector_share,
            "local_knowledge_effect": cfg.local_knowledge_effect,
            "duration_dependence": cfg.duration_dependence,
            "job_loss_rate": cfg.job_loss_rate,
            "probation_multiplier": cfg.probation_multiplier,
            "economy_index": np.maximum(index, 0.2),
            "inactivity_rate": cfg.inactivity_rate,
            "training_entry_rate": cfg.training_entry_rate,
            "training_months": cfg.training_months,
            "training_to_job": cfg.training_to_job,
            "return_rate": cfg.return_rate,
            "level_gain": cfg.recognition_or_referral_level_gain,
        }

    def _monthly_params(self) -> np.ndarray:
        """The kernel's parameters, one record a month, by name (fields in the module docstring)."""
        return make_records(LABOUR_PARAMS, self._param_values(self.scale, self.index), n=self.scenario.months)

    def _employer_weights(self, downturn: bool) -> np.ndarray:
        """(groups, employers + 1, skills) cumulative openings x (1 / bias), employers grouped by sector."""
        return _cumulative_weights(self.employers.vacancies, self.by_sector, self.inv_bias_sorted[int(downturn)])

    def step(
        self, t: int, people: Population, mentee_training: float = 1.0, mentee_internship: float = 0.0
    ) -> dict[str, float]:
        """One month of flows: openings, hiring, job loss, training and inactivity.

        ``mentee_training`` multiplies training entry of mentees in running pairs; ``mentee_internship``
        adds their monthly chance of an internship arranged through the mentor.
        """
        self.downturn = bool(self.index[t] < self.scenario.economy.downturn_threshold)
        self.draw_vacancies(t)
        return self._month(t, people, self.params[t : t + 1], mentee_training, mentee_internship)

    def burn_in(self, k: int, people: Population) -> None:
        """Burn-in month ``k`` (before the start): normal economy, no programme, keys of their own."""
        self.downturn = False
        month = -2 - k  # -1 keys the set-up draws
        self.draw_vacancies(month)
        self._month(month, people, self.normal, 1.0, 0.0)

    def _month(
        self, month: int, people: Population, params: np.ndarray, mentee_training: float, mentee_internship: float
    ) -> dict[str, float]:
        e, p = self.employers, params[0]
        moved = self.careers.month(month, people, self.static, float(p["economy_index"]))  # sim.model.careers
        openness = self._openness(e.vacancies, self.downturn)
        openings = np.bincount(e.sector, weights=e.vacancies, minlength=self.n_sectors)
        reference = p["scale"] * self.reference_unemployed * self.vacancy_share
        demand = _demand(people.labour, *self._person_arrays(people), *self._offer_arrays(openness), self.boost, params)
        crowding = openings / np.maximum(demand + reference + openings, 1e-12)
        offers = openness * crowding[None, :, None]
        keys = LABOUR_STREAMS.keys(self.streams, month)
        counts = _labour_month(
            people.labour, people.months_in_status, people.employer, people.recognised, people.programme,
            people.pair_started, self.careers.loss_factor, mentee_training, mentee_internship,
            *self._person_arrays(people), *self._offer_arrays(offers), self.boost, params,
            self.below_share, self._employer_weights(self.downturn), self.by_sector, self.sector_first,
            self.sector_last, e.hires, e.sme, keys,
        )  # fmt: skip
        hires_reference = self._reference_month(float(p["scale"]), crowding, float(p["economy_index"]), p)
        return {
            "economy_index": float(self.index[month]) if month >= 0 else 1.0,
            "vacancies": int(e.vacancies.sum()),
            "hires": int(counts[0]),
            "hires_sme": int(counts[1]),
            "hires_large": int(counts[0] - counts[1]),
            "hires_from_training": int(counts[3]),
            "hires_reference": hires_reference,
            "unemployed": int(counts[2]),
            "unemployed_reference": self.reference_unemployed,
            **moved,
        }

    def _reference_month(self, scale: float, crowding: np.ndarray, index: float, p: np.void) -> float:
        """The reference group's unemployed stock: expected hires out, expected job losses in (mean field)."""
        hazard = min(0.9, scale * float((self.vacancy_share * crowding).sum()))
        hires = hazard * self.reference_unemployed
        losses = float(p["job_loss_rate"]) / index * (self.reference_labour_force - self.reference_unemployed)
        self.reference_unemployed = max(self.reference_unemployed + losses - hires, 0.0)
        return hires


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
def _opening_sums(sector, vacancies, inv_bias, n_sectors):  # noqa: ANN001, ANN202
    """(sectors,) openings and (groups, sectors, skills) openings x (1 / bias), summed over each sector's employers.

    ``inv_bias`` is (groups, employers, skills). The sums run in employer order, as ``np.bincount`` adds.
    """
    total = np.zeros(n_sectors)
    out = np.zeros((inv_bias.shape[0], n_sectors, inv_bias.shape[2]))
    for e in range(len(sector)):
        total[sector[e]] += vacancies[e]
    for g in range(inv_bias.shape[0]):
        for k in range(inv_bias.shape[2]):
            for e in range(len(sector)):
                out[g, sector[e], k] += vacancies[e] * inv_bias[g, e, k]
    return total, out


@numba.njit(cache=True)
def _cumulative_weights(vacancies, order, inv_bias):  # noqa: ANN001, ANN202
    """(groups, employers + 1, skills): running sums of (openings + 0.001) x (1 / bias) over employers in ``order``.

    ``inv_bias`` is (groups, employers, skills) in that order; the first row is 0 (as ``np.cumsum`` after a zero).
    """
    groups, n, skills = inv_bias.shape
    out = np.zeros((groups, n + 1, skills))
    for g in range(groups):
        for k in range(skills):
            acc = 0.0
            for j in range(n):
                acc += (vacancies[order[j]] + 1e-3) * inv_bias[g, j, k]
                out[g, j + 1, k] = acc
    return out


@numba.njit(cache=True, inline="always")  # inlined into the kernels: a call per person costs
def _channels(i, sector, skill, origin, ties, cross_ties, offers, weighted, boost, own_share):  # noqa: ANN001, ANN202
    """Hiring intensity of person ``i`` through their own sector and through any sector (below level).

    ``offers`` and ``weighted`` are (origin groups, sectors, skills); group 0 is non-EU origin, 1 EU.
    The any-sector channel sums what every sector offers, boosted by one's ties there.
    """
    s, k, g = sector[i], skill[i], 0 if origin[i] else 1
    boost_own = boost[ties[i, s]]
    own = own_share * offers[g, s, k] * boost_own
    other = 0.0
    cross = cross_ties[i]
    for j in range(offers.shape[1]):  # ties outside one's sector count only with cross ties (as in _demand)
        other += weighted[g, j, k] * (boost_own if j == s else (boost[ties[i, j]] if cross else 1.0))
    return own, (1 - own_share) * other


@numba.njit(cache=True, inline="always")
def _attract(i, ids, static, knowledge, months_unemployed, scale, knowledge_effect, duration_dependence):  # noqa: ANN001, ANN202
    """Scale x attractiveness of person ``i`` (fixed traits, local knowledge, scarring by unemployment).

    Parameters come as scalars: a record passed to a compiled helper per person is copied each call.
    """
    scarring = max(0.4, 1 - duration_dependence * months_unemployed[i])
    return scale * static[ids[i]] * np.exp(knowledge_effect * knowledge[i]) * scarring


@numba.njit(cache=True, inline="always")
def _hazard(
    i, sector, skill, origin, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted, boost,
    scale, own_share, knowledge_effect, duration_dependence,
):  # noqa: ANN001, ANN202  # fmt: skip
    """Monthly hiring intensity of person ``i`` (attractiveness x channels) and its two channels."""
    own, other = _channels(i, sector, skill, origin, ties, cross_ties, offers, weighted, boost, own_share)
    attract = _attract(i, ids, static, knowledge, months_unemployed, scale, knowledge_effect, duration_dependence)
    return attract * (own + other), own, other


@numba.njit(cache=True)
def _demand(
    labour, sector, skill, origin, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted,
    boost, params,
):  # noqa: ANN001, ANN202  # fmt: skip
    """(sectors,) summed hiring intensity of the unemployed in each sector, before crowding."""
    p = params[0]
    scale, own_share, knowledge_effect, scarring = (
        p.scale,
        p.own_sector_share,
        p.local_knowledge_effect,
        p.duration_dependence,
    )
    out = np.zeros(offers.shape[1])
    for i in range(len(labour)):
        if labour[i] != UNEMPLOYED:
            continue
        s, k, g = sector[i], skill[i], 0 if origin[i] else 1
        a = _attract(i, ids, static, knowledge, months_unemployed, scale, knowledge_effect, scarring)
        boost_own = boost[ties[i, s]]
        out[s] += a * own_share * offers[g, s, k] * boost_own
        rest = a * (1 - own_share)
        cross = cross_ties[i]
        for j in range(offers.shape[1]):  # the referral boost of _channels, inlined (a call here costs 4x)
            out[j] += rest * weighted[g, j, k] * (boost_own if j == s else (boost[ties[i, j]] if cross else 1.0))
    return out


@numba.njit(cache=True)
def _pick_employer(sec, g, k, u, cum, order, first, last):  # noqa: ANN001, ANN202
    """Employer within sector ``sec`` drawn by cumulative (openings / bias) weights for group ``g``, skill ``k``."""
    lo_i, hi_i = first[sec], last[sec]
    target = cum[g, lo_i, k] + u * (cum[g, hi_i, k] - cum[g, lo_i, k])
    lo, hi = lo_i, hi_i - 1
    while lo < hi:  # first position p with cum[p + 1] > target
        mid = (lo + hi) // 2
        if cum[g, mid + 1, k] > target:
            hi = mid
        else:
            lo = mid + 1
    return order[lo]


@numba.njit(cache=True)
def _labour_month(
    labour, months_in_status, employer, recognised, programme, pair_started, loss_factor, mentee_training,
    mentee_internship, sector, skill, origin, ties, cross_ties, ids, static, knowledge, months_unemployed,
    offers, weighted, boost, params, below_share, emp_cum, emp_order, first, last, hires, sme, stream_keys,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One month of labour-market flows for every person, in place.

    ``params`` is a ``LABOUR_PARAMS`` record, ``stream_keys`` the month's ``LABOUR_STREAMS`` keys;
    ``loss_factor`` multiplies each person's job loss (the mentor's retention support, sim.model.careers).

    Returns (hires by employers, of which by SMEs, unemployed at the end, jobs found at the end of training).
    """
    p, keys = params[0], stream_keys[0]
    scale, own_share, knowledge_effect, scarring = (
        p.scale,
        p.own_sector_share,
        p.local_knowledge_effect,
        p.duration_dependence,
    )
    hired = hired_sme = unemployed_now = trained_hires = 0
    for i in range(len(labour)):
        was = labour[i]
        months_in_status[i] += 1
        new = was
        pid = ids[i]
        if AT_LEVEL <= was <= BELOW_LEVEL:  # employed
            loss = p.job_loss_rate * (p.probation_multiplier if months_in_status[i] <= 6 else 1.0) / p.economy_index
            loss *= loss_factor[i]
            if uniform_at(keys.job_loss, pid) < loss:
                new = UNEMPLOYED
                employer[i] = -1
        elif was == UNEMPLOYED:
            h, own, other = _hazard(
                i, sector, skill, origin, ties, cross_ties, ids, static, knowledge, months_unemployed, offers, weighted,
                boost, scale, own_share, knowledge_effect, scarring,
            )  # fmt: skip
            h = min(h, 0.9)
            train = p.training_entry_rate
            if programme[i] == PAIRED and pair_started[i]:
                train = train * mentee_training + mentee_internship
            u = uniform_at(keys.unemployed_exit, pid)
            if u < h:
                k, g = skill[i], 0 if origin[i] else 1
                if uniform_at(keys.channel, pid) < own / max(own + other, 1e-12):  # own-sector channel
                    sec = sector[i]
                    helped = recognised[i] or ties[i, sec] > 0
                    below = below_share[k] * ((1 - p.level_gain) if helped else 1.0)
                    at_level = uniform_at(keys.level, pid) >= below
                else:  # any sector, by what each offers this person
                    s, cross = sector[i], cross_ties[i]  # the referral boost of _channels
                    total = 0.0
                    for j in range(offers.shape[1]):
                        total += weighted[g, j, k] * (boost[ties[i, j]] if (j == s or cross) else 1.0)
                    pick = uniform_at(keys.hire_sector, pid) * total
                    sec, acc = offers.shape[1] - 1, 0.0
                    for j in range(offers.shape[1]):
                        acc += weighted[g, j, k] * (boost[ties[i, j]] if (j == s or cross) else 1.0)
                        if acc >= pick:
                            sec = j
                            break
                    at_level = k == 0
                e = _pick_employer(sec, g, k, uniform_at(keys.employer, pid), emp_cum, emp_order, first, last)
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
