"""Running replicates of a scenario: the programme run, its twin without the programme, tidy tables.

The one interval convention of every face (command line, report, dashboard, CSV files, figures):

- **spread** of an outcome across replicates: the 5th to 95th percentile of the replicates
  (:data:`INTERVAL`, columns ``p05``/``p95``; :func:`summarise`), named :data:`SPREAD_NAME`;
- **differences** between two scenarios on the same seeds: the mean paired difference with a 95 % t
  interval of the mean (:data:`CONFIDENCE`; :func:`paired_differences`), named :data:`DIFFERENCE_NAME`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.model import MentoringModel
from sim.scenario.schema import Scenario

INTERVAL = (0.05, 0.95)  # the spread of an outcome across replicates: 5th to 95th percentile, everywhere
SPREAD_COLUMNS = tuple(f"p{round(q * 100):02d}" for q in INTERVAL)  # ("p05", "p95")
SPREAD_NAME = "5th-95th percentile of replicates"
CONFIDENCE = 0.95  # the paired interval of a difference: a 95 % t interval of the mean paired difference
DIFFERENCE_NAME = "mean paired difference, 95 % t interval of the mean (same seeds)"


@dataclass
class RunResult:
    """Everything a run produces: one row per replicate x month, one row per replicate, the summary."""

    scenario: Scenario
    seeds: list[int]
    timeseries: pd.DataFrame
    outcomes: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """Mean, 5th and 95th percentile of every outcome across the replicates (:func:`summarise` of ``outcomes``)."""
        return summarise(self.outcomes)


def run_replicate(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """One replicate: the programme and, if asked, its twin on the same random numbers."""
    series, outcomes, _model = run_replicate_model(scenario, seed)
    return series, outcomes


def run_replicate_model(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float], MentoringModel]:
    """:func:`run_replicate` that also returns the finished programme run (its people and checkpoints)."""
    model = MentoringModel(scenario, seed=seed, agents=False).run()
    twin = None
    if scenario.counterfactual.twin and scenario.programme.enabled:
        twin = MentoringModel(scenario, seed=seed, twin_of=model.twin_plan(), agents=False).run()
        model.series["employed_share_participants_without_programme"] = twin.series["employed_share_participants"]
        model.series["displacement_jobs"] = model.displacement_jobs(twin)
    else:
        model.series["employed_share_participants_without_programme"][:] = np.nan
        model.series["displacement_jobs"][:] = np.nan
    series = pd.DataFrame(model.series)
    series.insert(0, "month", scenario.calendar())
    series.insert(0, "t", np.arange(scenario.months))
    return series, model.outcomes(twin), model


def run(
    scenario: Scenario,
    replicates: int = 10,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``replicates`` replicates; replicate ``r`` uses seed ``seed + r`` (default: the scenario's seed)."""
    base = scenario.seed if seed is None else seed
    seeds = [base + r for r in range(replicates)]
    frames, rows = [], []
    for r, s in enumerate(seeds):
        series, outcomes = run_replicate(scenario, s)
        series.insert(0, "seed", s)
        series.insert(0, "replicate", r)
        frames.append(series)
        rows.append({"replicate": r, "seed": s} | outcomes)
        if progress:
            progress(1)
    return RunResult(scenario, seeds, pd.concat(frames, ignore_index=True), pd.DataFrame(rows))


def summarise(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean, 5th and 95th percentile across replicates (columns ``p05``, ``p95``) of every outcome.

    Not rounded (summary.csv is rounded below the precision any face shows: ``sim.outputs.run_folder``).
    """
    values = outcomes.drop(columns=["replicate", "seed"], errors="ignore").astype(float)
    low, high = SPREAD_COLUMNS
    table = pd.DataFrame(
        {
            "mean": values.mean(),
            low: values.quantile(INTERVAL[0]),
            high: values.quantile(INTERVAL[1]),
        }
    )
    table["replicates"] = values.notna().sum()
    return table.rename_axis("outcome").reset_index()


def paired_differences(
    table: pd.DataFrame, by: str, reference: Any, outcomes: Sequence[str], confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """Per value of ``by`` other than ``reference`` and per outcome: the mean paired difference from ``reference``.

    The mean of (value - reference) over the seeds both have, with a ``confidence`` t interval of the mean
    (:data:`DIFFERENCE_NAME`). Columns: ``by, outcome, reference_mean, mean, difference, low, high, n``.
    The one computation of a difference on every face (``compare``, ``sweep``, the report, the dashboard).
    """
    ref = table[table[by] == reference].set_index("seed")
    rows = []
    for other, group in table[table[by] != reference].groupby(by, sort=False):
        alt = group.set_index("seed")
        for outcome in outcomes:
            pair = pd.concat([ref[outcome], alt[outcome]], axis=1, keys=["ref", "alt"]).astype(float).dropna()
            diffs = (pair["alt"] - pair["ref"]).to_numpy()
            n = len(diffs)
            mean = float(diffs.mean()) if n else np.nan
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * diffs.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            rows.append(
                {
                    by: other,
                    "outcome": outcome,
                    "reference_mean": float(pair["ref"].mean()) if n else np.nan,
                    "mean": float(pair["alt"].mean()) if n else np.nan,
                    "difference": mean,
                    "low": mean - half,
                    "high": mean + half,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)
