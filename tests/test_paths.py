"""sim.scenario.paths: the one reader of a value at a dotted path, on plain data and on a Scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loader import load_scenario
from sim.scenario.paths import EVERY, dotted, flatten, has_path, key_path, star_path, value_at

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
DATA = {"sectors": [{"name": "care", "mentor_share": 0.1}, {"name": "ict", "mentor_share": 0.3}], "months": 12}


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("funding.grants.0.amount_eur", ("funding", "grants", 0, "amount_eur")),
        ("sectors[2].mentor_share", ("sectors", 2, "mentor_share")),
        ("funding.grants[*].end", ("funding", "grants", EVERY, "end")),
        ("months", ("months",)),
        ("a..b", ("a", "", "b")),  # an empty part stays visible (the loader refuses it)
    ],
)
def test_key_path(path: str, parts: tuple[str | int, ...]) -> None:
    assert key_path(path) == parts
    assert key_path(parts) == parts


def test_dotted_and_star_paths() -> None:
    assert dotted(("funding", "grants", 0, "end")) == "funding.grants.0.end"
    assert star_path(("funding", "grants", 0, "end")) == "funding.grants[*].end"
    assert star_path(key_path("funding.grants[*].end")) == "funding.grants[*].end"


def test_value_at_plain_data() -> None:
    assert value_at(DATA, "sectors.1.mentor_share") == 0.3
    assert value_at(DATA, "sectors[1].mentor_share") == 0.3
    assert value_at(DATA, "sectors[*].name") == ["care", "ict"]
    assert value_at(DATA, "months") == 12
    assert value_at(DATA, ()) is DATA
    for missing in ("sectors.2.mentor_share", "sectors.x", "months.x", "nothing", "nothing[*].x"):
        assert value_at(DATA, missing) in (None, []), missing
    assert value_at(DATA, "nothing", default="-") == "-"
    assert has_path(DATA, "sectors.0.name") and not has_path(DATA, "sectors.5")
    assert has_path({"a": None}, "a")


def test_value_at_a_scenario_and_its_dump_agree() -> None:
    scenario = load_scenario(BASE)
    data = scenario.model_dump(mode="json")
    for path in ("sectors.2.mentor_share", "funding.grants.0.amount_eur", "programme.follow_up.intensity", "months"):
        assert value_at(scenario, path) == value_at(data, path), path
    assert value_at(scenario, "funding.grants[*].end") == [g.end for g in scenario.funding.grants]
    assert isinstance(value_at(scenario, "population.size"), int)


def test_flatten_enters_lists_of_mappings_only() -> None:
    flat = flatten({"a": {"b": 1, "c": [1, 2]}, "s": [{"x": 1}, {"x": 2}]})
    assert flat == {"a.b": 1, "a.c": [1, 2], "s.0.x": 1, "s.1.x": 2}
    assert all(value_at({"a": {"b": 1, "c": [1, 2]}, "s": [{"x": 1}, {"x": 2}]}, p) == v for p, v in flat.items())
