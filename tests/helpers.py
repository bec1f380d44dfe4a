"""Shared helpers for the statistical tests: load scenarios, run replicates once, compare paired arms.

Both arms of a comparison use the same seeds (common random numbers), so the per-seed differences
carry only the lever's effect plus the noise it causes; the tests look at those paired differences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.replicates import run_replicate
from sim.scenario.loader import load_scenario, scenario_hash
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

# Reduced settings that keep the statistical tests fast: a smaller region over a shorter horizon.
# SHORT ends before the ESF grant of base ends (2020-12); LONG is the full horizon, 2014-01 to 2023-12.
SHORT = ("population.size=6000", "months=60")
LONG = ("population.size=6000", "months=120")

Replicate = tuple[pd.DataFrame, dict[str, float]]
Metric = Callable[[pd.DataFrame, dict[str, float]], float]

_cache: dict[tuple[str, int], Replicate] = {}


def scenario(name: str, *overrides: str) -> Scenario:
    """``scenarios/<name>.yaml`` loaded with ``--set``-style overrides."""
    return load_scenario(SCENARIOS / f"{name}.yaml", overrides)


def replicate(sc: Scenario, seed: int) -> Replicate:
    """``run_replicate(sc, seed)``, run once per resolved scenario and seed in this process."""
    key = (scenario_hash(sc), seed)
    if key not in _cache:
        _cache[key] = run_replicate(sc, seed)
    return _cache[key]


def outcome(name: str) -> Metric:
    """A metric that reads one outcome of a replicate."""
    return lambda _series, outcomes: float(outcomes[name])


def series_mean(name: str, first: int = 0, last: int | None = None) -> Metric:
    """A metric: the mean of a time series over months ``first..last`` (model month indices, inclusive)."""
    return lambda series, _outcomes: float(series[name].iloc[first : None if last is None else last + 1].mean())


@dataclass(frozen=True)
class Paired:
    """Per-seed differences (treatment minus control) of one metric, with a 95 % t interval."""

    label: str
    diffs: np.ndarray
    control: np.ndarray
    treatment: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.diffs.mean())

    @property
    def interval(self) -> tuple[float, float]:
        n = len(self.diffs)
        half = stats.t.ppf(0.975, n - 1) * self.diffs.std(ddof=1) / np.sqrt(n)
        return self.mean - half, self.mean + half

    def p_greater(self) -> float:
        """One-sided paired t-test p-value for a mean difference above 0."""
        return float(stats.ttest_1samp(self.diffs, 0.0, alternative="greater").pvalue)

    def __str__(self) -> str:
        low, high = self.interval
        return (
            f"{self.label}: control {self.control.mean():.4g}, treatment {self.treatment.mean():.4g}, "
            f"paired difference {self.mean:+.4g} [95 % CI {low:+.4g}, {high:+.4g}], n={len(self.diffs)}"
        )


def paired(control: Scenario, treatment: Scenario, metric: Metric, seeds: Iterable[int], label: str = "") -> Paired:
    """Run both arms on the same seeds; return the paired differences of ``metric`` (treatment - control)."""
    seeds = list(seeds)
    a = np.array([metric(*replicate(control, s)) for s in seeds])
    b = np.array([metric(*replicate(treatment, s)) for s in seeds])
    return Paired(label, b - a, a, b)


def values(sc: Scenario, metric: Metric, seeds: Iterable[int]) -> np.ndarray:
    """``metric`` of each replicate of one arm."""
    return np.array([metric(*replicate(sc, s)) for s in seeds])


def assert_positive(result: Paired) -> None:
    """The mean paired difference is above 0 and its 95 % interval excludes 0."""
    print(result)
    low, _ = result.interval
    assert low > 0, f"expected a positive effect; {result}"


def assert_negative(result: Paired) -> None:
    """The mean paired difference is below 0 and its 95 % interval excludes 0."""
    print(result)
    _, high = result.interval
    assert high < 0, f"expected a negative effect; {result}"
