"""Careers move (issue 11, item 4): job-to-job moves, retention support, fading, language, recognition, gender.

Paired arms on common seeds (see helpers.py): "raises X" means the mean paired difference is above 0
and its 95 % t interval excludes 0. A small region over three to four years keeps them fast; the
kernel tests at the end check each step of ``sim.model.careers`` on a handful of people.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SHORT, Paired, assert_negative, assert_positive, outcome, paired, scenario

from sim.model.careers import Careers
from sim.model.model import MentoringModel
from sim.model.population import NO_MONTH, Labour, Population, Status, build_population, is_employed, participants
from sim.model.rng import Streams
from sim.scenario.schema import Scenario

SMALL = ("population.size=3000", "months=48")
SEEDS = range(1, 6)
C = "labour_market.careers."


def _rate(name: str, value: float) -> str:
    """A ``--set`` of a careers rate or share beyond base.yaml's range (a record with the range [0, 1] of its own)."""
    return f"{C}{name}={{value: {value}, range: [0.0, 1.0]}}"


def _base(*overrides: str) -> Scenario:
    return scenario("base", *SMALL, *overrides)


def _people(sc: Scenario, seed: int) -> Population:
    return MentoringModel(sc, seed=seed, agents=False).run().people


def _paired_people(low: Scenario, high: Scenario, metric, label: str) -> Paired:  # noqa: ANN001
    a = np.array([metric(_people(low, s)) for s in SEEDS])
    b = np.array([metric(_people(high, s)) for s in SEEDS])
    return Paired(label, b - a, a, b)


def _at_level_share(people: Population) -> float:
    """Share of the employed medium- and highly skilled in a job at their level, at the end."""
    skilled = (people.skill > 0) & is_employed(people.labour)
    return float((people.labour[skilled] == Labour.EMPLOYED_AT_LEVEL).mean())


# -- job-to-job moves ------------------------------------------------------------------------------
def test_more_job_to_job_moves_raise_employment_at_level() -> None:
    """move_rate 0.03 vs 0 (programme off): more of the skilled employed hold a job at their level."""
    off = ("programme.enabled=false",)
    result = _paired_people(
        _base(*off, _rate("move_rate", 0)), _base(*off, _rate("move_rate", 0.03)), _at_level_share, "at level"
    )
    assert_positive(result)
    assert result.mean > 0.05, result


def test_ties_and_recognition_help_moves() -> None:
    """move_tie_effect 0.7 vs 0 and move_recognition_factor 6 vs 1 each raise the moves to a job at level."""
    off = ("programme.enabled=false",)
    moves = lambda series, _outcomes: float(series["moves_to_level"].sum())  # noqa: E731
    ties = paired(_base(*off, f"{C}move_tie_effect=0"), _base(*off, f"{C}move_tie_effect=0.7"), moves, SEEDS, "ties")
    assert_positive(ties)
    recognition = paired(
        _base(*off, f"{C}move_recognition_factor=1"), _base(*off, f"{C}move_recognition_factor=6"), moves, SEEDS, "rec"
    )
    assert_positive(recognition)


# -- retention support ---------------------------------------------------------------------------------
def _kept_job(sc: Scenario, seed: int) -> float:
    """Among participants in work when they left the programme, the share still in work 6 months later."""
    model = MentoringModel(sc, seed=seed, agents=False).run()
    part, checks = participants(model.people), model.checks
    placed = part & is_employed(checks.exit) & (checks.exit6 >= 0)
    return float(is_employed(checks.exit6[placed]).mean())


def test_retention_support_keeps_placed_participants_in_work() -> None:
    """retention_reduction 1 vs 0 over 12 months: more placed participants still in work 6 months after leaving.

    A larger region over five years (helpers.SHORT): few participants are placed in a small one.
    """
    sup = (*SHORT, f"{C}retention_months=12", f"{C}retention_window_months=6", f"{C}female_mentoring_factor=1")
    low = scenario("base", *sup, _rate("retention_reduction", 0))
    high = scenario("base", *sup, _rate("retention_reduction", 1))
    a = np.array([_kept_job(low, s) for s in SEEDS])
    b = np.array([_kept_job(high, s) for s in SEEDS])
    assert_positive(Paired("placed participants still in work 6 months later", b - a, a, b))


# -- fading -------------------------------------------------------------------------------------------
def test_fading_lowers_the_net_effect_at_24_months() -> None:
    """Knowledge and ties that fade (0.3 a month vs never) lower the net effect 24 months after acceptance.

    A larger region over five years (helpers.SHORT): the 24-month checkpoint needs participants accepted early.
    """
    result = paired(
        scenario("base", *SHORT, _rate("knowledge_decay", 0), _rate("tie_decay", 0)),
        scenario("base", *SHORT, _rate("knowledge_decay", 0.3), _rate("tie_decay", 0.3)),
        outcome("net_effect_employed_24m_after_start"),
        SEEDS,
        "net effect 24 months after acceptance",
    )
    assert_negative(result)


# -- language and recognition ---------------------------------------------------------------------------
def _participants_mean(field: str, skilled: bool = False):  # noqa: ANN202
    def metric(people: Population) -> float:
        part = participants(people) & (people.matched_month != NO_MONTH)
        if skilled:
            part &= people.skill > 0
        return float(getattr(people, field)[part].mean())

    return metric


def test_language_grows_faster_with_a_mentor() -> None:
    """language_mentor_multiplier 4 vs 1: matched participants end with better language."""
    result = _paired_people(
        _base(f"{C}language_mentor_multiplier=1"),
        _base(f"{C}language_mentor_multiplier=4"),
        _participants_mean("language"),
        "language",
    )
    assert_positive(result)


def test_a_mentor_speeds_up_recognition() -> None:
    """recognition_mentor_multiplier 4 vs 1 (recognition_rate 0.01): more matched skilled participants are recognised."""
    result = _paired_people(
        _base(f"{C}recognition_rate=0.01", f"{C}recognition_mentor_multiplier=1"),
        _base(f"{C}recognition_rate=0.01", f"{C}recognition_mentor_multiplier=4"),
        _participants_mean("recognised", skilled=True),
        "recognised",
    )
    assert_positive(result)


# -- gender -------------------------------------------------------------------------------------------
def test_the_gender_factor_opens_a_gap_in_the_net_effect() -> None:
    """female_mentoring_factor 0 (Månsson & Delander) vs 1: men's minus women's net effect grows."""
    gap = lambda _s, o: float(o["net_effect_employed_6m_male"] - o["net_effect_employed_6m_female"])  # noqa: E731
    result = paired(
        _base(f"{C}female_mentoring_factor=1"),
        _base(f"{C}female_mentoring_factor=0"),
        gap,
        SEEDS,
        "men minus women, net effect 6 months after",
    )
    assert_positive(result)


# -- the kernel, person by person --------------------------------------------------------------------
def _few(n: int = 4) -> tuple[Scenario, Population, Careers, np.ndarray]:
    sc = Scenario(months=12)
    sc.population.size = n
    people = build_population(sc, Streams(1))
    careers = Careers(sc.labour_market, Streams(1), n)
    return sc, people, careers, np.ones(n, dtype=np.float32)


def test_a_running_pair_speeds_up_language_and_keeps_what_it_gave_by_gender() -> None:
    """Language grows faster in a running pair; a woman keeps her factor's share of what the pair gave; it fades after."""
    sc, people, careers, static = _few()
    people.language[:] = 0.5
    people.female[:] = [True, True, False, False]
    people.non_eu[:] = True
    people.programme[:] = [Status.PAIRED, Status.NOT_ENROLLED, Status.PAIRED, Status.COMPLETED]
    people.served[:] = [True, False, True, True]
    people.pair_started[:] = True
    people.local_knowledge[:] = 0.2  # gained in this month's meetings
    careers.month(0, people, static, 1.0)
    assert people.language[0] > people.language[1] > 0.5
    assert people.local_knowledge[0] == pytest.approx(0.2 * sc.labour_market.careers.female_mentoring_factor)
    assert people.local_knowledge[2] == pytest.approx(0.2)  # a man keeps all of it
    assert people.local_knowledge[3] < 0.2  # the pair is over: it fades
    assert static[0] > 1.0  # better language, more attractive to employers


def test_retention_support_only_for_jobs_found_during_or_soon_after_a_pair() -> None:
    """The job-loss factor: cut for a job begun while paired, not for one begun before the pair or in the twin."""
    sc, people, careers, static = _few()
    people.female[:] = False
    people.non_eu[:] = True
    people.labour[:] = Labour.EMPLOYED_BELOW_LEVEL
    people.skill[:] = 0  # no moves
    people.served[:] = [True, True, True, False]
    people.programme[:] = Status.PAIRED
    people.matched_month[:] = [2, 9, 2, 2]
    people.months_in_status[:] = 3  # the job began in month 10 - 4 = 6
    careers.month(10, people, static, 1.0)
    cut = 1 - sc.labour_market.careers.retention_reduction
    np.testing.assert_allclose(careers.loss_factor, [cut, 1.0, cut, 1.0])


def test_careers_off_changes_nothing() -> None:
    """careers.enabled false: the month leaves every attribute as it was."""
    sc, people, careers, static = _few()
    careers.enabled = False
    before = people.subset(np.arange(people.n))
    careers.month(0, people, static, 1.0)
    for name in ("language", "recognised", "labour", "local_knowledge", "ties"):
        np.testing.assert_array_equal(getattr(people, name), getattr(before, name))
    assert (careers.loss_factor == 1).all()
