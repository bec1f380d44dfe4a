"""The outputs vocabulary: a record for every column a run produces (and none more), one formatting rule per
kind, and every face printing the same text for the same value."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.outputs import vocabulary as v
from sim.outputs.report import COMPARED, compare_runs, outcome_rows
from sim.outputs.run_folder import read_run
from sim.replicates import run_replicate
from sim.scenario.loader import load_scenario
from sim.studies.experiments import run_with_cliffs

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
SMALL = ["population.size=1000", "months=12"]


@pytest.fixture(scope="module")
def produced() -> tuple[pd.DataFrame, dict[str, float]]:
    """One replicate of base.yaml, small, with the cliff columns (the grant ends within the run)."""
    return run_with_cliffs(load_scenario(BASE, [*SMALL, "funding.grants.0.end=2014-06"]), 1)


# --- the records -----------------------------------------------------------------------------------


def test_every_outcome_of_a_run_has_a_record_and_every_record_is_produced(produced) -> None:
    _, outcomes = run_replicate(load_scenario(BASE, SMALL), 1)
    assert list(outcomes) == list(v.RUN_OUTCOMES)
    assert {n for n, m in v.OUTCOMES.items() if m.runner == "run_replicate"} == set(outcomes)


def test_every_cliff_column_has_a_record_and_every_cliff_record_is_produced(produced) -> None:
    _, outcomes = produced
    cliffs = set(outcomes) - set(v.RUN_OUTCOMES)
    assert {"waiting_list_cliff_1", "mentors_lost_cliff_1"} <= cliffs  # numbered: made by rule
    assert all(v.find(name) is not None and v.record(name).runner == "run_with_cliffs" for name in cliffs)
    assert {n for n, m in v.OUTCOMES.items() if m.runner == "run_with_cliffs"} <= cliffs


def test_every_series_has_a_record_and_every_record_is_produced(produced) -> None:
    from sim.model.model import SERIES

    series, _ = produced
    assert list(series.columns) == ["t", "month", *SERIES]
    assert list(v.MODEL_SERIES) == list(SERIES)
    assert set(v.SERIES) == {*SERIES, *v.DERIVED_SERIES}
    for name, derive in v.DERIVED_SERIES.items():
        assert len(derive(series)) == len(series), name


def test_records_are_complete() -> None:
    for name in [*v.OUTCOMES, *v.SERIES, "waiting_list_cliff_2", "mentors_lost_cliff_3"]:
        m = v.record(name)
        assert m.name == name and m.kind in v.FORMATS and m.group in v.GROUP_HEADINGS
        assert m.direction in ("higher", "lower", "neither")
        assert m.label and m.description and m.computed and m.axis_unit is not None
        assert ".py" in m.computed, f"{name}: computed should point to the code"
    assert v.find("no_such_column") is None
    with pytest.raises(KeyError, match="not an output"):
        v.record("no_such_column")


def test_breakdowns_are_records_of_shares() -> None:
    assert tuple(f"employed_6m_share_{g}" for g in ("female", "male", "low", "medium", "high")) == v.BREAKDOWNS
    assert all(v.is_share(name) for name in v.BREAKDOWNS)


def test_groups_and_order_of_the_run_summary() -> None:
    assert v.outcome_group("net_placements") == "Net effects"
    assert v.outcome_group("cost_per_net_placement_eur") == "Costs"
    assert v.outcome_group("employed_6m_share_female") == "Gross outcomes"
    assert v.outcome_group("months_without_intake") == "Programme operation"
    names = sorted(v.RUN_OUTCOMES, key=v.outcome_order)
    assert names[0] == "enrolled" and names.index("dropout_share") < names.index("completed_share")


# --- formatting: one rule per kind -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "shown", "difference"),
    [
        ("employed_6m_share", 0.4534, "45.3 %", "+45.3 pp"),  # a share; its differences in pp
        ("employed_6m_share_female", 0.25, "25.0 %", "+25.0 pp"),
        ("net_effect_employed_6m", 0.0213, "+2.1 pp", "+2.1 pp"),  # an effect: signed pp
        ("net_effect_employed_6m", -0.0213, "-2.1 pp", "-2.1 pp"),
        ("cost_per_participant_eur", 12345.6, "EUR 12,346", "+EUR 12,346"),
        ("cost_per_participant_eur", -120.0, "-EUR 120", "-EUR 120"),
        ("enrolled", 1234.5, "1,234", "+1,234"),  # counts: whole from 100 on
        ("enrolled", 12.34, "12.3", "+12.3"),
        ("enrolled", 12.0, "12", "+12"),
        ("wait_months_mean", 3.42, "3.4 months", "+3.4 months"),
        ("staff_lost_fte", 2.5, "2.5 FTE", "+2.5 FTE"),
        ("mentor_hours", 420.0, "420 hours", "+420 hours"),
        ("economy_index", 0.97, "0.97", "+0.97"),
        ("waiting_list_cliff_2", 40.0, "40", "+40"),
        ("not_an_output", 0.012345, "0.0123", "+0.0123"),  # a plain number: 3 significant digits
        ("not_an_output", 12345.6, "12,346", "+12,346"),
    ],
)
def test_one_rule_per_kind(name: str, value: float, shown: str, difference: str) -> None:
    assert v.format_value(name, value) == shown
    assert v.format_difference(name, value) == difference


@pytest.mark.parametrize("missing", [math.nan, math.inf, None])
def test_a_missing_value_is_not_available(missing: float) -> None:
    for name in ("employed_6m_share", "net_effect_employed_6m", "cost_total_eur", "enrolled"):
        assert v.format_value(name, missing) == "n/a"
        assert v.format_difference(name, missing) == "n/a"


def test_intervals_and_estimates() -> None:
    assert v.format_range("employed_6m_share", 0.4, 0.5) == "40.0 % to 50.0 %"
    assert v.format_range("employed_6m_share", -0.01, 0.02, difference=True) == "-1.0 pp to +2.0 pp"
    assert v.format_estimate("cost_total_eur", 1e6, 9e5, 1.1e6) == "EUR 1,000,000 (EUR 900,000 to EUR 1,100,000)"
    assert v.format_difference("employed_6m_share", 0.05, signed=False) == "5.0 pp"


def test_units_and_scales_for_axes() -> None:
    assert (v.scale("employed_6m_share"), v.unit("employed_6m_share")) == (100.0, "%")
    assert (v.scale("employed_6m_share", True), v.unit("employed_6m_share", True)) == (100.0, "pp")
    assert (v.scale("cost_total_eur", True), v.unit("cost_total_eur", True)) == (1.0, "EUR")
    assert v.axis_label("dropout_share", difference=True) == "difference (pp)"
    assert v.axis_label("placements") == "people per month"


# --- every face prints the same text for the same value --------------------------------------------


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """``mentorsim run`` of base and of a variant (two small run folders), and ``mentorsim compare`` of the two."""
    root = tmp_path_factory.mktemp("faces")
    variant = root / "variant.yaml"
    variant.write_text(f"extends: {BASE}\nname: variant\nprogramme:\n  follow_up:\n    intensity: 0.9\n")
    sets = [a for s in SMALL for a in ("--set", s)]
    printed: dict[str, object] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "250")  # rich tables on one line per row
        runner = CliRunner()
        for name, path in (("base", BASE), ("variant", variant)):
            done = runner.invoke(app, ["run", str(path), "--replicates", "2", *sets, "--out-dir", str(root / name)])
            assert done.exit_code == 0, done.output
            printed[name] = _cells(done.stdout)
        shown = [a for n in COMPARED for a in ("--outcome", n)]
        args = ["compare", str(BASE), str(variant), "--replicates", "2", "--workers", "1", *sets, *shown]
        done = runner.invoke(app, [*args, "--out-dir", str(root / "compare")])
        assert done.exit_code == 0, done.output
        printed["compare"] = _cells(done.stdout)
    printed["runs"] = {name: read_run(root / name) for name in ("base", "variant")}
    return printed


def _cells(printed: str) -> dict[str, list[str]]:
    """The rows of a rich table printed as text, by their first cell."""
    rows = {}
    for line in printed.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) > 1 and cells[0]:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_run_summary_and_the_report_print_the_same_text(faces: dict[str, Any]) -> None:
    run_folder = faces["runs"]["base"]
    compared = 0
    for name in COMPARED:
        for row in outcome_rows(run_folder, [name]):
            assert faces["base"][name] == [row["mean"], row["interval"]], name
            compared += 1
    assert compared >= 15


def test_compare_and_the_report_print_the_same_differences(faces: dict[str, Any]) -> None:
    report = compare_runs(faces["runs"]["variant"], faces["runs"]["base"])
    compared = 0
    for name, row in zip([n for n in COMPARED if n in faces["compare"]], report["outcomes"], strict=True):
        assert row["label"] == v.label(name)
        _, baseline, this, difference, _ = faces["compare"][name]
        assert [baseline, this] == [row["baseline"], row["this"]], name
        assert difference.removesuffix(" ~").startswith(row["difference"] + " ("), name
        compared += 1
    assert compared >= 15
