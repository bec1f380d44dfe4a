"""docs/odd.md (the ODD protocol) is current: its parameter tables are what scripts/odd_tables.py makes from the
records (the scenario schema and scenarios/base.yaml), and every parameter is in one of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sim.scenario.describe import parameter_rows

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "odd_tables.py"


def _script():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("odd_tables", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_odd_page_is_current() -> None:
    """Regenerating the tables changes nothing (else: run ``python scripts/odd_tables.py``)."""
    odd = _script()
    page = odd.PAGE.read_text(encoding="utf-8")
    assert odd.render(page) == page, "docs/odd.md is not current: run python scripts/odd_tables.py"


def test_every_parameter_is_in_a_table() -> None:
    """Each parameter of the schema has a row in a table of the page, under its group."""
    odd = _script()
    page = odd.PAGE.read_text(encoding="utf-8")
    groups = [m.group("group") for m in odd.BLOCK.finditer(page)]
    for row in parameter_rows():
        path = row["path"]
        group = odd.group_of(path, groups)
        assert group in groups, f"{path}: no table for its group {group!r}"
        name = path if group == "scenario" else path[len(group) :].lstrip(".")
        block = next(m.group("body") for m in odd.BLOCK.finditer(page) if m.group("group") == group)
        assert f"| `{name}` |" in block, path
