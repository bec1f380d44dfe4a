"""mentorsim: an agent-based simulator of mentoring-to-work programmes for migrant jobseekers.

The public API::

    from sim import load_scenario, run, write_run

    scenario = load_scenario("scenarios/base.yaml", ["population.size=2000"])
    result = run(scenario, replicates=10)
    result.summary  # mean and 90 % interval of every outcome

Note that ``sim.replicates`` is the function :func:`run`; the module is ``sys.modules["sim.replicates"]``
(``from sim.replicates import ...`` works as usual).
"""

from sim.model.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
from sim.model.model import MentoringModel
from sim.outputs.run_folder import package_version, write_run
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
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "describe_parameters",
    "load_scenario",
    "run",
    "run_replicate",
    "summarise",
    "write_run",
]
