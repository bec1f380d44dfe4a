"""Calibration targets: what a run simulates for each reported figure, and the ``mentorsim check`` table.

A target (:class:`~sim.scenario.schema.CalibrationTarget`) reads either an outcome column (one value per
replicate, :mod:`sim.model.outcomes`), optionally for one cohort of participants (accepted within a window),
or a time-series column (or a series derived from them, :data:`sim.outputs.vocabulary.DERIVED_SERIES`) at a
month or over a window.
Every replicate of every scenario uses the seeds ``seed .. seed + replicates - 1`` (common random numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.model.model import SERIES, MentoringModel
from sim.model.outcomes import Checkpoints, compute_outcomes
from sim.outputs.files import atomic_write_text
from sim.outputs.vocabulary import (
    BREAKDOWNS,
    DERIVED_SERIES,
    RUN_OUTCOMES,
    format_difference,
    format_estimate,
    format_value,
    record,
)
from sim.replicates import INTERVAL, run_replicate
from sim.scenario.limits import calibrate_problems, resource_problems
from sim.scenario.loader import ScenarioError, load_scenario, located
from sim.scenario.schema import CalibrationTarget, Scenario, month_index

OUTCOME_COLUMNS = RUN_OUTCOMES  # the outcome columns of a run (run_replicate's second value), from the vocabulary
# the gross shares a cohort target may name (the breakdowns are not computed per cohort)
COHORT_COLUMNS = tuple(c for c in OUTCOME_COLUMNS if record(c).kind == "share" and c not in BREAKDOWNS)
REPORT_COLUMNS = (
    "programme", "target", "when", "reported", "simulated", "low", "high", "tolerance", "direction", "within", "source", "note",
)  # fmt: skip


def check_target(target: CalibrationTarget) -> None:
    """Raise ValueError if the target's column or its month/cohort fields do not fit together."""
    name = target.outcome
    series = name in SERIES or name in DERIVED_SERIES
    if name not in OUTCOME_COLUMNS and not series:
        raise ValueError(
            f"unknown outcome {name!r}: use an outcome column ({', '.join(OUTCOME_COLUMNS)}) or a time-series "
            f"column with a month ({', '.join((*SERIES, *DERIVED_SERIES))})"
        )
    cohort = (target.cohort_start, target.cohort_end)
    if series:
        if target.month is None or any(cohort):
            raise ValueError(f"time-series target {name!r} needs a month (and no cohort)")
        if (target.aggregate == "value") != (target.since is None):
            raise ValueError(f"target {name!r}: aggregate 'value' reads one month; 'sum' and 'mean' need since")
        if target.since and month_index(target.since) > month_index(target.month):
            raise ValueError(f"target {name!r}: since ({target.since}) is after month ({target.month})")
        return
    if target.month or target.since:
        raise ValueError(f"outcome target {name!r} is one value per run: no month or since (use a cohort)")
    if any(cohort) and not all(cohort):
        raise ValueError(f"target {name!r}: give both cohort_start and cohort_end")
    if all(cohort) and name not in COHORT_COLUMNS:
        raise ValueError(f"cohort target {name!r}: only gross shares ({', '.join(COHORT_COLUMNS)})")


def check_targets(scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` naming the file and line of every target whose column or months do not fit.

    The schema keeps targets as data; what a column means is known here, with the outputs of a run.
    """
    problems = []
    for i, target in enumerate(scenario.targets):
        try:
            check_target(target)
        except ValueError as err:
            problems.append(located(scenario, f"targets.{i}.outcome", str(err), repr(target.outcome)))
    if problems:
        raise ScenarioError(problems)


def load_checked(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """:func:`~sim.scenario.loader.load_scenario`, then :func:`check_targets` and what is checked before compute.

    The ``calibrate:`` paths must name parameters, and a run must fit in the memory available
    (:mod:`sim.scenario.limits`); raises :class:`~sim.scenario.loader.ScenarioError` naming file and line.
    """
    scenario = load_scenario(path, overrides)
    check_targets(scenario)
    problems = calibrate_problems(scenario) + resource_problems(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def target_label(target: CalibrationTarget) -> str:
    """A short name: the column and, for cohorts or windows, the months."""
    if target.cohort_start:
        return f"{target.outcome} [cohort {target.cohort_start}..{target.cohort_end}]"
    if target.since:
        return f"{target.outcome} [{target.aggregate} {target.since}..{target.month}]"
    return f"{target.outcome} [{target.month}]" if target.month else target.outcome


def target_outcome(label: str) -> str:
    """The column of a :func:`target_label` (``employed_end_share [cohort ...]`` -> ``employed_end_share``)."""
    return label.split(" [")[0]


def _months(scenario: Scenario, *labels: str) -> list[int]:
    """Model month indices of ``YYYY-MM`` labels, checked to lie inside the simulated horizon."""
    out = [month_index(label) - scenario.start_index for label in labels]
    if any(not 0 <= t < scenario.months for t in out):
        raise ValueError(
            f"{scenario.name}: month(s) {', '.join(labels)} outside {scenario.calendar()[0]}..{scenario.calendar()[-1]}"
        )
    return out


def _series_value(target: CalibrationTarget, scenario: Scenario, ts: pd.DataFrame) -> float:
    column = DERIVED_SERIES[target.outcome](ts) if target.outcome in DERIVED_SERIES else ts[target.outcome]
    (last,) = _months(scenario, target.month)  # type: ignore[arg-type]
    if target.aggregate == "value":
        return float(column.iloc[last])
    (first,) = _months(scenario, target.since)  # type: ignore[arg-type]
    window = column.iloc[first : last + 1]
    return float(window.sum() if target.aggregate == "sum" else window.mean())


def cohort_outcomes(model: MentoringModel, first: int, last: int) -> dict[str, float]:
    """Gross outcomes of the participants accepted in model months ``first..last`` of a finished run."""
    people = model.people
    ids = np.flatnonzero((people.accepted_month >= first) & (people.accepted_month <= last))
    checks = Checkpoints(*(values[ids] for values in model.checks))
    return compute_outcomes(people.subset(ids), checks, None, 0.0, {})


def replicate_values(scenario: Scenario, seed: int) -> list[float]:
    """The simulated value of each of the scenario's targets in one replicate."""
    ts, outcomes = run_replicate(scenario, seed)
    model = None
    if any(t.cohort_start for t in scenario.targets):  # the same seed gives the same programme run
        model = MentoringModel(scenario, seed=seed, agents=False).run()
    values = []
    for target in scenario.targets:
        if target.month:
            values.append(_series_value(target, scenario, ts))
        elif target.cohort_start:
            first, last = _months(scenario, target.cohort_start, target.cohort_end)  # type: ignore[arg-type]
            values.append(cohort_outcomes(model, first, last)[target.outcome])  # type: ignore[arg-type]
        else:
            values.append(float(outcomes[target.outcome]))
    return values


def simulate(scenario: Scenario, replicates: int, seed: int | None = None) -> np.ndarray:
    """Replicates x targets array of simulated values, replicate ``r`` on seed ``seed + r``."""
    base = scenario.seed if seed is None else seed
    return np.array([replicate_values(scenario, base + r) for r in range(replicates)], dtype=float).reshape(
        replicates, len(scenario.targets)
    )


def within(target: CalibrationTarget, simulated: float) -> bool:
    """Whether a simulated mean meets the target (``about``: within tolerance; ``at_least``: not below it)."""
    if target.direction == "at_least":
        return simulated >= target.reported - target.tolerance
    return abs(simulated - target.reported) <= target.tolerance


MISS_CAP = 3.0  # tolerances: a miss beyond this counts as this much (assumption, see distance)


def distance(scenario: Scenario, values: np.ndarray) -> float:
    """Sum over targets of the squared tolerance-scaled miss of the mean (0 above an ``at_least`` bound).

    Each miss is capped at :data:`MISS_CAP` tolerances: a target the model cannot come near (TRIEC's
    in-field share, ten tolerances off) then adds a constant and does not drag the free parameters towards
    the edges of their ranges at the cost of the targets that can be met (a redescending loss, as in robust
    regression).
    """
    total = 0.0
    for target, mean in zip(scenario.targets, np.nanmean(values, axis=0), strict=True):
        miss = mean - target.reported
        if target.direction == "at_least":
            miss = min(miss, 0.0)
        total += min(abs(miss) / target.tolerance, MISS_CAP) ** 2 if np.isfinite(miss) else 1e6
    return total


def report(scenario: Scenario, values: np.ndarray) -> pd.DataFrame:
    """One row per target: reported, simulated mean and 90 % interval across replicates, within or not."""
    rows = []
    for target, column in zip(scenario.targets, values.T, strict=True):
        mean = float(np.nanmean(column))
        rows.append(
            {
                "programme": scenario.name,
                "target": target_label(target),
                "when": target.when,
                "reported": target.reported,
                "simulated": mean,
                "low": float(np.nanquantile(column, INTERVAL[0])),
                "high": float(np.nanquantile(column, INTERVAL[1])),
                "tolerance": target.tolerance,
                "direction": target.direction,
                "within": within(target, mean),
                "source": target.source,
                "note": target.note,
            }
        )
    return pd.DataFrame(rows)


def scenarios_with_targets(root: Path) -> list[Path]:
    """Scenario files under ``root`` that write a ``targets:`` block; a ``<name>.calibrated.yaml`` overlay replaces ``<name>.yaml``."""
    found = []
    for path in sorted(Path(root).rglob("*.yaml")):
        if path.name.endswith(".calibrated.yaml"):
            continue
        raw = yaml.safe_load(path.read_text())  # other YAML files (studies) live under scenarios/ too
        if isinstance(raw, dict) and raw.get("targets"):
            calibrated = path.with_name(path.stem + ".calibrated.yaml")
            found.append(calibrated if calibrated.is_file() else path)
    return found


def check(
    root: Path, replicates: int, seed: int | None = None, progress: Callable[[str], None] | None = None
) -> pd.DataFrame:
    """The report of every scenario under ``root`` that has targets, one row per target."""
    frames = []
    for path in scenarios_with_targets(root):
        if progress:
            progress(str(path))
        scenario = load_checked(path)
        frame = report(scenario, simulate(scenario, replicates, seed))
        frame.insert(1, "file", str(path))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REPORT_COLUMNS)


def table_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """The report as text rows: programme, target, when, reported, simulated (90 % interval), result."""
    rows = []
    for r in table.itertuples():
        bound = "≥ " if r.direction == "at_least" else ""
        name = target_outcome(r.target)
        rows.append(
            {
                "programme": r.programme,
                "target": r.target,
                "when": r.when,
                "reported": f"{bound}{format_value(name, r.reported)} ± {format_difference(name, r.tolerance, False)}",
                "simulated (90 % interval)": format_estimate(name, r.simulated, r.low, r.high),
                "result": "pass" if r.within else "FAIL",
            }
        )
    return rows


def summary_line(table: pd.DataFrame) -> str:
    """The last line of ``mentorsim check``: how many targets are within tolerance, in how many programmes."""
    passed = int(table["within"].sum()) if len(table) else 0
    return f"{passed} of {len(table)} targets within tolerance, in {table['programme'].nunique() if len(table) else 0} programme(s)"


# --- docs/validation.md ---------------------------------------------------------------------------

START, END = "<!-- validation:start -->", "<!-- validation:end -->"
DOC_HEAD = """# Validation: the programmes of DOMAIN.md §4 as scenarios

Each file in `scenarios/programmes/` carries a `targets:` block: a figure the programme reported, the
outcome column it corresponds to, the date or cohort, a tolerance and the source. The table below is
regenerated by `mentorsim check --write-docs` (or `make validation-docs`); the text outside the
generated part is written by hand.

"""


def write_docs(
    table: pd.DataFrame, docs: Path, replicates: int, markdown: Callable[[list[dict[str, str]]], str]
) -> Path:
    """Write the table and the plot into ``docs/validation.md`` (between the markers; the rest is kept)."""
    from sim.outputs.figures import plot_validation, save_png  # the plotting stack loads only to draw

    docs.mkdir(parents=True, exist_ok=True)
    save_png(plot_validation(table)[0], docs / "validation.png")
    generated = "\n".join(
        [
            START,
            f"{summary_line(table)} ({replicates} replicates each, seeds from each scenario's seed).",
            "",
            markdown(table_rows(table)),
            "",
            "![reported vs simulated](validation.png)",
            "",
            "Sources and mappings:",
            "",
            *(f"- **{r.programme}**, `{r.target}`: {r.source}. {r.note}".rstrip() for r in table.itertuples()),
            END,
        ]
    )
    path = docs / "validation.md"
    text = path.read_text() if path.is_file() else DOC_HEAD + START + "\n" + END + "\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return atomic_write_text(path, pattern.sub(lambda _m: generated, text))
