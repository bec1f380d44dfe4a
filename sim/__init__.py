"""mentorsim: an agent-based simulator of mentoring-to-work programmes for migrant jobseekers.

The public API::

    from sim import load_scenario, run, write_run

    scenario = load_scenario("scenarios/base.yaml", ["population.size=2000"])
    result = run(scenario, replicates=10)
    result.summary  # mean and 90 % interval of every outcome

Note that ``sim.run`` is the function :func:`run`; the module is ``sys.modules["sim.run"]``
(``from sim.run import ...`` works as usual).
"""

from sim.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
from sim.describe import describe_parameters
from sim.loader import ScenarioError, load_scenario
from sim.model import MentoringModel
from sim.results import package_version, write_run
from sim.run import RunResult, run, run_replicate, summarise
from sim.scenario import Scenario

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
