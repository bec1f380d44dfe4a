"""Executed copies of ``notebooks/*.ipynb``, shared by the docs build and the test suite.

Running the notebooks takes minutes (the sensitivity tour runs a Sobol study), so each executed copy is
kept in ``.cache/notebooks/`` under a key of everything that can change its outputs: the notebook, the
package's sources, the scenarios, ``pyproject.toml``, the Python version and the versions of the
libraries the notebooks use. The docs build renders the copies (``scripts/notebook_pages.py``, a MkDocs
hook) and ``tests/test_notebooks.py`` checks the same copies, so a change anywhere runs each notebook
again once, wherever it is first needed. ``make clean`` removes the cache.
"""

from __future__ import annotations

import hashlib
import os
import platform
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / ".cache" / "notebooks"
TIMEOUT = 600  # seconds per cell (the sensitivity tour runs ~700 small replicates on 2 workers)
LIBRARIES = ("mesa", "numpy", "pandas", "matplotlib", "seaborn", "numba", "SALib", "ema_workbench", "dask")


def paths() -> list[Path]:
    """The notebooks, in their order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def _inputs(path: Path) -> list[Path]:
    sources = sorted((ROOT / "sim").rglob("*.py")) + sorted(p for p in (ROOT / "scenarios").rglob("*") if p.is_file())
    return [path, ROOT / "pyproject.toml", *sources]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def key(path: Path) -> str:
    """A digest of what the executed notebook depends on."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in LIBRARIES:
        digest.update(f"{name}={_version(name)}".encode())
    for item in _inputs(path):
        digest.update(str(item.relative_to(ROOT)).encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


def executed(path: Path) -> nbformat.NotebookNode:
    """The notebook run from top to bottom (from the cache when nothing it depends on changed).

    A cell that fails raises nbclient's ``CellExecutionError`` and nothing is cached.
    """
    cached = CACHE / f"{path.stem}-{key(path)}.ipynb"
    if cached.exists():
        return nbformat.read(cached, as_version=4)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.partial-{os.getpid()}")
    nbformat.write(notebook, partial)
    for old in CACHE.glob(f"{path.stem}-*.ipynb"):
        old.unlink(missing_ok=True)
    partial.replace(cached)
    return notebook
