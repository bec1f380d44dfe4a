"""``mentorsim run`` end to end, in a subprocess: outputs, summary, never overwriting, bad input, seeds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

SMALL = ["--set", "population.size=2000", "--set", "months=36", "--replicates", "2"]
SCENARIO = """
    name: cli test
    start: 2015-01
    months: 48
    population:
      size: 5000
    programme:
      matching:
        strategy: random
"""


def mentorsim(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def scenario_file(folder: Path, text: str = SCENARIO) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_folders(cwd: Path) -> list[Path]:
    return sorted((cwd / "results" / "cli-test").iterdir())


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[subprocess.CompletedProcess[str]], dict]:
    """Two identical runs into the default location; the first folder's bytes taken before the second run."""
    cwd = tmp_path_factory.mktemp("cli")
    scenario_file(cwd)
    first = mentorsim(cwd, "run", "scenario.yaml", *SMALL)
    assert first.returncode == 0, first.stderr
    before = folder_bytes(run_folders(cwd)[0])
    second = mentorsim(cwd, "run", "scenario.yaml", *SMALL)
    assert second.returncode == 0, second.stderr
    return cwd, [first, second], before


def test_run_writes_a_results_folder_and_says_where(two_runs) -> None:
    cwd, (first, _), _ = two_runs
    folder = run_folders(cwd)[0]
    assert f"Results written to {folder.relative_to(cwd)}" in first.stdout
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "timeseries.parquet", "outcomes.csv", "summary.csv", "scenario.resolved.yaml", "manifest.json",
        "placements.png", "pairs_and_waiting.png", "mentor_pool.png", "funding.png",
    }  # fmt: skip
    assert len(pd.read_parquet(folder / "timeseries.parquet")) == 2 * 36
    assert len(pd.read_csv(folder / "outcomes.csv")) == 2


def test_manifest_records_the_command_and_overrides(two_runs) -> None:
    cwd, _, _ = two_runs
    manifest = json.loads((run_folders(cwd)[0] / "manifest.json").read_text())
    assert manifest["overrides"] == ["population.size=2000", "months=36"]
    assert manifest["command"].endswith("run scenario.yaml " + " ".join(SMALL))
    assert manifest["scenario_files"] == ["scenario.yaml"] and manifest["scenario"] == "cli test"
    assert manifest["seeds"] == [1, 2]


def test_summary_table_shows_key_outcomes_first(two_runs) -> None:
    _, (first, _), _ = two_runs
    out = first.stdout
    for heading in ("Gross outcomes", "Net effects", "Costs", "5th-95th percentile of replicates"):
        assert heading in out
    key = ("enrolled", "matched_share", "employed_6m_share", "net_effect_employed_6m", "cost_per_net_placement_eur")
    positions = [out.index(name) for name in key]
    assert positions == sorted(positions)
    assert out.index("dropout_share") < out.index("completed_share")  # key outcomes before the others
    assert "Traceback" not in first.stderr


def test_second_run_makes_a_new_folder_and_leaves_the_first_unchanged(two_runs) -> None:
    cwd, _, before = two_runs
    folders = run_folders(cwd)
    assert len(folders) == 2
    assert folder_bytes(folders[0]) == before
    assert not [p for p in folders[0].parent.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_same_seed_gives_identical_outcomes_and_timeseries(two_runs) -> None:
    cwd, _, _ = two_runs
    first, second = run_folders(cwd)
    assert (first / "outcomes.csv").read_bytes() == (second / "outcomes.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "timeseries.parquet"), pd.read_parquet(second / "timeseries.parquet")
    )


def test_seed_option_changes_the_seeds(tmp_path: Path) -> None:
    scenario_file(tmp_path)
    done = mentorsim(tmp_path, "run", "scenario.yaml", *SMALL, "--seed", "40", "--out-dir", "out")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["seeds"] == [40, 41]
    assert list(pd.read_csv(tmp_path / "out" / "outcomes.csv")["seed"]) == [40, 41]


def test_refuses_a_non_empty_out_dir(tmp_path: Path) -> None:
    scenario_file(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.txt").write_text("earlier work")
    done = mentorsim(tmp_path, "run", "scenario.yaml", *SMALL, "--out-dir", "out")
    assert done.returncode == 2
    assert "not empty" in done.stderr and "Traceback" not in done.stderr
    assert folder_bytes(tmp_path / "out") == {"report.txt": b"earlier work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario.yaml"]


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        (["--set", "programme.matching.strategy=best"], SCENARIO, "programme.matching.strategy"),
        (["--set", "population.size"], SCENARIO, "PATH=VALUE"),
        ([], SCENARIO.replace("population:", "populaton:"), "did you mean 'population'"),
        ([], SCENARIO.replace("months: 48", "months: -3"), "months"),
    ],
    ids=["bad value", "no equals sign", "typo in a key", "out of range"],
)
def test_bad_input_exits_2_without_traceback_or_results(
    tmp_path: Path, args: list[str], text: str, message: str
) -> None:
    scenario_file(tmp_path, text)
    done = mentorsim(tmp_path, "run", "scenario.yaml", "--replicates", "1", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.yaml"], "nothing written"


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    done = mentorsim(tmp_path, "run", "nowhere.yaml")
    assert done.returncode == 2 and "not found" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
