"""Writing files so that a reader never sees half of one, and naming them: the one home of both.

:func:`atomic_write` writes through a hidden temporary sibling (:func:`partial_path`), flushes it to disk and
renames it into place, so an interrupted write leaves the old file (or none), never a broken one; every
table, figure, report and manifest the package writes goes through it. A run folder is staged the same way
as a whole (:mod:`sim.outputs.run_folder`). :func:`file_hash` identifies an input by its bytes and
:func:`safe_name` makes a scenario or study name usable as a folder name.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def partial_path(path: str | Path) -> Path:
    """A hidden sibling of ``path`` to write into before renaming: ``.<name>.partial-<pid>-<random>``."""
    path = Path(path)
    return path.with_name(f".{path.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write(path: str | Path, write: Callable[[Path], object], keep_previous: bool = False) -> Path:
    """Call ``write(tmp)`` for a temporary file next to ``path``, fsync it, then rename it to ``path``.

    ``tmp`` does not end like ``path``: a writer that guesses the format from the name needs it given
    (``savefig(tmp, format="png")``). On any error (or an interrupt) the temporary file is removed and
    ``path`` is left as it was. With ``keep_previous``, an existing ``path`` with other bytes is first
    renamed to :func:`previous_path` (a finished table is never rewritten without keeping the old one).
    Returns ``path``.
    """
    path = Path(path)
    tmp = partial_path(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if keep_previous and path.exists():
            if filecmp.cmp(tmp, path, shallow=False):
                tmp.unlink()
                return path
            os.replace(path, previous_path(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def previous_path(path: str | Path) -> Path:
    """Where :func:`atomic_write` keeps a replaced file: ``<stem>.previous-<YYYYmmdd-HHMMSS-micro><suffix>``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.previous-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}{path.suffix}")


def atomic_write_text(path: str | Path, text: str) -> Path:
    """:func:`atomic_write` of a UTF-8 text."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def file_hash(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def safe_name(name: str) -> str:
    """A scenario or study name usable as one folder name."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return cleaned or "scenario"
