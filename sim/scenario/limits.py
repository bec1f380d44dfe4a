"""What a valid scenario is checked for before any compute: the memory it needs, and what it likely gets wrong.

- :func:`resource_problems`: the memory a run would take (:func:`memory_estimate`: jobseekers, mentors who
  may join, funding tables) against the memory this
  machine has available (:func:`available_memory`), refused with the estimate and the way to override:
  the environment variable :data:`MEMORY_ENV` (a size such as ``64G`` that may be used, or ``0`` for no check);
- :func:`scenario_warnings`: grants wholly outside the run (they pay nothing), grants written twice (paid
  twice), parameters listed under ``calibrate:`` that the scenario does not have.

Both return :class:`~sim.scenario.loader.Problem` objects placed at the file and line of the value.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from sim.scenario.loader import Problem, located
from sim.scenario.paths import has_path, key_path
from sim.scenario.schema import Scenario, month_index

MEMORY_ENV = "MENTORSIM_MAX_MEMORY"
BASE_BYTES = 400 * 2**20  # Python, NumPy, numba and Mesa loaded: ~250 MB measured, with a margin
BYTES_PER_PERSON = 1024  # ~260 bytes a jobseeker measured (base.yaml, 80,000 people, with the twin), x4 margin
BYTES_PER_MONTH = 64 * 2**10  # the monthly series and records of one replicate, with a margin
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def agents(scenario: Scenario) -> float:
    """The most agents a run can hold: the jobseekers and every mentor who may join in the run."""
    mentors, employers = scenario.mentors, scenario.employers
    champions = max(employers.champions_initial, employers.max_champions)
    joining = mentors.individual_recruitment_per_month + champions * employers.mentors_per_champion_per_year / 12
    return scenario.population.size + mentors.initial + scenario.months * joining


def memory_estimate(scenario: Scenario) -> int:
    """Bytes one process needs to run one replicate of ``scenario`` (an upper estimate, from measurements).

    The agents (:func:`agents`), the monthly series and the funding tables (a value per grant and month,
    a draw per grant and renewal).
    """
    return int(BASE_BYTES + BYTES_PER_PERSON * agents(scenario) + BYTES_PER_MONTH * scenario.months + _tables(scenario))


def _tables(scenario: Scenario) -> float:
    """Bytes of the tables that grow with a parameter rather than with the agents.

    The funding tables (a value per grant and month, a draw per grant and renewal), the employers
    (``per_1000_jobseekers``) and the table of the initial-ties distribution (its length grows with
    ``initial_ties_mean``).
    """
    grants = scenario.funding.grants
    calls = 1 + max((g.renewal.max_renewals for g in grants), default=0)
    employers = scenario.population.size * scenario.employers.per_1000_jobseekers / 1000
    ties = scenario.population.initial_ties_mean
    return 8 * len(grants) * (scenario.months + calls) + 64 * employers + 8 * (ties + 12 * math.sqrt(ties))


def available_memory() -> int | None:
    """Bytes of memory available to a new process (MemAvailable on Linux), or ``None`` where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_allowed() -> int | None:
    """The bytes a run may use: :data:`MEMORY_ENV` if set (``0``: no limit, ``None``), else what is available."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return available_memory()
    found = _SIZE.match(text)
    if not found:
        return available_memory()
    value = float(found.group(1)) * 1024 ** " kmgt".index((found.group(2) or " ").lower())
    return int(value) or None


def workers_memory_problem(scenario: Scenario, processes: int) -> str | None:
    """Why ``processes`` replicates of ``scenario`` at once (a local pool) would not fit in memory, or ``None``.

    Each worker process runs one replicate at a time, so a study needs about ``processes`` times the
    memory of one run (:func:`memory_estimate`).
    """
    allowed = memory_allowed()
    needed = memory_estimate(scenario) * max(processes, 1)
    if allowed is None or needed <= allowed:
        return None
    fits = max(1, allowed // max(memory_estimate(scenario), 1))
    return (
        f"{processes} workers would need about {_gib(needed)} of memory together ({_gib(memory_estimate(scenario))} "
        f"each), more than the {_gib(allowed)} available; use --workers {fits} or fewer, a smaller population, "
        f"or set the environment variable {MEMORY_ENV} to the memory that may be used (0: no check)"
    )


def resource_problems(scenario: Scenario) -> list[Problem]:
    """A problem at ``population.size`` if a run would need more memory than this machine has available."""
    allowed = memory_allowed()
    needed = memory_estimate(scenario)
    if allowed is None or needed <= allowed:
        return []
    message = (
        f"a run needs about {_gib(needed)} of memory (estimate: {_gib(BASE_BYTES)} + {BYTES_PER_PERSON} bytes for "
        f"each of up to {agents(scenario):,.0f} jobseekers and mentors, and the tables of employers, ties and "
        f"funding), more than the "
        f"{_gib(allowed)} available; use a smaller population (or fewer mentors, renewals), or, if the estimate is "
        f"too cautious, set the environment variable {MEMORY_ENV} to the memory that may be used (e.g. "
        f"{MEMORY_ENV}=64G), or to 0 for no check"
    )
    people = max(1, (allowed - BASE_BYTES - BYTES_PER_MONTH * scenario.months) // BYTES_PER_PERSON)
    shares = {  # where most of the memory goes: the problem is placed there
        "population.size": BYTES_PER_PERSON * scenario.population.size,
        "mentors.initial": BYTES_PER_PERSON * (agents(scenario) - scenario.population.size),
        "funding.grants": 8 * sum(scenario.months + 1 + g.renewal.max_renewals for g in scenario.funding.grants),
        "employers.per_1000_jobseekers": 64 * scenario.population.size * scenario.employers.per_1000_jobseekers / 1000,
        "population.initial_ties_mean": 8 * scenario.population.initial_ties_mean,
    }
    path = max(shares, key=lambda k: shares[k])
    given = {
        "population.size": str(scenario.population.size),
        "mentors.initial": str(scenario.mentors.initial),
        "funding.grants": f"max_renewals up to {max((g.renewal.max_renewals for g in scenario.funding.grants), default=0)}",
        "employers.per_1000_jobseekers": str(scenario.employers.per_1000_jobseekers),
        "population.initial_ties_mean": str(scenario.population.initial_ties_mean),
    }[path]
    limit = f"at most about {people:,} people here" if path == "population.size" else None
    return [located(scenario, path, message, given, limit)]


def scenario_warnings(scenario: Scenario) -> list[Problem]:
    """What is valid but likely a mistake: grants outside the run or written twice, unknown ``calibrate:`` paths."""
    found = []
    first, last = scenario.start_index, scenario.start_index + scenario.months - 1
    seen: dict[str, int] = {}
    for i, grant in enumerate(scenario.funding.grants):
        if month_index(grant.end) < first or month_index(grant.start) > last:
            found.append(
                located(
                    scenario,
                    f"funding.grants.{i}",
                    f"grant {grant.name!r} ({grant.start} to {grant.end}) lies wholly outside the run "
                    f"({scenario.start} to {scenario.calendar()[-1]}): it pays nothing",
                )
            )
        text = grant.model_dump_json()
        if text in seen:
            found.append(
                located(
                    scenario,
                    f"funding.grants.{i}",
                    f"grant {i} is the same as grant {seen[text]} ({grant.name!r}): the programme is paid twice",
                )
            )
        seen.setdefault(text, i)
    return found


def calibrate_problems(scenario: Scenario) -> list[Problem]:
    """A problem for every path under ``calibrate:`` that names no parameter of the scenario."""
    problems = []
    for i, path in enumerate(scenario.calibrate):
        parts = key_path(path)
        if not path.strip() or "" in parts or not has_path(scenario, parts):
            problems.append(
                located(
                    scenario,
                    f"calibrate.{i}",
                    f"the scenario has no parameter {path!r} to calibrate",
                    repr(path),
                    "a dotted parameter path, as for --set (see mentorsim describe)",
                )
            )
    return problems


def _gib(size: float) -> str:
    return f"{size / 2**30:.1f} GiB"
