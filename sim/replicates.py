"""Running replicates of a scenario: the programme run, its twin without the programme, tidy tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.model import MentoringModel
from sim.scenario.schema import Scenario

INTERVAL = (0.05, 0.95)  # the 90 % interval reported everywhere


@dataclass
class RunResult:
    """Everything a run produces: one row per replicate x month, one row per replicate, the summary."""

    scenario: Scenario
    seeds: list[int]
    timeseries: pd.DataFrame
    outcomes: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """Mean and 90 % interval of every outcome across the replicates (:func:`summarise` of ``outcomes``)."""
        return summarise(self.outcomes)


def run_replicate(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """One replicate: the programme and, if asked, its twin on the same random numbers."""
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
    return series, model.outcomes(twin)


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
    """Mean and 90 % interval (5th-95th percentile across replicates) of every outcome."""
    values = outcomes.drop(columns=["replicate", "seed"], errors="ignore").astype(float)
    return (
        pd.DataFrame(
            {
                "mean": values.mean(),
                "low": values.quantile(INTERVAL[0]),
                "high": values.quantile(INTERVAL[1]),
                "replicates": values.notna().sum(),
            }
        )
        .rename_axis("outcome")
        .reset_index()
    )
