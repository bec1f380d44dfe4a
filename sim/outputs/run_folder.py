"""The run folder: written to disk (one new folder per run, never overwriting an earlier one) and read back.

Its layout is known here only: a run folder holds ``timeseries.parquet``, ``outcomes.csv``, ``summary.csv``,
``scenario.resolved.yaml``, ``manifest.json`` (:data:`RUN_FILES`) and the standard PNG figures
(:mod:`sim.outputs.figures`). :func:`write_run` writes one, :func:`read_run` reads one back as a
:class:`RunFolder` (for the report, or :meth:`RunFolder.from_result` for a run held in memory). Files
are written into a hidden temporary sibling folder (:func:`sim.outputs.files.partial_path`) that is renamed
into place at the end, so a failed or interrupted write leaves no half-written folder behind and never
touches existing files.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import yaml

from sim.outputs.files import partial_path, safe_name
from sim.outputs.vocabulary import rounded
from sim.replicates import SPREAD_COLUMNS, RunResult
from sim.scenario.loader import ScenarioError, load_scenario, resolved_yaml, scenario_files, scenario_hash
from sim.scenario.schema import Scenario

TIMESERIES = "timeseries.parquet"  # one row per replicate x month
OUTCOMES = "outcomes.csv"  # one row per replicate
SUMMARY = "summary.csv"  # per outcome: mean, 5th and 95th percentile of replicates (p05, p95)
RESOLVED = "scenario.resolved.yaml"  # the scenario as run
MANIFEST = "manifest.json"  # versions, inputs, seeds, times, command
RUN_FILES = (MANIFEST, SUMMARY, OUTCOMES, TIMESERIES, RESOLVED)
RESULTS_ROOT = Path("results")
TIMESTAMP = "%Y%m%d-%H%M%S"
PACKAGE = "mentorsim"
MAX_NAME_BYTES = 255  # the longest file or folder name most file systems allow


class OutDirError(Exception):
    """The output folder exists and is not empty: a run never overwrites earlier results."""


class RunFolderError(Exception):
    """The folder is not a run folder written by ``mentorsim run``, or cannot be read."""


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
    """Raise :class:`OutDirError` if ``out_dir`` exists and is not an empty folder, or cannot be written.

    Checked before a run is simulated, so that results are never computed only to be lost.
    """
    out_dir = Path(out_dir)
    _check_names(out_dir)
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        what = "a folder that is not empty" if out_dir.is_dir() else "a file"
        raise OutDirError(
            f"{out_dir} is {what}; a run never overwrites earlier results. "
            "Choose a new or empty folder, or leave out --out-dir to write to results/<scenario>/<time>/."
        )
    check_writable(out_dir)


def _check_names(folder: Path) -> None:
    """Raise :class:`OutDirError` if a part of the path is longer than a file name may be."""
    long = [part for part in folder.parts if len(os.fsencode(part)) > MAX_NAME_BYTES]
    if long:
        raise OutDirError(
            f"the folder name {long[0][:40]!r}... is {len(os.fsencode(long[0]))} bytes long; "
            f"file systems allow {MAX_NAME_BYTES}. Choose a shorter --out-dir or scenario name."
        )


def check_writable(folder: Path) -> None:
    """Raise :class:`OutDirError` unless ``folder`` could be created (or written into) here and now.

    Every part of the path must fit a file name (:data:`MAX_NAME_BYTES`), and the nearest folder that exists
    must take a new folder (tried with a temporary one, removed at once).
    """
    folder = Path(folder)
    _check_names(folder)
    existing = next((p for p in [folder, *folder.parents] if p.exists()), Path("."))
    if not existing.is_dir():
        raise OutDirError(f"{existing} is a file, so {folder} cannot be created; choose another folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".mentorsim-write-test-", dir=existing))
    except OSError as err:
        raise OutDirError(
            f"cannot write into {existing} ({err.strerror or err}); choose a folder you can write to"
        ) from None


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
    manifest. Raises :class:`OutDirError` if ``out_dir`` exists and is not empty.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    created = _make_parents(out_dir.parent)
    remove_stale_partials(out_dir.parent)
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


@dataclass
class RunFolder:
    """The files of one run folder, read back (or a run held in memory, :meth:`from_result`)."""

    path: Path
    manifest: dict[str, Any]
    resolved: dict[str, Any]
    outcomes: pd.DataFrame
    summary: pd.DataFrame  # indexed by outcome
    timeseries: pd.DataFrame

    @cached_property
    def scenario(self) -> Scenario:
        """The resolved scenario as run (from ``scenario.resolved.yaml``)."""
        try:
            return load_scenario(self.path / RESOLVED)
        except ScenarioError as err:
            raise RunFolderError(f"{self.path}: {RESOLVED} is not a valid scenario:\n{err}") from None

    @classmethod
    def from_result(cls, result: RunResult) -> RunFolder:
        """A run held in memory (not written), e.g. for the dashboard's sentences and figures."""
        folder = cls(
            path=Path("."),
            manifest={"scenario": result.scenario.name, "replicates": len(result.seeds), "seeds": list(result.seeds)},
            resolved=result.scenario.model_dump(mode="json"),
            outcomes=result.outcomes,
            summary=rounded_summary(result.summary).set_index("outcome"),  # as summary.csv has it
            timeseries=result.timeseries,
        )
        folder.__dict__["scenario"] = result.scenario  # the cached property, without reading a file
        return folder

    def mean(self, outcome: str) -> float:
        """Mean of an outcome over the replicates (NaN when the run does not have it)."""
        return float(self.summary.at[outcome, "mean"]) if outcome in self.summary.index else math.nan

    def interval(self, outcome: str) -> tuple[float, float, float]:
        """Mean, 5th and 95th percentile of an outcome across replicates (NaN when the run does not have it)."""
        if outcome not in self.summary.index:
            return math.nan, math.nan, math.nan
        row = self.summary.loc[outcome]
        low, high = SPREAD_COLUMNS
        return float(row["mean"]), float(row[low]), float(row[high])


def read_run(folder: str | Path) -> RunFolder:
    """Read a run folder written by :func:`write_run`; :class:`RunFolderError` if it is not one."""
    path = Path(folder)
    if not path.is_dir():
        raise RunFolderError(f"{path} is not a folder; give a run folder written by `mentorsim run`.")
    missing = [name for name in RUN_FILES if not (path / name).is_file()]
    if missing:
        raise RunFolderError(
            f"{path} is not a run folder written by `mentorsim run`: missing {', '.join(missing)}. "
            "Give the folder printed as 'Results written to ...'."
        )
    try:
        return RunFolder(
            path=path,
            manifest=json.loads((path / MANIFEST).read_text(encoding="utf-8")),
            resolved=yaml.safe_load((path / RESOLVED).read_text(encoding="utf-8")),
            outcomes=pd.read_csv(path / OUTCOMES),
            summary=pd.read_csv(path / SUMMARY)
            .rename(columns=dict(zip(("low", "high"), SPREAD_COLUMNS, strict=True)))
            .set_index("outcome"),  # folders written before the percentile columns were named had low, high
            timeseries=pd.read_parquet(path / TIMESERIES),
        )
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise RunFolderError(f"{path}: cannot read the run files: {err}") from None


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

    result.timeseries.to_parquet(folder / TIMESERIES, engine="pyarrow", index=False)
    result.outcomes.to_csv(folder / OUTCOMES, index=False)
    rounded_summary(result.summary).to_csv(folder / SUMMARY, index=False)
    (folder / RESOLVED).write_text(resolved_yaml(result.scenario), encoding="utf-8")
    save_standard_plots(result.timeseries, folder)


def rounded_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as summary.csv keeps it: each outcome's numbers rounded two decimals below what faces show."""
    table = summary.copy()
    for column in ("mean", *SPREAD_COLUMNS):
        table[column] = [rounded(o, float(v)) for o, v in zip(table["outcome"], table[column], strict=True)]
    return table


def _write_manifest(
    result: RunResult, folder: Path, command: str, started: datetime, finished: datetime, overrides: Sequence[str]
) -> None:
    data = manifest(result, command, started, finished, overrides)
    data["files"] = sorted(p.name for p in folder.iterdir()) + [MANIFEST]
    (folder / MANIFEST).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the temporary ``.<name>.partial-<pid>-<random>`` folders and files that killed writes left in ``folder``.

    Only those whose process is gone (a write still under way keeps its own); returns what was removed.
    """
    removed = []
    for path in Path(folder).glob(".*.partial-*"):
        pid = path.name.rsplit(".partial-", 1)[1].split("-")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a pid we cannot ask about: leave its files
    return True


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
