"""Jobseekers as arrays: attributes drawn at set-up and the labour and programme state they carry."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import IntEnum

import numba
import numpy as np
import scipy.special

from sim.model.rng import Streams, uniform_at
from sim.scenario.schema import AGE_BANDS, AVAILABILITY, LABOUR_STATUSES, SKILLS, Scenario


class Labour(IntEnum):
    """Labour status codes (``Population.labour``)."""

    UNEMPLOYED = 0
    EMPLOYED_AT_LEVEL = 1
    EMPLOYED_BELOW_LEVEL = 2
    TRAINING = 3
    INACTIVE = 4


class Status(IntEnum):
    """Programme status codes (``Population.programme``)."""

    NOT_ENROLLED = 0
    WAITING = 1
    PAIRED = 2
    COMPLETED = 3
    DROPPED_OUT = 4
    COMPARISON = 5


class Exit(IntEnum):
    """How a participant left the programme (``Population.exit_reason``)."""

    NONE = 0
    COMPLETED = 1
    ENDED_EARLY = 2
    NEVER_STARTED = 3
    LEFT_WAITING = 4
    LOST_IN_HANDOVER = 5
    PROGRAMME_ENDED = 6


NO_MONTH = np.int32(-(10**6))  # "never happened" marker for month fields


def is_employed(labour: np.ndarray) -> np.ndarray:
    """Employed at or below level."""
    return (labour == Labour.EMPLOYED_AT_LEVEL) | (labour == Labour.EMPLOYED_BELOW_LEVEL)


def in_codes(values: np.ndarray, codes: Iterable[int]) -> np.ndarray:
    """``np.isin(values, codes)`` for small non-negative codes (Labour, Status, Exit), by a lookup table.

    The same booleans as ``np.isin``, without its sort or per-code passes over a large array.
    """
    table = np.zeros(256, dtype=bool)
    table[list(codes)] = True
    return table[values]


def participants(people: Population) -> np.ndarray:
    """Participants: served by the programme (screened in while funded, or matched), not the comparison group."""
    return people.served & (people.programme != Status.COMPARISON)


def caseload(programme: np.ndarray) -> int:
    """Mentees the organisation is handling: waiting or paired."""
    return int(np.count_nonzero(programme == Status.WAITING) + np.count_nonzero(programme == Status.PAIRED))


@dataclass
class Population:
    """State of all jobseekers, one array element per Jobseeker agent."""

    # attributes (fixed)
    age: np.ndarray  # years at the start
    female: np.ndarray  # bool
    non_eu: np.ndarray  # bool: origin group
    skill: np.ndarray  # 0 low, 1 medium, 2 high
    sector: np.ndarray  # index into scenario.sectors
    language: np.ndarray  # 0-1 proficiency (grows over time when careers move: sim.model.careers)
    recognised: np.ndarray  # bool: recognised qualifications (a monthly hazard when careers move)
    motivation: np.ndarray  # 0-1
    district: np.ndarray  # for location matching
    preference: np.ndarray  # hobby/preference group (0 to programme.matching.preference_groups - 1)
    availability: np.ndarray  # when one can meet: 0 any time, 1 daytime only, 2 evenings only (AVAILABILITY)
    refugee: np.ndarray  # bool: refugee / newly arrived (population.refugee_share by origin group)
    work_permit: np.ndarray  # bool: allowed to work (EU citizens always; population.work_permit_share of non-EU)
    # labour state
    ties: np.ndarray  # (n, sectors) professional ties to employers, by sector
    cross_ties: np.ndarray  # bool: has ties outside one's own sector
    labour: np.ndarray  # Labour code
    months_unemployed: np.ndarray
    months_in_status: np.ndarray  # months in the current labour status (job tenure, training length)
    employer: np.ndarray  # employer index of the current job, -1 if none
    local_knowledge: np.ndarray  # 0-1, gained in a mentoring pair
    # programme state
    programme: np.ndarray  # Status code
    served: (
        np.ndarray
    )  # accepted by a funded organisation (screened) or matched: a participant unless in the comparison group
    exit_reason: np.ndarray  # Exit code
    accepted_month: np.ndarray  # month index t of acceptance into the programme or comparison group
    served_month: np.ndarray  # month the person was served: at acceptance if screened in, when matched if queued
    ready_month: np.ndarray  # first month the mentee can be matched (dual hand-over delay)
    matched_month: np.ndarray
    exit_month: np.ndarray
    mentor: np.ndarray  # mentor index of the current or last pair, -1 if none
    sector_match: np.ndarray  # bool: last mentor was from the mentee's sector
    pair_started: np.ndarray  # bool: the pair held its first meeting
    contact: np.ndarray  # contact intensity of the current pair (1 healthy, 0 silent)
    meetings: np.ndarray  # meetings held in the current pair
    new_ties: np.ndarray  # employer ties gained through the programme
    ties_lost: np.ndarray  # of those, lost since (kept only in part by some groups, or faded: sim.model.careers)
    network_opened: np.ndarray  # bool
    id: np.ndarray  # index in the full population: the key of this person's random draws

    @property
    def n(self) -> int:
        """Number of people."""
        return len(self.age)

    def nbytes(self) -> int:
        """Memory held by the arrays (bytes)."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))

    def subset(self, idx: np.ndarray) -> Population:
        """The people ``idx`` only, keeping their identities (and so their random draws)."""
        return Population(**{f.name: getattr(self, f.name)[idx].copy() for f in fields(self)})


POPULATION_FIELDS = tuple(f.name for f in fields(Population))  # the arrays, in declaration order


def _beta(u: np.ndarray, mean: float, strength: float = 6.0) -> np.ndarray:
    """Beta(mean, strength) by inversion (a tabulated quantile function).

    So each person's value depends on their own draw only.
    """
    return np.interp(u, _GRID, _beta_quantiles(min(max(mean, 1e-3), 1 - 1e-3), strength)).astype(np.float32)


_GRID = np.linspace(0.0, 1.0, 4097)


@functools.cache
def _beta_quantiles(mean: float, strength: float) -> np.ndarray:
    return scipy.special.betaincinv(mean * strength, (1 - mean) * strength, _GRID)


@functools.cache
def _poisson_cdf(mean: float) -> np.ndarray:
    # scipy.stats.poisson.cdf of whole numbers is this function (scipy.stats costs a second to import)
    return scipy.special.pdtr(np.arange(int(mean + 12 * np.sqrt(mean) + 12)), mean)


PEOPLE_STREAMS = tuple(
    f"people.{name}"
    for name in (
        "age_band", "age", "skill", "sector", "labour", "ties", "months_unemployed", "female", "origin",
        "language", "recognised", "motivation", "district", "preference", "tenure", "availability", "refugee",
        "work_permit",
    )
)  # fmt: skip


def draw_people(
    scenario: Scenario,
    streams: Streams,
    ids: np.ndarray,
    month: int,
    initial: bool = False,
    tables: tuple[np.ndarray, ...] | None = None,
) -> Population:
    """Draw people ``ids``: at set-up (``initial``, ``month`` -1) with the initial labour status, later as newcomers.

    Every attribute comes from the person's own counter-based draw, so the same person is drawn the
    same in every scenario of a comparison (common random numbers). The categories, shares and casts
    are one compiled pass (:func:`_categories`); the beta and exponential draws stay in NumPy.
    ``tables``: :func:`category_tables` of the scenario, when the caller keeps them (they cost as much as
    drawing a month's newcomers).
    """
    pop, n = scenario.population, len(ids)
    draws = streams.uniform_rows(PEOPLE_STREAMS, month, ids)

    def u(name: str) -> np.ndarray:
        return draws[_STREAM_ROW[name]]

    cats = _categories(draws, *(tables or category_tables(scenario)), initial)
    age, skill, sector, labour, availability, ties, female, non_eu, recognised, refugee, permit, district, pref = cats
    mean_unemployed = pop.initial_months_unemployed_mean if initial else 0.0
    months_unemployed = np.where(labour == Labour.UNEMPLOYED, -mean_unemployed * np.log1p(-u("months_unemployed")), 0)
    no_month = np.full(n, NO_MONTH, dtype=np.int32)
    return Population(
        age=age,
        female=female,
        non_eu=non_eu,
        skill=skill,
        sector=sector,
        language=_beta(u("language"), pop.language_mean),
        recognised=recognised,
        motivation=_beta(u("motivation"), pop.motivation_mean),
        district=district,
        preference=pref,
        availability=availability,
        refugee=refugee,
        work_permit=permit,
        ties=ties,
        cross_ties=np.zeros(n, dtype=bool),
        labour=labour,
        months_unemployed=months_unemployed.astype(np.int16),
        months_in_status=_initial_tenure(u("tenure"), labour, scenario) if initial else np.zeros(n, dtype=np.int16),
        employer=np.full(n, -1, dtype=np.int32),
        local_knowledge=np.zeros(n, dtype=np.float32),
        programme=np.zeros(n, dtype=np.int8),
        served=np.zeros(n, dtype=bool),
        exit_reason=np.zeros(n, dtype=np.int8),
        accepted_month=no_month.copy(),
        served_month=no_month.copy(),
        ready_month=no_month.copy(),
        matched_month=no_month.copy(),
        exit_month=no_month.copy(),
        mentor=np.full(n, -1, dtype=np.int32),
        sector_match=np.zeros(n, dtype=bool),
        pair_started=np.zeros(n, dtype=bool),
        contact=np.zeros(n, dtype=np.float32),
        meetings=np.zeros(n, dtype=np.int16),
        new_ties=np.zeros(n, dtype=np.int16),
        ties_lost=np.zeros(n, dtype=np.int16),
        network_opened=np.zeros(n, dtype=bool),
        id=np.asarray(ids, dtype=np.int64),
    )


def category_tables(scenario: Scenario) -> tuple[np.ndarray, ...]:
    """What :func:`_categories` needs of a scenario: cumulative shares (the last left out), bounds and shares."""
    pop, matching = scenario.population, scenario.programme.matching

    def cum(shares: list[float]) -> np.ndarray:  # np.cumsum(shares)[:-1]: the same sequential sums
        return np.array(list(itertools.accumulate(shares))[:-1], dtype=np.float64)

    return (
        np.array([[int(x) for x in b.split("-")] for b in AGE_BANDS], dtype=np.int64),  # (bands, low/high)
        cum([pop.age_bands[b] for b in AGE_BANDS]),
        cum([pop.skill_shares[s] for s in SKILLS]),
        cum([s.jobseeker_share for s in scenario.sectors]),
        cum([pop.initial_status[s] for s in LABOUR_STATUSES]),
        cum([matching.mentee_availability[a] for a in AVAILABILITY]),
        _poisson_cdf(pop.initial_ties_mean),
        np.array([pop.recognised_qualifications[s] for s in SKILLS], dtype=np.float32),
        np.array(
            [
                pop.female_share, pop.non_eu_share, pop.refugee_share["non_eu"], pop.refugee_share["eu"],
                pop.work_permit_share, matching.districts, matching.preference_groups,
            ],
            dtype=np.float64,
        ),
    )  # fmt: skip


_STREAM_ROW = {name.removeprefix("people."): row for row, name in enumerate(PEOPLE_STREAMS)}
_AGE_BAND, _AGE, _SKILL, _SECTOR, _LABOUR, _TIES = (
    _STREAM_ROW[x] for x in ("age_band", "age", "skill", "sector", "labour", "ties")
)
_FEMALE, _ORIGIN, _RECOGNISED, _DISTRICT, _PREFERENCE, _AVAILABILITY, _REFUGEE, _PERMIT = (
    _STREAM_ROW[x]
    for x in ("female", "origin", "recognised", "district", "preference", "availability", "refugee", "work_permit")
)


@numba.njit(cache=True, inline="always")
def _category(cum: np.ndarray, u: float) -> int:
    """Category of draw ``u`` under cumulative shares ``cum`` (``np.searchsorted(cum, u, side="right")``)."""
    c = 0
    while c < len(cum) and cum[c] <= u:
        c += 1
    return c


@numba.njit(cache=True)
def _categories(
    draws, bounds, age_cum, skill_cum, sector_cum, labour_cum, availability_cum, ties_cdf, recognised_share, shares,
    initial,
):  # noqa: ANN001, ANN202  # fmt: skip
    """The categorical and Bernoulli attributes of people from their draws (rows in ``PEOPLE_STREAMS`` order).

    ``shares``: female, non-EU, refugee (non-EU, EU) and work-permit shares, districts, preference groups.
    Returns age, skill, sector, labour (unemployed unless ``initial``), availability, ties in one's own
    sector (by ``sectors`` columns), female, non-EU, recognised, refugee, work permit, district, preference.
    """
    n, k = draws.shape[1], len(sector_cum) + 1
    age = np.empty(n, np.int16)
    skill, sector, labour, availability = np.zeros((4, n), np.int8)  # rows of one array
    district, preference = np.empty((2, n), np.int8)
    ties = np.zeros((n, k), np.uint8)
    female, non_eu, recognised, refugee, permit = np.empty((5, n), np.bool_)
    for i in range(n):
        band = _category(age_cum, draws[_AGE_BAND, i])
        low, high = bounds[band, 0], bounds[band, 1]
        age[i] = np.int16(low + draws[_AGE, i] * (high - low + 1))
        skill[i] = _category(skill_cum, draws[_SKILL, i])
        sector[i] = _category(sector_cum, draws[_SECTOR, i])
        if initial:
            labour[i] = _category(labour_cum, draws[_LABOUR, i])
        availability[i] = _category(availability_cum, draws[_AVAILABILITY, i])
        ties[i, sector[i]] = min(_category(ties_cdf, draws[_TIES, i]), len(ties_cdf) - 1, 255)
        female[i] = draws[_FEMALE, i] < shares[0]
        non_eu[i] = draws[_ORIGIN, i] < shares[1]
        recognised[i] = draws[_RECOGNISED, i] < recognised_share[skill[i]]
        refugee[i] = draws[_REFUGEE, i] < (shares[2] if non_eu[i] else shares[3])
        permit[i] = (not non_eu[i]) or draws[_PERMIT, i] < shares[4]
        district[i] = np.int8(draws[_DISTRICT, i] * shares[5])
        preference[i] = np.int8(draws[_PREFERENCE, i] * shares[6])
    return (
        age,
        skill,
        sector,
        labour,
        availability,
        ties,
        female,
        non_eu,
        recognised,
        refugee,
        permit,
        district,
        preference,
    )


def _initial_tenure(u: np.ndarray, labour: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Months already spent in the initial status: up to two years, within the course for trainees."""
    span = np.where(labour == Labour.TRAINING, scenario.labour_market.training_months, 24)
    return (u * span).astype(np.int16)


def build_population(scenario: Scenario, streams: Streams) -> Population:
    """Draw the jobseekers of a scenario (identical for the programme and its twin)."""
    return draw_people(scenario, streams, np.arange(scenario.population.size), -1, initial=True)


def turnover(
    scenario: Scenario,
    streams: Streams,
    people: Population,
    t: int,
    exempt: np.ndarray,
    tables: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, Population] | None:
    """People who leave the region's labour force for good are replaced by unemployed newcomers.

    Programme applicants are exempt from the moment they apply (``exempt``), so participants keep
    their identity. ``t`` keys the draws (burn-in months are negative). Returns the rows that left
    and the newcomers who took them (their ``id`` says whom they replaced), or None. ``tables``: as
    in :func:`draw_people`.
    """
    rate = scenario.population.turnover_rate
    if rate <= 0:
        return None
    leaving = _leavers(exempt, people.id, np.uint64(streams.key("people.turnover", t)), rate)
    if len(leaving) == 0:
        return None
    newcomers = draw_people(scenario, streams, people.id[leaving], t, tables=tables)
    settle(people, leaving, newcomers)
    return leaving, newcomers


@numba.njit(cache=True)
def _leavers(exempt, ids, key, rate):  # noqa: ANN001, ANN202
    """Rows not ``exempt`` whose ``people.turnover`` draw (by id, under ``key``) is below ``rate``, in row order.

    One pass instead of the candidates' indices, their ids and their draws as arrays (the same rows).
    """
    out = np.empty(len(ids), np.int64)
    n = 0
    for i in range(len(ids)):
        if not exempt[i] and uniform_at(key, ids[i]) < rate:
            out[n] = i
            n += 1
    return out[:n].copy()


def settle(people: Population, rows: np.ndarray, newcomers: Population) -> None:
    """Newcomers take the rows of those who left: every attribute and state is theirs."""
    for name in POPULATION_FIELDS:
        getattr(people, name)[rows] = getattr(newcomers, name)
