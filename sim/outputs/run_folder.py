"""Writing a run to disk: one new folder per run, never overwriting an earlier one.

A results folder holds ``timeseries.parquet``, ``outcomes.csv``, ``summary.csv``,
``scenario.resolved.yaml``, ``manifest.json`` and the standard PNG figures (:mod:`sim.outputs.figures`). Files
are written into a hidden temporary sibling folder (:func:`sim.outputs.files.partial_path`) that is renamed
into place at the end, so a failed or interrupted write leaves no half-written folder behind and never
touches existing files.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from collections.abc import Sequence
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.outputs.files import partial_path, safe_name
from sim.replicates import RunResult
from sim.scenario.loader import resolved_yaml, scenario_files, scenario_hash

RESULTS_ROOT = Path("results")
TIMESTAMP = "%Y%m%d-%H%M%S"
PACKAGE = "mentorsim"


class OutDirError(Exception):
    """The output folder exists and is not empty: a run never overwrites earlier results."""


def package_version() -> str:
    """The installed version of mentorsim (``unknown`` when run from a source tree that is not installed)."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def default_out_dir(scenario_name: str, when: datetime | None = None, root: Path = RESULTS_ROOT) -> Path:
    """``results/<scenario-name>/<YYYYmmdd-HHMMSS>/``, with a suffix ``-2``, ``-3`` ... if that exists."""
    base = Path(root) / safe_name(scenario_name) / (when or datetime.now()).strftime(TIMESTAMP)
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def check_out_dir(out_dir: Path) -> None:
    """Raise :class:`OutDirError` if ``out_dir`` exists and is not an empty folder."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        what = "a folder that is not empty" if out_dir.is_dir() else "a file"
        raise OutDirError(
            f"{out_dir} is {what}; a run never overwrites earlier results. "
            "Choose a new or empty folder, or leave out --out-dir to write to results/<scenario>/<time>/."
        )


def write_run(
    result: RunResult,
    out_dir: Path,
    command: str,
    started: datetime,
    finished: datetime,
    overrides: Sequence[str] = (),
) -> Path:
    """Write every output of a run into the new folder ``out_dir`` and return it.

    ``command`` is the command line and ``overrides`` the ``--set`` options, both recorded in the
    manifest. Raises :class:`OutDirError` if ``out_dir`` exists and is not empty."""
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    created = _make_parents(out_dir.parent)
    staging = partial_path(out_dir)
    try:
        staging.mkdir()
        _write_files(result, staging)
        _write_manifest(result, staging, command, started, finished, overrides)
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created)
        raise
    return out_dir


def manifest(
    result: RunResult, command: str, started: datetime, finished: datetime, overrides: Sequence[str] = ()
) -> dict[str, Any]:
    """What was run, with which software, seeds and inputs, and when."""
    scenario = result.scenario
    return {
        "mentorsim_version": package_version(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "mesa": mesa.__version__,
        },
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "scenario_files": [str(f) for f in scenario_files(scenario)],
        "overrides": list(overrides),
        "replicates": len(result.seeds),
        "seeds": list(result.seeds),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "command": command,
        "working_directory": os.getcwd(),
    }


# --- helpers ---------------------------------------------------------------------------------------


def _write_files(result: RunResult, folder: Path) -> None:
    """Tables, the resolved scenario and the figures."""
    from sim.outputs.figures import save_standard_plots  # the plotting stack loads only when figures are drawn

    result.timeseries.to_parquet(folder / "timeseries.parquet", engine="pyarrow", index=False)
    result.outcomes.to_csv(folder / "outcomes.csv", index=False)
    result.summary.to_csv(folder / "summary.csv", index=False)
    (folder / "scenario.resolved.yaml").write_text(resolved_yaml(result.scenario), encoding="utf-8")
    save_standard_plots(result.timeseries, folder)


def _write_manifest(
    result: RunResult, folder: Path, command: str, started: datetime, finished: datetime, overrides: Sequence[str]
) -> None:
    data = manifest(result, command, started, finished, overrides)
    data["files"] = sorted(p.name for p in folder.iterdir()) + ["manifest.json"]
    (folder / "manifest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Rename the finished folder to ``out_dir``: an empty folder is replaced, a non-empty one never is."""
    try:
        staging.rename(out_dir)
    except OSError as err:
        raise OutDirError(f"{out_dir} appeared while the run was being written; nothing was overwritten") from err


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created, deepest first."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed write created, if they are still empty (deepest first)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
