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
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
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
from sim.outputs.run_folder import package_version

ROW_FORMAT = {"compression": "none", "use_dictionary": False, "write_statistics": False}  # one row: cheap to write
MANIFEST_EVERY_SECONDS = 2.0  # the run files are the truth; the manifest is rewritten at most this often


class StoreLocked(Exception):
    """Another study is writing into the same results folder."""


def run_key(scenario_hash: str, seed: int, runner: str) -> str:
    """The key of one run: a hash of the resolved scenario's hash, the seed and the runner's qualified name.

    The runner is in it because runners report different columns, so their rows are not interchangeable.
    """
    return hashlib.sha256(f"{scenario_hash}:{seed}:{runner}".encode()).hexdigest()[:24]


class Store:
    """The results folder of one study; use as a context manager (takes and releases the lock)."""

    def __init__(self, folder: Path, study: str, study_hash: str = "") -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.study = study
        self.study_hash = study_hash
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
        """Create the folder, take the lock (or raise :class:`StoreLocked`) and read the manifest."""
        self.runs.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire(self.folder / ".lock")
        self._manifest = self._read_manifest()

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
        """The stored row of a done run."""
        return pq.ParquetFile(self.runs / f"{key}.parquet").read(use_threads=False).to_pylist()[0]

    def series(self, key: str) -> pd.DataFrame | None:
        """The stored time series of a run, if it was kept."""
        path = self.runs / f"{key}.series.parquet"
        return pd.read_parquet(path) if path.exists() else None

    def failures(self) -> dict[str, str]:
        """Error text of every run recorded as failed (and not done since)."""
        runs = self._manifest.get("runs", {})
        return {k: v.get("error", "") for k, v in runs.items() if v.get("status") == "failed" and not self.is_done(k)}

    # --- manifest -------------------------------------------------------------------------------

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
