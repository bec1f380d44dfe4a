"""Scenario schema: every parameter of the model with its description, unit, default and source.

The pydantic models below are the documentation of the YAML format. Each field carries
``unit`` and ``source`` in its ``json_schema_extra``; ``mentorsim describe`` prints them.
Numeric values may be written in YAML as a plain number or as a record
``{value: ..., unit: ..., source: ..., range: [low, high]}`` (unwrapped by :mod:`sim.scenario.loader`).
"""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

P15 = "Petrovic 2015 [P15] (DOMAIN.md)"
VDC = "Vandermeerschen & De Cuyper 2019 [VDC19] (DOMAIN.md)"
STATBEL = "Statbel labour-market transitions 2021-2023 (DOMAIN.md §5)"
ASSUME = "assumption"

SKILLS: tuple[Literal["low", "medium", "high"], ...] = ("low", "medium", "high")
GENDERS = ("female", "male")
ORIGINS = ("eu", "non_eu")
AGE_BANDS = ("18-25", "26-45", "46-64")
LABOUR_STATUSES = ("unemployed", "employed_at_level", "employed_below_level", "training", "inactive")
AVAILABILITY = ("flexible", "daytime", "evenings")  # when one can meet; codes 0, 1, 2 in the model

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _check_month(text: str) -> str:
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"a month must be written YYYY-MM with a month 01-12, got {text!r}")
    return text


YearMonth = Annotated[str, AfterValidator(_check_month)]


def month_index(text: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` string (so that differences are month counts)."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


NUMBER_CEILING = 10**12  # the upper bound of a number whose P() gives none: finite, and safe in 64-bit arithmetic
LOG_CEILING = 20  # the bounds of a log-scale number (unit "log ...") whose P() gives none: a factor of e^20 ~ 5e8
FIRST_YEAR, LAST_YEAR = 1900, 2200  # the supported calendar: every month of a scenario lies in these years
MAX_NAME_BYTES = 100  # a scenario or study name becomes a folder name (most file systems allow 255 bytes)


def _fits_a_folder(name: str) -> str:
    if len(name.encode()) > MAX_NAME_BYTES:
        raise ValueError(
            f"the name is {len(name.encode())} bytes long; it names the results folder, at most {MAX_NAME_BYTES} "
            "bytes (put the rest in description)"
        )
    return name


FolderName = Annotated[str, AfterValidator(_fits_a_folder)]  # a scenario's or study's name: a results folder


def P(default: Any, description: str, unit: str = "", source: str = ASSUME, **constraints: Any) -> Any:
    """A documented parameter: default, description, unit and source in one place.

    A number without an upper bound (``le`` or ``lt``) gets ``le=NUMBER_CEILING``, so that every numeric
    parameter is bounded (``mentorsim describe`` shows the bound); ``inf`` and ``nan`` are refused by
    :class:`Section`. A log-scale number (its unit starts with ``log``) enters an exponential: without
    bounds of its own it lies within ``-LOG_CEILING`` to ``LOG_CEILING``.
    """
    numeric = default is None or (isinstance(default, int | float) and not isinstance(default, bool))
    log_scale = numeric and unit.startswith("log")
    if numeric and "le" not in constraints and "lt" not in constraints:
        constraints["le"] = LOG_CEILING if log_scale else NUMBER_CEILING
    if log_scale and "ge" not in constraints and "gt" not in constraints:
        constraints["ge"] = -LOG_CEILING
    return Field(default, description=description, json_schema_extra={"unit": unit, "source": source}, **constraints)


def share(default: float, description: str, source: str = ASSUME) -> Any:
    """A probability or share in [0, 1]."""
    return P(default, description, "share", source, ge=0.0, le=1.0)


def rate(default: float, description: str, source: str = ASSUME) -> Any:
    """A monthly probability in [0, 1]."""
    return P(default, description, "per month", source, ge=0.0, le=1.0)


def _is_number_type(annotation: Any) -> bool:
    """Whether a field's type takes numbers (``int``, ``float``, optional or in a mapping of values)."""
    if annotation in (int, float):
        return True
    args = get_args(annotation)
    if get_origin(annotation) is dict:
        return bool(args) and _is_number_type(args[-1])
    if get_origin(annotation) in (Union, UnionType):
        return bool not in args and any(_is_number_type(a) for a in args)
    return False


def _is_month_field(field: Any) -> bool:
    """Whether a field holds a ``YYYY-MM`` month (:data:`YearMonth`, optional or not)."""
    return any(isinstance(m, AfterValidator) and m.func is _check_month for m in field.metadata) or (
        YearMonth in get_args(field.annotation)
    )


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are validated on assignment.

    Strict where YAML is loose: a boolean is not a number (``months: true`` is refused, not read as 1),
    ``inf`` and ``nan`` are refused (``allow_inf_nan``), and months lie in the supported calendar
    (:data:`FIRST_YEAR` to :data:`LAST_YEAR`).
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _boolean_is_not_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or not _is_number_type(field.annotation):
            return value
        values = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(v, bool) for v in values):
            raise ValueError("a boolean (true/false) is not a number: write the number")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _month_in_calendar(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        not_a_month = not isinstance(value, str) or field is None or not _is_month_field(field)
        if not not_a_month and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(f"the year of {value} is outside the supported calendar {FIRST_YEAR}-{LAST_YEAR}")
        return value


def _shares_sum_to_one(values: dict[str, float], what: str) -> dict[str, float]:
    total = sum(values.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} must add up to 1, they add up to {total:.4g}")
    if any(v < 0 for v in values.values()):
        raise ValueError(f"{what} must not be negative")
    return values


class Sector(Section):
    """One occupational sector of the regional labour market."""

    name: str = Field(description="Sector name, used to match mentees and mentors.")
    jobseeker_share: float = share(0.2, "Share of jobseekers whose experience is in this sector.")
    mentor_share: float = share(0.2, "Share of individually recruited mentors from this sector.")
    vacancy_share: float = share(0.2, "Share of the region's vacancies (and employers) in this sector.")
    hard_to_fill: float = share(
        0.3,
        "Share of this sector's vacancies in shortage ('hard-to-fill') occupations, where hiring bias is weaker.",
        "Baert et al. 2013, IZA DP 7145 (DOMAIN.md §5)",
    )


def _default_sectors() -> list[Sector]:
    rows = [  # name, jobseekers, mentors, vacancies, hard to fill
        ("care", 0.18, 0.12, 0.20, 0.6),
        ("technical", 0.17, 0.18, 0.17, 0.5),
        ("hospitality_retail", 0.25, 0.10, 0.20, 0.2),
        ("business_admin", 0.20, 0.35, 0.23, 0.2),
        ("ict", 0.08, 0.15, 0.10, 0.6),
        ("education", 0.12, 0.10, 0.10, 0.4),
    ]
    return [
        Sector(name=n, jobseeker_share=j, mentor_share=m, vacancy_share=v, hard_to_fill=h) for n, j, m, v, h in rows
    ]


class Population(Section):
    """The jobseekers of the region (all Jobseeker agents) and how their attributes are drawn."""

    size: int = P(
        10000,
        "Number of jobseeker agents (people with a migrant background in the region's labour force).",
        "people",
        ASSUME,
        ge=1,
    )
    initial_status: dict[str, float] = P(
        {
            "unemployed": 0.55,
            "employed_at_level": 0.12,
            "employed_below_level": 0.18,
            "training": 0.05,
            "inactive": 0.10,
        },
        "Labour status shares at the start.",
        "shares",
        "assumption, near the stationary state of the Statbel flows (DOMAIN.md §5)",
    )
    female_share: float = share(0.5, "Share of women.", ASSUME)
    age_bands: dict[str, float] = P({"18-25": 0.25, "26-45": 0.5, "46-64": 0.25}, "Age band shares.", "shares", ASSUME)
    skill_shares: dict[str, float] = P(
        {"low": 0.45, "medium": 0.35, "high": 0.20}, "Skill level shares.", "shares", ASSUME
    )
    non_eu_share: float = share(
        0.75, "Share of non-EU origin (the rest: other EU).", "Statbel origin groups (DOMAIN.md §5); assumption"
    )
    refugee_share: dict[str, float] = P(
        {"eu": 0.0, "non_eu": 0.3},
        "Share of refugees / newly arrived people, by origin group (eu, non_eu).",
        "shares",
        "assumption; refugees are a minority of non-EU jobseekers in Belgium (Statbel origin groups, DOMAIN.md §5);"
        " EU citizens are not refugees",
    )
    work_permit_share: float = share(
        0.9,
        "Share of non-EU people with a work permit (EU citizens always have one).",
        "assumption; DUO for a JOB requires a work permit (DOMAIN.md §4)",
    )
    language_mean: float = share(
        0.5, "Mean proficiency in the local language (0 none, 1 fluent); Beta distributed.", ASSUME
    )
    recognised_qualifications: dict[str, float] = P(
        {"low": 0.0, "medium": 0.35, "high": 0.35},
        "Share with recognised qualifications, by skill level.",
        "shares",
        "assumption; recognition is a barrier for the highly skilled [P15, VDC19]",
    )
    motivation_mean: float = share(0.6, "Mean motivation (0-1); Beta distributed.", ASSUME)
    initial_ties_mean: float = P(
        0.3, "Mean number of professional ties to employers in one's own sector at the start.", "ties", ASSUME, ge=0
    )
    turnover_rate: float = rate(
        0.0,
        "Monthly chance that a person not in the programme leaves the region's labour force for good and is replaced by an unemployed newcomer (0: a closed population).",
        "assumption; newcomers keep arriving in Brussels (P15)",
    )
    initial_months_unemployed_mean: float = P(
        12.0,
        "Mean months unemployed of those unemployed at the start (exponential).",
        "months",
        "Statbel: 31-53 % still unemployed after a year (DOMAIN.md §5)",
        ge=0,
    )

    @model_validator(mode="after")
    def _check_shares(self) -> Population:
        _shares_sum_to_one(self.initial_status, "population.initial_status")
        _shares_sum_to_one(self.age_bands, "population.age_bands")
        _shares_sum_to_one(self.skill_shares, "population.skill_shares")
        _require_keys(self.initial_status, LABOUR_STATUSES, "population.initial_status")
        _require_keys(self.age_bands, AGE_BANDS, "population.age_bands")
        _require_keys(self.skill_shares, SKILLS, "population.skill_shares")
        _require_keys(self.recognised_qualifications, SKILLS, "population.recognised_qualifications")
        _within(self.recognised_qualifications, 0.0, 1.0, "population.recognised_qualifications")
        _require_keys(self.refugee_share, ORIGINS, "population.refugee_share")
        _within(self.refugee_share, 0.0, 1.0, "population.refugee_share")
        return self


def _within(values: dict[str, float], low: float, high: float, what: str) -> None:
    bad = {k: v for k, v in values.items() if not low <= v <= high}
    if bad:
        raise ValueError(f"{what} values must lie between {low:g} and {high:g}; got {bad}")


def _require_keys(values: dict[str, float], allowed: tuple[str, ...], what: str) -> None:
    if set(values) != set(allowed):
        raise ValueError(f"{what} needs exactly the keys {', '.join(allowed)}; got {', '.join(values)}")


class Shock(Section):
    """A period in which the economy index (vacancies) is scaled down, e.g. a downturn."""

    start: YearMonth = Field(description="First month of the shock (YYYY-MM).")
    end: YearMonth = Field(description="Last month of the shock (YYYY-MM).")
    vacancy_factor: float = P(
        0.6,
        "Vacancies at large firms during the shock, relative to normal.",
        "factor",
        "assumption; downturns cut vacancies [P15]",
        ge=0,
        le=2,
    )
    sme_vacancy_factor: float = P(
        0.45,
        "Vacancies at SMEs during the shock, relative to normal (SMEs cut more).",
        "factor",
        "assumption; SMEs less willing to take risks in downturns [P15]",
        ge=0,
        le=2,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Shock:
        if month_index(self.end) < month_index(self.start):
            raise ValueError(f"the shock ends ({self.end}) before it starts ({self.start})")
        return self


class Economy(Section):
    """Economy index: 1 in normal times, scaled by shocks."""

    shocks: list[Shock] = Field(default_factory=list, description="Downturns or booms: periods with scaled vacancies.")
    downturn_threshold: float = P(
        0.9,
        "Economy index below which employers count a month as a downturn (mentor withdrawal).",
        "index",
        ASSUME,
        ge=0,
    )


class Careers(Section):
    """Careers that move after hiring (sim/model/careers.py).

    Job-to-job moves up to one's level, mentoring that helps keep a new job, knowledge and ties that fade
    after a pair, language and diploma recognition that improve over time (faster with a mentor), and
    mentoring effects that differ by gender and origin group.
    """

    enabled: bool = Field(
        True,
        description="Careers move (false: jobs below level last until lost, mentoring gains never fade, language"
        " and recognition never change: the model before issue 11 item 4).",
    )
    move_rate: float = rate(
        0.004,
        "Monthly chance that a medium- or highly skilled person in a job below their level moves to a job at their"
        " level, without recognised qualifications or ties (scaled by the economy index: fewer moves in a downturn).",
        "assumption; 'brain waste' persists: many highly skilled stay over-qualified [P15, VDC19]; set so that about"
        " 40 % of the medium- and highly skilled employed are below level in base (Eurostat over-qualification rate"
        " of non-EU citizens about 40 %, natives about 20 %: a figure not in DOMAIN.md)",
    )
    move_tie_effect: float = P(
        0.35,
        "Log-multiplier of the move chance per professional tie in one's own sector (referral; capped at"
        " labour_market.referral_cap ties).",
        "log factor",
        "Calvo-Armengol & Jackson 2004; Pellizzari 2010: 18-60 % of jobs via contacts (DOMAIN.md §5); assumption",
        ge=0,
        le=2,
    )
    move_recognition_factor: float = P(
        2.0,
        "Move chance with recognised qualifications relative to without.",
        "factor",
        "assumption; recognition of qualifications is a barrier for the highly skilled [P15, VDC19]",
        ge=1,
        le=20,
    )
    retention_reduction: float = share(
        0.3,
        "Cut in the monthly job loss of a participant's new job in its first months (retention_months) when the job"
        " was found during the pair or within retention_window_months after it: the mentor supports the start.",
        "assumption; programmes report sustained employment (DOMAIN.md §3, [P15 §III.D.5]); job-search help works"
        " mostly in the short run (Card, Kluve & Weber 2018, DOMAIN.md §6)",
    )
    retention_months: int = P(
        6,
        "Months of a new job during which the mentor's support lowers job loss (the probation period).",
        "months",
        "assumption; higher job loss in the first 6 months (labour_market.probation_multiplier)",
        ge=0,
        le=24,
    )
    retention_window_months: int = P(
        3,
        "A job found up to this many months after the pair ended still gets the mentor's support.",
        "months",
        ASSUME,
        ge=0,
        le=24,
    )
    knowledge_decay: float = rate(
        0.03,
        "Monthly share of local knowledge lost once one's pair has ended (or before it starts).",
        "assumption; job-search help works mostly in the short run (Card, Kluve & Weber 2010, 2018, DOMAIN.md §6)",
    )
    tie_decay: float = rate(
        0.02,
        "Monthly chance that each employer tie gained through the programme fades once the pair has ended.",
        "assumption; ties unused fade (network access is not automatic [VDC19 §4.2])",
    )
    language_growth: float = rate(
        0.003,
        "Share of the gap to fluency in the local language closed each month (everyone in the labour force).",
        "assumption; language is the main barrier for the highly skilled and improves with time in the country"
        " [P15, VDC19]",
    )
    language_mentor_multiplier: float = P(
        2.0,
        "Language growth of a mentee in a running pair relative to without a mentor.",
        "factor",
        "assumption; Mentor2Work matches on language and mentees practise it with their mentor (DOMAIN.md §4)",
        ge=1,
        le=10,
    )
    recognition_rate: float = rate(
        0.003,
        "Monthly chance that a medium- or highly skilled person whose foreign diploma is not recognised gets it"
        " recognised (a procedure of months to years that many never finish).",
        "assumption; recognition is a barrier for the highly skilled [P15, VDC19]",
    )
    recognition_mentor_multiplier: float = P(
        2.0,
        "Recognition chance of a mentee in a running pair relative to without a mentor (the mentor helps with the"
        " procedure).",
        "factor",
        "assumption; Mentor2Work serves mentees without recognised qualifications (DOMAIN.md §4)",
        ge=1,
        le=10,
    )
    female_mentoring_factor: float = P(
        0.5,
        "Share of mentoring's effects that women get relative to men: local knowledge and ties gained in a pair"
        " (above 1: ties as for men), the mentor's speed-up of language and recognition, and the retention support.",
        "factor",
        "Månsson & Delander 2017: mentoring of refugees helped men, not women (0); Card, Kluve & Weber 2018: ALMP"
        " effects larger for women (above 1) (DOMAIN.md §5-6); midway assumed",
        ge=0,
        le=2,
    )
    eu_mentoring_factor: float = P(
        1.0,
        "Share of mentoring's effects that EU-origin mentees get relative to non-EU-origin mentees (the same effects"
        " as female_mentoring_factor; the two multiply).",
        "factor",
        "assumption; effects concentrate on the most disadvantaged (Battisti et al. 2019, DOMAIN.md §5-6)",
        ge=0,
        le=2,
    )


class LabourMarket(Section):
    """Monthly labour-market flows and how employers weigh candidates."""

    job_finding_rate: float = rate(
        0.06,
        "Monthly chance that an unemployed jobseeker of the reference group (natives and EU citizens, who face no"
        " hiring bias) is hired in normal times; migrant-background jobseekers' chances follow from their"
        " attractiveness and the employers' callback and offer gaps.",
        STATBEL + ": 3-4 % a month for all origins; Eurostat flows (DOMAIN.md §6): 24.5 % a quarter EU-wide;"
        " natives above the average: assumption",
    )
    vacancy_tightness: float = P(
        2.0,
        "Openings a month per expected hire if openings were unlimited, in normal times at the start (labour-market"
        " tightness). Hires in a sector follow H = A V / (A + V) for applications A and openings V: plentiful"
        " openings (large values) mean no competition; small values mean jobseekers compete for few openings.",
        "ratio",
        "assumption; Brussels unemployment 10-12 % vs Flanders 3-4 % (DOMAIN.md §6) shows slack and tight regions",
        gt=0,
        le=1e6,
    )
    reference_unemployed_ratio: float = P(
        1.0,
        "Unemployed jobseekers of the reference group (natives and EU citizens) competing for the same openings,"
        " per unemployed migrant-background jobseeker at the start.",
        "ratio",
        "assumption; Eurostat 2020: unemployment 6.1 % natives vs 13.9 % non-EU-born (DOMAIN.md §6)",
        ge=0,
        le=100,
    )
    offer_gap_multiplier: float = P(
        2.46,
        "How much larger the job-offer gap is than the callback gap: the hiring ratio is 1 + (callback ratio - 1)"
        " x this.",
        "factor",
        "Quillian, Lee & Oliver 2018: offers gap +128 % vs callbacks +52 % (DOMAIN.md §6)",
        ge=1,
        le=5,
    )
    eu_origin_bias_share: float = share(
        0.25,
        "Share of the non-EU callback gap that EU-origin migrant jobseekers face.",
        "assumption; Statbel 2022: unemployment Belgian 3.8 %, other EU 5-6 %, North African 16.4 % (DOMAIN.md §5)",
    )
    burn_in_months: int = P(
        120,
        "Months of labour-market flows (normal economy, no programme) simulated before the start so that the"
        " start is stationary.",
        "months",
        "assumption; turnover renews the population over about 100 months, so 120 months let unemployment settle"
        " (tested: no drift beyond the seed-to-seed noise)",
        ge=0,
        le=600,
    )
    inactivity_rate: float = rate(
        0.02,
        "Monthly chance that an unemployed person leaves the labour force.",
        STATBEL + ": about as many leave for inactivity",
    )
    return_rate: float = rate(0.03, "Monthly chance that an inactive person registers as unemployed again.", ASSUME)
    job_loss_rate: float = rate(
        0.005,
        "Monthly chance of losing a job after the first six months.",
        "Eurostat flow statistics (DOMAIN.md §5): 1.3-1.7 % a quarter",
    )
    probation_multiplier: float = P(
        3.0,
        "Job loss in the first six months of a job, relative to later.",
        "factor",
        "assumption; lasting vs temporary jobs [P15 §III.D.5]",
        ge=1,
    )
    training_entry_rate: float = rate(
        0.006, "Monthly chance that an unemployed person starts training or an internship.", ASSUME
    )
    training_months: int = P(
        6,
        "Duration of training or an internship.",
        "months",
        "Joblinge 6-8 week internship to 6-month courses (DOMAIN.md §4); assumption",
        ge=1,
    )
    training_to_job: float = share(
        0.3,
        "Chance of being hired at the end of training.",
        "Brussels job coaching: 45 % employed, 15 % training at 6 months (DOMAIN.md §4); assumption",
    )
    skill_effect: dict[str, float] = P(
        {"low": 0.8, "medium": 1.0, "high": 1.1}, "Hiring chance multiplier by skill level.", "factor", ASSUME
    )
    language_effect: float = P(
        1.2,
        "Log-multiplier of hiring chance per unit of language proficiency (centred at 0.5).",
        "log factor",
        "assumption; language is the main barrier for the highly skilled [P15, VDC19]",
    )
    local_knowledge_effect: float = P(
        0.4,
        "Log-multiplier of hiring chance per unit of local knowledge (social codes) gained.",
        "log factor",
        "assumption; social codes are a barrier [P15]",
    )
    recognition_effect: float = P(
        0.3,
        "Log-multiplier of hiring chance for recognised qualifications (medium/high skill).",
        "log factor",
        "assumption [P15, VDC19]",
    )
    motivation_effect: float = P(
        0.5, "Log-multiplier of hiring chance per unit of motivation (centred at 0.5).", "log factor", ASSUME
    )
    referral_per_tie: float = P(
        0.35,
        "Log-multiplier of hiring chance in a sector per professional tie to an employer there.",
        "log factor",
        "Calvo-Armengol & Jackson 2004; Pellizzari 2010: 18-60 % of jobs via contacts (DOMAIN.md §5)",
    )
    referral_cap: int = P(3, "Ties beyond this number add nothing.", "ties", ASSUME, ge=0)
    duration_dependence: float = P(
        0.02,
        "Relative fall of the hiring chance per month of unemployment (scarring), floored at 40 %.",
        "per month",
        ASSUME,
        ge=0,
        le=0.2,
    )
    own_sector_share: float = share(
        0.6,
        "Share of search effort in one's own sector of experience; the rest goes to any sector, below level.",
        ASSUME,
    )
    bias_non_shortage: float = P(
        2.0,
        "Callback gap in non-shortage occupations: applications a non-EU candidate needs relative to a native"
        " (the offer gap is wider: offer_gap_multiplier).",
        "ratio",
        "Baert et al. 2013: about 2x (DOMAIN.md §5)",
        ge=1,
    )
    bias_shortage: float = P(
        1.0,
        "Callback gap in shortage occupations (applications needed relative to a native).",
        "ratio",
        "Baert et al. 2013: about 1x (DOMAIN.md §5)",
        ge=1,
    )
    bias_low_skill_extra: float = P(
        1.2,
        "Extra discrimination faced by low-skilled candidates (employer perception).",
        "ratio",
        "assumption; employer perception is the barrier for low-skilled youth [P15]",
        ge=1,
    )
    diversity_plan_bias_reduction: float = share(
        0.5, "Share of the discrimination removed at employers with a diversity plan.", ASSUME
    )
    sme_downturn_bias: float = P(
        1.3,
        "Extra discrimination at SMEs in downturn months (less willing to take risks).",
        "ratio",
        "assumption [P15]",
        ge=1,
    )
    below_level_share: dict[str, float] = P(
        {"low": 0.0, "medium": 0.4, "high": 0.6},
        "Chance that a job found in one's own sector is below skill level without recognition or referral ('brain waste').",
        "shares",
        "assumption; many highly skilled end up over-qualified [P15, VDC19]",
    )
    recognition_or_referral_level_gain: float = share(
        0.6, "Relative reduction of that chance with recognised qualifications or a referral tie.", ASSUME
    )
    careers: Careers = Field(default_factory=Careers)

    @model_validator(mode="after")
    def _skill_keys(self) -> LabourMarket:
        _require_keys(self.skill_effect, SKILLS, "labour_market.skill_effect")
        _require_keys(self.below_level_share, SKILLS, "labour_market.below_level_share")
        _within(self.skill_effect, 0.0, 10.0, "labour_market.skill_effect")
        _within(self.below_level_share, 0.0, 1.0, "labour_market.below_level_share")
        return self


class Employers(Section):
    """Employers of the region: sector, size, vacancies, bias, champions who supply mentors."""

    per_1000_jobseekers: float = P(40.0, "Employer agents per 1,000 jobseeker agents.", "per 1000", ASSUME, gt=0)
    sme_share: float = share(0.85, "Share of employers that are SMEs.", ASSUME)
    sme_vacancy_weight: float = P(
        0.5,
        "Openings per SME relative to a large firm (the region's total follows labour_market.vacancy_tightness).",
        "factor",
        ASSUME,
        gt=0,
    )
    diversity_plan_share: float = share(
        0.15, "Share of large firms with a diversity plan (SMEs: a third of that).", ASSUME
    )
    champions_initial: int = P(
        3,
        "Employers engaged as mentor 'champions' at the start of the programme.",
        "employers",
        "TRIEC employer champions (DOMAIN.md §4); assumption",
        ge=0,
    )
    champion_recruitment_rate: float = P(
        0.08,
        "Monthly chance that a funded programme engages one more champion employer.",
        "per month",
        ASSUME,
        ge=0,
        le=1,
    )
    max_champions: int = P(6, "Most champion employers the organisation can manage.", "employers", ASSUME, ge=0)
    mentors_per_champion_per_year: float = P(
        4.0,
        "Mentors a champion employer supplies per year.",
        "mentors/year",
        "TRIEC: 80-90 % of mentors via companies (DOMAIN.md §1)",
        ge=0,
    )
    downturn_withdrawal_rate: float = rate(
        0.12,
        "Monthly chance that a champion withdraws (with its mentors) in a downturn month.",
        "MentorU 2012-2013: most firms withdrew [P15]",
    )
    interruption_withdrawal_rate: float = rate(
        0.15,
        "Monthly chance that a champion withdraws while the programme is unfunded.",
        "MentorU interruption [P15 §III.D.4]",
    )
    normal_withdrawal_rate: float = rate(0.01, "Monthly chance that a champion withdraws in normal times.", ASSUME)


class Mentors(Section):
    """The volunteer mentor pool: recruitment, attributes, attrition and return."""

    initial: int = P(25, "Mentors available at the start.", "mentors", ASSUME, ge=0)
    individual_recruitment_per_month: float = P(
        1.5,
        "Mentors recruited individually per month while outreach is funded (Poisson mean).",
        "mentors/month",
        "assumption; mentor shortage [VDC19 §5.2]",
        ge=0,
    )
    retired_share: float = share(
        0.4,
        "Share of individually recruited mentors who are retired.",
        "DUO for a JOB recruits mentors over 50, (early) retired (DOMAIN.md §4)",
    )
    network_size_active: float = P(
        4.0, "Mean employer ties in their sector of an active professional mentor.", "ties", ASSUME, ge=0
    )
    network_size_retired: float = P(
        2.0, "Mean employer ties in their sector of a retired mentor.", "ties", ASSUME, ge=0
    )
    willingness_mean: float = share(
        0.5, "Mean willingness to open one's network (Beta distributed).", "assumption [VDC19 §4.2]"
    )
    hours_mean: float = P(
        6.0,
        "Mean hours a month available for mentoring.",
        "hours/month",
        "Mentoring for Migrants: about 5 hours a month (DOMAIN.md §4)",
        ge=0,
    )
    attrition_rate: float = rate(
        0.03,
        "Monthly chance that a mentor leaves the pool.",
        "Volunteering in America 2008: over a third stop within a year (DOMAIN.md §5)",
    )
    attrition_peak_multiplier: float = P(
        2.0,
        "Attrition at 3, 6 and 12 months of tenure, relative to other months.",
        "factor",
        "Volunteering in America 2008: quitting peaks at 3, 6, 12 months",
        ge=1,
    )
    paired_attrition_multiplier: float = P(
        0.5,
        "Attrition of mentors while they have a mentee, relative to others (they see it through).",
        "factor",
        ASSUME,
        ge=0,
    )
    idle_attrition_multiplier: float = P(
        2.0,
        "Attrition of mentors without a mentee while intake is stopped.",
        "factor",
        "assumption; MentorU interruption [P15]",
        ge=1,
    )
    return_rate: float = rate(
        0.01, "Monthly chance that a mentor who left returns (while the programme is funded).", ASSUME
    )
    attrition_per_pair: float = P(
        1.15,
        "Monthly attrition is multiplied by this factor for every pair the mentor has finished (fatigue).",
        "factor per pair",
        "assumption; volunteer turnover: more than a third stop within a year (DOMAIN.md §5)",
        ge=1,
        le=2,
    )
    attrition_per_hard_pair: float = P(
        1.3,
        "Monthly attrition is multiplied by this factor, on top, for every hard pair the mentor has finished.",
        "factor per pair",
        "assumption; MentorU mentors found mentees far from the labour market hard to mentor [P15] "
        "(DOMAIN.md §2.5); pairs that never started or ended early [VDC19 §5.1]",
        ge=1,
        le=3,
    )
    hard_pair_months_unemployed: int = P(
        24,
        "A finished pair is hard when it never started or ended early, or when its mentee is still unemployed "
        "at its end after at least this many months of unemployment (far from the labour market).",
        "months",
        "assumption: twice the 12 months of long-term unemployment (Eurostat une_ltu_a, DOMAIN.md §6); "
        "MentorU [P15] (DOMAIN.md §2.5)",
        ge=1,
        le=120,
    )
    reenlist_share: float = P(
        0.91,
        "Share of mentors who finish a pair (and stay) who re-enlist for a new pair at once; the others rest.",
        "share",
        "issue 11's figure, not in DOMAIN.md: DUO for a JOB Ghent, 91 % of mentors form a new pair; assumption",
        ge=0.0,
        le=1.0,
    )
    rest_months_mean: float = P(
        4.0,
        "Mean months a mentor who did not re-enlist rests before being available again (geometric).",
        "months",
        "assumption; quitting peaks at 3, 6 and 12 months (Volunteering in America 2008, DOMAIN.md §5)",
        ge=1,
        le=24,
    )


class AgeRange(Section):
    """A section with ``min_age`` and ``max_age`` (declared by each subclass): they must be in order."""

    @model_validator(mode="after")
    def _ages(self) -> AgeRange:
        if self.max_age < self.min_age:  # type: ignore[attr-defined]
            raise ValueError(f"max_age ({self.max_age}) is below min_age ({self.min_age})")  # type: ignore[attr-defined]
        return self


EntryStatus = Literal["unemployed", "inactive", "employed_below_level", "training"]  # who a programme may take


def _unemployed_only() -> list[EntryStatus]:
    return ["unemployed"]


class Target(AgeRange):
    """Who the programme is for: every rule restricts who may apply (Organisation._eligible).

    The defaults take everyone unemployed aged 18-64, as before these rules existed.
    """

    min_age: int = P(18, "Youngest eligible age.", "years", "DUO for a JOB: 18-30 (DOMAIN.md §4)", ge=0, le=100)
    max_age: int = P(64, "Oldest eligible age.", "years", ASSUME, ge=0, le=100)
    gender: Literal["all", "women", "men"] = Field("all", description="Women only, men only or all.")
    skill_levels: list[Literal["low", "medium", "high"]] = Field(
        default_factory=lambda: list(SKILLS), min_length=1, description="Eligible skill levels."
    )
    non_eu_only: bool = Field(False, description="Only non-EU origin (e.g. DUO for a JOB).")
    eu_only: bool = Field(False, description="Only other-EU origin.")
    refugees_only: bool = Field(
        False, description="Only refugees / newly arrived (the person attribute drawn with population.refugee_share)."
    )
    labour_statuses: list[EntryStatus] = Field(
        default_factory=_unemployed_only,
        min_length=1,
        description="Labour status at entry: unemployed, inactive, employed below one's level, or in training or"
        " study (students).",
    )
    min_months_unemployed: int = P(
        0, "Months of unemployment needed to be eligible (the unemployed only).", "months", ASSUME, ge=0
    )
    min_language: float = share(0.0, "Lowest eligible proficiency in the local language (0-1).", ASSUME)
    recognised_qualifications: Literal["any", "required", "excluded"] = Field(
        "any",
        description="any; required: only people whose qualifications are recognised; excluded: only people without"
        " recognised qualifications (Mentor2Work).",
    )
    work_permit_required: bool = Field(
        False, description="Only people with a work permit (population.work_permit_share among non-EU)."
    )
    min_motivation: float = share(0.0, "Lowest eligible motivation (0-1), as the intake interview judges it.", ASSUME)

    @model_validator(mode="after")
    def _one_origin(self) -> Target:
        if self.non_eu_only and self.eu_only:
            raise ValueError("non_eu_only and eu_only exclude each other: nobody would be eligible")
        if len(set(self.labour_statuses)) != len(self.labour_statuses):
            raise ValueError(f"labour_statuses lists a status twice: {self.labour_statuses}")
        return self


AGE_WEIGHTS = "weights by age band 18-25, 26-45, 46-64"


class Channel(Section):
    """An outreach channel: how much more or less likely each group applies through it (relative weights)."""

    name: str = Field(description="Channel name (programme.outreach.channel names one).")
    female: list[float] = P(
        [1.0, 1.0, 1.0], f"Applicant weights of women, {AGE_WEIGHTS}.", "weight", ASSUME, min_length=3, max_length=3
    )
    male: list[float] = P(
        [1.0, 1.0, 1.0], f"Applicant weights of men, {AGE_WEIGHTS}.", "weight", ASSUME, min_length=3, max_length=3
    )
    source: str = Field(ASSUME, description="Where the weights come from.")

    @field_validator("female", "male")
    @classmethod
    def _weights(cls, values: list[float]) -> list[float]:
        if any(not 0 <= v <= 100 for v in values):
            raise ValueError(f"channel weights must lie between 0 and 100, got {values}")
        return values


def _default_channels() -> list[Channel]:
    return [
        Channel(
            name="employment_office",
            female=[1.0, 1.0, 1.0],
            male=[1.0, 1.0, 1.0],
            source="assumption: referrals by the employment office, no tilt",
        ),
        Channel(
            name="youth_centres",
            female=[0.5, 0.2, 0.1],
            male=[4.0, 0.5, 0.2],
            source="youth coaches in community centres reach mostly young men [P15 §III.D.6]; sizes assumed",
        ),
        Channel(
            name="women_networks",
            female=[1.0, 3.0, 1.0],
            male=[0.2, 0.3, 0.2],
            source="MentorU mostly reached women aged 26-45 [P15]; sizes assumed",
        ),
    ]


class Outreach(Section):
    """How applicants are reached: the channel shapes who applies (DOMAIN.md §2.9)."""

    channel: str = Field(
        "employment_office",
        description="The channel used, one of channels' names (base: employment_office: no tilt; youth_centres:"
        " mostly young men [P15 §III.D.6]; women_networks: mostly women aged 26-45 (MentorU) [P15]).",
    )
    channels: list[Channel] = Field(
        default_factory=_default_channels, description="The outreach channels and their applicant weights."
    )
    applications_per_month: float = P(
        0.02,
        "Monthly chance that an eligible unemployed person applies while intake is open.",
        "per month",
        ASSUME,
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _channel_known(self) -> Outreach:
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ValueError(f"outreach channel names must be unique, got {names}")
        if self.channel not in names:
            raise ValueError(f"outreach channel {self.channel!r} is not one of the channels: {', '.join(names)}")
        return self

    def weights(self) -> list[list[float]]:
        """The used channel's weights: (female, male) x age bands."""
        used = next(c for c in self.channels if c.name == self.channel)
        return [used.female, used.male]


class Intake(Section):
    """When applications are accepted: a monthly flow, a yearly group or a single cohort."""

    mode: Literal["monthly", "yearly", "cohort"] = Field(
        "monthly",
        description="monthly: applications every month (a rolling intake); yearly: applications gathered over the"
        " year are accepted in one calendar month (a yearly group); cohort: one intake month only (an event"
        " cohort).",
    )
    month: int = P(9, "yearly: the calendar month (1-12) of the yearly intake.", "month of year", ASSUME, ge=1, le=12)
    cohort: YearMonth | None = Field(None, description="cohort: the intake month (default: the programme's start).")
    recruitment_months: int = P(
        3,
        "cohort: months over which applications are gathered before the intake month (a yearly group gathers 12).",
        "months",
        ASSUME,
        ge=1,
        le=24,
    )
    close_months: int | None = Field(
        None,
        ge=0,
        le=240,
        description="Intake and matching close while fewer months of approved money than this are left (null:"
        " the pair duration, so that every new pair can run to term; source: assumption). A programme that took"
        " people in until its call ended sets a smaller number: MentorU's 2013 phase took in 44 participants"
        " within a 6-month grant (DOMAIN.md §4).",
    )


class Matching(Section):
    """How waiting mentees are paired with available mentors."""

    strategy: Literal["random", "sector_only", "sector_first", "optimal"] = Field(
        "sector_first",
        description="random: any mentor; sector_only: wait for a mentor of one's sector; sector_first: fall back to any mentor after fallback_months; optimal: compatibility score solved by linear_sum_assignment.",
    )
    fallback_months: int = P(
        2,
        "Months of waiting after which sector_first accepts a mentor from another sector.",
        "months",
        "pilots fell back on non-sector matches [VDC19 §5.2]",
        ge=0,
    )
    hours_per_match: float = P(
        2.0,
        "Coach hours to make one match: read both profiles, find and ask a mentor, arrange the introduction"
        " (the first meeting itself is follow_up.first_meeting_hours).",
        "hours/match",
        "assumption; finding sector matches was very time-consuming [VDC19 §5.2]; DUO for a JOB: profile,"
        " interview, match within a month (DOMAIN.md §4)",
        gt=0,
    )
    weight_sector: float = P(
        3.0,
        "Optimal matching: score of a sector match.",
        "score",
        "sector first [VDC19 §4.3, §5.2]; size assumed",
        ge=0,
    )
    weight_language: float = P(
        1.0,
        "Optimal matching: score of giving a mentee who needs language support a mentor able to give it.",
        "score",
        "Mentor2Work matched on language (DOMAIN.md §4); size assumed",
        ge=0,
    )
    weight_location: float = P(
        1.0,
        "Optimal matching: score of living in the same district.",
        "score",
        "MentorU matched on location (DOMAIN.md §4)",
        ge=0,
    )
    weight_preferences: float = P(
        0.5,
        "Optimal matching: score of matching preferences/hobbies.",
        "score",
        "MentorU matched on preferences, hobbies (DOMAIN.md §4)",
        ge=0,
    )
    weight_availability: float = P(
        1.0,
        "Optimal matching: score of compatible availability (not one side daytime only and the other evenings only).",
        "score",
        "assumption; pairs that never really started or had only sporadic contact [VDC19 §5.1]",
        ge=0,
    )
    districts: int = P(5, "Districts of the region (for location matching).", "districts", ASSUME, ge=1, le=100)
    min_score: float = P(
        0.0,
        "Optimal matching: pairs scoring below this are not made (the mentee keeps waiting).",
        "score",
        ASSUME,
        ge=0,
    )
    sector_knowledge_factor: float = P(
        2.0,
        "Local knowledge gained per meeting with a mentor of the mentee's own sector, relative to another sector.",
        "factor",
        "assumption; mentees value sector-specific advice most, non-sector matches compromised quality "
        "[VDC19 §4.3, §5.2]",
        ge=1,
        le=10,
    )
    preference_groups: int = P(
        4,
        "Preference/hobby groups people and mentors are drawn into with equal shares (for preference matching).",
        "groups",
        "assumption; MentorU matched on preferences, hobbies (DOMAIN.md §4)",
        ge=1,
        le=100,
    )
    language_support_below: float = share(
        0.35,
        "A mentee needs language support from the mentor when local-language proficiency is below this.",
        "assumption; language is the barrier for many newcomers [P15, VDC19] (DOMAIN.md §2.10)",
    )
    mentor_language_support_share: float = share(
        0.3,
        "Share of mentors able to give language support (they speak a language of the mentee's origin group).",
        "assumption; Mentor2Work matched on language (DOMAIN.md §4)",
    )
    mentee_availability: dict[str, float] = P(
        {"flexible": 0.6, "daytime": 0.3, "evenings": 0.1},
        "Shares of jobseekers who can meet at any time, only in the daytime (care duties, courses) or only in "
        "the evenings (a job or training in the daytime).",
        "shares",
        ASSUME,
    )
    mentor_availability_active: dict[str, float] = P(
        {"flexible": 0.3, "daytime": 0.2, "evenings": 0.5},
        "Availability shares of mentors in work (MentorU pairs met at the mentor's workplace, in the daytime).",
        "shares",
        "assumption; MentorU met at the mentor's workplace (DOMAIN.md §4)",
    )
    mentor_availability_retired: dict[str, float] = P(
        {"flexible": 0.7, "daytime": 0.3, "evenings": 0.0},
        "Availability shares of retired mentors.",
        "shares",
        "assumption; DUO for a JOB mentors are (early) retired, a few hours a week (DOMAIN.md §4)",
    )

    @model_validator(mode="after")
    def _check_availability(self) -> Matching:
        for name in ("mentee_availability", "mentor_availability_active", "mentor_availability_retired"):
            shares = getattr(self, name)
            _require_keys(shares, AVAILABILITY, f"programme.matching.{name}")
            _shares_sum_to_one(shares, f"programme.matching.{name}")
        return self


class Mismatch(Section):
    """How a criterion the match missed changes a pair: factors on never starting, meetings and early ending.

    A pair is far apart when mentor and mentee live in different districts, misses language support when
    the mentee needs it and the mentor cannot give it, misses availability when one side can meet only in
    the daytime and the other only in the evenings, and misses preferences when their preference groups
    differ. Each factor multiplies the pair's chance of never starting, its meetings a month or its monthly
    chance of ending early; factors of missed criteria multiply (a factor 1 is no effect).
    """

    distance_never_start: float = P(
        1.3,
        "Chance of never starting, mentor and mentee in different districts.",
        "factor",
        "assumption; follow-up checks conditions such as travel distance [VDC19 §5.1]",
        ge=1,
        le=5,
    )
    distance_meetings: float = P(
        0.8,
        "Meetings a month, mentor and mentee in different districts (travel).",
        "factor",
        "assumption; travel distance [VDC19 §5.1]",
        ge=0,
        le=1,
    )
    distance_early_end: float = P(
        1.2,
        "Monthly chance of ending early, mentor and mentee in different districts.",
        "factor",
        "assumption; travel distance [VDC19 §5.1]",
        ge=1,
        le=5,
    )
    language_never_start: float = P(
        1.2,
        "Chance of never starting, a mentee who needs language support with a mentor who cannot give it.",
        "factor",
        "assumption; Mentor2Work matched on language (DOMAIN.md §4)",
        ge=1,
        le=5,
    )
    language_meetings: float = P(
        0.9,
        "Meetings a month, a mentee who needs language support with a mentor who cannot give it.",
        "factor",
        "assumption; Mentor2Work matched on language (DOMAIN.md §4)",
        ge=0,
        le=1,
    )
    language_early_end: float = P(
        1.4,
        "Monthly chance of ending early, a mentee who needs language support with a mentor who cannot give it.",
        "factor",
        "assumption; Mentor2Work matched on language (DOMAIN.md §4)",
        ge=1,
        le=5,
    )
    availability_never_start: float = P(
        1.5,
        "Chance of never starting, one side free only in the daytime and the other only in the evenings.",
        "factor",
        "assumption; several pairs never really started [VDC19 §5.1]",
        ge=1,
        le=5,
    )
    availability_meetings: float = P(
        0.6,
        "Meetings a month, one side free only in the daytime and the other only in the evenings.",
        "factor",
        "assumption; several pairs had only sporadic contact [VDC19 §5.1]",
        ge=0,
        le=1,
    )
    availability_early_end: float = P(
        1.4,
        "Monthly chance of ending early, one side free only in the daytime and the other only in the evenings.",
        "factor",
        ASSUME,
        ge=1,
        le=5,
    )
    preference_never_start: float = P(
        1.05,
        "Chance of never starting, mentor and mentee in different preference groups.",
        "factor",
        "assumption; MentorU matched on preferences, hobbies (DOMAIN.md §4)",
        ge=1,
        le=5,
    )
    preference_meetings: float = P(
        0.95,
        "Meetings a month, mentor and mentee in different preference groups.",
        "factor",
        "assumption; MentorU matched on preferences, hobbies (DOMAIN.md §4)",
        ge=0,
        le=1,
    )
    preference_early_end: float = P(
        1.1,
        "Monthly chance of ending early, mentor and mentee in different preference groups (less rapport).",
        "factor",
        "assumption; MentorU matched on preferences, hobbies (DOMAIN.md §4)",
        ge=1,
        le=5,
    )


class Pairs(Section):
    """Life of a mentoring pair: start, meetings, network, early ending, completion."""

    duration_months: int = P(
        6,
        "Agreed length of a pair.",
        "months",
        "DUO for a JOB, Mentor2Work, Mentoring for Migrants, MentorU: 6 months (DOMAIN.md §4)",
        ge=1,
    )
    start_delay_share: float = share(
        0.5,
        "Share of new matches whose first meeting falls in the next month (2-4 weeks).",
        "match start delay 2-4 weeks (DOMAIN.md §5)",
    )
    never_start_base: float = share(
        0.25,
        "Chance that a pair never really starts without any follow-up.",
        "several pairs never started [VDC19 §5.1]; assumption",
    )
    meetings_per_month: float = P(
        2.0,
        "Meetings a month in a healthy pair.",
        "meetings/month",
        "Mentor2Work: at least twice a month (DOMAIN.md §4)",
        ge=0,
    )
    hours_per_meeting: float = P(
        2.0,
        "Mentor hours one meeting takes (with travel); mentors with fewer hours meet less.",
        "hours",
        "Mentoring for Migrants: about 5 hours a month (DOMAIN.md §4); assumption",
        gt=0,
    )
    contact_decay: float = share(
        0.15,
        "Monthly relative fall of contact intensity without follow-up.",
        "sporadic contact without follow-up [VDC19 §5.1]; assumption",
    )
    lapse_rate: float = rate(
        0.08,
        "Monthly chance that a pair's contact lapses (halves): sporadic contact.",
        "several pairs had only sporadic contact [VDC19 §5.1]; size assumed",
    )
    silent_threshold: float = share(
        0.25, "Contact intensity below which a pair goes silent and ends (drop-out).", ASSUME
    )
    early_end_rate: float = rate(
        0.04,
        "Monthly chance that a pair ends early for mentor reasons in the first 3 months (untrained mentor).",
        "STAR study / Grossman & Rhodes 2002: ~30 % end early, 2/3 for mentor reasons (DOMAIN.md §5)",
    )
    mentee_end_rate: float = rate(
        0.01,
        "Monthly chance that a pair ends early for mentee reasons.",
        "Grossman & Rhodes 2002: ~1/3 for mentee reasons",
    )
    training_early_end_reduction: float = share(
        0.4,
        "Relative reduction of mentor-reason early endings for trained mentors.",
        "Kupersmidt et al. 2017: training best predicts match length (DOMAIN.md §5); size assumed",
    )
    training_entry_multiplier: float = P(
        2.0,
        "Training/internship entry of a mentee in a running pair, relative to others.",
        "factor",
        "MentorU 2013: more internships and training [P15]; size assumed",
        ge=0,
    )
    internship_rate: float = rate(
        0.0,
        "Monthly chance that an unemployed mentee in a running pair starts an internship or work placement arranged through the mentor (counted as training: same length and chance of a job at its end). A design choice, 0 unless the programme arranges placements. Distinct from programme.components.internships: those the coaches arrange with champion employers, with their own length, chance of a job, hours and cost.",
        "assumption; MentorU met at the mentor's workplace and counted internships among positive outcomes, Joblinge includes a 6-8 week internship (DOMAIN.md §4)",
    )
    local_knowledge_per_meeting: float = P(
        0.04,
        "Local knowledge (social codes, sector advice) gained per meeting by a mentee of average language; x programme.matching.sector_knowledge_factor with a mentor of one's sector, scaled by need 2 x (1 - language).",
        "per meeting",
        "assumption; mentees value culture- and sector-specific advice [VDC19]; effects concentrate on the most disadvantaged (Battisti et al. 2019, DOMAIN.md §5)",
        ge=0,
    )
    network_open_base: float = P(
        -5.0,
        "Log-odds a month that a mentor opens the network, before the effects below.",
        "log-odds",
        "assumption; few mentees got a network [VDC19 §4.2]",
    )
    network_guideline_effect: float = P(
        2.0,
        "Added log-odds when the guidelines ask mentors to open their network.",
        "log-odds",
        "proposed fix [VDC19 §5.3]; size assumed",
    )
    network_trust_effect: float = P(
        0.1, "Added log-odds per meeting held (trust).", "log-odds", "mentors must trust the mentee first [VDC19 §4.2]"
    )
    network_sector_effect: float = P(
        1.0, "Added log-odds for a mentor of the mentee's sector.", "log-odds", "[VDC19 §4.3, §5.2]"
    )
    network_willingness_effect: float = P(2.0, "Added log-odds per unit of willingness above 0.5.", "log-odds", ASSUME)
    cross_sector_tie_relevance: float = share(
        0.2,
        "Share of ties from a mentor of another sector that are in the mentee's sector.",
        "mentors in another sector cannot open a relevant network [VDC19 §4.3]",
    )
    ties_per_opening: float = P(
        0.6,
        "Share of the mentor's network that the mentee gets ties to when the network is opened.",
        "share",
        ASSUME,
        ge=0,
        le=1,
    )
    mismatch: Mismatch = Field(
        default_factory=Mismatch,
        description="Effects of the matching criteria a pair missed (distance, language support, availability, preferences).",
    )


class FollowUp(Section):
    """Follow-up by the coordinating organisation: check-ins that keep pairs alive (DOMAIN.md §2.4)."""

    intensity: float = share(
        0.5,
        "Share of the recommended contact schedule the coaches plan to give: staff at the first meeting, then"
        " a check-in with every pair each month (with the first meeting, twice in the first month). 0 none,"
        " 1 the full schedule; each check-in and first meeting takes coaches' hours.",
        "systematic follow-up is crucial [VDC19 §5.1]; schedule: twice in the first month, then monthly"
        " (MENTOR guidance, DOMAIN.md §6)",
    )
    never_start_reduction: float = share(
        0.7,
        "Relative reduction of never-started pairs at full follow-up (staff attend the first meeting).",
        "DUO for a JOB: staff attend the first meeting (DOMAIN.md §4); size assumed",
    )
    check_in_restores: float = share(0.6, "Share of lost contact intensity a check-in restores.", ASSUME)
    check_in_hours: float = P(
        1.5,
        "Coach hours of one check-in with a pair (calls to mentor and mentee, notes, action plan).",
        "hours/check-in",
        "assumption; caseload over 65 matches per staff member is overload (National Mentoring Resource"
        " Center, DOMAIN.md §6)",
        ge=0,
    )
    first_meeting_hours: float = P(
        2.0,
        "Coach hours of attending a new pair's first meeting (with travel).",
        "hours/pair",
        "DUO for a JOB: staff attend the first meeting (DOMAIN.md §4); hours assumed",
        ge=0,
    )


class Guidelines(Section):
    """What the mentor guidelines ask (DOMAIN.md §2.3-2.4)."""

    network_opening: bool = Field(
        False, description="Guidelines state explicitly that mentors are expected to open their network [VDC19 §5.3]."
    )
    mentor_training: bool = Field(
        True, description="Mentors are trained before their first pair (DUO for a JOB: 3-4 days)."
    )


class Staff(Section):
    """Coaches of the coordinating organisation, paid from the budget."""

    max_coaches: float = P(
        3.0,
        "Coach FTE the organisation plans for when fully funded.",
        "FTE",
        "assumption; DUO for a JOB-sized programme",
        ge=0,
    )
    coach_cost_per_month: float = P(
        5500.0,
        "Employer cost of one coach FTE per month.",
        "EUR/month",
        "assumption; Belgian social-profit sector wage",
        ge=0,
    )
    overhead_share: float = share(0.2, "Share of spending on overhead.", ASSUME)
    training_cost_per_mentor: float = P(
        400.0, "Cost of training one mentor.", "EUR", "assumption; 3-4 days of training (DUO for a JOB)", ge=0
    )
    hours_per_fte_month: float = P(
        140.0,
        "Productive hours of one coach FTE a month (after leave, sickness and training).",
        "hours/FTE/month",
        "assumption: ~1,680 productive hours a year; coordinator time ~100 h per 20 participants (DOMAIN.md §6)",
        gt=0,
        le=200,
    )
    other_duties_share: float = share(
        0.5,
        "Share of the coaches' hours spent on duties outside the casework below: outreach, recruiting and"
        " training mentors, employer contacts, reporting to the funders.",
        "assumption",
    )
    intake_hours_per_applicant: float = P(
        1.0,
        "Coach hours of one intake interview (an applicant screened).",
        "hours/applicant",
        "DUO for a JOB: online profile and interview (DOMAIN.md §4); coordinator time ~5 h per participant in"
        " all (DOMAIN.md §6); hours assumed",
        ge=0,
    )
    mentor_support_hours: float = P(
        0.75,
        "Coach hours a month supporting the mentor of each running pair (questions, problems).",
        "hours/pair/month",
        "assumption; half the staff time goes to a fifth of the mentors (National Mentoring Resource Center,"
        " DOMAIN.md §6)",
        ge=0,
    )
    hours_priority: list[Literal["mentor_support", "check_in", "matching", "intake"]] = Field(
        ["mentor_support", "check_in", "matching", "intake"],
        description="Triage when the coaches' hours run short: tasks served first to last (all four, once each)."
        " Default: running pairs first (support contacts are the only significant predictor of closure,"
        " Prevention Science 2021, DOMAIN.md §6), then new matches with their first meetings, then intake"
        " interviews (there were always plenty of mentees [VDC19 §5.2]).",
    )

    @field_validator("hours_priority")
    @classmethod
    def _every_task_once(cls, value: list[str]) -> list[str]:
        tasks = {"mentor_support", "check_in", "matching", "intake"}
        if sorted(value) != sorted(tasks):
            raise ValueError(f"list each of {', '.join(sorted(tasks))} once (got {value})")
        return value

    hiring_months: float = P(
        3.0,
        "Mean months to hire a coach once money is there.",
        "months",
        "assumption; staff lost at funding cliffs [P15 §IV.B]",
        gt=0,
    )
    leave_before_end_rate: float = rate(
        0.05,
        "Share of coach FTE leaving each month once the known end of the money is within leave_horizon_months "
        "(no rehiring then).",
        "assumption; staff lost at funding cliffs [P15 §IV.B]",
    )
    leave_horizon_months: int = P(
        6,
        "Coaches start leaving when the money approved so far runs out within this many months (once the money"
        " has run for longer than this: coaches hired for a shorter stretch stay to its end).",
        "months",
        "assumption; staff lost at funding cliffs [P15 §IV.B]",
        ge=0,
        le=36,
    )


class Dual(Section):
    """The dual model's two organisations: a referring one (mentees) and a matching one (mentors, pairs).

    The referring organisation (e.g. the public employment service or an integration agency) recruits,
    interviews and screens the mentees and hands them over; the matching organisation (e.g. the chamber of
    commerce) recruits the mentors, takes the mentees in, matches and follows up the pairs [VDC19 Table 1].
    The grants pay the partnership; ``referring_share`` of the money (and so of the coach FTE) goes to the
    referring organisation. Mentees handed over wait in a queue until the matching organisation has the hours
    to take them in (sim/model/organisation.py).
    """

    referring_share: float = P(
        0.4,
        "Share of the money, and so of the coach FTE (one coach cost), that goes to the referring organisation;"
        " the rest pays the matching organisation's coaches.",
        "share",
        "assumption: the referring side only interviews and screens, the matching side recruits mentors, matches"
        " and follows up [VDC19 Table 1]",
        ge=0.05,
        le=0.95,
    )
    handover_hours: float = P(
        1.0,
        "Coach hours of one hand-over on each side: the referring organisation's referral (file, phone call) and"
        " the matching organisation's take-in of the mentee (reading the file, a get-to-know contact).",
        "hours/mentee/side",
        "assumption; coordinator time ~5 h per participant in all (DOMAIN.md §6)",
        ge=0,
        le=10,
    )
    queue_dropout_rate: float = rate(
        0.1,
        "Share of the mentees waiting to be taken in who give up each month in the hand-over queue (no contact"
        " from the matching organisation yet).",
        "assumption; with the minimum 1-month hand-over and the 5 % lost at once it keeps the former 15 % loss"
        " when the matching organisation has room [VDC19 Table 1]",
    )


COMPONENT_ATTENDEES = Literal["waiting", "paired", "all"]  # participants waiting for a mentor, in a pair, or both


class Workshops(Section):
    """Group workshops the programme holds (job search, social codes): local knowledge for coaches' hours and EUR.

    Design facts a programme file may state: ``enabled``, ``sessions_per_month``, ``attendees`` and
    ``places_per_session``. The rest are shared mechanism parameters (effects and costs), set here only.
    """

    enabled: bool = Field(False, description="The programme holds workshops (design).")
    sessions_per_month: float = P(
        1.0,
        "Workshop sessions held a month while the coaches have the hours (design; a fraction: some months one"
        " more, by chance).",
        "sessions/month",
        "assumption (design fact of each programme)",
        ge=0,
        le=8,
    )
    attendees: COMPONENT_ATTENDEES = Field(
        "all",
        description="Who is invited: participants waiting for a mentor, participants in a running pair, or both"
        " (design).",
    )
    places_per_session: int = P(
        12, "Most participants in one session (design).", "people/session", "assumption (design fact)", ge=1, le=200
    )
    attendance: float = share(
        0.5,
        "Chance that an invited participant comes to a session (shared).",
        "assumption; several pairs had only sporadic contact [VDC19 §5.1]: attendance is not automatic",
    )
    knowledge_per_session: float = P(
        0.03,
        "Local knowledge (social codes, job-search know-how) gained per session attended by a participant of"
        " average language, scaled by need 2 x (1 - language) as in a mentor's meeting (shared effect).",
        "per session",
        "assumption: a little below a mentor's meeting (programme.pairs.local_knowledge_per_meeting 0.04): generic,"
        " in a group; interim goals: social and cognitive skills for the sector [P15] (DOMAIN.md §1)",
        ge=0,
        le=0.5,
    )
    coach_hours_per_session: float = P(
        4.0,
        "Coach hours of one session: preparation, delivery and invitations (shared cost).",
        "hours/session",
        "assumption; coordinator time ~100 h per 20 participants (DOMAIN.md §6)",
        gt=0,
        le=100,
    )
    cost_per_session_eur: float = P(
        250.0,
        "Cost of one session besides the coaches: room, materials, an external speaker's share (shared cost).",
        "EUR/session",
        "assumption",
        ge=0,
        le=100000,
    )


class Events(Section):
    """Group and networking events with employers: employer ties for coaches' hours and EUR.

    Design facts a programme file may state: ``enabled``, ``per_year``, ``attendees`` and
    ``places_per_event``. The rest are shared mechanism parameters (effects and costs), set here only.
    """

    enabled: bool = Field(False, description="The programme holds group or networking events with employers (design).")
    per_year: float = P(
        4.0,
        "Events held a year while the coaches have the hours (design; each month holds per_year / 12 events, a"
        " fraction by chance).",
        "events/year",
        "assumption (design fact of each programme)",
        ge=0,
        le=52,
    )
    attendees: COMPONENT_ATTENDEES = Field(
        "all",
        description="Who is invited: participants waiting for a mentor, participants in a running pair, or both"
        " (design).",
    )
    places_per_event: int = P(
        40, "Most participants at one event (design).", "people/event", "assumption", ge=1, le=2000
    )
    attendance: float = share(0.4, "Chance that an invited participant comes to an event (shared).", ASSUME)
    tie_chance: float = share(
        0.15,
        "Chance that an attendee gains a professional tie to an employer at an event (shared effect): a tie as a"
        " mentor's network gives, fading after the programme as those do.",
        "assumption; most mentees joined to build a network, few got one [VDC19 §4.2]; jobs through contacts"
        " 18-60 % (DOMAIN.md §5)",
    )
    own_sector_share: float = share(
        0.5,
        "Share of the ties made at events that are in the attendee's own sector (sector tables); the others are"
        " in the sector of a champion employer present (any sector by its vacancies when there is none).",
        "assumption; mentors in another sector cannot open a relevant network [VDC19 §4.3]",
    )
    coach_hours_per_event: float = P(
        12.0,
        "Coach hours of one event: inviting employers and participants, running it (shared cost).",
        "hours/event",
        ASSUME,
        gt=0,
        le=500,
    )
    cost_per_event_eur: float = P(
        1500.0,
        "Cost of one event besides the coaches: venue, catering (shared cost).",
        "EUR/event",
        ASSUME,
        ge=0,
        le=1e6,
    )


class Internships(Section):
    """Internships the programme arranges with its champion employers (Joblinge: 6-8 weeks within the 6 months).

    Distinct from ``programme.pairs.internship_rate`` (a placement a mentor arranges through their own
    employer: no coaches' hours, no host places, the region's training spell and its chance of a job). The
    programme's internship is arranged by the coaches (hours and EUR each), hosted by a champion employer
    (``places_per_champion`` interns each at a time: no champions, no internships), lasts ``months`` and ends
    in a job with the host with chance ``job_chance``. While in it the participant is in training (status
    training: counted as an internship by the reporting layer) and does not search.

    Design facts a programme file may state: ``enabled``, ``months``, ``candidates`` and
    ``per_participant``. The rest are shared mechanism parameters (effects and costs), set here only.
    """

    enabled: bool = Field(False, description="The programme arranges internships with employers (design).")
    months: int = P(
        2,
        "Length of one internship (design); shorter than labour_market.training_months (a longer placement is"
        " training).",
        "months",
        "Joblinge: a 6-8 week internship (DOMAIN.md §4)",
        ge=1,
        le=11,
    )
    candidates: COMPONENT_ATTENDEES = Field(
        "all",
        description="Who may be placed (unemployed participants only): waiting for a mentor, in a running pair, or"
        " both (design).",
    )
    per_participant: int = P(
        1,
        "Most internships one participant gets (design).",
        "internships",
        "Joblinge: one internship (DOMAIN.md §4)",
        ge=1,
        le=10,
    )
    monthly_rate: float = rate(
        0.25,
        "Monthly chance that an unemployed candidate is placed when a host place and the coaches' hours are there"
        " (shared).",
        "assumption: about two thirds placed within 4 months",
    )
    job_chance: float = share(
        0.35,
        "Chance that the host employer hires the intern at the end (shared effect); at level as after training"
        " (low skill or recognised qualifications).",
        "assumption; a little above the chance after training (labour_market.training_to_job 0.3): the host knows"
        " the intern; MentorU 2013 counted internships among positive outcomes (DOMAIN.md §4)",
    )
    places_per_champion: float = P(
        2.0,
        "Interns one champion employer hosts at a time (shared): the champions a programme needs.",
        "interns/employer",
        "assumption; employer champions with an internal coordinator per company (TRIEC, DOMAIN.md §4)",
        ge=0,
        le=100,
    )
    coach_hours_per_internship: float = P(
        6.0,
        "Coach hours of arranging one internship: finding the place, the agreement, a visit (shared cost).",
        "hours/internship",
        "assumption; coordinator time ~5 h per extra participant (DOMAIN.md §6)",
        gt=0,
        le=100,
    )
    cost_per_internship_eur: float = P(
        150.0,
        "Cost of one internship besides the coaches: insurance, travel (shared cost).",
        "EUR/internship",
        ASSUME,
        ge=0,
        le=100000,
    )


class Components(Section):
    """A programme's parts besides mentoring (none by default): workshops, group events, internships.

    Each part costs coaches' hours (booked first each month, before the casework: the month's sessions,
    events and internships are scheduled) and EUR (paid from the grants like mentor training, the month
    after), and acts through the channels mentoring uses: local knowledge, employer ties, training status.
    """

    workshops: Workshops = Field(default_factory=Workshops)
    events: Events = Field(default_factory=Events)
    internships: Internships = Field(default_factory=Internships)

    @property
    def any(self) -> bool:
        """Whether the programme has any part besides mentoring."""
        return self.workshops.enabled or self.events.enabled or self.internships.enabled


class Programme(Section):
    """The mentoring programme and its coordinating organisation."""

    enabled: bool = Field(True, description="Run the programme (false: the population without it).")
    start: YearMonth | None = Field(None, description="First month of intake (default: the scenario start).")
    implementation: Literal["centralised", "dual"] = Field(
        "centralised",
        description="centralised: one organisation for both sides; dual: two organisations, a referring one (mentees)"
        " and a matching one (mentors, matches, follow-up), each with its share of the coaches, with a hand-over"
        " queue, losses and coordination hours between them (programme.dual) [VDC19 Table 1].",
    )
    handover_months: int = P(
        1,
        "Dual model: least months between the referral and the take-in by the matching organisation (longer when"
        " its hours are short: the hand-over queue).",
        "months",
        "assumption [VDC19 Table 1]",
        ge=0,
    )
    handover_loss: float = share(
        0.05,
        "Dual model: share of the mentees handed over who are lost at once (the referral never arrives); more"
        " give up while they wait in the hand-over queue (dual.queue_dropout_rate).",
        "assumption [VDC19 Table 1]",
    )
    dual: Dual = Field(default_factory=Dual)
    target: Target = Field(default_factory=Target)
    outreach: Outreach = Field(default_factory=Outreach)
    intake: Intake = Field(default_factory=Intake)
    screening_strictness: float = P(
        0.0,
        "Screening: >0 selects stronger candidates ('creaming'), <0 targets weaker profiles.",
        "log-weight per SD",
        "[VDC19 §3.1]; size assumed",
        ge=-3,
        le=3,
    )
    comparison_share: float = share(
        0.2,
        "Share of accepted applicants randomly assigned to a comparison group that is not served.",
        "assumption: an evaluation design almost no programme has [P15 §III.D.5]",
    )
    max_wait_months: int = P(9, "Months on the waiting list after which an applicant gives up.", "months", ASSUME, ge=1)
    wind_down: Literal["finish", "end"] = Field(
        "finish",
        description="When money runs out: finish (pairs run to term without follow-up) or end (all pairs end).",
    )
    matching: Matching = Field(default_factory=Matching)
    pairs: Pairs = Field(default_factory=Pairs)
    follow_up: FollowUp = Field(default_factory=FollowUp)
    guidelines: Guidelines = Field(default_factory=Guidelines)
    staff: Staff = Field(default_factory=Staff)
    components: Components = Field(
        default_factory=Components,
        description="Parts besides mentoring: workshops, group events, internships arranged by the programme"
        " (none by default).",
    )


class Renewal(Section):
    """How a grant is renewed: the funder decides during the run on what the programme reports.

    At ``decision_months_before_end`` months before the running call ends, the funder compares the
    pairs matched and the placements reported since the call began with the grant's ``targets``
    (prorated to the months elapsed). With shortfall ``s = max(0, 1 - min(reported / target) -
    shortfall_tolerance)`` the renewal chance is ``probability * 2 / (1 + exp(steepness * s))``: the
    base chance when targets are met, falling with the shortfall (a logistic in the shortfall; a large
    steepness makes it a threshold rule). The draw is one uniform per grant and call from stream
    ``funding.renewal`` (common random numbers). A renewal also needs the funder's budget
    (``funder_budget_eur``) to cover the new call (sim/model/funding.py).
    """

    probability: float = share(
        0.0,
        "Chance that a call is renewed when the programme meets its targets (the funder's appetite and policy).",
        "regional calls renew more easily than ESF [P15]; assumption",
    )
    call_months: int = P(36, "Length of a renewed call.", "months", "Brussels calls every 3 years (DOMAIN.md §5)", ge=1)
    gap_months: int = P(
        0,
        "Months without money between a call's end and its renewal (approval lag).",
        "months",
        "Wallonia-Brussels ESF+ approved Dec 2022 (DOMAIN.md §5)",
        ge=0,
    )
    max_renewals: int = P(10, "Most renewals.", "renewals", ASSUME, ge=0)
    decision_months_before_end: int = P(
        3,
        "Months before the running call ends at which the funder decides on its renewal.",
        "months",
        "ESF Flanders decides within 12 weeks (DOMAIN.md §6); the same lead time assumed for other funders",
        ge=0,
        le=24,
    )
    steepness: float = P(
        5.0,
        "How fast the renewal chance falls with the shortfall against the targets (0: targets do not matter).",
        "log-odds per unit shortfall",
        ASSUME,
        ge=0,
        le=50,
    )
    shortfall_tolerance: float = share(0.1, "Shortfall against the targets the funder overlooks.", "assumption")
    funder_budget_eur: float | None = P(
        None,
        "Money the funder has for renewals of this grant over the run; a renewal needs the whole new call (none: not limiting).",
        "EUR",
        "assumption; funders' budgets are finite and dated (DOMAIN.md §1)",
        ge=0,
    )


class Targets(Section):
    """What the programme promised the funder; renewal depends on what it reports against them."""

    pairs_per_month: float = P(
        0.0,
        "Pairs the programme must match per month of the call (0: no target).",
        "pairs/month",
        "assumption; DUO for a JOB aimed at 70 pairs by end 2014 and 110 in 2015 (DOMAIN.md §4)",
        ge=0,
        le=1000,
    )
    placements_per_month: float = P(
        0.0,
        "Participants placed in a job per month of the call, as reported (0: no target).",
        "people/month",
        "assumption; programmes report gross placements (DOMAIN.md §3)",
        ge=0,
        le=1000,
    )


class Payment(Section):
    """How the funder pays: pre-financing each year, the rest as reimbursement of declared costs in arrears.

    Defaults depend on the kind of funder (:data:`PAYMENT_BY_FUNDER`); keys written in a scenario
    override them.
    """

    prefinancing_share_per_year: float = share(
        0.01,
        "Share of the call's amount paid in advance at the start of each year of the call (the rest is reimbursed). "
        "Default by funder: esf 0.01, regional 0.3, city, foundation and private 1 (all in advance).",
        "ESI funds pre-financing of 1 % a year of total support, 2014-16, CPR art. 134 (DOMAIN.md §6)",
    )
    reimbursement_lag_months: int = P(
        6,
        "Months from spending to the reimbursement of the declared cost. Default by funder: esf 6, regional 3, "
        "city, foundation and private 0.",
        "months",
        "assumption; ESF reimburses declared costs in arrears (DOMAIN.md §6)",
        ge=0,
        le=36,
    )


# Payment terms by kind of funder (sources: DOMAIN.md §6 for ESF; the rest are assumptions).
PAYMENT_BY_FUNDER: dict[str, dict[str, float]] = {
    "esf": {"prefinancing_share_per_year": 0.01, "reimbursement_lag_months": 6},
    "regional": {"prefinancing_share_per_year": 0.3, "reimbursement_lag_months": 3},
    "city": {"prefinancing_share_per_year": 1.0, "reimbursement_lag_months": 0},
    "foundation": {"prefinancing_share_per_year": 1.0, "reimbursement_lag_months": 0},
    "private": {"prefinancing_share_per_year": 1.0, "reimbursement_lag_months": 0},
}


class Eligibility(AgeRange):
    """Restrictions a funder puts on who its money may serve."""

    min_age: int = P(0, "Youngest fundable participant.", "years", ASSUME, ge=0, le=100)
    max_age: int = P(100, "Oldest fundable participant.", "years", ASSUME, ge=0, le=100)
    non_eu_only: bool = Field(False, description="Only non-EU origin.")
    registered_unemployed_only: bool = Field(True, description="Only registered unemployed (ESF calls).")


class Grant(Section):
    """One grant of one funder."""

    name: str = Field(description="Grant name, shown in outputs.")
    funder: Literal["esf", "regional", "city", "foundation", "private"] = Field(description="Kind of funder.")
    amount_eur: float = P(0.0, "Amount for the first call (renewals get the same monthly amount).", "EUR", ASSUME, ge=0)
    start: YearMonth = Field(description="First funded month.")
    end: YearMonth = Field(description="Last funded month (ESF calls always have an end date).")
    cofinancing_share: float = share(
        1.0,
        "Share of the programme's monthly cost this grant may pay (ESF Flanders ~40 %); the rest must come from other grants.",
        "ESF Flanders co-finances ~40 % (DOMAIN.md §5)",
    )
    renewal: Renewal = Field(default_factory=Renewal)
    targets: Targets = Field(default_factory=Targets)
    payment: Payment = Field(
        default_factory=Payment,
        description="How the money comes: pre-financing and reimbursement lag (defaults by funder kind, PAYMENT_BY_FUNDER).",
    )
    eligibility: Eligibility = Field(default_factory=Eligibility)

    @model_validator(mode="before")
    @classmethod
    def _payment_by_funder(cls, data: Any) -> Any:
        """Fill the payment terms the scenario does not write from the funder kind's defaults."""
        if not isinstance(data, dict) or data.get("funder") not in PAYMENT_BY_FUNDER:
            return data
        given = data.get("payment", {})
        if isinstance(given, dict):
            data = {**data, "payment": PAYMENT_BY_FUNDER[data["funder"]] | given}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Grant:
        if month_index(self.end) < month_index(self.start):
            raise ValueError(f"grant {self.name!r} ends ({self.end}) before it starts ({self.start})")
        return self


def _default_grants() -> list[Grant]:
    return [
        Grant(
            name="ESF 2014-2020",
            funder="esf",
            amount_eur=1_400_000,
            start="2014-01",
            end="2020-12",
            cofinancing_share=1.0,
        )
    ]


class Funding(Section):
    """Funders and their grants, and the organisation's own cash (DOMAIN.md §2.7, §6 funding rules)."""

    grants: list[Grant] = Field(
        default_factory=_default_grants, description="All grants; money flows only between a grant's start and end."
    )
    reserves_eur: float = P(
        120_000.0,
        "The organisation's own cash at the start: working capital that bridges reimbursements in arrears (it pays "
        "only costs a grant covers).",
        "EUR",
        "assumption: about six months of a EUR 20,000 monthly cost, the ESF reimbursement lag (DOMAIN.md §6)",
        ge=0,
        le=10_000_000,
    )


class Counterfactual(Section):
    """How the net effect is measured."""

    twin: bool = Field(
        True,
        description="Also run the same population with the programme off on common random numbers (net effect for the same people).",
    )


CountItem = Literal["job", "job_at_level", "training", "internship", "study"]  # what may count as a positive outcome
SNAPSHOT_MONTHS = {"exit": (0,), "after_exit": (0, 6), "after_start": (6, 12)}  # the recorded checkpoints


def _default_counts() -> list[CountItem]:
    return ["job", "training"]


class Counting(Section):
    """How a programme counted a reported share: over whom, when, and what counted (DOMAIN.md §6).

    Computed by :mod:`sim.model.reporting` from the per-person records of a run (Checkpoints); the output
    ``reported_share`` is the figure as the programme would report it, next to the gross and net shares of
    all participants.
    """

    denominator: Literal["all", "started", "completed"] = Field(
        "all",
        description="Over whom: all participants, those whose pair started, or those whose pair ran to term"
        " ('of those who finished').",
    )
    survey: bool = Field(
        False,
        description="Only those who answered a follow-up survey count (respondents among the denominator); the"
        " response model is response_rate and response_odds_ratio.",
    )
    moment: Literal["exit", "after_exit", "after_start", "within_after_start", "within_after_exit"] = Field(
        "exit",
        description="When: the status at exit, `months` after exit (0 or 6), `months` after acceptance (6 or 12),"
        " or at any time from acceptance to `months` after acceptance (within_after_start) or after exit"
        " (within_after_exit).",
    )
    months: int = P(0, "Months after exit or acceptance for the moment (see moment).", "months", ASSUME, ge=0, le=60)
    counts: list[CountItem] = Field(
        default_factory=_default_counts,
        min_length=1,
        description="What counts as positive: any job, a job at one's skill level, training, an internship or"
        " further study. The model has one status for training, internships and study (internships arranged by"
        " mentors included), so any of the three counts it; a job in one's field is read as a job at level.",
    )
    response_rate: float = share(
        0.5,
        "Share of the denominator who answer the survey (when survey is true).",
        "Behaghel et al. 2009 (French RCT, n = 8,000): ~50 % (long survey) to ~80 % (short survey + administrative"
        " data); an ESF leavers' survey, Wales 2009: 40 % x 67 % = 25 % (DOMAIN.md §6)",
    )
    response_odds_ratio: float = P(
        2.56,
        "Odds of answering for those with the counted outcome relative to those without (non-response is not"
        " balanced).",
        "odds ratio",
        "CETA follow-up 1978: traced completers 75 % employed vs 54 % of those not traced, an odds ratio of"
        " (0.75/0.25)/(0.54/0.46) = 2.56 (DOMAIN.md §6)",
        ge=0.1,
        le=10,
    )

    @model_validator(mode="after")
    def _months_recorded(self) -> Counting:
        allowed = SNAPSHOT_MONTHS.get(self.moment)
        if allowed is not None and self.months not in allowed:
            raise ValueError(
                f"moment {self.moment!r} is recorded at months {', '.join(map(str, allowed))} only (Checkpoints);"
                f" got months {self.months}; for another window use within_after_start or within_after_exit"
            )
        if self.moment.startswith("within") and self.months < 1:
            raise ValueError(f"moment {self.moment!r} needs a window of at least 1 month (months)")
        return self


class CalibrationTarget(Section):
    """A figure a programme reported and the simulated quantity it corresponds to (read by :mod:`sim.studies.validation`).

    ``outcome`` is an outcome column (one row per replicate, :mod:`sim.model.outcomes`), optionally restricted to
    the participants accepted from ``cohort_start`` to ``cohort_end``; or a time-series column (or a
    series derived in :mod:`sim.studies.validation`), read at ``month`` or summed / averaged from ``since`` to
    ``month``.
    """

    outcome: str = Field(description="Outcome column or time-series column the reported figure corresponds to.")
    reported: float = Field(description="The reported figure, in the unit of the column (shares as 0-1).")
    tolerance: float = P(
        0.05, "Absolute distance from the reported figure still counted as a match.", "unit of the column", ASSUME, gt=0
    )
    direction: Literal["about", "at_least"] = Field(
        "about",
        description="about: |simulated - reported| <= tolerance; at_least: a lower bound ('more than 700'), simulated >= reported - tolerance.",
    )
    month: YearMonth | None = Field(
        None, description="Time-series targets: the month read (or the last month of the window)."
    )
    since: YearMonth | None = Field(None, description="Time-series targets: first month of a window ending at `month`.")
    aggregate: Literal["value", "sum", "mean"] = Field(
        "value", description="Time-series targets: the value at `month`, or the sum or mean over since..month."
    )
    cohort_start: YearMonth | None = Field(
        None, description="Outcome targets: only participants accepted from this month ..."
    )
    cohort_end: YearMonth | None = Field(None, description="... to this month (inclusive).")
    when: str = Field("", description="The date or cohort the figure refers to, as reported.")
    source: str = Field(description="Where the figure is reported (document, section or table).")
    note: str = Field(
        "",
        description="How the programme's definition maps to the column (employment only or with training, at the end or 6 months later).",
    )
    counting: Counting | None = Field(
        None,
        description="How the programme counted the figure (outcome reported_share only; default: the scenario's"
        " reporting).",
    )
    known_miss: str = Field(
        "",
        description="Why the model cannot meet this target (with numbers); a known miss does not make mentorsim"
        " check fail.",
    )


class Scenario(Section):
    """A complete scenario: region, labour market, programme and funding."""

    name: FolderName = Field("scenario", description="Short name, used for the output folder.")
    description: str = Field("", description="What this scenario represents.")
    extends: str | None = Field(None, description="A scenario file this one overrides (resolved before validation).")
    start: YearMonth = Field("2014-01", description="First simulated month (YYYY-MM).")
    months: int = P(120, "Simulated months.", "months", ASSUME, ge=1, le=1200)
    seed: int = P(1, "Base random seed (replicate r uses seed + r).", "", ASSUME, ge=0)
    region: str = Field(
        "", description="The region whose labour market the scenario uses (set by a file in scenarios/regions/)."
    )
    sectors: list[Sector] = Field(default_factory=_default_sectors, description="Sectors of the labour market.")
    population: Population = Field(default_factory=Population)
    economy: Economy = Field(default_factory=Economy)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    employers: Employers = Field(default_factory=Employers)
    mentors: Mentors = Field(default_factory=Mentors)
    programme: Programme = Field(default_factory=Programme)
    funding: Funding = Field(default_factory=Funding)
    counterfactual: Counterfactual = Field(default_factory=Counterfactual)
    reporting: Counting = Field(
        default_factory=Counting,
        description="How the programme counts its headline figure (the output reported_share).",
    )
    targets: list[CalibrationTarget] = Field(
        default_factory=list,
        description="Reported figures the scenario should reproduce (mentorsim check, mentorsim calibrate).",
    )
    calibrate: list[str] = Field(
        default_factory=list,
        description="Dotted paths of the parameters mentorsim calibrate may fit; each needs a record with a `range` in the file.",
    )

    # Provenance, set by sim.scenario.loader.load_scenario: the parameter records (read them with
    # parameter_records), the files read (sim.scenario.loader.scenario_files) and where each value was
    # written (sim.scenario.loader.located, for errors found after loading, such as unknown target columns).
    _records: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)
    _files: list[str] = PrivateAttr(default_factory=list)
    _origins: dict[tuple[str | int, ...], Any] = PrivateAttr(default_factory=dict)

    @field_validator("months")
    @classmethod
    def _ends_in_calendar(cls, months: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        last = month_index(start) + months - 1 if start else 0
        if start and last > month_index(f"{LAST_YEAR}-12"):
            raise ValueError(
                f"a run of {months} months from {start} ends in {month_label(last)}, after the supported calendar "
                f"({FIRST_YEAR}-01 to {LAST_YEAR}-12)"
            )
        return months

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        names = [s.name for s in self.sectors]
        if len(set(names)) != len(names):
            raise ValueError(f"sector names must be unique, got {names}")
        for what in ("jobseeker_share", "mentor_share", "vacancy_share"):
            _shares_sum_to_one({s.name: getattr(s, what) for s in self.sectors}, f"sectors[*].{what}")
        intake, first = self.programme.intake, self.programme.start or self.start
        if intake.mode == "cohort" and intake.cohort is not None:
            last = month_label(self.start_index + self.months - 1)
            if not month_index(first) <= month_index(intake.cohort) <= month_index(last):
                raise ValueError(
                    f"programme.intake.cohort {intake.cohort} lies outside the programme's months {first} to {last}:"
                    " nobody would ever be taken in"
                )
        internship = self.programme.components.internships
        if internship.enabled and internship.months >= self.labour_market.training_months:
            raise ValueError(
                f"programme.components.internships.months ({internship.months}) must be shorter than"
                f" labour_market.training_months ({self.labour_market.training_months}): a longer placement is training"
            )
        return self

    @property
    def start_index(self) -> int:
        """The start month as a :func:`month_index`: month ``t`` of the run is ``start_index + t``."""
        return month_index(self.start)

    def calendar(self) -> list[str]:
        """The ``YYYY-MM`` label of every simulated month."""
        return [month_label(self.start_index + t) for t in range(self.months)]


def parameter_records(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The parameter records of the scenario file(s), keyed by dotted path (``funding.grants.0.amount_eur``).

    Each has the keys written (``value``, ``unit``, ``source``, ``range``, ``description``).
    """
    return {path: dict(record) for path, record in scenario._records.items()}
