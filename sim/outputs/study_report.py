"""A self-contained HTML report of a study of designs, for funders: ``mentorsim report STUDY_FOLDER``.

It reads the folder a ``mentorsim sweep`` of a study of kind designs wrote: ``experiments.parquet`` (one row
per design x seed) and, when the sweep kept them, each run's time series (``runs/<run_key>.series.parquet``).
The report opens with the paired table (every design against the first, on the same seeds: the mean paired
difference with its 95 % t interval of the mean, by :func:`~sim.replicates.paired_differences`, the function
of ``compare``), then has one section per design: its outcomes (mean and 5th-95th percentile of replicates)
and its funding timeline (money, coaches, months without intake), so that a funder sees *when* the money
and the intake stop. Outcomes are the table's columns that have a record in the vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs import vocabulary as vocab
from sim.outputs.files import atomic_write_text
from sim.outputs.report import _data_uri, outcome_rows, templates
from sim.outputs.run_folder import RunFolder, RunFolderError
from sim.replicates import DIFFERENCE_NAME, SPREAD_NAME, paired_differences, summarise

TABLE = "experiments.parquet"
TEMPLATE = "study_report.html.j2"
BY = "design"


def is_study_folder(folder: str | Path) -> bool:
    """Whether ``folder`` holds a study's table (``experiments.parquet``)."""
    return (Path(folder) / TABLE).is_file()


def outcomes_of(table: pd.DataFrame) -> list[str]:
    """The table's outcome columns (those with an outcome record), in the vocabulary's order."""
    found = [c for c in table.columns if (m := vocab.find(str(c))) is not None and not m.series]
    return sorted(found, key=vocab.outcome_order)


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


def study_context(folder: str | Path) -> dict[str, Any]:
    """Everything the study template shows."""
    folder = Path(folder)
    table = pd.read_parquet(folder / TABLE)
    if BY not in table.columns or table.empty:
        raise RunFolderError(f"{folder}: a study report needs a finished study of kind designs (a '{BY}' column)")
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
    from sim.outputs.figures import plot_funding_timeline

    sections = []
    for design in designs:
        run = design_run(folder, str(design), table[table[BY] == design], outcomes)
        has_series = not run.timeseries.empty and "funding_month_eur" in run.timeseries.columns
        sections.append(
            {
                "name": str(design),
                "rows": outcome_rows(run, outcomes),
                "figure": _data_uri(plot_funding_timeline(run.timeseries)[0]) if has_series else None,
            }
        )
    seeds = sorted(set(table["seed"]))
    return {
        "name": folder.name,
        "folder": str(folder),
        "reference": str(designs[0]),
        "designs": [str(d) for d in designs],
        "seeds": f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else str(seeds[0]),
        "replicates": len(seeds),
        "paired": paired,
        "sections": sections,
        "spread_name": SPREAD_NAME,
        "difference_name": DIFFERENCE_NAME,
    }


def write_study_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Render the study report and write it atomically (default: ``report.html`` in the study folder)."""
    html = templates().get_template(TEMPLATE).render(study_context(folder))
    target = Path(out) if out is not None else Path(folder) / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(target, html)
