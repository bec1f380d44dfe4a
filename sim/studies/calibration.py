"""``mentorsim calibrate``: fit the parameters a scenario marks as free (``calibrate:``) to its targets.

Only the listed parameters move, each within the ``range`` of its record in the scenario file; the
shared mechanism parameters stay as they are. The objective is :func:`sim.studies.validation.distance` (sum of
squared tolerance-scaled misses of the replicate means, each capped at 3 tolerances), every trial on the same seeds (common random
numbers). The optimiser is Optuna's TPE sampler with a fixed seed; the first trial is the file's values.
The fitted values are written as an overlay ``<name>.calibrated.yaml`` that ``extends`` the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.outputs.files import atomic_write, atomic_write_text
from sim.scenario.loader import load_scenario
from sim.scenario.paths import key_path, value_at
from sim.scenario.schema import Scenario, parameter_records
from sim.studies.validation import MISS_CAP, distance, load_checked, report, simulate


class CalibrationError(Exception):
    """The scenario cannot be calibrated as written (no targets, a free parameter without a range...)."""


@dataclass(frozen=True)
class FreeParameter:
    """One parameter ``mentorsim calibrate`` may move: its dotted path, range and whether it is an integer."""

    path: str
    low: float
    high: float
    integer: bool


@dataclass
class Calibration:
    """The outcome of a calibration: fitted values, the objective at them and the report table."""

    scenario: Scenario
    values: dict[str, float]
    objective: float
    start_objective: float
    table: pd.DataFrame
    trials: int
    sampler_seed: int


def free_parameters(scenario: Scenario) -> list[FreeParameter]:
    """The parameters listed under ``calibrate:``, each with the range of its record; else CalibrationError."""
    if not scenario.targets:
        raise CalibrationError(f"{scenario.name}: no targets to calibrate against (add a targets: block)")
    if not scenario.calibrate:
        raise CalibrationError(f"{scenario.name}: no free parameters (list them under calibrate:)")
    records = parameter_records(scenario)
    found = []
    for path in scenario.calibrate:
        if any(isinstance(part, int) for part in key_path(path)):
            raise CalibrationError(
                f"calibrate: {path}: parameters inside lists (sectors, shocks, grants) cannot be calibrated, "
                "because an extends overlay replaces lists whole"
            )
        record = records.get(path)
        if record is None or "range" not in record:
            raise CalibrationError(
                f"calibrate: {path}: a free parameter needs a record with a range in the scenario file, "
                f"e.g. {path.split('.')[-1]}: {{value: ..., unit: ..., source: ..., range: [low, high]}}"
            )
        low, high = record["range"]
        if low >= high:
            raise CalibrationError(f"calibrate: {path}: the range [{low}, {high}] leaves nothing to fit")
        integer = isinstance(record["value"], int) and not isinstance(record["value"], bool)
        found.append(FreeParameter(path, float(low), float(high), integer))
    return found


def overrides(values: dict[str, float]) -> list[str]:
    """``--set``-style overrides for fitted values."""
    return [f"{path}={value!r}" for path, value in values.items()]


def calibrate(
    path: Path,
    trials: int = 30,
    replicates: int = 4,
    seed: int | None = None,
    sampler_seed: int = 0,
    progress: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit the free parameters of the scenario at ``path``; every trial uses the same ``replicates`` seeds."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    scenario = load_checked(path)
    params = free_parameters(scenario)

    def objective(trial: optuna.Trial) -> float:
        values: dict[str, float] = {
            p.path: trial.suggest_int(p.path, int(p.low), int(p.high))
            if p.integer
            else trial.suggest_float(p.path, p.low, p.high)
            for p in params
        }
        sc = load_scenario(path, overrides(values))
        value = distance(sc, simulate(sc, replicates, seed))
        if progress:
            progress(trial.number, value)
        return value

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=sampler_seed))
    start = {p.path: value_at(scenario, p.path) for p in params}
    study.enqueue_trial(start)
    study.optimize(objective, n_trials=trials)
    best = dict(study.best_params)
    fitted = load_scenario(path, overrides(best))
    table = report(fitted, simulate(fitted, replicates, seed))
    return Calibration(
        fitted, best, float(study.best_value), float(study.trials[0].value or np.nan), table, trials, sampler_seed
    )


def overlay_path(path: Path) -> Path:
    """``<dir>/<stem>.calibrated.yaml`` next to the scenario file."""
    return Path(path).with_name(Path(path).stem + ".calibrated.yaml")


def write_overlay(path: Path, result: Calibration, replicates: int, seed: int | None) -> Path:
    """Write the fitted values as an ``extends`` overlay of the scenario at ``path``; returns the overlay's path."""
    nested: dict[str, Any] = {}
    for dotted, value in result.values.items():
        node = nested
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = round(value, 6) if isinstance(value, float) else value
    seeds = f"seeds from {result.scenario.seed if seed is None else seed}"
    head = (
        f"# Calibrated overlay of {Path(path).name}, written by `mentorsim calibrate` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
        f"# Optuna TPE (sampler seed {result.sampler_seed}), {result.trials} trials x {replicates} replicates ({seeds}, the same in every trial).\n"
        f"# Objective (sum of squared tolerance-scaled misses, each capped at {MISS_CAP:g} tolerances): {result.start_objective:.3g} at the file's values, "
        f"{result.objective:.3g} fitted.\n"
        f"# Only the parameters listed under calibrate: move; each value stays within its record's range.\n"
    )
    body = {"extends": Path(path).name, "name": result.scenario.name, **nested}
    return atomic_write_text(overlay_path(path), head + yaml.safe_dump(body, sort_keys=False))


def write_report(path: Path, result: Calibration) -> Path:
    """The report table (target, reported, simulated mean, 90 % interval, within tolerance) as CSV next to the overlay."""
    out = Path(path).with_name(Path(path).stem + ".calibration.csv")
    return atomic_write(out, lambda tmp: result.table.to_csv(tmp, index=False))
