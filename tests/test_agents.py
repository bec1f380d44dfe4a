"""Mesa agents are the inspectable face of the array state."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import Coordinator, Employer, Funder, Jobseeker, Mentor, MentoringModel
from sim.scenario.schema import Scenario


def small_model(months: int = 24) -> MentoringModel:
    return MentoringModel(Scenario.model_validate({"population": {"size": 1500}, "months": months}), seed=3)


def test_every_kind_of_agent_is_there() -> None:
    model = small_model()
    by_type = model.agents_by_type
    assert len(by_type[Jobseeker]) == model.people.n
    assert len(by_type[Employer]) == model.employers.n
    assert len(by_type[Mentor]) == model.pool.count > 0
    assert len(by_type[Funder]) == 1 and len(by_type[Coordinator]) == 1


def test_agents_read_the_arrays_as_the_model_runs() -> None:
    """A jobseeker's state is the array state at its index, before and after months pass."""
    model = small_model()
    agent = model.agents_by_type[Jobseeker][10]
    assert agent.state()["labour"] == int(model.people.labour[10])
    model.run()
    state = agent.state()
    assert state["labour"] == int(model.people.labour[10])
    assert state["ties"] == model.people.ties[10].tolist()
    assert agent.labour_status in {"unemployed", "employed_at_level", "employed_below_level", "training", "inactive"}
    assert agent.skill_level in {"low", "medium", "high"}


def test_recruited_mentors_become_agents() -> None:
    """Mentors recruited during the run get their Mesa agent, one per mentor slot."""
    model = small_model(36)
    model.run()
    mentors = model.agents_by_type[Mentor]
    assert len(mentors) == model.pool.count
    assert sorted(a.index for a in mentors) == list(range(model.pool.count))
    paired = [a for a in mentors if a.status_name == "paired"]
    for a in paired:
        assert model.people.mentor[a.state()["mentee"]] == a.index


def test_coordinator_and_funder_report_money_and_staff() -> None:
    model = small_model()
    model.step()
    coordinator = model.agents_by_type[Coordinator][0]
    funder = model.agents_by_type[Funder][0]
    assert coordinator.funded and coordinator.coaches > 0
    assert funder.kind == "esf" and funder.money_this_month() > 0


def test_arrays_only_model_has_no_agents_but_same_results() -> None:
    """agents=False (used for batch runs) changes nothing in the dynamics."""
    scenario = Scenario.model_validate({"population": {"size": 1500}, "months": 24})
    with_agents = MentoringModel(scenario, seed=4).run()
    without = MentoringModel(scenario, seed=4, agents=False).run()
    assert len(without.agents) == 0
    np.testing.assert_array_equal(with_agents.people.labour, without.people.labour)
    assert pd.Series(with_agents.outcomes()).equals(pd.Series(without.outcomes()))  # NaN equals NaN


def test_views_are_built_when_first_asked_for() -> None:
    """Jobseeker, Employer and Mentor agents are built on the first use of ``agents_by_type`` (a million
    take seconds); funders decide and the coordinator exists from the start; the months run the same."""
    model = small_model(12)
    assert Jobseeker not in model._agents_by_type and Employer not in model._agents_by_type
    assert len(model._agents_by_type[Funder]) == 1 and len(model._agents_by_type[Coordinator]) == 1
    model.run()
    assert Mentor not in model._agents_by_type
    assert len(model.agents_by_type[Jobseeker]) == model.people.n
    assert len(model.agent_types) == 5 and len(model.agents) > model.people.n


def test_mentors_recruited_after_the_views_are_built_get_agents() -> None:
    """Asked for at the start, the views then grow with every mentor recruited during the run."""
    model = small_model(36)
    before = len(model.agents_by_type[Mentor])
    model.run()
    mentors = model.agents_by_type[Mentor]
    assert len(mentors) == model.pool.count > before
    assert sorted(a.index for a in mentors) == list(range(model.pool.count))
