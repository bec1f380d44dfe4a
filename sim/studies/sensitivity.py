"""Global sensitivity of a sweep study's outcomes to its levers and uncertainties (SALib).

The pure steps of ``mentorsim sensitivity`` (:mod:`sim.cli.analysis` runs them through the results store):

1. :func:`sample`: a sample of the unit hypercube, one column per parameter of the study:
   Saltelli's scheme on a scrambled Sobol' sequence (``SALib.sample.sobol``; N (D + 2) points, or
   N (2D + 2) with second-order indices) or Morris trajectories (``SALib.sample.morris``; r (D + 1)
   points on a grid of ``levels``). :func:`sim.studies.experiments.points_from_unit` maps it to the
   parameters' values exactly as the Latin hypercube of a sweep does: linearly onto a range
   (integer parameters are rounded and stay integers) and onto equal parts of [0, 1] for a list of
   values (categorical or boolean, e.g. the matching strategy).
2. Every point is one experiment, run on the same replicate seeds (common random numbers), so the
   function analysed, the **mean over the replicates** of each point, is a deterministic function
   of the parameters: seed noise does not appear as spurious sensitivity.
3. :func:`analyse`: per outcome, ``SALib.analyze.sobol`` (first-order ``S1`` and total ``ST``,
   optionally ``S2``, with bootstrap intervals at ``CONFIDENCE``) or ``SALib.analyze.morris``
   (``mu_star`` with its bootstrap interval, ``sigma``, ``mu``); the bootstrap has a fixed seed,
   so the same runs always give the same indices.
4. :func:`stability_warnings`: the rule below. The figures are :func:`sim.outputs.figures.plot_sobol` and
   :func:`sim.outputs.figures.plot_morris`.

**Discrete factors.** Sobol and Morris assume continuous inputs. A categorical, boolean or integer
parameter is a step function of its unit-interval coordinate, so its indices are approximate: they
measure the effect of switching between its values with equal probability (Sobol), or of a grid
step that may or may not cross a category boundary (Morris).

**Outcomes that are NaN** in some runs (``cost_per_net_placement_eur`` when net placements <= 0):
a point's value is the mean over the replicates that have one (NaN replicates are ignored, and
counted in a note). An outcome with a point where no replicate has a value, or one that does not
vary over the sample, is not analysed: SALib needs every point, and indices of a constant are
undefined; the note says so.

**Stability rule** (assumption; see :func:`stability_warnings`): Sobol with N < 512 or any S1/ST
bootstrap half-width above 0.1; Morris with fewer than 10 trajectories or a mu_star half-width above
0.25 times the largest mu_star of that outcome.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.studies.experiments import Sensitivity

CONFIDENCE = 0.95  # level of the bootstrap intervals (SALib's default conf_level)
RESAMPLES = 100  # bootstrap resamples (SALib's default num_resamples)
BOOTSTRAP_SEED = 2010  # assumption: any fixed non-zero seed (SALib ignores a seed of 0)
SOBOL_MIN_SAMPLES = 512  # Saltelli et al. 2010: the estimators' error falls as 1/sqrt(N); see stability_warnings
MORRIS_MIN_TRAJECTORIES = 10  # Campolongo, Cariboni & Saltelli 2007; Saltelli et al. 2008 (Primer), ch. 3
MAX_HALF_WIDTH = 0.1  # assumption: a tenth of the 0-1 scale of Sobol indices
MORRIS_MAX_HALF_WIDTH = 0.25  # assumption: a quarter of the largest mu_star (screening ranks, it does not measure)
COLUMNS = ["outcome", "parameter", "index", "value", "conf", "conf_low", "conf_high"]


@dataclass
class Analysis:
    """The indices of every analysed outcome (tidy, :data:`COLUMNS`) and notes on what was left out or imputed."""

    indices: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib's problem: every parameter on [0, 1] (mapped to its values by ``points_from_unit``)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample(settings: Sensitivity, names: Sequence[str]) -> np.ndarray:
    """The unit-hypercube sample of ``settings.method``, one row per experiment, one column per parameter."""
    from SALib.sample import morris as morris_sample  # SALib is imported when used: it is slow to import
    from SALib.sample import sobol as sobol_sample

    if settings.method == "sobol":
        return sobol_sample.sample(
            problem(names), settings.samples, calc_second_order=settings.calc_second_order, seed=settings.seed
        )
    return morris_sample.sample(problem(names), settings.trajectories, num_levels=settings.levels, seed=settings.seed)


def experiment_count(settings: Sensitivity, parameters: int) -> int:
    """Experiments of the sample: N (D + 2), N (2D + 2) with second order, or r (D + 1)."""
    if settings.method == "morris":
        return settings.trajectories * (parameters + 1)
    return settings.samples * (2 * parameters + 2 if settings.calc_second_order else parameters + 2)


def point_means(table: pd.DataFrame, outcome: str, points: int) -> tuple[np.ndarray, int]:
    """Per point (``experiment``), the mean of ``outcome`` over the replicates that have a value.

    Also how many replicate values were NaN. The mean is NaN for a point without any value (or without
    finished runs).
    """
    if table.empty or outcome not in table:
        return np.full(points, np.nan), 0
    values = pd.to_numeric(table[outcome], errors="coerce")
    means = values.groupby(table["experiment"]).mean()
    return means.reindex(range(points)).to_numpy(dtype=float), int(values.isna().sum())


def analyse(
    table: pd.DataFrame, unit: np.ndarray, names: Sequence[str], settings: Sensitivity, outcomes: Sequence[str]
) -> Analysis:
    """Sobol or Morris indices of every outcome from the runs table (one row per run, ``experiment`` = row of ``unit``)."""
    frames, notes = [], []
    for outcome in outcomes:
        y, missing = point_means(table, outcome, len(unit))
        if missing:
            notes.append(f"{outcome}: {missing} run values are NaN; each point is the mean of its other replicates")
        if np.isnan(y).any():
            notes.append(f"{outcome}: not analysed, {int(np.isnan(y).sum())} of {len(y)} points have no value")
        elif np.ptp(y) == 0:
            notes.append(f"{outcome}: not analysed, it does not vary over the sample (indices undefined)")
        else:
            frames.append(_indices(outcome, unit, y, names, settings))
    indices = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return Analysis(indices, notes)


def _indices(
    outcome: str, unit: np.ndarray, y: np.ndarray, names: Sequence[str], settings: Sensitivity
) -> pd.DataFrame:
    """SALib's analysis of one outcome as tidy rows."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    common = {"num_resamples": RESAMPLES, "conf_level": CONFIDENCE, "seed": BOOTSTRAP_SEED}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SALib's own warnings; instability is reported by our rule
        if settings.method == "morris":
            result = morris_analyze.analyze(problem(names), unit, y, num_levels=settings.levels, **common)
            pairs = [("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None)]
        else:
            result = sobol_analyze.analyze(problem(names), y, calc_second_order=settings.calc_second_order, **common)
            pairs = [("S1", "S1_conf"), ("ST", "ST_conf")]
    rows = [
        _row(outcome, name, index, result[index][j], result[conf][j] if conf else np.nan)
        for index, conf in pairs
        for j, name in enumerate(names)
    ]
    if settings.method == "sobol" and settings.calc_second_order:
        rows += [
            _row(outcome, f"{a}:{b}", "S2", result["S2"][j, k], result["S2_conf"][j, k])
            for j, a in enumerate(names)
            for k, b in enumerate(names)
            if j < k
        ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(outcome: str, parameter: str, index: str, value: float, conf: float) -> list[Any]:
    value, conf = float(value), float(conf)
    return [outcome, parameter, index, value, conf, value - conf, value + conf]


def stability_warnings(indices: pd.DataFrame, settings: Sensitivity) -> list[str]:
    """Why the indices may not be stable, if they may not be (empty: no warning).

    The rule (an assumption, stated so that it can be argued with):

    - Sobol: N < :data:`SOBOL_MIN_SAMPLES`, or an S1 or ST whose bootstrap half-width (SALib's
      ``S1_conf``/``ST_conf`` at 95 %) exceeds :data:`MAX_HALF_WIDTH` on the 0-1 scale of the
      indices. The errors of the Saltelli et al. (2010, Comput. Phys. Commun. 181:259-270)
      estimators SALib uses fall as 1/sqrt(N), and SALib's ``sobol.sample`` asks for N a power of
      2; 512 (2^9) is an assumption, and the interval check tests the indices actually obtained.
    - Morris: fewer than :data:`MORRIS_MIN_TRAJECTORIES` trajectories (Campolongo, Cariboni &
      Saltelli 2007, Environ. Model. Softw. 22:1509-1518, and the Primer, Saltelli et al. 2008,
      ch. 3, use r of 10 and more), or a ``mu_star_conf`` above :data:`MORRIS_MAX_HALF_WIDTH`
      times the largest ``mu_star`` of that outcome (the ranking is then uncertain).
    """
    found = []
    if settings.method == "sobol" and settings.samples < SOBOL_MIN_SAMPLES:
        found.append(f"Sobol with N = {settings.samples} < {SOBOL_MIN_SAMPLES}: indices may not be stable")
    if settings.method == "morris" and settings.trajectories < MORRIS_MIN_TRAJECTORIES:
        found.append(
            f"Morris with {settings.trajectories} trajectories < {MORRIS_MIN_TRAJECTORIES}: rankings may not be stable"
        )
    for outcome, group in indices.groupby("outcome", sort=False):
        wide = _wide_intervals(group, settings.method)
        if wide:
            found.append(f"{outcome}: confidence intervals wider than the rule allows for {', '.join(wide)}")
    return found


def _wide_intervals(group: pd.DataFrame, method: str) -> list[str]:
    """``index(parameter)`` of the intervals of one outcome that are too wide."""
    if method == "morris":
        mu = group[group["index"] == "mu_star"]
        limit = MORRIS_MAX_HALF_WIDTH * float(mu["value"].max())
    else:
        mu = group[group["index"].isin(["S1", "ST"])]
        limit = MAX_HALF_WIDTH
    return [f"{r.index}({r.parameter})" for r in mu.itertuples(index=False) if r.conf > limit]
