"""A results store for a study: one Parquet file per finished run, a manifest, and a lock.

Layout of ``results/<study>/``::

    .lock                 held (fcntl.flock) while a study writes here; a second study is refused
    manifest.json         study name and file hash, versions, start time, status of every run
    runs/<key>.parquet    one row per finished run: its parameters, seed and outcomes
    runs/<key>.series.parquet   the run's time series (only when asked for)

A run's key hashes the resolved scenario and the seed (:func:`run_key`). Every file is written with
:func:`sim.outputs.files.atomic_write` (a temporary file in the same folder, flushed to disk and renamed
into place), so a killed study leaves only whole files; a run counts as done when its ``runs/<key>.parquet`` exists. Running the same study
again skips the done runs and retries the failed ones.

A store opens only a folder that is its own study (:meth:`Store.open`): a new or empty folder, or one whose
manifest names the same study and study hash. Any other folder (a ``mentorsim run`` folder, another
study, files the store did not write) is refused with :class:`StoreRefused`, unless ``force`` says to start
a new study there; then the old manifest and tables are moved into ``replaced-<time>/`` first (finished runs
whose key matches are reused: a key fixes the scenario, seed and runner). On opening, a run file that is
damaged (empty or cut short) is removed, so the run is done again, and every finished run is recorded
in the manifest, also those finished after its last write before a kill.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.outputs.files import atomic_write
from sim.outputs.run_folder import package_version, remove_stale_partials

ROW_FORMAT = {"compression": "none", "use_dictionary": False, "write_statistics": False}  # one row: cheap to write
MANIFEST_EVERY_SECONDS = 2.0  # the run files are the truth; the manifest is rewritten at most this often


STUDY_FILES = (  # what the study commands write beside runs/ (moved into replaced-<time>/ by force)
    "manifest.json",
    "experiments.parquet",
    "experiments.csv",
    "differences.csv",
    "differences.png",
    "cliffs.png",
    "sensitivity.csv",
    "sensitivity.json",
    "sobol.png",
    "morris.png",
)
OWN_ENTRIES = frozenset({".lock", "runs", *STUDY_FILES})  # what a store's folder may hold before its own tables
PARQUET_MAGIC = b"PAR1"


class StoreRefused(Exception):
    """The folder is not this study's: a run folder, another study, foreign files, or a damaged manifest."""


class StoreLocked(StoreRefused):
    """Another study is writing into the same results folder."""


def run_key(scenario_hash: str, seed: int, runner: str) -> str:
    """The key of one run: a hash of the resolved scenario's hash, the seed and the runner's qualified name.

    The runner is in it because runners report different columns, so their rows are not interchangeable.
    """
    return hashlib.sha256(f"{scenario_hash}:{seed}:{runner}".encode()).hexdigest()[:24]


class Store:
    """The results folder of one study; use as a context manager (takes and releases the lock)."""

    def __init__(self, folder: Path, study: str, study_hash: str = "", force: bool = False) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.study = study
        self.study_hash = study_hash
        self.force = force
        self.repaired: list[str] = []  # damaged run files removed on opening (their runs are done again)
        self.replaced: Path | None = None  # where force moved the files of the folder's earlier content
        self._lock: Any = None
        self._manifest: dict[str, Any] = {}
        self._written = 0.0

    # --- lock -----------------------------------------------------------------------------------

    def __enter__(self) -> Store:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Check the folder is this study's, take the lock and read the manifest.

        Raises :class:`StoreRefused` (nothing written) for a folder that is not this study's and
        :class:`StoreLocked` when another study holds the lock.
        """
        lock = self.folder / ".lock"
        if self.folder.is_dir() and lock.exists():
            self._lock = _acquire(lock)  # a study at work here is reported as such, whatever the folder holds
        try:
            try:
                self._check_own(replace=self.force)
                self.runs.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreRefused(
                    f"cannot write into {self.folder} ({err.strerror or err}); choose a folder you can write to"
                ) from None
            if self._lock is None:
                self._lock = _acquire(lock)
            self._manifest = self._read_manifest()
            remove_stale_partials(self.folder)  # tables whose write was killed (under the lock: no write under way)
            self._repair_runs()
        except BaseException:
            if self._lock is not None:
                _release(self._lock, lock)
                self._lock = None
            raise

    def close(self) -> None:
        """Write the manifest and release the lock."""
        if self._lock is None:
            return
        try:
            self.flush()
        finally:
            _release(self._lock, self.folder / ".lock")
            self._lock = None

    # --- runs -----------------------------------------------------------------------------------

    def is_done(self, key: str) -> bool:
        """Whether run ``key`` is finished: its row is stored (:meth:`write` writes it last)."""
        return (self.runs / f"{key}.parquet").exists()

    def write(self, key: str, row: dict[str, Any], series: pd.DataFrame | None = None) -> None:
        """Store a finished run (its time series first, the row last: the row marks the run as done)."""
        if series is not None:
            atomic_write(self.runs / f"{key}.series.parquet", lambda p: series.to_parquet(p, index=False))
        table = pa.Table.from_pylist([row])  # pyarrow directly: a few times cheaper than a one-row DataFrame
        atomic_write(self.runs / f"{key}.parquet", lambda p: pq.write_table(table, p, **ROW_FORMAT))
        self._set_status(key, {"status": "done"})

    def fail(self, key: str, error: str) -> None:
        """Record a run that raised."""
        self._set_status(key, {"status": "failed", "error": error})

    def row(self, key: str) -> dict[str, Any]:
        """The stored row of a done run; :class:`StoreRefused` names a run file that cannot be read."""
        path = self.runs / f"{key}.parquet"
        try:
            return pq.ParquetFile(path).read(use_threads=False).to_pylist()[0]
        except (OSError, ValueError, IndexError, pa.ArrowException) as err:
            raise StoreRefused(
                f"the run file {path} is damaged ({err}); delete it and run the command again to redo that run"
            ) from None

    def series(self, key: str) -> pd.DataFrame | None:
        """The stored time series of a run, if it was kept."""
        path = self.runs / f"{key}.series.parquet"
        return pd.read_parquet(path) if path.exists() else None

    def failures(self) -> dict[str, str]:
        """Error text of every run recorded as failed (and not done since)."""
        runs = self._manifest.get("runs", {})
        return {k: v.get("error", "") for k, v in runs.items() if v.get("status") == "failed" and not self.is_done(k)}

    # --- manifest -------------------------------------------------------------------------------

    # --- whose folder ---------------------------------------------------------------------------

    def _check_own(self, replace: bool = False) -> None:
        """Raise :class:`StoreRefused` unless the folder is new, empty or this study's.

        With ``replace``, move what another study or command wrote into ``replaced-<time>/`` instead.
        """
        if not self.folder.exists():
            return
        if not self.folder.is_dir():
            raise StoreRefused(f"{self.folder} is a file, not a folder; choose a folder for the study's results")
        reason = self._foreign_reason()
        if reason is None:
            return
        if not replace:
            raise StoreRefused(
                f"{self.folder} {reason}; nothing was written. Choose another --out-dir, or add --force to start "
                "this study there (the folder's manifest and tables are moved into replaced-<time>/ first; "
                "other files are left as they are)"
            )
        self.replaced = self.folder / f"replaced-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
        self.replaced.mkdir()
        for name in STUDY_FILES:
            if (self.folder / name).exists():
                shutil.move(self.folder / name, self.replaced / name)

    def _foreign_reason(self) -> str | None:
        """Why the folder is not this study's (``None`` if it is, or is empty)."""
        manifest = self.folder / "manifest.json"
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                return (
                    f"has a damaged manifest.json ({err}); if this is the study's folder, delete "
                    f"{manifest} and run the command again (finished runs in runs/ are kept)"
                )
            if not isinstance(old, dict) or "study" not in old:
                if isinstance(old, dict) and "scenario_hash" in old:
                    return "is a run folder written by `mentorsim run`, not a study's results folder"
                return "has a manifest.json that is not a study's"
            if old.get("study") != self.study:
                return f"holds the results of another study ({old.get('study')!r})"
            if old.get("study_hash", "") != self.study_hash:
                return (
                    f"holds the results of study {self.study!r} from another version of its file or other options "
                    "(--set, method, samples): its study hash differs"
                )
            return None
        foreign = sorted(p.name for p in self.folder.iterdir() if p.name not in OWN_ENTRIES and not _partial(p.name))
        if foreign:
            return f"is not empty and holds files a study did not write ({', '.join(foreign[:5])})"
        return None

    def _repair_runs(self) -> None:
        """Remove damaged run files (their runs are done again) and record every finished run as done."""
        runs = self._manifest["runs"]
        for path in sorted(self.runs.iterdir()):
            if _partial(path.name):
                path.unlink(missing_ok=True)  # left by a write that was killed
                continue
            if not path.name.endswith(".parquet"):
                continue
            if not _whole_parquet(path):
                path.unlink()
                self.repaired.append(path.name)
                continue
            key = path.name.removesuffix(".parquet")
            if not key.endswith(".series") and runs.get(key, {}).get("status") != "done":
                runs[key] = {"status": "done"}
        for key in [k for k, v in runs.items() if v.get("status") == "done" and not self.is_done(k)]:
            del runs[key]  # removed above: to be done again

    def _read_manifest(self) -> dict[str, Any]:
        path = self.folder / "manifest.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return {
            "study": self.study,
            "study_hash": self.study_hash,
            "mentorsim_version": package_version(),
            "versions": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__},
            "started": old.get("started", _now()),
            "resumed": [*old.get("resumed", []), _now()] if old else [],
            "runs": old.get("runs", {}),
        }

    def _set_status(self, key: str, status: dict[str, Any]) -> None:
        self._manifest["runs"][key] = status
        if time.monotonic() - self._written > MANIFEST_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the manifest now."""
        self._manifest["updated"] = _now()
        text = json.dumps(self._manifest, indent=1, sort_keys=False) + "\n"
        atomic_write(self.folder / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"))
        self._written = time.monotonic()


def _partial(name: str) -> bool:
    """Whether ``name`` is a temporary file of :func:`~sim.outputs.files.atomic_write` (``.<name>.partial-...``)."""
    return name.startswith(".") and ".partial-" in name


def _whole_parquet(path: Path) -> bool:
    """Whether ``path`` starts and ends with Parquet's magic bytes (a cut or empty file does not)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            handle.seek(0, os.SEEK_END)
            if handle.tell() < 12:
                return False
            handle.seek(-4, os.SEEK_END)
            return head == PARQUET_MAGIC and handle.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _acquire(path: Path) -> Any:
    """An exclusive, non-blocking lock on ``path``: fcntl.flock on POSIX, an O_EXCL file with the pid on Windows."""
    busy = f"{path.parent} is in use by another study (lock {path}); wait for it to finish or choose another folder"
    if sys.platform == "win32":
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            raise StoreLocked(f"{busy}; if no study is running, delete the lock file") from None
        os.write(fd, str(os.getpid()).encode())
        return fd
    import fcntl

    handle = open(path, "a+")  # noqa: SIM115 - held open for the life of the lock
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip()
        handle.close()
        raise StoreLocked(f"{busy}{f' (pid {pid})' if pid else ''}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _release(lock: Any, path: Path) -> None:
    if sys.platform == "win32":
        os.close(lock)
        path.unlink(missing_ok=True)
    else:
        lock.close()  # closing the file releases the flock; the file stays (removing it would race)
