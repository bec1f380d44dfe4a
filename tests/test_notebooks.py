"""The notebooks in ``notebooks/``: committed without outputs, and they run from top to bottom.

They run through ``scripts/run_notebooks.py``, which keeps each executed copy under a key of everything it
depends on (the notebook, the package, the scenarios, the library versions): the docs build renders the
same copies, so ``make test`` (docs build, then tests) runs each notebook once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from run_notebooks import NOTEBOOKS, executed, paths  # noqa: E402

PATHS = paths()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs(path: Path) -> None:
    notebook = executed(path)  # raises on a failing cell
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors
    images = [out for cell in notebook.cells for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    assert images, "figures should display inline"


def test_nbstripout_would_change_nothing() -> None:
    """The committed notebooks are in nbstripout's form (no outputs, counts or volatile metadata): clean diffs."""
    done = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", *map(str, PATHS)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"run `make strip-notebooks`: {done.stdout}{done.stderr}"


def test_there_are_notebooks() -> None:
    assert (NOTEBOOKS / "01_analyst_quickstart.ipynb") in PATHS
