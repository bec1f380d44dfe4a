"""The public API of the ``sim`` package: ``__all__`` is explicit, complete and importable."""

from __future__ import annotations

import inspect

import sim

EXPECTED = {
    "load_scenario", "ScenarioError", "Scenario", "run", "RunResult", "run_replicate", "MentoringModel",
    "write_run", "summarise", "Jobseeker", "Mentor", "Employer", "Funder", "Coordinator",
    "describe_parameters", "__version__", "read_run", "RunFolder",
}  # fmt: skip


def test_all_lists_the_public_api() -> None:
    assert set(sim.__all__) == EXPECTED
    assert len(sim.__all__) == len(set(sim.__all__)), "no name listed twice"


def test_every_name_in_all_is_importable() -> None:
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from sim import *", namespace)
    assert set(EXPECTED) - {"__version__"} <= set(namespace)


def test_nothing_private_is_exported() -> None:
    assert [name for name in sim.__all__ if name.startswith("_") and name != "__version__"] == []


def test_run_is_the_function_and_agents_are_the_agent_classes() -> None:
    assert inspect.isfunction(sim.run) and "replicates" in inspect.signature(sim.run).parameters
    from sim.model import agents

    agent_classes = {
        name for name, obj in vars(agents).items() if inspect.isclass(obj) and obj.__module__ == agents.__name__
    }
    assert agent_classes - {"ArrayAgent"} <= set(sim.__all__)


def test_version_is_a_string() -> None:
    assert isinstance(sim.__version__, str) and sim.__version__
