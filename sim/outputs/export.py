"""A run folder as one Excel workbook for people who paste numbers into slides: ``mentorsim export RUN --xlsx FILE``.

Sheets: ``README`` (what was run, with which software, seeds and files, when, and how to read the other
sheets: units and intervals), ``summary`` (per outcome: label, unit, mean and the 5th-95th percentile of
replicates), ``outcomes`` (one row per replicate), ``timeseries`` (one row per replicate x month) and
``scenario`` (every parameter as run, in words). Columns are the outputs' labels with their units from
:mod:`sim.outputs.vocabulary` (shares in %, effects in pp, money in EUR), so no list of outputs is kept
here. Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs import vocabulary as vocab
from sim.outputs.changes import in_words, plain
from sim.outputs.files import atomic_write
from sim.outputs.run_folder import RunFolder, read_run
from sim.replicates import DIFFERENCE_NAME, SPREAD_COLUMNS, SPREAD_NAME
from sim.scenario.paths import flatten

KEYS = ("replicate", "seed", "t", "month")  # identifying columns, kept as they are
MAX_SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header


def column_title(name: str) -> str:
    """``Label (unit)`` of an output column, e.g. ``In work 6 months after leaving (%)``; keys as they are."""
    if name in KEYS:
        return name
    shown = vocab.unit(name) if vocab.find(name) is not None else ""
    return f"{vocab.label(name)} ({shown})" if shown else vocab.label(name)


def in_shown_units(table: pd.DataFrame) -> pd.DataFrame:
    """Every output column scaled to the units people read (shares x 100) and titled by :func:`column_title`."""
    shown = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        if name not in KEYS and pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            column = column * vocab.scale(name)
        shown[column_title(str(name))] = column
    return shown


def summary_sheet(run: RunFolder) -> pd.DataFrame:
    """Per outcome: name, label, unit, mean, 5th and 95th percentile of replicates (in the unit shown)."""
    low, high = SPREAD_COLUMNS
    rows = []
    for name, row in run.summary.iterrows():
        times = vocab.scale(str(name))
        rows.append(
            {
                "Outcome": vocab.label(str(name)),
                "Unit": vocab.unit(str(name)),
                "Mean": row["mean"] * times,
                "5th percentile of replicates": row[low] * times,
                "95th percentile of replicates": row[high] * times,
                "Replicates with a value": row.get("replicates"),
                "Column name": name,
            }
        )
    return pd.DataFrame(rows)


def readme_sheet(run: RunFolder, source: Path) -> pd.DataFrame:
    """Provenance and how to read the workbook, as two columns."""
    manifest = run.manifest
    seeds = manifest.get("seeds", [])
    facts: list[tuple[str, Any]] = [
        ("Scenario", manifest.get("scenario", "")),
        ("Description", run.resolved.get("description", "")),
        ("Period", f"{run.resolved.get('months', '')} months from {run.resolved.get('start', '')}"),
        ("Replicates", manifest.get("replicates", len(run.outcomes))),
        ("Seeds", ", ".join(map(str, seeds))),
        ("Scenario files", ", ".join(manifest.get("scenario_files", []))),
        ("Changed on the command line (--set)", ", ".join(manifest.get("overrides", []))),
        ("Scenario hash", manifest.get("scenario_hash", "")),
        ("mentorsim version", manifest.get("mentorsim_version", "")),
        ("Library versions", ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())),
        ("Command of the run", manifest.get("command", "")),
        ("Run started", manifest.get("started", "")),
        ("Run finished", manifest.get("finished", "")),
        ("Run folder", str(source.resolve())),
        ("Exported", datetime.now().astimezone().isoformat(timespec="seconds")),
        ("", ""),
        ("Sheet summary", f"per outcome: mean and spread across replicates ({SPREAD_NAME}), in the unit shown"),
        ("Sheet outcomes", "one row per replicate (seed): every outcome"),
        ("Sheet timeseries", "one row per replicate x month: every series"),
        ("Sheet scenario", "every parameter as run (after extends and --set), named in words"),
        ("Units", "shares in % (0-100), effects in percentage points (pp), money in EUR, durations in months"),
        ("Intervals", f"spread of one run: {SPREAD_NAME}; differences between runs: {DIFFERENCE_NAME}"),
        ("Net", "with minus without the programme, the same people on the same random numbers"),
        ("Caveat", "simulation results under the scenario's assumptions, not measurements"),
    ]
    return pd.DataFrame(facts, columns=["What", "Value"])


def scenario_sheet(run: RunFolder) -> pd.DataFrame:
    """Every parameter as run: in words, path and value."""
    rows = [{"Parameter": in_words(p), "Path": p, "Value": _cell(v)} for p, v in flatten(run.resolved).items()]
    return pd.DataFrame(rows)


def _cell(value: Any) -> Any:
    """Numbers and text as they are (Excel computes with numbers); lists, booleans and none as text."""
    is_scalar = isinstance(value, int | float | str) and not isinstance(value, bool)
    return value if is_scalar else plain(value)


def export_xlsx(folder: str | Path, target: str | Path) -> Path:
    """Write the run folder ``folder`` as an Excel workbook ``target`` (atomically); return ``target``.

    :class:`~sim.outputs.run_folder.RunFolderError` if ``folder`` is not a run folder.
    """
    run = read_run(folder)
    sheets = {
        "README": readme_sheet(run, Path(folder)),
        "summary": summary_sheet(run),
        "outcomes": in_shown_units(run.outcomes),
        "timeseries": in_shown_units(run.timeseries.head(MAX_SHEET_ROWS)),
        "scenario": scenario_sheet(run),
    }

    def write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, table in sheets.items():
                table.to_excel(writer, sheet_name=name, index=False)
                sheet = writer.sheets[name]
                sheet.freeze_panes = "A2"
                for cells in sheet.columns:
                    width = max(len(str(c.value)) if c.value is not None else 0 for c in cells[:200])
                    sheet.column_dimensions[cells[0].column_letter].width = min(max(10, width + 2), 60)

    return atomic_write(Path(target), write)
