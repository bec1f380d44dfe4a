"""The package's plan holds: layers import only downwards, no import cycles, the core runs without the extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = ("SALib", "ema_workbench", "optuna", "dask", "distributed", "solara")


def test_layer_contracts_are_kept() -> None:
    """import-linter checks the contracts of pyproject.toml ([tool.importlinter]): layers and the optional stacks."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while (w := stack.pop()) != v:
                part.append(w)
            if part:
                found.append(sorted([v, *part]))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    """Every import counts, also those inside functions (not those under TYPE_CHECKING); a package importing
    its own modules is not a cycle."""
    built = grimp.build_graph("sim", exclude_type_checking_imports=True)  # as the type checker alone sees them
    graph = {
        m: {i for i in built.find_modules_directly_imported_by(m) if not i.startswith(m + ".")} for m in built.modules
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


BLOCKER = textwrap.dedent(
    f"""
    import sys
    BLOCKED = {OPTIONAL!r}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)")
            return None

    sys.meta_path.insert(0, Blocker())
    from sim.cli import app
    app()
    """
)


def _without_extras(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", BLOCKER, *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def test_core_runs_without_the_optional_packages(tmp_path: Path) -> None:
    """validate, run and report work with SALib, ema_workbench, optuna, dask and solara impossible to import."""
    base = str(ROOT / "scenarios" / "base.yaml")
    assert _without_extras("validate", base, cwd=tmp_path).returncode == 0
    small = ["--set", "population.size=1000", "--set", "months=12", "--replicates", "2"]
    done = _without_extras("run", base, *small, "--out-dir", str(tmp_path / "run"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _without_extras("report", str(tmp_path / "run"), cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["dashboard", "--port", "8799"], "dashboard"),
        (["sweep", str(ROOT / "scenarios" / "studies" / "programme_levers.yaml"), "--dask", "local"], "dask"),
    ],
)
def test_a_missing_extra_is_named_with_its_install_command(args: list[str], extra: str, tmp_path: Path) -> None:
    if args[0] == "sweep":
        args = [*args, "--out-dir", str(tmp_path / "study"), "--set", "population.size=1000", "--set", "months=12"]
    done = _without_extras(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"pip install 'mentorsim[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
