"""A self-contained HTML report of a sweep, for funders: ``mentorsim report STUDY_FOLDER``.

It reads the folder a ``mentorsim sweep`` wrote: ``experiments.parquet`` (one row per design, or experiment,
x seed) and, when the sweep kept them, each run's time series (``runs/<run_key>.series.parquet``). A study of
kind designs names its designs; in a sweep of levers each experiment is a design named by its values
(``Programme, follow up: intensity = 0.5``). The report opens with the paired table (every design against
the first, on the same seeds: the mean paired difference with its 95 % t interval of the mean, by
:func:`~sim.replicates.paired_differences`, the function of ``compare``) and the cliff timeline of every design
(:func:`~sim.outputs.figures.plot_cliff_timelines`: money per month and waiting list, dashed where the money
falls, grey where intake was closed), so that a funder sees *when* the money and the intake stop; then one
section per design: its outcomes (mean and 5th-95th percentile of replicates), when its money falls, and its
funding timeline (money, coaches). Outcomes are the table's columns that have a record in the vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs import vocabulary as vocab
from sim.outputs.changes import in_words, plain
from sim.outputs.files import atomic_write_text
from sim.outputs.report import Cliff, Progress, _data_uri, _silent, outcome_rows, templates
from sim.outputs.run_folder import RunFolder, RunFolderError
from sim.replicates import DIFFERENCE_NAME, SPREAD_NAME, paired_differences, summarise

TABLE = "experiments.parquet"
TEMPLATE = "study_report.html.j2"
BY = "design"
MAX_TIMELINES = 12  # designs drawn in the cliff timelines at the top (a large sweep: the first ones)
FALL = 0.1  # the money "falls" after a month when the next STAYS months have at least 10 % less (assumption)
STAYS = 3


def is_study_folder(folder: str | Path) -> bool:
    """Whether ``folder`` holds a study's table (``experiments.parquet``)."""
    return (Path(folder) / TABLE).is_file()


def outcomes_of(table: pd.DataFrame) -> list[str]:
    """The table's outcome columns (those with an outcome record), in the vocabulary's order."""
    found = [c for c in table.columns if (m := vocab.find(str(c))) is not None and not m.series]
    return sorted(found, key=vocab.outcome_order)


def money_falls(timeseries: pd.DataFrame) -> list[Cliff]:
    """The months after which the money per month falls, in each replicate where it does.

    Read from the runs' own series (a design's grants are not in the study folder): the money falls after a
    month when each of the :data:`STAYS` months after it has at least :data:`FALL` less (a grant ending, not the
    month-to-month wobble of money spent on staff); the first month (start-up costs) is not counted. Each is a
    :class:`~sim.outputs.report.Cliff` named "money falls", with the replicates in which it falls.
    """
    if timeseries.empty or "funding_month_eur" not in timeseries.columns:
        return []
    money = timeseries.pivot(index="month", columns="replicate", values="funding_month_eur").sort_index()
    later = pd.concat([money.shift(-k) for k in range(1, STAYS + 1)]).groupby(level=0).max().reindex(money.index)
    # near the end of the run fewer months follow; the last month has none (NaN: no fall)
    falls = (later < money * (1 - FALL)).iloc[1:]  # not after the first month
    counts = falls.sum(axis=1)
    return [Cliff(str(month), "money falls", int(n), money.shape[1]) for month, n in counts.items() if n > 0]


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a ``design`` column: a study of designs has one; a sweep's experiments are named by their values."""
    if BY in table.columns:
        return table
    columns = list(table.columns)
    params = columns[columns.index("experiment") + 1 : columns.index("replicate")] if "replicate" in columns else []
    names = table[params].apply(lambda row: "; ".join(f"{in_words(p)} = {plain(row[p])}" for p in params), axis=1)
    named = names if params else "experiment " + table["experiment"].astype(str)
    return table.assign(**{BY: named})


def design_run(folder: Path, design: str, rows: pd.DataFrame, outcomes: list[str]) -> RunFolder:
    """One design's runs as a :class:`RunFolder` (its time series when the sweep kept them)."""
    frames = []
    for replicate, row in enumerate(rows.itertuples(index=False)):
        path = folder / "runs" / f"{row.run_key}.series.parquet"
        if path.is_file():
            series = pd.read_parquet(path)
            frames.append(series.assign(replicate=replicate, seed=row.seed))
    outcomes_table = rows[["seed", *outcomes]].reset_index(drop=True).rename_axis("replicate").reset_index()
    return RunFolder(
        path=folder,
        manifest={"scenario": design, "replicates": len(rows), "seeds": list(rows["seed"])},
        resolved={},
        outcomes=outcomes_table,
        summary=summarise(outcomes_table).set_index("outcome"),
        timeseries=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
    )


def study_context(folder: str | Path, progress: Progress = _silent) -> dict[str, Any]:
    """Everything the study template shows; ``progress`` is told each step."""
    folder = Path(folder)
    progress(f"Reading the study table {folder / TABLE}...")
    table = pd.read_parquet(folder / TABLE)
    if table.empty or not ({BY, "experiment"} & set(table.columns)):
        raise RunFolderError(
            f"{folder}: a study report needs a finished sweep (no runs, or no experiments, in {TABLE})"
        )
    table = labelled(table)
    designs = list(dict.fromkeys(table[BY]))
    outcomes = outcomes_of(table)
    diffs = paired_differences(table, BY, designs[0], outcomes)
    paired = [
        {
            "label": vocab.label(r.outcome),
            "design": getattr(r, BY),
            "reference": vocab.format_value(r.outcome, r.reference_mean),
            "mean": vocab.format_value(r.outcome, r.mean),
            "difference": vocab.format_difference(r.outcome, r.difference),
            "interval": vocab.format_range(r.outcome, r.low, r.high, difference=True),
            "n": int(r.n),
        }
        for r in diffs.itertuples(index=False)
    ]
    from sim.outputs.figures import plot_cliff_timelines, plot_funding_timeline

    sections = []
    timelines: dict[str, pd.DataFrame] = {}
    falls: dict[str, list[Cliff]] = {}
    for number, design in enumerate(designs, 1):
        progress(f"Design {number} of {len(designs)}: reading its series and drawing its funding timeline...")
        run = design_run(folder, str(design), table[table[BY] == design], outcomes)
        has_series = not run.timeseries.empty and "funding_month_eur" in run.timeseries.columns
        cliffs = money_falls(run.timeseries)
        if len(timelines) < MAX_TIMELINES:
            timelines[str(design)], falls[str(design)] = run.timeseries, cliffs
        sections.append(
            {
                "name": str(design),
                "rows": outcome_rows(run, outcomes),
                "cliffs": [_fall_text(c) for c in cliffs],
                "series": has_series,
                "figure": _data_uri(plot_funding_timeline(run.timeseries, cliffs)[0]) if has_series else None,
            }
        )
    any_series = any(s["series"] for s in sections)
    progress("Drawing the cliff timelines of the designs...")
    seeds = sorted(set(table["seed"]))
    return {
        "name": folder.name,
        "folder": str(folder),
        "reference": str(designs[0]),
        "designs": [str(d) for d in designs],
        "seeds": f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else str(seeds[0]),
        "replicates": len(seeds),
        "rough": vocab.rough_intervals(len(seeds)),
        "paired": paired,
        "sections": sections,
        "timelines": _data_uri(plot_cliff_timelines(timelines, falls)[0]) if any_series else None,
        "timelines_shown": len(timelines),
        "timelines_max": MAX_TIMELINES,
        "spread_name": SPREAD_NAME,
        "difference_name": DIFFERENCE_NAME,
    }


def _fall_text(cliff: Cliff) -> str:
    """A fall of the money in words: ``after 2016-12 (in 3 of 5 replicates)``."""
    where = (
        "in every replicate"
        if cliff.replicates_falling == cliff.replicates
        else (f"in {cliff.replicates_falling} of {cliff.replicates} replicates")
    )
    return f"after {cliff.month} ({where})"


def cliff_timelines(folder: str | Path) -> Any:
    """The figure of :func:`~sim.outputs.figures.plot_cliff_timelines` of a study folder (up to :data:`MAX_TIMELINES` designs)."""
    from sim.outputs.figures import plot_cliff_timelines

    folder = Path(folder)
    table = labelled(pd.read_parquet(folder / TABLE))
    outcomes = outcomes_of(table)
    runs = {
        str(d): design_run(folder, str(d), table[table[BY] == d], outcomes).timeseries
        for d in list(dict.fromkeys(table[BY]))[:MAX_TIMELINES]
    }
    return plot_cliff_timelines(runs, {name: money_falls(series) for name, series in runs.items()})[0]


def write_study_report(folder: str | Path, out: str | Path | None = None, progress: Progress = _silent) -> Path:
    """Render the study report and write it atomically (default: ``report.html`` in the study folder)."""
    context = study_context(folder, progress)
    progress("Writing the HTML...")
    html = templates().get_template(TEMPLATE).render(context)
    target = Path(out) if out is not None else Path(folder) / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(target, html)
