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
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.model.model import SERIES, MentoringModel
from sim.model.outcomes import Checkpoints, compute_outcomes
from sim.model.reporting import moment_in_words, reported_share
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
from sim.replicates import INTERVAL, run_replicate_model
from sim.scenario.limits import calibrate_problems, resource_problems
from sim.scenario.loader import ScenarioError, load_scenario, located
from sim.scenario.paths import value_at
from sim.scenario.schema import CalibrationTarget, Counting, Scenario, month_index, parameter_records

OUTCOME_COLUMNS = RUN_OUTCOMES  # the outcome columns of a run (run_replicate's second value), from the vocabulary
REPORTED = "reported_share"  # the column a counting rule applies to (sim.model.reporting)
REPORTING_COLUMNS = (REPORTED, "reported_share_all_participants", "reporting_gap")
# the gross shares a cohort target may name (the breakdowns are not computed per cohort)
COHORT_COLUMNS = tuple(
    c
    for c in OUTCOME_COLUMNS
    if record(c).kind == "share" and c not in BREAKDOWNS and (c == REPORTED or c not in REPORTING_COLUMNS)
)
REPORT_COLUMNS = (
    "programme", "target", "when", "reported", "simulated", "low", "high", "tolerance", "direction", "within",
    "kind", "known_miss", "counting", "source", "note",
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
    if target.counting is not None and name != REPORTED:
        raise ValueError(
            f"target {name!r} has a counting rule: counting applies to outcome {REPORTED!r} (the share as the "
            "programme counted it); write outcome: reported_share"
        )
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


def counted_share(model: MentoringModel, target: CalibrationTarget, scenario: Scenario) -> float:
    """A ``reported_share`` target: the share counted by the target's rule (or the scenario's), for its cohort."""
    people = model.people
    among = None
    if target.cohort_start:
        first, last = _months(scenario, target.cohort_start, target.cohort_end)  # type: ignore[arg-type]
        among = (people.accepted_month >= first) & (people.accepted_month <= last)
    rule = target.counting or scenario.reporting
    return reported_share(people, model.checks, rule, scenario.months, among)


def replicate_values(scenario: Scenario, seed: int) -> list[float]:
    """The simulated value of each of the scenario's targets in one replicate."""
    ts, outcomes, model = run_replicate_model(scenario, seed)  # the run's people for cohort and counted targets
    values = []
    for target in scenario.targets:
        if target.month:
            values.append(_series_value(target, scenario, ts))
        elif target.outcome == REPORTED:
            values.append(counted_share(model, target, scenario))
        elif target.cohort_start:
            first, last = _months(scenario, target.cohort_start, target.cohort_end)  # type: ignore[arg-type]
            values.append(cohort_outcomes(model, first, last)[target.outcome])
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


def miss(target: CalibrationTarget, mean: float) -> float:
    """The tolerance-scaled miss of a simulated mean, 0 above an ``at_least`` bound, capped at :data:`MISS_CAP`.

    The cap makes a redescending loss, as in robust regression: a target the model cannot come near (TRIEC's
    in-field share, ten tolerances off) adds a constant and does not drag the free parameters towards the
    edges of their ranges at the cost of the targets that can be met. A run without a value (NaN) counts 1000.
    """
    if not np.isfinite(mean):
        return 1000.0
    off = mean - target.reported
    if target.direction == "at_least":
        off = min(off, 0.0)
    return min(abs(off) / target.tolerance, MISS_CAP)


def distance(scenario: Scenario, values: np.ndarray) -> float:
    """Sum over targets of the squared :func:`miss` of the replicates' mean."""
    return float(sum(miss(t, float(m)) ** 2 for t, m in zip(scenario.targets, np.nanmean(values, axis=0), strict=True)))


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
                "kind": target_kind(target),
                "known_miss": target.known_miss,
                "counting": counting_text(target.counting or scenario.reporting) if target.outcome == REPORTED else "",
                "source": target.source,
                "note": target.note,
            }
        )
    return pd.DataFrame(rows)


def target_kind(target: CalibrationTarget) -> str:
    """``outcome`` for a share or effect, ``size`` for counts, costs and hours.

    Outcome targets are met by the region and the shared parameters; size targets by a programme's own scale
    knobs (application rate, mentor recruitment).
    """
    return "outcome" if record(target.outcome).kind in ("share", "pp") else "size"


def counting_text(rule: Counting) -> str:
    """A counting rule in words: ``completers, survey (50 %, OR 2.56), 6 months after exit: job, training``."""
    who = {"all": "all participants", "started": "those who started", "completed": "completers"}[rule.denominator]
    if rule.survey:
        who += f", survey respondents (response {rule.response_rate:.0%}, odds ratio {rule.response_odds_ratio:g})"
    return f"{who}, {moment_in_words(rule)}: {', '.join(rule.counts)}"


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


def result_text(within_: bool, known_miss: str) -> str:
    """``pass``, ``known miss`` (a miss the programme file explains) or ``FAIL``."""
    return "pass" if within_ else ("known miss" if known_miss else "FAIL")


def table_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """The report as text rows: programme, target, when, reported, simulated (90 % interval), result.

    A lower bound (``direction: at_least``) reads ``≥ 700 (bound; tolerance 50)``: met by any value above it.
    """
    rows = []
    for r in table.itertuples():
        name = target_outcome(r.target)
        tolerance = format_difference(name, r.tolerance, False)
        if r.direction == "at_least":
            reported = f"≥ {format_value(name, r.reported)} (bound; tolerance {tolerance})"
        else:
            reported = f"{format_value(name, r.reported)} ± {tolerance}"
        rows.append(
            {
                "programme": r.programme,
                "target": r.target,
                "when": r.when,
                "reported": reported,
                "simulated (90 % interval)": format_estimate(name, r.simulated, r.low, r.high),
                "result": result_text(bool(r.within), str(getattr(r, "known_miss", "") or "")),
            }
        )
    return rows


def failures(table: pd.DataFrame) -> pd.DataFrame:
    """The targets missed without a known-miss reason: ``mentorsim check`` exits non-zero when there are any."""
    if not len(table):
        return table
    known = table["known_miss"].fillna("").astype(str) != "" if "known_miss" in table else False
    return table[~table["within"].astype(bool) & ~known]


def summary_line(table: pd.DataFrame) -> str:
    """The last line of ``mentorsim check``: how many targets are within tolerance, known misses, failures."""
    if not len(table):
        return "0 of 0 targets within tolerance, in 0 programme(s)"
    passed = int(table["within"].sum())
    known = int((~table["within"].astype(bool) & (table["known_miss"].fillna("").astype(str) != "")).sum())
    failed = len(failures(table))
    return (
        f"{passed} of {len(table)} targets within tolerance, {known} known miss(es), {failed} failed, "
        f"in {table['programme'].nunique()} programme(s)"
    )


EDGE_SHARE = 0.1  # a fitted value within this share of its range's width from an edge is flagged


def range_edges(paths: Sequence[Path]) -> list[str]:
    """Fitted values (the ``calibrate:`` parameters of each file) within :data:`EDGE_SHARE` of an edge of their range."""
    flags = []
    for path in paths:
        scenario = load_scenario(path)
        records = parameter_records(scenario)
        for name in scenario.calibrate:
            rec = records.get(name)
            if not rec or "range" not in rec:
                continue
            low, high = (float(v) for v in rec["range"])
            value = float(value_at(scenario, name))
            width = high - low
            if width <= 0:
                continue
            share = (value - low) / width
            if share <= EDGE_SHARE or share >= 1 - EDGE_SHARE:
                edge = "lower" if share <= EDGE_SHARE else "upper"
                flags.append(f"**{scenario.name}** `{name}` = {value:.4g}, at the {edge} edge of [{low:g}, {high:g}]")
    return flags


# --- docs/validation.md ---------------------------------------------------------------------------

START, END = "<!-- validation:start -->", "<!-- validation:end -->"
DOC_HEAD = """# Validation: the programmes of DOMAIN.md §4 as scenarios

Each file in `scenarios/programmes/` extends its region and carries a `targets:` block: a figure the
programme reported, the outcome column it corresponds to, the date or cohort, a tolerance, the source and,
for a share, how it was counted. The tables below are regenerated by `mentorsim check --write-docs` (or
`make validation-docs`); the text outside the generated part is written by hand.

"""


OUTCOME_TITLE = (
    "**Outcome targets** (shares and effects: met by the region and the shared mechanism parameters, never by "
    "a programme's own rate):"
)
SIZE_TITLE = (
    "**Size targets** (counts, costs, hours: met by each programme's own scale knobs, the application rate and "
    "mentor recruitment, so passing them shows the size can be fitted, not that outcomes can be predicted):"
)


def _source_line(r: Any) -> str:
    counting = getattr(r, "counting", "") or ""
    known = getattr(r, "known_miss", "") or ""
    text = f"- **{r.programme}**, `{r.target}`: {r.source}. {r.note}".rstrip()
    if counting:
        text += f" Counted over {counting}."
    if known and not r.within:
        text += f" *Known miss:* {known}"
    return text


def write_docs(
    table: pd.DataFrame, docs: Path, replicates: int, markdown: Callable[[list[dict[str, str]]], str]
) -> Path:
    """Write the table and the plot into ``docs/validation.md`` (between the markers; the rest is kept)."""
    from sim.outputs.figures import plot_validation, save_png  # the plotting stack loads only to draw

    docs.mkdir(parents=True, exist_ok=True)
    save_png(plot_validation(table)[0], docs / "validation.png")
    kinds = table["kind"] if "kind" in table else pd.Series(["outcome"] * len(table))
    sections = []
    for kind, title in (("outcome", OUTCOME_TITLE), ("size", SIZE_TITLE)):
        part = table[(kinds == kind).to_numpy()]
        sections += [title, "", markdown(table_rows(part)) if len(part) else "(none)", ""]
    edges = range_edges([Path(f) for f in dict.fromkeys(table["file"])]) if "file" in table else []
    generated = "\n".join(
        [
            START,
            f"{summary_line(table)} ({replicates} replicates each, seeds from each scenario's seed).",
            "",
            *sections,
            "Fitted values at an edge of their range (within 10 % of its width; the fit wanted to go further):",
            "",
            *(f"- {e}" for e in edges),
            *([] if edges else ["- none"]),
            "",
            "![reported vs simulated](validation.png)",
            "",
            "Sources, counting rules and known misses:",
            "",
            *(_source_line(r) for r in table.itertuples()),
            END,
        ]
    )
    path = docs / "validation.md"
    text = path.read_text() if path.is_file() else DOC_HEAD + START + "\n" + END + "\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return atomic_write_text(path, pattern.sub(lambda _m: generated, text))
