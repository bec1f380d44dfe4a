"""``mentorsim check`` and ``mentorsim calibrate`` on tiny settings, and the targets in the schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.replicates import run_replicate
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario
from sim.studies.calibration import CalibrationError, calibrate, free_parameters, write_overlay, write_report
from sim.studies.validation import OUTCOME_COLUMNS, check, load_checked, report, simulate, write_docs

PROGRAMMES = sorted((SCENARIOS / "programmes").glob("*.yaml"))
TINY = f"""\
extends: {SCENARIOS / "base.yaml"}
name: tiny
months: 12
population:
  size: 1200
labour_market:
  job_finding_rate: {{value: 0.03, unit: per month, source: test, range: [0.02, 0.045]}}
calibrate: [labour_market.job_finding_rate]
targets:
  - outcome: enrolled
    reported: 20
    tolerance: 10
    source: test
  - outcome: new_matches
    aggregate: sum
    since: 2014-01
    month: 2014-06
    reported: 15
    tolerance: 5
    source: test
  - outcome: employed_end_share
    cohort_start: 2014-01
    cohort_end: 2014-06
    reported: 0.1
    tolerance: 0.05
    source: test
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_outcome_columns_match_a_run() -> None:
    """The outcome columns targets may name are exactly those a run produces."""
    _, outcomes = run_replicate(load_scenario(SCENARIOS / "base.yaml", ["population.size=1000", "months=12"]), 1)
    assert set(OUTCOME_COLUMNS) == set(outcomes)


@pytest.mark.parametrize(
    "target",
    [
        {"outcome": "employed_sometime", "reported": 1, "source": "x"},  # unknown column
        {"outcome": "active_pairs", "reported": 1, "source": "x"},  # a series without a month
        {
            "outcome": "active_pairs",
            "month": "2014-05",
            "aggregate": "sum",
            "reported": 1,
            "source": "x",
        },  # sum without since
        {"outcome": "enrolled", "month": "2014-05", "reported": 1, "source": "x"},  # an outcome with a month
        {
            "outcome": "net_effect_employed_6m",
            "cohort_start": "2014-01",
            "cohort_end": "2014-02",
            "reported": 1,
            "source": "x",
        },
        {"outcome": "enrolled", "reported": 1, "tolerance": 0, "source": "x"},
    ],
)
def test_bad_targets_are_rejected_with_file_and_line(target: dict, tmp_path: Path) -> None:
    """Unknown columns, series without months, outcomes with months, cohorts of net effects, zero tolerance:
    refused before any run, at the file and line of the target (as ``mentorsim validate`` shows them)."""
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "base.yaml"), "name": "bad", "targets": [target]}))
    with pytest.raises(ScenarioError) as err:
        load_checked(path)
    assert "bad.yaml, line " in str(err.value) and "targets.0" in str(err.value)


def test_validate_command_refuses_a_bad_target(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    target = {"outcome": "employed_sometime", "reported": 1, "source": "x"}
    path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "base.yaml"), "name": "bad", "targets": [target]}))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "unknown outcome 'employed_sometime'" in result.output


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.name)
def test_programme_scenarios_load_and_run(path: Path) -> None:
    """Every programme scenario (and calibrated overlay) loads, carries a header comment and runs 12 months."""
    sc = load_scenario(path, ["population.size=1000", "months=12"])
    assert path.read_text().startswith("#")
    assert sc.name == path.name.removesuffix(".yaml").removesuffix(".calibrated")
    series, _ = run_replicate(sc, 1)
    assert len(series) == 12


def test_check_report_and_docs(tiny: Path, tmp_path: Path) -> None:
    """check: one row per target with reported, simulated mean inside its 90 % interval and pass/fail;
    write_docs writes the table and the plot and keeps hand-written text outside the markers."""
    table = check(tiny.parent, replicates=2)
    assert list(table["target"]) == [
        "enrolled",
        "new_matches [sum 2014-01..2014-06]",
        "employed_end_share [cohort 2014-01..2014-06]",
    ]
    assert (table["low"] <= table["simulated"]).all() and (table["simulated"] <= table["high"]).all()
    assert table["within"].dtype == bool
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "validation.md").write_text(
        "# Mine\n<!-- validation:start -->\nold\n<!-- validation:end -->\n\nNotes by hand.\n"
    )
    path = write_docs(table, docs, 2, lambda rows: "TABLE " + str(len(rows)))
    text = path.read_text()
    assert text.startswith("# Mine") and "Notes by hand." in text and "old" not in text
    assert "**Outcome targets**" in text and "TABLE 1" in text  # the employment share
    assert "**Size targets**" in text and "TABLE 2" in text  # the counts, met by scale knobs
    assert (docs / "validation.png").stat().st_size > 0


def test_calibrate_writes_a_loadable_overlay_within_range(tiny: Path) -> None:
    """A 2-trial calibration of one parameter: the overlay extends the scenario, loads, keeps the value
    within the record's range and keeps the targets; the report has the documented columns."""
    result = calibrate(tiny, trials=2, replicates=1)
    overlay = write_overlay(tiny, result, 1, None)
    assert overlay.name == "tiny.calibrated.yaml"
    assert yaml.safe_load(overlay.read_text())["extends"] == "tiny.yaml"
    fitted = load_scenario(overlay)
    assert 0.02 <= fitted.labour_market.job_finding_rate <= 0.045
    assert fitted.labour_market.job_finding_rate == pytest.approx(
        result.values["labour_market.job_finding_rate"], abs=1e-6
    )
    assert len(fitted.targets) == 3
    assert result.objective <= result.start_objective
    columns = set(write_report(tiny, result).read_text().splitlines()[0].split(","))
    assert {"target", "reported", "simulated", "low", "high", "within"} <= columns


def test_same_seeds_give_the_same_simulation(tiny: Path) -> None:
    """Common random numbers: simulate twice on the same seeds gives identical values."""
    sc = load_scenario(tiny)
    assert (simulate(sc, 2) == simulate(sc, 2)).all()
    assert len(report(sc, simulate(sc, 1))) == 3


@pytest.mark.parametrize(
    ("calibrate_list", "message"),
    [
        (["programme.pairs.meetings_per_month"], "needs a record with a range"),
        (["funding.grants.0.amount_eur"], "inside lists"),
        ([], "no free parameters"),
    ],
)
def test_calibrate_rejects_parameters_without_range(tiny: Path, calibrate_list: list[str], message: str) -> None:
    """A free parameter must have a range record in the file and must not sit inside a list."""
    data = yaml.safe_load(tiny.read_text())
    data["calibrate"] = calibrate_list
    tiny.write_text(yaml.safe_dump(data))
    with pytest.raises(CalibrationError, match=message):
        free_parameters(load_scenario(tiny))


def test_cli_check_and_calibrate(tiny: Path) -> None:
    """mentorsim check exits 0 and ends with the pass count; calibrate writes the overlay; a scenario
    without targets cannot be calibrated (exit 2)."""
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--root", str(tiny.parent), "--replicates", "1"])
    assert result.exit_code == (1 if "FAIL" in result.output else 0), result.output  # tests/test_reporting.py
    assert "of 3 targets within tolerance" in result.output
    result = runner.invoke(app, ["calibrate", str(tiny), "--trials", "2", "--replicates", "1"])
    assert result.exit_code == 0, result.output
    assert tiny.with_name("tiny.calibrated.yaml").is_file()
    result = runner.invoke(app, ["calibrate", str(SCENARIOS / "base.yaml"), "--trials", "1"])
    assert result.exit_code == 2 and "no targets" in result.output


def test_scenario_without_targets_has_empty_lists() -> None:
    """targets and calibrate are optional and empty by default."""
    assert Scenario().targets == [] and Scenario().calibrate == []


def test_distance_caps_each_miss_so_an_unreachable_target_adds_a_constant(tiny: Path) -> None:
    """Misses count as squared tolerances up to MISS_CAP tolerances: a target 10 or 100 tolerances off adds the
    same, so it cannot pull the fit away from the targets that can be met."""
    from sim.studies.validation import MISS_CAP, distance

    scenario = load_scenario(tiny)
    near = np.array([[25.0, 15.0, 0.1]])  # half a tolerance off on the first target, exact on the others
    assert distance(scenario, near) == pytest.approx(0.25)
    far, farther = np.array([[120.0, 15.0, 0.1]]), np.array([[1020.0, 15.0, 0.1]])
    assert distance(scenario, far) == distance(scenario, farther) == pytest.approx(MISS_CAP**2)
