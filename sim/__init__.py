"""mentorsim: an agent-based simulator of mentoring-to-work programmes for migrant jobseekers.

The public API::

    from sim import load_scenario, run, write_run

    scenario = load_scenario("scenarios/base.yaml", ["population.size=2000"])
    result = run(scenario, replicates=10)
    result.summary  # mean, p05 and p95 (5th and 95th percentile of replicates) of every outcome
    folder = write_run(result, "runs/base", "my script", started, finished)
    again = read_run(folder)  # a run folder read back: .outcomes, .summary, .timeseries, .manifest

The package is layered; each layer imports only the layers below it (the contracts in
``pyproject.toml``, checked by ``make lint`` and ``tests/test_architecture.py``)::

    sim.cli, sim.dashboard      the faces: command line and interactive dashboard
    sim.studies                 many runs: experiments, store, executors, sensitivity, discovery, validation
    sim.outputs                 what a run produces: vocabulary, run folder, figures, report
    sim.replicates              replicates of a scenario: the programme run and its twin
    sim.model                   the Mesa model and its processes
    sim.scenario                the schema, loading and describing scenario files
    sim.extras                  which optional packages each optional feature needs
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
    from sim.model.model import MentoringModel
    from sim.outputs.run_folder import RunFolder, read_run, write_run
    from sim.replicates import RunResult, run, run_replicate, summarise
    from sim.scenario.describe import describe_parameters
    from sim.scenario.loader import ScenarioError, load_scenario
    from sim.scenario.schema import Scenario

# The public names and where they live, imported on first use (PEP 562): ``import sim.cli`` does not load the
# model's stack (numba, mesa, scipy: seconds) before the command line can say that it is loading.
_HOMES = {
    "Coordinator": "sim.model.agents", "Employer": "sim.model.agents", "Funder": "sim.model.agents",
    "Jobseeker": "sim.model.agents", "Mentor": "sim.model.agents", "MentoringModel": "sim.model.model",
    "RunFolder": "sim.outputs.run_folder", "read_run": "sim.outputs.run_folder", "write_run": "sim.outputs.run_folder",
    "RunResult": "sim.replicates", "run": "sim.replicates", "run_replicate": "sim.replicates",
    "summarise": "sim.replicates", "describe_parameters": "sim.scenario.describe",
    "ScenarioError": "sim.scenario.loader", "load_scenario": "sim.scenario.loader", "Scenario": "sim.scenario.schema",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use; ``__version__`` from the installed package."""
    if name == "__version__":
        value: Any = importlib.import_module("sim.outputs.run_folder").package_version()
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Coordinator",
    "Employer",
    "Funder",
    "Jobseeker",
    "Mentor",
    "MentoringModel",
    "RunFolder",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "describe_parameters",
    "load_scenario",
    "read_run",
    "run",
    "run_replicate",
    "summarise",
    "write_run",
]
