"""Outputs people open (issue 13: 5): ``sim.read_run``, ``mentorsim export --xlsx`` and ``mentorsim diff``."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.outputs import vocabulary as vocab

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SMALL = ["population.size=1500", "months=36"]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = sim.run(sim.load_scenario(SCENARIOS / "base.yaml", SMALL), replicates=2)
    now = datetime.now().astimezone()
    return sim.write_run(result, tmp_path_factory.mktemp("export") / "run", "test", now, now, SMALL)


def test_read_run_is_public_and_reads_a_run_folder(run_folder: Path) -> None:
    folder = sim.read_run(run_folder)
    assert isinstance(folder, sim.RunFolder)
    assert list(folder.outcomes["seed"]) == [1, 2] and set(folder.timeseries["replicate"]) == {0, 1}
    assert (
        folder.mean("enrolled") == pd.read_csv(run_folder / "summary.csv").set_index("outcome").at["enrolled", "mean"]
    )
    assert folder.manifest["overrides"] == SMALL


def test_export_writes_a_labelled_workbook_with_provenance(run_folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "deck" / "run.xlsx"
    target.parent.mkdir()
    result = CliRunner().invoke(app, ["export", str(run_folder), "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(target, sheet_name=None)
    assert list(sheets) == ["README", "summary", "outcomes", "timeseries", "scenario"]
    readme = sheets["README"].set_index("What")["Value"]
    assert readme["Scenario"] == "base" and readme["Seeds"] == "1, 2" and readme["Command of the run"] == "test"
    assert "5th-95th percentile of replicates" in readme["Intervals"] and "95 % t interval" in readme["Intervals"]
    summary = sheets["summary"].set_index("Column name")
    written = pd.read_csv(run_folder / "summary.csv").set_index("outcome")
    share = "employed_6m_share"
    assert summary.at[share, "Unit"] == "%" and summary.at[share, "Outcome"] == vocab.label(share)
    assert summary.at[share, "Mean"] == pytest.approx(written.at[share, "mean"] * 100)
    assert summary.at[share, "95th percentile of replicates"] == pytest.approx(written.at[share, "p95"] * 100)
    outcomes = sheets["outcomes"]
    assert (
        f"{vocab.label(share)} (%)" in outcomes.columns and f"{vocab.label('cost_total_eur')} (EUR)" in outcomes.columns
    )
    assert len(outcomes) == 2 and len(sheets["timeseries"]) == 2 * 36
    scenario = sheets["scenario"].set_index("Path")
    assert scenario.at["programme.matching.strategy", "Parameter"] == "Programme, matching: strategy"
    assert scenario.at["population.size", "Value"] == 1500


def test_export_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(tmp_path), "--xlsx", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "not a run folder" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_diff_lists_what_differs_after_extends(tmp_path: Path) -> None:
    mine = tmp_path / "my.yaml"
    mine.write_text(
        f"extends: {SCENARIOS / 'sector_only.yaml'}\nname: mine\nprogramme:\n  follow_up: {{intensity: 0.9}}\n"
    )
    result = CliRunner().invoke(app, ["diff", str(SCENARIOS / "base.yaml"), str(mine), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert set(rows) == {"programme.matching.strategy", "programme.follow_up.intensity"}  # its own and its base's
    strategy = rows["programme.matching.strategy"]
    assert strategy["parameter"] == "Programme, matching: strategy"
    assert (strategy[str(SCENARIOS / "base.yaml")], strategy[str(mine)]) == ("sector_first", "sector_only")
    same = CliRunner().invoke(app, ["diff", str(SCENARIOS / "base.yaml"), str(SCENARIOS / "base.yaml")])
    assert same.exit_code == 0 and "No parameter differs" in same.output


def test_report_of_a_study_of_designs(tmp_path: Path) -> None:
    """``mentorsim report STUDY_FOLDER``: the paired table (as differences.csv), the cliff timelines of every
    design (also cliffs.png of the sweep) and a section per design with when its money falls and its funding
    timeline (a sweep keeps the runs' series)."""
    base = SCENARIOS / "base.yaml"
    (tmp_path / "one.yaml").write_text(f"extends: {base}\nname: one\n")
    (tmp_path / "two.yaml").write_text(f"extends: {base}\nname: two\nprogramme:\n  follow_up: {{intensity: 0.9}}\n")
    (tmp_path / "study.yaml").write_text(
        "name: tiny-designs\nkind: designs\nbase: one.yaml\ndesigns: [two.yaml]\n"
        "outcomes:\n  - {name: net_placements, direction: maximise}\n  - {name: months_without_intake, direction: minimise}\n"
        "replicates: 2\nseed: 1\n"
    )
    out = tmp_path / "out"
    sets = ["--set", "population.size=1500", "--set", "months=24", "--set", "funding.grants.0.end=2014-12"]
    swept = CliRunner().invoke(
        app, ["sweep", str(tmp_path / "study.yaml"), "--workers", "1", *sets, "--out-dir", str(out)]
    )
    assert swept.exit_code == 0, swept.output
    assert (out / "cliffs.png").read_bytes()[:4] == b"\x89PNG"
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 3  # the cliff timelines, a funding timeline per design
    assert "Every design against one" in page and '<h2 id="design-2">two</h2>' in page
    assert "When the money falls" in page and page.count("The money falls after 2014-12 (in every replicate).") == 2
    assert "Intervals from 2 replicates are rough" in page and "Intervals from 2 replicates are rough" in swept.output
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    row = diffs.loc["months_without_intake"]
    expected = vocab.format_range("months_without_intake", row["low"], row["high"], difference=True)
    assert expected in page and "95 % t interval of the mean paired difference" in page


def test_report_of_a_sweep_of_levers(tmp_path: Path) -> None:
    """A sweep of levers: each experiment is a design named by its values in words, with its cliff timeline."""
    (tmp_path / "study.yaml").write_text(
        f"name: tiny-levers\nkind: sweep\nbase: {SCENARIOS / 'base.yaml'}\n"
        "levers:\n  - {path: programme.follow_up.intensity, values: [0.0, 1.0]}\n"
        "outcomes:\n  - {name: net_placements, direction: maximise}\ndesign: {method: factorial}\nreplicates: 2\nseed: 1\n"
    )
    out = tmp_path / "out"
    sets = ["--set", "population.size=1500", "--set", "months=24"]
    swept = CliRunner().invoke(
        app, ["sweep", str(tmp_path / "study.yaml"), "--workers", "1", *sets, "--out-dir", str(out)]
    )
    assert swept.exit_code == 0, swept.output
    assert "Cliff timelines (every design)" in swept.output and (out / "cliffs.png").stat().st_size > 0
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Every design against Programme, follow up: intensity = 0" in page
    assert '<h2 id="design-2">Programme, follow up: intensity = 1</h2>' in page
    assert page.count('src="data:image/png;base64,') == 3 and "The money does not fall in any replicate." in page


def test_a_large_sweep_keeps_the_series_of_the_designs_it_draws(tmp_path: Path) -> None:
    """Series cost ~50 kB a run: a sweep of levers keeps them for the first 12 experiments (those drawn) only."""
    values = ", ".join(f"{v / 12:.3f}" for v in range(13))
    (tmp_path / "study.yaml").write_text(
        f"name: wide\nkind: sweep\nbase: {SCENARIOS / 'base.yaml'}\n"
        f"levers:\n  - {{path: programme.follow_up.intensity, values: [{values}]}}\n"
        "outcomes:\n  - {name: net_placements, direction: maximise}\ndesign: {method: factorial}\nreplicates: 1\nseed: 1\n"
    )
    out = tmp_path / "out"
    sets = ["--set", "population.size=1000", "--set", "months=12"]
    swept = CliRunner().invoke(
        app, ["sweep", str(tmp_path / "study.yaml"), "--workers", "1", *sets, "--out-dir", str(out)]
    )
    assert swept.exit_code == 0, swept.output
    assert len(list((out / "runs").glob("*.series.parquet"))) == 12
    assert "Cliff timelines (the first 12 designs)" in swept.output
