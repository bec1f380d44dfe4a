"""Studies: many scenarios x seeds, run through the results store, returned as one tidy table.

A study file (``scenarios/studies/*.yaml``) names a ``base`` scenario and either

- ``kind: sweep``: ``levers`` and ``uncertainties`` (parameter paths, each with ``values``, a
  ``range`` or ``from_scenario: true``) combined by a ``design`` (``factorial`` or ``lhs``), or
- ``kind: designs``: a list of ``designs`` (scenario files) compared with the base,

and the ``outcomes`` of interest with their direction. Every experiment (one resolved scenario) runs
``replicates`` times on the same seeds ``seed, seed + 1, ...`` (common random numbers). The public
building blocks, for the commands and for later analyses (sensitivity, scenario discovery):

- :func:`load_study`, :func:`study_experiments`: the study and its experiments (scenarios + values);
  :func:`parameter_space` (each parameter's values or [low, high]), :func:`points_from_unit` (a
  unit-hypercube sample mapped to those values) and :func:`experiments_at` (the base scenario at
  given points) for designs made elsewhere (e.g. a SALib sample); :func:`sensitivity_settings`;
- :func:`tasks_for`: experiments x seeds as :class:`~sim.studies.executors.Task`;
- :func:`run_tasks`: run tasks through a :class:`~sim.studies.store.Store` (skipping finished runs) and
  return the table: one row per run with ``experiment``, the experiment's values, ``replicate``,
  ``seed``, ``run_key`` and every outcome;
- :func:`paired_differences`: each experiment minus a reference experiment, seed by seed (defined in
  :mod:`sim.replicates`, the one computation of a difference on every face; re-exported here).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from scipy.stats import qmc

from sim.replicates import CONFIDENCE, paired_differences, run_replicate  # noqa: F401  (re-exported)
from sim.scenario.limits import resource_problems
from sim.scenario.loader import (
    Origin,
    Problem,
    ScenarioError,
    load_scenario,
    origin_at,
    read_document,
    scenario_hash,
    show_value,
)
from sim.scenario.paths import dotted, has_path, key_path, value_at
from sim.scenario.schema import FolderName, Scenario, month_index, parameter_records
from sim.studies.executors import Done, Runner, Task, execute
from sim.studies.store import Store, run_key

MAX_EXPERIMENTS = 100_000  # experiments of one study (a factorial design's product of levels, lhs samples)
MAX_REPLICATES = 10_000


class StudyError(ScenarioError):
    """A study file is invalid; ``str()`` explains where and why (as for scenarios)."""

    def __str__(self) -> str:
        return super().__str__().replace("Invalid scenario", "Invalid study", 1)


class Spec(BaseModel):
    """Base of the models of a study file: a key they do not know is an error (``extra="forbid"``)."""

    model_config = ConfigDict(extra="forbid")


class Parameter(Spec):
    """A parameter the study varies: ``values`` (discrete), a ``range`` or the range documented in the scenario."""

    path: str = Field(description="Dotted parameter path, as for --set (e.g. programme.follow_up.intensity).")
    values: list[Any] | None = Field(None, description="Discrete or categorical values.")
    range: tuple[float, float] | None = Field(None, description="[low, high] of a numeric parameter.")
    from_scenario: bool = Field(False, description="Take [low, high] from the record's range in the base scenario.")
    levels: int = Field(3, ge=2, le=1000, description="Factorial design: evenly spaced points in a range.")

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        given = [self.values is not None, self.range is not None, self.from_scenario]
        if sum(given) != 1:
            raise ValueError(f"{self.path}: give exactly one of values, range or from_scenario: true")
        if self.values is not None and not self.values:
            raise ValueError(f"{self.path}: values must not be empty")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"{self.path}: the range is reversed, write [low, high]")
        return self


class Outcome(Spec):
    """An outcome column and whether more (maximise) or less (minimise) of it is better."""

    name: str
    direction: Literal["maximise", "minimise"]


class Design(Spec):
    """How the parameter values are combined: every combination, or a Latin hypercube sample."""

    method: Literal["factorial", "lhs"] = "factorial"
    samples: int | None = Field(None, ge=1, le=MAX_EXPERIMENTS, description="lhs: number of experiments.")
    seed: int = Field(0, ge=0, description="lhs: seed of the sample.")

    @model_validator(mode="after")
    def _samples(self) -> Design:
        if self.method == "lhs" and self.samples is None:
            raise ValueError("design: lhs needs samples")
        return self


class Sensitivity(Spec):
    """Settings of ``mentorsim sensitivity`` for a sweep (every field has a default; see :mod:`sim.studies.sensitivity`)."""

    method: Literal["sobol", "morris"] = Field("sobol", description="Variance-based Sobol indices or Morris screening.")
    samples: int = Field(
        512,
        ge=2,
        le=2**16,
        description="sobol: the base sample N of Saltelli's scheme, a power of 2; N * (D + 2) experiments "
        "(N * (2D + 2) with second order). Default: the smallest N the stability rule accepts (sim.studies.sensitivity).",
    )
    calc_second_order: bool = Field(False, description="sobol: also second-order indices S2 (SALib's option).")
    trajectories: int = Field(
        20,
        ge=2,
        le=10_000,
        description="morris: trajectories r; r * (D + 1) experiments. Default: assumption, twice the rule's 10.",
    )
    levels: int = Field(
        4, ge=2, le=1000, description="morris: levels p of the grid, even (SALib's default num_levels=4)."
    )
    seed: int = Field(0, ge=0, description="Seed of the sample (the bootstrap of the intervals has a fixed seed).")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            nearest = 1 << round(np.log2(n))
            raise ValueError(f"samples must be a power of 2 (the balance of Sobol' sequences), e.g. {nearest}")
        return n

    @field_validator("levels")
    @classmethod
    def _even(cls, p: int) -> int:
        if p % 2:
            raise ValueError("levels must be even (Morris's grid jump p / (2 (p - 1)) needs it)")
        return p


class Study(Spec):
    """A study file."""

    name: FolderName
    description: str = ""
    kind: Literal["sweep", "designs"] = "sweep"
    base: str = Field(description="Base scenario file, relative to the study file.")
    designs: list[str] = Field(default_factory=list, description="kind designs: scenario files compared with base.")
    levers: list[Parameter] = Field(default_factory=list)
    uncertainties: list[Parameter] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)
    design: Design = Field(default_factory=Design)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity, description="mentorsim sensitivity settings.")
    replicates: int = Field(10, ge=1, le=MAX_REPLICATES)
    seed: int = Field(1, ge=0, description="Replicate r of every experiment uses seed + r.")

    # where each value was written (set by load_study), for errors found after loading (unknown paths, names)
    _origins: dict[tuple[str | int, ...], Origin] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _kind(self) -> Study:
        if self.kind == "designs" and not self.designs:
            raise ValueError("a study of kind designs needs designs: a list of scenario files")
        if self.kind == "sweep" and not (self.levers or self.uncertainties):
            raise ValueError("a sweep needs levers or uncertainties")
        return self

    @property
    def parameters(self) -> list[Parameter]:
        """Every parameter the study varies: its levers, then its uncertainties."""
        return [*self.levers, *self.uncertainties]


@dataclass(frozen=True)
class Experiment:
    """One point of a study: a resolved scenario and the values that define it."""

    index: int
    values: dict[str, Any]
    scenario: Scenario


def load_study(path: str | Path) -> Study:
    """Read and validate a study file; raises :class:`StudyError` naming file, line and field."""
    path = Path(path)
    try:
        data, origins = read_document(path)
    except ScenarioError as err:
        raise StudyError(err.problems) from None
    try:
        study = Study.model_validate(data)
    except ValidationError as err:
        raise StudyError(_problems(err, origins)) from None
    study._origins = origins
    return study


def sensitivity_settings(
    study: Study, study_path: Path, method: str | None = None, samples: int | None = None, seed: int | None = None
) -> Sensitivity:
    """The study's ``sensitivity`` settings with command-line overrides; ``samples`` is r for morris.

    Raises :class:`StudyError` naming the option (or the study file) of a bad value.
    """
    data = study.sensitivity.model_dump()
    origins: dict[tuple[str, ...], Origin] = {(): Origin(str(study_path))}
    given = {"method": method, "samples": samples, "seed": seed}
    for option, value in given.items():
        if value is not None:
            key = "trajectories" if option == "samples" and (method or data["method"]) == "morris" else option
            data[key] = value
            origins[(key,)] = Origin(f"--{option}")
    try:
        return Sensitivity.model_validate(data)
    except ValidationError as err:
        raise StudyError(_problems(err, origins, ("sensitivity",))) from None


def _problems(err: ValidationError, origins: dict[Any, Origin], prefix: tuple[str, ...] = ()) -> list[Problem]:
    """Each pydantic error as a :class:`Problem` with the file and line (or option) it came from."""
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        given = None if e["type"] == "missing" else show_value(e["input"])
        message = e["msg"].removeprefix("Value error, ")
        problems.append(Problem(origin_at(loc, origins), dotted((*prefix, *loc)), message, given))
    return problems


def base_scenario(study: Study, study_path: Path, overrides: Sequence[str] = ()) -> Scenario:
    """The study's base scenario with ``overrides`` (``--set`` strings); raises :class:`StudyError`."""
    return _load(Path(study_path).parent / study.base, overrides, study_path)


def study_experiments(study: Study, study_path: Path, overrides: Sequence[str] = ()) -> list[Experiment]:
    """The study's experiments; ``overrides`` (``--set`` strings) apply to every scenario before the study's values."""
    folder = Path(study_path).parent
    base = base_scenario(study, study_path, overrides)
    if study.kind == "designs":
        scenarios = [base, *(_load(folder / f, overrides, study_path) for f in study.designs)]
        _check_design_names(study, scenarios)
        return [Experiment(i, {"design": s.name}, s) for i, s in enumerate(scenarios)]
    return experiments_at(study, study_path, _points(study, base), overrides)


def check_parameter_paths(study: Study, base: Scenario) -> None:
    """Raise :class:`StudyError` at the line of every lever or uncertainty whose path names no value of the base."""
    problems = []
    for group in ("levers", "uncertainties"):
        for i, p in enumerate(getattr(study, group)):
            parts = key_path(p.path)
            if "" in parts or not has_path(base, parts):
                known = [parts[:d] for d in range(len(parts), 0, -1) if has_path(base, parts[:d])]
                inside = f"; {dotted(known[0])} is there, the rest is not" if known else ""
                message = f"the base scenario has no parameter {p.path!r}{inside}"
                allowed = (
                    "a dotted path as for --set, list items by number (sectors.0.mentor_share); see mentorsim describe"
                )
                where = origin_at((group, i, "path"), study._origins)
                problems.append(Problem(where, f"{group}.{i}.path", message, show_value(p.path), allowed))
    if problems:
        raise StudyError(problems)


def _check_design_names(study: Study, scenarios: Sequence[Scenario]) -> None:
    """Raise :class:`StudyError` if two designs (or a design and the base) share a scenario name."""
    seen: dict[str, str] = {}
    problems = []
    for i, (file, scenario) in enumerate(zip([study.base, *study.designs], scenarios, strict=True)):
        if scenario.name in seen:
            where = origin_at(("designs", i - 1) if i else ("base",), study._origins)
            message = f"the scenario {file} has the name {scenario.name!r}, as {seen[scenario.name]} has"
            allowed = "designs with different names (name: in each scenario file): the tables are keyed by name"
            problems.append(Problem(where, f"designs.{i - 1}", message, show_value(file), allowed))
        seen.setdefault(scenario.name, file)
    if problems:
        raise StudyError(problems)


def experiments_at(
    study: Study, study_path: Path, points: Sequence[dict[str, Any]], overrides: Sequence[str] = ()
) -> list[Experiment]:
    """The base scenario at given parameter values (one experiment per point), e.g. from a SALib sample."""
    base = Path(study_path).parent / study.base
    experiments = []
    for i, values in enumerate(points):
        settings = [*overrides, *(f"{p}={json.dumps(v)}" for p, v in values.items())]
        experiments.append(Experiment(i, dict(values), _load(base, settings, study_path)))
    return experiments


def tasks_for(
    experiments: Sequence[Experiment], seeds: Sequence[int], runner: Runner = run_replicate, keep_series: bool = False
) -> list[Task]:
    """Every experiment on every seed (the same seeds for all: common random numbers)."""
    tasks = []
    for e in experiments:
        digest = scenario_hash(e.scenario)
        for r, seed in enumerate(seeds):
            info = {"experiment": e.index, **e.values, "replicate": r}
            key = run_key(digest, seed, f"{runner.__module__}.{runner.__qualname__}")
            tasks.append(Task(key, e.scenario, seed, info, keep_series, runner))
    return tasks


def run_tasks(
    tasks: Sequence[Task],
    store: Store,
    workers: int | None = None,
    dask: str | None = None,
    on_result: Callable[[Done], None] | None = None,
) -> pd.DataFrame:
    """Run the tasks not yet done in ``store`` and return the table of all tasks that are done, in task order.

    A failed run is recorded in the store's manifest and left out of the table.
    """
    for done in execute(pending(tasks, store), workers, dask):
        if done.error is None:
            store.write(done.key, done.row or {}, done.series)
        else:
            store.fail(done.key, done.error)
        if on_result:
            on_result(done)
    store.flush()
    return experiment_table(tasks, store)


def pending(tasks: Sequence[Task], store: Store) -> list[Task]:
    """The tasks whose run is not yet done in ``store``, one per key."""
    return list({t.key: t for t in tasks if not store.is_done(t.key)}.values())


def experiment_table(tasks: Sequence[Task], store: Store) -> pd.DataFrame:
    """One row per done task: its own ``info``, ``seed``, ``run_key`` and the stored outcomes."""
    rows = []
    for t in tasks:
        if store.is_done(t.key):
            stored = store.row(t.key)
            outcomes = {k: v for k, v in stored.items() if k not in t.info and k not in ("seed", "run_key")}
            rows.append({**t.info, "seed": t.seed, "run_key": t.key, **outcomes})
    return pd.DataFrame(rows)


CLIFF_MONTHS = 6  # months after a grant's end month in which its cliff is measured (assumption)


def run_with_cliffs(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """:func:`~sim.replicates.run_replicate` plus what each funding cliff costs: waiting list and mentors lost.

    Measured in the ``CLIFF_MONTHS`` after the end month of grant ``i`` (its first call; 1-based):

    - ``waiting_list_cliff_<i>``: the largest waiting list; ``waiting_list_cliff_max``, the largest of them;
    - ``mentors_lost_cliff_<i>``: the fall of the mentor pool, from the end month to its lowest (0 if it
      does not fall, e.g. when the call is renewed at once); ``mentors_lost_cliffs``, their sum.

    NaN (the sum: 0) when no grant ends within the run.
    """
    series, outcomes = run_replicate(scenario, seed)
    waiting = series["waiting_list"].to_numpy(dtype=float)
    pool = series["mentor_pool"].to_numpy(dtype=float)
    queues, losses = {}, {}
    for i, grant in enumerate(scenario.funding.grants, 1):
        end = month_index(grant.end) - scenario.start_index
        if 0 <= end < scenario.months - 1:
            after = slice(end + 1, end + 1 + CLIFF_MONTHS)
            queues[f"waiting_list_cliff_{i}"] = float(waiting[after].max())
            losses[f"mentors_lost_cliff_{i}"] = max(0.0, float(pool[end] - pool[after].min()))
    extra = {
        "waiting_list_cliff_max": max(queues.values(), default=np.nan),
        **queues,
        "mentors_lost_cliffs": float(sum(losses.values())),
        **losses,
    }
    return series, outcomes | extra


# --- helpers -------------------------------------------------------------------------------------


def _load(path: Path, overrides: Sequence[str], study_path: Path) -> Scenario:
    """A scenario of the study; its errors are reported as errors of the study."""
    try:
        scenario = load_scenario(path, overrides)
        if problems := resource_problems(scenario):
            raise ScenarioError(problems)
        return scenario
    except ScenarioError as err:
        note = Problem(Origin(str(study_path)), "", f"in the scenario {path} with the study's values")
        raise StudyError([note, *err.problems]) from None


def parameter_space(study: Study, base: Scenario) -> dict[str, tuple[float, float] | list[Any]]:
    """Each parameter's values (list) or [low, high] (tuple), with ranges taken from the scenario where asked."""
    check_parameter_paths(study, base)
    records = parameter_records(base)
    found: dict[str, tuple[float, float] | list[Any]] = {}
    for p in study.parameters:
        if p.values is not None:
            found[p.path] = list(p.values)
        elif p.range is not None:
            found[p.path] = (float(p.range[0]), float(p.range[1]))
        else:
            record = records.get(p.path, {})
            if "range" not in record:
                message = "from_scenario: true, but the base scenario documents no range for this parameter"
                raise StudyError(
                    [Problem(Origin("(study)"), p.path, message, None, "a record with range: [low, high]")]
                )
            found[p.path] = (float(record["range"][0]), float(record["range"][1]))
    return found


def _points(study: Study, base: Scenario) -> list[dict[str, Any]]:
    """The parameter values of every experiment of a sweep (integers stay integers)."""
    ranges = parameter_space(study, base)
    integer = {p: _is_integer(value_at(base, p)) for p in ranges}
    if study.design.method == "factorial":
        levels = {p.path: p.levels for p in study.parameters}
        sizes = [len(spec) if isinstance(spec, list) else levels[p] for p, spec in ranges.items()]
        if int(np.prod(sizes, dtype=float)) > MAX_EXPERIMENTS:
            message = (
                f"a factorial design of {' x '.join(map(str, sizes))} = {np.prod(sizes, dtype=float):,.0f} experiments "
                f"is more than {MAX_EXPERIMENTS:,}"
            )
            allowed = "fewer levels or values, or design: {method: lhs, samples: N}"
            where = origin_at(("design",), study._origins)
            raise StudyError([Problem(where, "design", message, None, allowed)])
        axes = [
            spec
            if isinstance(spec, list)
            else list(dict.fromkeys(_cast(v, integer[p]) for v in np.linspace(*spec, levels[p])))
            for p, spec in ranges.items()
        ]
        return [dict(zip(ranges, combo, strict=True)) for combo in itertools.product(*axes)]
    unit = qmc.LatinHypercube(d=len(ranges), seed=study.design.seed).random(study.design.samples or 1)
    return points_from_unit(study, base, unit)


def points_from_unit(study: Study, base: Scenario, unit: np.ndarray) -> list[dict[str, Any]]:
    """Map rows of a unit-hypercube sample (one column per parameter, in study order) to parameter values.

    A range maps linearly (integer parameters are rounded and stay integers); a list of values is
    split into equal parts of [0, 1] (value ``k`` of ``n`` for ``u`` in [k/n, (k+1)/n)), as for the
    Latin hypercube, so categorical and boolean values are drawn with equal probability.
    """
    ranges = parameter_space(study, base)
    integer = {p: _is_integer(value_at(base, p)) for p in ranges}
    points = []
    for row in np.asarray(unit, dtype=float):
        point = {}
        for (p, spec), u in zip(ranges.items(), row, strict=True):
            if isinstance(spec, list):
                point[p] = spec[min(int(u * len(spec)), len(spec) - 1)]
            else:
                point[p] = _cast(spec[0] + float(u) * (spec[1] - spec[0]), integer[p])
        points.append(point)
    return points


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cast(value: float, integer: bool) -> int | float:
    """A sampled value of a range: rounded for an integer parameter (which stays an integer)."""
    return int(round(value)) if integer else float(value)
