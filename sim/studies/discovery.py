"""Scenario discovery: PRIM boxes of levers and uncertainties where an outcome is below (or above) a threshold.

The pure steps of ``mentorsim discover`` (Bryant & Lempert 2010, Technol. Forecast. Soc. Change
77:34-49; ``ema_workbench.analysis.prim``) on the plain table ``experiments.parquet`` of a finished
``sweep`` or ``sensitivity`` folder:

1. :func:`read_table`: the table, refused with :class:`DiscoveryError` if the folder is not a study folder.
2. :func:`cases`: one row per **experiment** (not per run): the inputs ``x`` are its parameter
   columns (those between ``experiment`` and ``replicate``, as :func:`sim.studies.experiments.tasks_for`
   writes them; booleans and text as pandas categories, integers stay integers) and the outcome is
   the mean over its replicates (NaN replicates ignored). A case of interest is an experiment whose
   mean is strictly below ``--below`` (or above ``--above``). Per experiment is what analysts
   expect: the replicates of one experiment share its inputs, so per-run cases would only add
   seed noise to the same points.
3. :func:`find_boxes`: PRIM peels ``peel_alpha`` of the remaining experiments per step and pastes
   back; of the boxes on its peeling trajectory the one chosen is **the box with the highest
   coverage whose density is at least** ``min_density`` (ties: fewer restricted dimensions), the
   usual choice in the ema_workbench tutorials; if no box reaches it, the densest box (and the
   caption says so). A further box is looked for among the experiments outside the chosen ones.
4. The figures: :func:`sim.outputs.figures.plot_tradeoff`, coverage against density of every box on the
   trajectory (the boxes' ``trajectory`` tables, concatenated), coloured by the number of restricted
   dimensions, the chosen box ringed; :func:`sim.outputs.figures.plot_box_limits`, the chosen box's limits
   drawn by ema_workbench's own ``PrimBox.inspect(style="graph")`` (each restricted parameter's range in
   its full range, with its quasi-p-values, coverage and density).

Coverage: the share of all cases of interest that are inside the box; density: the share of the
experiments inside the box that are cases of interest; mass: the share of all experiments inside
the box. Quasi-p-values (Bryant & Lempert 2010, a one-sided binomial test of each restriction
against dropping it) come from ema_workbench; small values mean the restriction matters.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PEEL_ALPHA = 0.05  # ema_workbench's default peel_alpha (Friedman & Fisher 1999 suggest 0.05-0.1)
MIN_DENSITY = 0.8  # the density threshold of the ema_workbench PRIM tutorials (Prim(..., threshold=0.8))
RUN_COLUMNS = ("experiment", "replicate", "seed", "run_key")
LIMIT_COLUMNS = ["parameter", "kind", "low", "high", "values", "restricted", "full", "qp_low", "qp_high", "qp"]


class DiscoveryError(Exception):
    """The folder, outcome or threshold cannot be used; ``str()`` says why and what would work."""


@dataclass(frozen=True)
class Box:
    """One PRIM box: its number, the chosen entry of its peeling trajectory and that entry's limits."""

    number: int
    chosen: int
    stats: dict[str, float]
    limits: pd.DataFrame  # one row per restricted parameter (see _limits)
    trajectory: pd.DataFrame  # box, id, coverage, density, mass, res_dim, n, k, chosen
    choice: str  # why this entry was chosen
    prim_box: Any = field(default=None, compare=False, repr=False)  # ema_workbench's PrimBox (its inspect graph)


def read_table(folder: Path) -> pd.DataFrame:
    """The runs table of a finished study folder (``experiments.parquet`` beside ``manifest.json``)."""
    folder = Path(folder)
    path = folder / "experiments.parquet"
    if not (path.is_file() and (folder / "manifest.json").is_file()):
        raise DiscoveryError(
            f"{folder} is not a study folder: it needs experiments.parquet and manifest.json "
            "(run mentorsim sweep or mentorsim sensitivity first)"
        )
    table = pd.read_parquet(path)
    if not {"experiment", "replicate"} <= set(table.columns) or table.empty:
        raise DiscoveryError(f"{path} is not the table of a finished study (no runs, or no experiment column)")
    return table


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """The lever and uncertainty columns: those between ``experiment`` and ``replicate``."""
    columns = list(table.columns)
    return columns[columns.index("experiment") + 1 : columns.index("replicate")]


def outcome_columns(table: pd.DataFrame) -> list[str]:
    """The numeric columns that are neither parameters nor run bookkeeping."""
    skip = {*parameter_columns(table), *RUN_COLUMNS}
    return [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])]


def cases(
    table: pd.DataFrame, outcome: str, below: float | None = None, above: float | None = None
) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Inputs per experiment, whether each is a case of interest, and a note (experiments left out)."""
    if (below is None) == (above is None):
        raise DiscoveryError("give exactly one of --below X or --above X")
    known = outcome_columns(table)
    if outcome not in known:
        close = difflib.get_close_matches(outcome, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; outcomes: {', '.join(known)}"
        raise DiscoveryError(f"unknown outcome {outcome!r}{hint}")
    params = parameter_columns(table)
    if not params:
        raise DiscoveryError("the table has no parameter columns (lever or uncertainty) to explain the outcome by")
    grouped = table.groupby("experiment", sort=True)
    x = grouped[params].first()
    values = pd.to_numeric(table[outcome], errors="coerce").groupby(table["experiment"]).mean()
    keep = values.notna()
    note = f"{int((~keep).sum())} experiments without a value of {outcome} are left out" if not keep.all() else ""
    x, values = x[keep], values[keep]
    y = (values < below if below is not None else values > above).to_numpy()
    condition = describe_condition(outcome, below, above)
    spread = f"the experiment means range from {values.min():.4g} to {values.max():.4g}"
    if not y.any():
        raise DiscoveryError(f"no experiment has {condition}: no cases of interest ({spread})")
    if y.all():
        raise DiscoveryError(f"every experiment has {condition}: nothing to tell them apart ({spread})")
    return _typed(x.reset_index(drop=True)), y, note


def describe_condition(outcome: str, below: float | None, above: float | None) -> str:
    """The cases of interest in words, e.g. ``net_placements < 20``."""
    return f"{outcome} < {below:g}" if below is not None else f"{outcome} > {above:g}"


def _typed(x: pd.DataFrame) -> pd.DataFrame:
    """Booleans and text as categories (PRIM peels categories), integers as int64, other numbers as float64."""
    out = x.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[column] = values.astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(values):
            out[column] = values.astype("int64")
        else:
            out[column] = values.astype("float64")
    return out


def find_boxes(
    x: pd.DataFrame, y: np.ndarray, peel_alpha: float = PEEL_ALPHA, min_density: float = MIN_DENSITY, count: int = 1
) -> list[Box]:
    """Up to ``count`` PRIM boxes, each chosen on its peeling trajectory as the module docstring says."""
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # ema_workbench warns about optional packages it does not need here and uses pandas APIs
        # that pandas has deprecated; neither is something a user of this command can act on.
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim

        prim = Prim(x, y.astype(bool), peel_alpha=peel_alpha)
        return _peel_boxes(prim, x, y, min_density, count)


def _peel_boxes(prim: Any, x: pd.DataFrame, y: np.ndarray, min_density: float, count: int) -> list[Box]:
    found: list[Box] = []
    covered = np.zeros(len(y), dtype=bool)
    for number in range(1, count + 1):
        if not (y & ~covered).any():
            break  # every case of interest is in a box already
        box = prim.find_box()
        if box is None:
            break
        chosen, choice = _choose(box.peeling_trajectory, min_density)
        box.select(chosen)
        covered[box.yi] = True
        found.append(_describe(number, box, chosen, choice, x))
    return found


def _choose(trajectory: pd.DataFrame, min_density: float) -> tuple[int, str]:
    """The entry with the highest coverage at density >= ``min_density``, else the densest one."""
    dense = trajectory[trajectory["density"] >= min_density]
    if len(dense):
        best = dense.sort_values(["coverage", "res_dim", "id"], ascending=[False, True, True]).iloc[0]
        return int(best["id"]), f"Entry {int(best['id'])}: the highest coverage with density >= {min_density:.0%}."
    best = trajectory.sort_values(["density", "coverage"], ascending=False).iloc[0]
    return int(best["id"]), f"No entry reaches density {min_density:.0%}: entry {int(best['id'])}, the densest."


def _describe(number: int, box: Any, chosen: int, choice: str, x: pd.DataFrame) -> Box:
    stats = {k: float(v) for k, v in box.peeling_trajectory.iloc[chosen][["coverage", "density", "mass"]].items()}
    stats["res_dim"] = float(box.peeling_trajectory.iloc[chosen]["res_dim"])
    trajectory = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    trajectory.insert(0, "box", number)
    trajectory["chosen"] = trajectory["id"] == chosen
    limits = _limits(box.box_lims[chosen], box.box_lims[0], box.p_values[chosen], x)
    limits = pd.concat([pd.DataFrame({"box": number, "entry": chosen, **stats}, index=limits.index), limits], axis=1)
    return Box(number, chosen, stats, limits, trajectory, choice, box)


def _limits(
    lims: pd.DataFrame, initial: pd.DataFrame, p_values: dict[str, list[float]], x: pd.DataFrame
) -> pd.DataFrame:
    """One row per restricted parameter: kind, limits, the full range and the quasi-p-values.

    Read from the box's own ``box_lims`` and ``p_values`` (ema_workbench's ``inspect(style="data")``
    fails on categorical limits with pandas 2); a quasi-p-value of -1 (not applicable) becomes NaN.
    """
    rows = []
    for parameter in lims.columns:
        low, high = lims[parameter].iloc[0], lims[parameter].iloc[1]
        if low == initial[parameter].iloc[0] and high == initial[parameter].iloc[1]:
            continue  # not restricted
        qp_low, qp_high = (np.nan if q == -1 else float(q) for q in p_values.get(parameter, [-1, -1]))
        column = x[parameter]
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        row: dict[str, Any] = {"parameter": parameter}
        if categorical:
            row |= {"kind": "categorical", "low": np.nan, "high": np.nan, "values": ";".join(sorted(map(str, low)))}
            row |= {"restricted": ", ".join(sorted(map(str, low))), "full": ", ".join(map(str, column.cat.categories))}
        else:
            row |= {"kind": "numeric", "low": float(low), "high": float(high), "values": ""}
            row |= {"restricted": f"{low:.4g} to {high:.4g}", "full": f"{column.min():.4g} to {column.max():.4g}"}
        shown = ", ".join(f"{q:.2g}" for q in (qp_low, qp_high) if not np.isnan(q)) or "n/a"
        rows.append(row | {"qp_low": qp_low, "qp_high": qp_high, "qp": shown})
    return pd.DataFrame(rows, columns=LIMIT_COLUMNS)
