"""A programme's parts besides mentoring: workshops, events, internships it arranges (issue 12: 2).

Each part switched on against off, on common seeds (see helpers.py): it raises the outcome it acts on
and it costs coaches' hours and EUR. "Raises X" means the mean paired difference is above 0 and its 95 %
t interval excludes 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Paired, assert_negative, assert_positive, scenario

from sim.model.model import MentoringModel
from sim.model.population import NO_MONTH, participants
from sim.scenario.loader import ScenarioError, scenario_hash
from sim.scenario.schema import Scenario

SMALL = ("population.size=2000", "months=36", "labour_market.burn_in_months=36", "counterfactual.twin=false")
SEEDS = range(1, 7)
PARTS = ("workshops", "events", "internships")
RICH = ("funding.grants.0.amount_eur=2800000",)  # twice base's grant: room for more than the planned coaches

_runs: dict[tuple[str, int], dict[str, float]] = {}


def _arm(*parts: str, extra: tuple[str, ...] = ()) -> Scenario:
    return scenario("base", *SMALL, *(f"programme.components.{p}.enabled=true" for p in parts), *extra)


def _measures(sc: Scenario, seed: int) -> dict[str, float]:
    """A run's outcomes plus what the parts act on: participants' local knowledge, ever in an internship."""
    key = (scenario_hash(sc), seed)
    if key not in _runs:
        model = MentoringModel(sc, seed=seed, agents=False).run()
        part = participants(model.people)
        out = model.outcomes()
        out["knowledge_mean"] = float(model.people.local_knowledge[part].mean())
        out["ever_in_training_share"] = float((model.checks.first_training[part] != NO_MONTH).mean())
        out["coaches_fte_mean"] = float(model.series["coaches_fte"].mean())
        out["coach_hours_components_series"] = float(sum(model.series[f"coach_hours_used_{p}"].sum() for p in PARTS))
        _runs[key] = out
    return _runs[key]


def _paired(part: str, measure: str, extra: tuple[str, ...] = ()) -> Paired:
    off, on = _arm(extra=extra), _arm(part, extra=extra)
    a = np.array([_measures(off, s)[measure] for s in SEEDS])
    b = np.array([_measures(on, s)[measure] for s in SEEDS])
    return Paired(f"{measure}, {part} on - off", b - a, a, b)


def test_workshops_raise_participants_local_knowledge() -> None:
    assert_positive(_paired("workshops", "knowledge_mean"))


def test_events_raise_network_access() -> None:
    """Ties gained at events count among the ties gained through the programme (network_access_share)."""
    assert_positive(_paired("events", "network_access_share"))
    assert_positive(_paired("events", "event_ties_total"))


def test_internships_put_participants_in_internships_and_some_into_jobs() -> None:
    assert_positive(_paired("internships", "ever_in_training_share"))
    assert_positive(_paired("internships", "internship_hires_total"))
    assert_positive(_paired("internships", "positive_outcome_share"))  # training and internships count


@pytest.mark.parametrize("part", PARTS)
def test_each_part_costs_coaches_hours_and_money(part: str) -> None:
    """Hours booked for the part; its EUR cost coach FTE under base's binding grant, or more spending with room."""
    hours = _paired(part, "coach_hours_components")
    assert_positive(hours)
    assert np.all(hours.control == 0)
    assert_positive(_paired(part, "components_cost_eur"))
    assert_negative(_paired(part, "coaches_fte_mean"))  # base's grant pays ~2.4 of 3 coaches: the budget is theirs
    assert_positive(_paired(part, "cost_total_eur", RICH))  # a grant with room pays the parts on top


def test_hours_booked_for_the_parts_match_their_series() -> None:
    """The outcome coach_hours_components is the sum of the coach_hours_used_<part> series."""
    out = _measures(_arm(*PARTS), 2)
    assert out["coach_hours_components"] == pytest.approx(out["coach_hours_components_series"])


def test_the_parts_hours_come_out_of_the_casework() -> None:
    """All three parts on: the coaches' hours they take leave fewer for intake, matches and pairs' follow-up."""
    off, on = _arm(), _arm(*PARTS)
    for seed in SEEDS[:3]:
        a, b = MentoringModel(off, seed=seed, agents=False).run(), MentoringModel(on, seed=seed, agents=False).run()
        casework = ("intake", "matching", "first_meeting", "check_in", "mentor_support")
        used = [sum(m.series[f"coach_hours_used_{task}"].sum() for task in casework) for m in (a, b)]
        assert used[1] < used[0], (seed, used)


def test_internships_need_champion_employers() -> None:
    """No champion employer to host them: no internship is arranged, and none of its hours or cost."""
    none = ("employers.champions_initial=0", "employers.champion_recruitment_rate=0")
    out = _measures(_arm("internships", extra=none), 1)
    assert out["programme_internships_total"] == 0
    assert out["coach_hours_components"] == 0 and out["components_cost_eur"] == 0


def test_without_parts_nothing_runs_and_the_columns_are_zero() -> None:
    out = _measures(_arm(), 1)
    for name in ("workshop_attendances_total", "event_ties_total", "programme_internships_total",
                 "internship_hires_total", "coach_hours_components", "components_cost_eur"):  # fmt: skip
        assert out[name] == 0, name
    assert MentoringModel(_arm(), seed=1, agents=False).components is None


def test_an_internship_must_be_shorter_than_a_training_spell() -> None:
    with pytest.raises(ScenarioError, match="shorter than"):
        _arm("internships", extra=("programme.components.internships.months=6",))


def test_joblinge_states_its_internship_as_a_design_fact() -> None:
    """Joblinge's 6-8 week internship (DOMAIN.md §4) is its programme-arranged internship: 2 months."""
    sc = scenario("programmes/joblinge")
    internships = sc.programme.components.internships
    assert internships.enabled and internships.months == 2


def test_parts_switched_on_but_never_held_change_nothing() -> None:
    """Common random numbers: the parts' machinery alone (no session, event or placement) leaves a run as it was."""
    idle = ("programme.components.workshops.sessions_per_month=0", "programme.components.events.per_year=0",
            "programme.components.internships.monthly_rate=0")  # fmt: skip
    off, on = _measures(_arm(), 3), _measures(_arm(*PARTS, extra=idle), 3)
    assert on == pytest.approx(off, nan_ok=True)
