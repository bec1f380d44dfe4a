"""Writing files so that a reader never sees half of one, and naming them: the one home of both.

:func:`atomic_write` writes through a hidden temporary sibling (:func:`partial_path`), flushes it to disk and
renames it into place, so an interrupted write leaves the old file (or none), never a broken one; every
table, figure, report and manifest the package writes goes through it. A run folder is staged the same way
as a whole (:mod:`sim.outputs.run_folder`). :func:`file_hash` identifies an input by its bytes and
:func:`safe_name` makes a scenario or study name usable as a folder name.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def partial_path(path: str | Path) -> Path:
    """A hidden sibling of ``path`` to write into before renaming: ``.<name>.partial-<pid>-<random>``."""
    path = Path(path)
    return path.with_name(f".{path.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` for a temporary file next to ``path``, fsync it, then rename it to ``path``.

    ``tmp`` does not end like ``path``: a writer that guesses the format from the name needs it given
    (``savefig(tmp, format="png")``). On any error (or an interrupt) the temporary file is removed and
    ``path`` is left as it was. Returns ``path``.
    """
    path = Path(path)
    tmp = partial_path(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


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
