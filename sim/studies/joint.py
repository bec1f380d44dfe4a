"""``mentorsim calibrate --joint`` and ``mentorsim check --leave-one-out``: one shared parameter set for all programmes.

The shared mechanism parameters (:data:`MECHANISMS`, extended by ``base.yaml`` and so by every region,
programme and evidence scenario) are fitted to the **outcome targets** (shares and effects) of every
scenario with targets at once; size targets stay with each programme's own scale knobs (``mentorsim
calibrate FILE``). A programme never sets a shared parameter, so a trial's values are applied to every
scenario as ``--set`` overrides, which is the same as writing them into :data:`MECHANISMS`.

The search, deterministic for a sampler seed:

1. **Design**: the file's current values, then a scrambled Sobol sample of the prior box (each record's
   ``range``). No target guides where these points fall.
2. **Refinement**: a second Sobol sample in the box spanned by the accepted design trials (the best
   :data:`ACCEPT_SHARE`), widened by a tenth of each range.

Every trial runs every scenario on the same seeds (common random numbers). The objective is the sum over
outcome targets of the squared tolerance-scaled miss, each capped (:func:`sim.studies.validation.miss`). The
fitted values are the best trial's; their uncertainty is the spread (10th to 90th percentile) of the
accepted trials, the best :data:`ACCEPT_SHARE` of all (a rejection step as in approximate Bayesian
computation). Leave-one-out refits choose, among the **design** trials only, the best for all other studies
and predict the left-out study's targets by running it at those values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.outputs.files import atomic_write, atomic_write_text
from sim.outputs.vocabulary import format_difference, format_value
from sim.scenario.loader import load_scenario
from sim.scenario.paths import value_at
from sim.scenario.schema import Scenario, parameter_records
from sim.studies.calibration import CalibrationError, FreeParameter, overrides
from sim.studies.executors import Task, execute
from sim.studies.validation import (
    EDGE_SHARE,
    load_checked,
    miss,
    replicate_values,
    scenarios_with_targets,
    target_kind,
    target_label,
    target_outcome,
)

MECHANISMS = Path("scenarios/shared/mechanisms.yaml")
ACCEPT_SHARE = 0.1  # the best tenth of the trials are accepted (their spread is the fit's uncertainty)
SPREAD = (0.1, 0.9)  # percentiles of the accepted trials reported as the uncertainty
WIDEN = 0.1  # the refinement box: the accepted design trials' box, widened by this share of each range
FIT_MARKERS = ("# fit:start", "# fit:end")  # the block of mechanisms.yaml the fit rewrites


@dataclass(frozen=True)
class Study:
    """A scenario file with outcome targets, and the study it belongs to (left out together)."""

    path: Path
    name: str
    group: str
    targets: tuple[str, ...]  # labels of its outcome targets, in file order
    columns: tuple[int, ...]  # their positions among all of the scenario's targets


@dataclass
class JointFit:
    """The trials (one row each: phase, parameter values, per-target means and per-study distances) and the fit."""

    parameters: list[FreeParameter]
    studies: list[Study]
    trials: pd.DataFrame
    replicates: int
    seed: int | None
    sampler_seed: int

    @property
    def best(self) -> pd.Series:
        """The trial with the smallest total distance."""
        return self.trials.loc[self.trials["distance"].idxmin()]

    @property
    def values(self) -> dict[str, float]:
        """The fitted values (the best trial's, to 4 significant digits as written), integers kept integer."""
        return {p.path: _rounded(p, self.best[p.path]) for p in self.parameters}

    def summary(self) -> pd.DataFrame:
        """Per parameter: prior range, value before, fitted value and the accepted trials' 10th-90th percentile."""
        start = self.trials.iloc[0]
        good = accepted(self.trials)
        return pd.DataFrame(
            [
                {
                    "parameter": p.path,
                    "low": p.low,
                    "high": p.high,
                    "before": start[p.path],
                    "fitted": self.best[p.path],
                    "accepted_p10": float(good[p.path].quantile(SPREAD[0])),
                    "accepted_p90": float(good[p.path].quantile(SPREAD[1])),
                }
                for p in self.parameters
            ]
        )


def study_group(name: str) -> str:
    """Files named ``<study>_<year>_<subgroup>`` are one study (``battisti_2019_low_educated`` -> ``battisti_2019``)."""
    found = re.match(r"^(.*?_(?:19|20)\d\d)(?:_|$)", name)
    return found.group(1) if found else name


def shared_parameters(path: Path = MECHANISMS) -> list[FreeParameter]:
    """Every record of the mechanisms file, with its prior range; a record without a range is an error."""
    records = parameter_records(load_scenario(path))
    params = []
    for dotted, record in records.items():
        if "range" not in record:
            raise CalibrationError(f"{path}: {dotted}: a shared parameter needs a range (the prior the fit searches)")
        low, high = (float(x) for x in record["range"])
        if low >= high:
            raise CalibrationError(f"{path}: {dotted}: the range [{low}, {high}] leaves nothing to fit")
        integer = isinstance(record["value"], int) and not isinstance(record["value"], bool)
        params.append(FreeParameter(dotted, low, high, integer))
    if not params:
        raise CalibrationError(f"{path}: no shared parameter records to fit")
    return params


def outcome_studies(root: Path) -> list[Study]:
    """The scenarios under ``root`` with at least one outcome target (a calibrated overlay replaces its file)."""
    found = []
    for path in scenarios_with_targets(root):
        scenario = load_checked(path)
        cols = [i for i, t in enumerate(scenario.targets) if target_kind(t) == "outcome"]
        if cols:
            labels = tuple(target_label(scenario.targets[i]) for i in cols)
            found.append(Study(path, scenario.name, study_group(scenario.name), labels, tuple(cols)))
    if not found:
        raise CalibrationError(f"no scenario under {root} has an outcome target")
    return found


def target_runner(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """One replicate's value of every target of ``scenario`` (module level: it is sent to worker processes)."""
    return pd.DataFrame(), {str(i): v for i, v in enumerate(replicate_values(scenario, seed))}


def sobol_points(params: Sequence[FreeParameter], n: int, seed: int, box: np.ndarray | None = None) -> np.ndarray:
    """``n`` scrambled Sobol points (rows) in ``box`` (2 x d: lows, highs; default the prior ranges)."""
    lows, highs = box if box is not None else np.array([[p.low for p in params], [p.high for p in params]])
    unit = qmc.Sobol(len(params), scramble=True, seed=seed).random(n)
    return qmc.scale(unit, lows, highs) if n else unit


def _typed(p: FreeParameter, value: float) -> float:
    return int(round(value)) if p.integer else float(value)


def _rounded(p: FreeParameter, value: float) -> float:
    """A fitted value as written into the mechanisms file: 4 significant digits (far finer than its uncertainty)."""
    return int(round(value)) if p.integer else float(f"{value:.4g}")


def evaluate(
    points: np.ndarray,
    params: Sequence[FreeParameter],
    studies: Sequence[Study],
    replicates: int,
    seed: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every study at every point (rows of ``points``); one row per point with each outcome target's mean."""
    tasks = []
    for i, point in enumerate(points):
        sets = overrides({p.path: _typed(p, v) for p, v in zip(params, point, strict=True)})
        for s, study in enumerate(studies):
            scenario = load_checked(study.path, sets)
            first = scenario.seed if seed is None else seed
            tasks += [
                Task(f"{i}/{s}/{r}", scenario, first + r, {"point": i, "study": s}, runner=target_runner)
                for r in range(replicates)
            ]
    sums: dict[tuple[int, int], list[np.ndarray]] = {}
    for n, done in enumerate(execute(tasks, workers, dask), 1):
        if done.error or done.row is None:
            raise CalibrationError(f"a run failed ({done.key}): {done.error}")
        row = done.row
        values = np.array([row[str(c)] for c in studies[row["study"]].columns], dtype=float)
        sums.setdefault((row["point"], row["study"]), []).append(values)
        if progress:
            progress(n, len(tasks))
    rows = []
    for i, point in enumerate(points):
        trial: dict[str, Any] = {p.path: _typed(p, v) for p, v in zip(params, point, strict=True)}
        for s, study in enumerate(studies):
            means = np.nanmean(np.array(sums[(i, s)]), axis=0)
            trial |= {f"{study.name} | {label}": float(m) for label, m in zip(study.targets, means, strict=True)}
        rows.append(trial)
    return pd.DataFrame(rows)


def score(trials: pd.DataFrame, studies: Sequence[Study]) -> pd.DataFrame:
    """Add each study's distance (``d: <name>``) and the total ``distance`` to the trials table."""
    out = trials.copy()
    for study in studies:
        scenario = load_checked(study.path)
        targets = [scenario.targets[c] for c in study.columns]
        cols = [f"{study.name} | {label}" for label in study.targets]
        out[f"d: {study.name}"] = [
            sum(miss(t, float(v)) ** 2 for t, v in zip(targets, row, strict=True)) for row in out[cols].to_numpy()
        ]
    out["distance"] = out[[f"d: {s.name}" for s in studies]].sum(axis=1)
    return out


def accepted(trials: pd.DataFrame, share: float = ACCEPT_SHARE) -> pd.DataFrame:
    """The best ``share`` of the trials (at least two) by total distance."""
    return trials.nsmallest(max(2, math.ceil(share * len(trials))), "distance")


def fit(
    root: Path,
    mechanisms: Path = MECHANISMS,
    design: int = 64,
    refine: int = 32,
    replicates: int = 3,
    seed: int | None = None,
    sampler_seed: int = 0,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> JointFit:
    """Fit the shared parameters to every outcome target under ``root`` (see the module docstring)."""
    params = shared_parameters(mechanisms)
    studies = outcome_studies(root)
    start = load_scenario(mechanisms)
    first = np.array([[value_at(start, p.path) for p in params]], dtype=float)
    points = np.vstack([first, sobol_points(params, design, sampler_seed)])

    def run(phase: str, pts: np.ndarray) -> pd.DataFrame:
        table = evaluate(
            pts,
            params,
            studies,
            replicates,
            seed,
            workers,
            dask,
            lambda n, t: progress(phase, n, t) if progress else None,
        )
        table.insert(0, "phase", phase)
        return table

    trials = score(run("design", points), studies)
    if refine:
        good = accepted(trials)
        width = np.array([p.high - p.low for p in params])
        lows = np.maximum([p.low for p in params], good[[p.path for p in params]].min().to_numpy() - WIDEN * width)
        highs = np.minimum([p.high for p in params], good[[p.path for p in params]].max().to_numpy() + WIDEN * width)
        more = score(run("refine", sobol_points(params, refine, sampler_seed + 1, np.array([lows, highs]))), studies)
        trials = pd.concat([trials, more], ignore_index=True)
    trials.insert(0, "trial", range(len(trials)))
    return JointFit(params, studies, trials, replicates, seed, sampler_seed)


def trials_path(mechanisms: Path = MECHANISMS) -> Path:
    """``<mechanisms>.trials.csv``: every trial of the last joint fit (read by ``check --leave-one-out``)."""
    return mechanisms.with_suffix(".trials.csv")


def set_record_values(text: str, values: dict[str, float]) -> str:
    """``text`` of a YAML file with the ``value`` of each one-line record at a dotted path replaced; nothing else changes."""
    lines, done = text.split("\n"), set()
    stack: list[str] = []
    for n, line in enumerate(lines):
        found = re.match(r"^( *)([A-Za-z_][A-Za-z0-9_]*):(.*)$", line)
        if not found or line.lstrip().startswith("#"):
            continue
        depth = len(found.group(1)) // 2
        stack = [*stack[:depth], found.group(2)]
        dotted = ".".join(stack)
        if dotted in values:
            new, count = re.subn(r"\{value: [^,]+,", f"{{value: {values[dotted]!r},", line, count=1)
            if not count:
                raise CalibrationError(f"{dotted}: not a one-line record {{value: ..., ...}} in the mechanisms file")
            lines[n] = new
            done.add(dotted)
    if missing := set(values) - done:
        raise CalibrationError(f"not found in the mechanisms file: {', '.join(sorted(missing))}")
    return "\n".join(lines)


def fit_block(result: JointFit) -> str:
    """The comment block written between :data:`FIT_MARKERS`: when, how, and the objective before and after."""
    trials = result.trials
    seeds = "each scenario's seed" if result.seed is None else str(result.seed)
    return "\n".join(
        [
            FIT_MARKERS[0],
            f"# Fitted by `mentorsim calibrate --joint` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
            f"{len(trials)} trials ({(trials['phase'] == 'design').sum()} design incl. the values before, "
            f"{(trials['phase'] == 'refine').sum()} refinement; Sobol, sampler seed {result.sampler_seed}),",
            f"# {result.replicates} replicates per scenario and trial (seeds from {seeds}), "
            f"{sum(len(s.targets) for s in result.studies)} outcome targets of {len(result.studies)} scenarios.",
            f"# Objective {trials['distance'].iloc[0]:.3g} at the values before, {result.best['distance']:.3g} fitted. "
            "Values with their uncertainty: docs/calibration.md.",
            FIT_MARKERS[1],
        ]
    )


def write_fit(result: JointFit, mechanisms: Path = MECHANISMS) -> tuple[Path, Path]:
    """Write the fitted values (and the fit block) into the mechanisms file and every trial to its CSV."""
    text = set_record_values(mechanisms.read_text(encoding="utf-8"), result.values)
    head, rest = text.split(FIT_MARKERS[0], 1)
    text = head + fit_block(result) + rest.split(FIT_MARKERS[1], 1)[1]
    atomic_write(trials_path(mechanisms), lambda tmp: result.trials.to_csv(tmp, index=False))
    return atomic_write_text(mechanisms, text), trials_path(mechanisms)


def load_trials(mechanisms: Path = MECHANISMS) -> pd.DataFrame:
    """The trials of the last joint fit, checked to match the mechanisms file's parameters."""
    path = trials_path(mechanisms)
    if not path.is_file():
        raise CalibrationError(f"{path} not found: run `mentorsim calibrate --joint` first")
    trials = pd.read_csv(path)
    missing = [p.path for p in shared_parameters(mechanisms) if p.path not in trials]
    if missing:
        raise CalibrationError(
            f"{path} was written for other shared parameters (no column for {', '.join(missing)}): "
            "run `mentorsim calibrate --joint` again"
        )
    return trials


def loo_choice(design: pd.DataFrame, studies: Sequence[Study], group: str) -> pd.Series:
    """The design trial with the smallest distance summed over the studies *not* in ``group`` (the refit without it)."""
    others = [f"d: {s.name}" for s in studies if s.group != group]
    if not others:
        raise CalibrationError(f"leaving out {group} leaves no study to fit")
    return design.loc[design[others].sum(axis=1).idxmin()]


def leave_one_out(
    root: Path,
    mechanisms: Path = MECHANISMS,
    replicates: int = 10,
    seed: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Each study's outcome targets predicted by the design trial that best fits all *other* studies.

    One row per outcome target: ``study`` (the group left out), ``programme``, ``target``, ``trial`` (the
    refit's choice) and ``left_out`` (the target's mean over ``replicates`` runs at that trial's values).
    """
    params = shared_parameters(mechanisms)
    studies = outcome_studies(root)
    trials = load_trials(mechanisms)
    design = trials[trials["phase"] == "design"]
    absent = [s.name for s in studies if f"d: {s.name}" not in design]
    if absent:
        raise CalibrationError(
            f"the joint fit in {trials_path(mechanisms)} did not include {', '.join(absent)}: run it again"
        )
    rows = []
    for group in dict.fromkeys(s.group for s in studies):
        choice = loo_choice(design, studies, group)
        left = [s for s in studies if s.group == group]
        if progress:
            progress(f"{group}: refit without it chose trial {int(choice['trial'])}")
        point = np.array([[choice[p.path] for p in params]], dtype=float)
        table = evaluate(point, params, left, replicates, seed, workers, dask).iloc[0]
        for study in left:
            rows += [
                {
                    "study": group,
                    "programme": study.name,
                    "target": label,
                    "trial": int(choice["trial"]),
                    "left_out": float(table[f"{study.name} | {label}"]),
                }
                for label in study.targets
            ]
    return pd.DataFrame(rows)


# --- faces: rows for the console and the docs -------------------------------------------------------

LOO_GOAL = 0.15  # the goal for a left-out error: within 15 percentage points (issue 12)
JOINT_MARKERS = ("<!-- joint:start -->", "<!-- joint:end -->")
LOO_MARKERS = ("<!-- loo:start -->", "<!-- loo:end -->")


def _num(value: float) -> str:
    return f"{value:.4g}"


def edge_flag(p: FreeParameter, value: float) -> str:
    """``lower edge``/``upper edge`` when ``value`` is within :data:`EDGE_SHARE` of an end of its range, else ``""``."""
    share = (value - p.low) / (p.high - p.low)
    return "lower edge" if share <= EDGE_SHARE else "upper edge" if share >= 1 - EDGE_SHARE else ""


def fit_rows(result: JointFit) -> list[dict[str, str]]:
    """One text row per shared parameter: prior range, value before, fitted value, accepted spread, edge flag."""
    table = result.summary()
    return [
        {
            "parameter": r.parameter,
            "prior range": f"{_num(r.low)} to {_num(r.high)}",
            "before": _num(r.before),
            "fitted": _num(r.fitted),
            f"accepted trials, p{SPREAD[0] * 100:.0f}-p{SPREAD[1] * 100:.0f}": f"{_num(r.accepted_p10)} to {_num(r.accepted_p90)}",
            "at an edge": edge_flag(p, float(r.fitted)) or "-",
        }
        for p, r in zip(result.parameters, table.itertuples(), strict=True)
    ]


def study_rows(result: JointFit) -> list[dict[str, str]]:
    """Each scenario's share of the objective at the values before and at the fitted values."""
    start, best = result.trials.iloc[0], result.best
    return [
        {
            "scenario": s.name,
            "outcome targets": str(len(s.targets)),
            "distance before": f"{start[f'd: {s.name}']:.3g}",
            "distance fitted": f"{best[f'd: {s.name}']:.3g}",
        }
        for s in result.studies
    ]


def signed_error(direction: str, reported: float, simulated: float) -> float:
    """Simulated minus reported; 0 above a lower bound (``at_least``), which any higher value meets."""
    off = simulated - reported
    return min(off, 0.0) if direction == "at_least" else off


def loo_table(table: pd.DataFrame, loo: pd.DataFrame) -> pd.DataFrame:
    """The outcome rows of a check ``table`` joined with the left-out predictions, with both errors."""
    merged = table.merge(loo, on=["programme", "target"], how="inner")
    merged["in_sample_error"] = [
        signed_error(d, r, s)
        for d, r, s in zip(merged["direction"], merged["reported"], merged["simulated"], strict=True)
    ]
    merged["left_out_error"] = [
        signed_error(d, r, s)
        for d, r, s in zip(merged["direction"], merged["reported"], merged["left_out"], strict=True)
    ]
    merged["column"] = merged["target"].map(target_outcome)
    return merged


def loo_rows(table: pd.DataFrame, loo: pd.DataFrame) -> list[dict[str, str]]:
    """Text rows: programme, target, reported, in-sample simulated and error, left-out simulated and error."""
    rows = []
    for r in loo_table(table, loo).itertuples():
        bound = "≥ " if r.direction == "at_least" else ""
        rows.append(
            {
                "programme": r.programme,
                "target": r.target,
                "reported": bound + format_value(r.column, r.reported),
                "in-sample": f"{format_value(r.column, r.simulated)} ({format_difference(r.column, r.in_sample_error)})",
                "left out": f"{format_value(r.column, r.left_out)} ({format_difference(r.column, r.left_out_error)})",
                "left-out error within 15 pp": "yes" if abs(r.left_out_error) <= LOO_GOAL else "no",
            }
        )
    return rows


def loo_summary(table: pd.DataFrame, loo: pd.DataFrame) -> str:
    """How many left-out errors meet the goal, and the mean absolute errors in and out of sample (pp)."""
    merged = loo_table(table, loo)
    within = int((merged["left_out_error"].abs() <= LOO_GOAL).sum())
    return (
        f"left out: {within} of {len(merged)} outcome targets within {LOO_GOAL * 100:.0f} pp; mean absolute error "
        f"{merged['left_out_error'].abs().mean() * 100:.1f} pp left out, {merged['in_sample_error'].abs().mean() * 100:.1f} pp in sample"
    )


def _replace_block(path: Path, markers: tuple[str, str], generated: str, head: str) -> Path:
    """Write ``generated`` between ``markers`` in ``path`` (appending the block when it is missing)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else head
    block = f"{markers[0]}\n{generated}\n{markers[1]}"
    if markers[0] in text:
        pattern = re.compile(re.escape(markers[0]) + ".*?" + re.escape(markers[1]), re.S)
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    return atomic_write_text(path, text)


def write_calibration_docs(result: JointFit, docs: Path, markdown: Callable[[list[dict[str, str]]], str]) -> Path:
    """The fit's values, uncertainty and per-scenario distances into ``docs/calibration.md`` (between markers)."""
    trials = result.trials
    edges = [f"`{r['parameter']}` ({r['at an edge']})" for r in fit_rows(result) if r["at an edge"] != "-"]
    generated = "\n".join(
        [
            f"Fitted on {datetime.now(UTC):%Y-%m-%d} by `mentorsim calibrate --joint`: {len(trials)} trials "
            f"({(trials['phase'] == 'design').sum()} design, the first being the values before; "
            f"{(trials['phase'] == 'refine').sum()} refinement), {result.replicates} replicates per scenario and "
            f"trial on common seeds, sampler seed {result.sampler_seed}. Objective (sum of squared tolerance-scaled "
            f"misses, each capped at 3): {trials['distance'].iloc[0]:.3g} at the values before, "
            f"{result.best['distance']:.3g} fitted. Accepted trials: the best {len(accepted(trials))} "
            f"({ACCEPT_SHARE:.0%}).",
            "",
            markdown(fit_rows(result)),
            "",
            "Values at an edge of their prior range (the fit wanted to go further): "
            + (", ".join(edges) if edges else "none")
            + ".",
            "",
            "Each scenario's part of the objective:",
            "",
            markdown(study_rows(result)),
        ]
    )
    return _replace_block(docs / "calibration.md", JOINT_MARKERS, generated, "# Calibration\n")


def write_loo_docs(
    rows: list[dict[str, str]], docs: Path, replicates: int, markdown: Callable[[list[dict[str, str]]], str]
) -> Path:
    """The in-sample vs left-out table into ``docs/validation.md`` (between its own markers)."""
    generated = "\n".join(
        [
            f"Outcome targets, in sample (the joint fit) and left out (the best design trial for all other studies; "
            f"{replicates} replicates). Errors are simulated minus reported (0 above a lower bound).",
            "",
            markdown(rows) if rows else "(none)",
        ]
    )
    return _replace_block(docs / "validation.md", LOO_MARKERS, generated, "# Validation\n")
