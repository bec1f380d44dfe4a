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

from sim.model.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
from sim.model.model import MentoringModel
from sim.outputs.run_folder import RunFolder, package_version, read_run, write_run
from sim.replicates import RunResult, run, run_replicate, summarise
from sim.scenario.describe import describe_parameters
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

__version__ = package_version()

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
