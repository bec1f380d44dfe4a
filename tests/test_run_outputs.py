"""sim.outputs.run_folder and sim.outputs.figures: the files of a run, the manifest, and that results are never overwritten."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from sim.model.model import SERIES
from sim.outputs import figures as plots
from sim.outputs import run_folder as results
from sim.outputs.run_folder import OutDirError, default_out_dir, write_run
from sim.replicates import RunResult, run
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario

REPLICATES = 3
MONTHS = 36
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TABLES = ("timeseries.parquet", "outcomes.csv", "summary.csv", "scenario.resolved.yaml", "manifest.json")
STARTED = datetime(2024, 5, 6, 7, 8, 9).astimezone()


def small_scenario() -> Scenario:
    return Scenario(name="small test", months=MONTHS, population={"size": 2000})


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(small_scenario(), replicates=REPLICATES, seed=11)


@pytest.fixture(scope="module")
def written(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    finished = STARTED + timedelta(seconds=42)
    return write_run(result, out, "mentorsim run small.yaml", STARTED, finished, overrides=["months=36"])


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- the files ---------------------------------------------------------------------------------


def test_every_output_file_is_written(written: Path) -> None:
    expected = {*TABLES, *plots.PLOTS}
    assert {p.name for p in written.iterdir()} == expected
    assert not [p for p in written.parent.iterdir() if p.name.startswith(".")], "no temporary folder is left"


def test_timeseries_has_one_row_per_replicate_and_month(written: Path) -> None:
    table = pd.read_parquet(written / "timeseries.parquet")
    assert len(table) == REPLICATES * MONTHS
    assert list(table.columns) == ["replicate", "seed", "t", "month", *SERIES]
    assert table.groupby("replicate")["t"].apply(list).map(lambda ts: ts == list(range(MONTHS))).all()
    assert table["month"].iloc[0] == "2014-01" and table["month"].iloc[MONTHS - 1] == "2016-12"


def test_outcomes_have_one_row_per_replicate(written: Path, result: RunResult) -> None:
    table = pd.read_csv(written / "outcomes.csv")
    assert list(table["replicate"]) == list(range(REPLICATES))
    assert list(table["seed"]) == [11, 12, 13]
    pd.testing.assert_frame_equal(table, result.outcomes, check_dtype=False)


def test_summary_has_mean_within_the_interval(written: Path) -> None:
    table = pd.read_csv(written / "summary.csv")
    assert list(table.columns[:4]) == ["outcome", "mean", "p05", "p95"]  # named percentiles of the replicates
    known = table.dropna(subset=["mean", "p05", "p95"])
    assert len(known) >= len(table) - 2  # only ratios with an empty denominator may be missing
    assert ((known["p05"] <= known["mean"] + 1e-12) & (known["mean"] <= known["p95"] + 1e-12)).all()
    decimals = known.set_index("outcome")[["mean", "p05", "p95"]].map(lambda v: len(f"{v:.15g}".partition(".")[2]))
    assert (decimals.loc["employed_6m_share"] <= 5).all() and (decimals.loc["cost_total_eur"] <= 2).all()
    assert (decimals <= 6).all().all()  # rounded below what any face shows: no 16-digit fractions


def test_resolved_scenario_reloads_to_the_same_scenario(written: Path, result: RunResult) -> None:
    data = yaml.safe_load((written / "scenario.resolved.yaml").read_text())
    assert scenario_hash(Scenario.model_validate(data)) == scenario_hash(result.scenario)


def test_manifest_records_software_inputs_seeds_and_times(written: Path, result: RunResult) -> None:
    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["mentorsim_version"] == results.package_version()
    assert set(manifest["versions"]) >= {"python", "numpy", "mesa"}
    assert manifest["scenario"] == "small test"
    assert manifest["scenario_hash"] == scenario_hash(result.scenario)
    assert manifest["seeds"] == [11, 12, 13] and manifest["replicates"] == REPLICATES
    assert manifest["command"] == "mentorsim run small.yaml"
    assert manifest["overrides"] == ["months=36"]
    assert datetime.fromisoformat(manifest["started"]) == STARTED.replace(microsecond=0)
    assert datetime.fromisoformat(manifest["finished"]) - datetime.fromisoformat(manifest["started"]) == timedelta(
        seconds=42
    )
    assert set(manifest["files"]) == {p.name for p in written.iterdir()}


def test_plots_are_real_pngs(written: Path) -> None:
    for name in plots.PLOTS:
        data = (written / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert 20_000 < len(data) < 2_000_000, (name, len(data))


@pytest.mark.parametrize("name", list(plots.PLOTS))
def test_plot_functions_return_figure_and_axes(result: RunResult, name: str) -> None:
    fig, ax = plots.PLOTS[name](result.timeseries)
    assert isinstance(fig, Figure)
    axes = np.atleast_1d(ax)
    assert all(a.get_title() and a.get_ylabel() for a in axes)
    assert all(a.lines for a in axes), "every panel has a median line"


def test_plots_survive_a_run_without_the_twin(result: RunResult, tmp_path: Path) -> None:
    timeseries = result.timeseries.assign(employed_share_participants_without_programme=np.nan, intake_open=0.0)
    assert [p.name for p in plots.save_standard_plots(timeseries, tmp_path)] == list(plots.PLOTS)


# --- reading it back -----------------------------------------------------------------------------


def test_read_run_gives_back_what_write_run_wrote(written: Path, result: RunResult) -> None:
    run_folder = results.read_run(written)
    assert set(results.RUN_FILES) <= {p.name for p in written.iterdir()}
    pd.testing.assert_frame_equal(run_folder.outcomes, result.outcomes, check_dtype=False)
    pd.testing.assert_frame_equal(run_folder.timeseries, result.timeseries, check_dtype=False)
    assert run_folder.summary.index.name == "outcome"
    expected = result.summary.set_index("outcome").at["enrolled", "mean"]
    assert run_folder.mean("enrolled") == pytest.approx(expected, abs=1e-3)  # summary.csv keeps 3 decimals of counts
    assert scenario_hash(run_folder.scenario) == scenario_hash(result.scenario)
    assert run_folder.manifest["seeds"] == [11, 12, 13]
    in_memory = results.RunFolder.from_result(result)
    assert in_memory.interval("employed_6m_share") == pytest.approx(run_folder.interval("employed_6m_share"))


def test_read_run_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(results.RunFolderError, match="not a folder"):
        results.read_run(tmp_path / "missing")
    (tmp_path / "summary.csv").write_text("outcome,mean\n")
    with pytest.raises(results.RunFolderError, match="missing manifest.json"):
        results.read_run(tmp_path)


# --- never overwrite -----------------------------------------------------------------------------


def test_default_out_dir_adds_a_suffix_when_taken(tmp_path: Path) -> None:
    first = default_out_dir("base case", STARTED, root=tmp_path)
    assert first == tmp_path / "base-case" / STARTED.strftime("%Y%m%d-%H%M%S")
    first.mkdir(parents=True)
    second = default_out_dir("base case", STARTED, root=tmp_path)
    assert second.name == first.name + "-2"
    second.mkdir()
    assert default_out_dir("base case", STARTED, root=tmp_path).name == first.name + "-3"


def test_second_run_into_default_location_leaves_first_unchanged(result: RunResult, tmp_path: Path) -> None:
    first = write_run(result, default_out_dir("s", STARTED, root=tmp_path), "x", STARTED, STARTED)
    before = folder_bytes(first)
    second = write_run(result, default_out_dir("s", STARTED, root=tmp_path), "x", STARTED, STARTED)
    assert second != first and second.parent == first.parent
    assert folder_bytes(first) == before
    assert folder_bytes(second) == before  # same inputs, same bytes


def test_refuses_a_non_empty_out_dir_and_leaves_it_alone(result: RunResult, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(OutDirError, match="not empty"):
        write_run(result, tmp_path, "x", STARTED, STARTED)
    assert folder_bytes(tmp_path) == {"notes.txt": b"keep me"}


def test_refuses_an_out_dir_that_is_a_file(result: RunResult, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    with pytest.raises(OutDirError, match="a file"):
        write_run(result, tmp_path / "out", "x", STARTED, STARTED)
    assert (tmp_path / "out").read_text() == "a file"


def test_writes_into_an_existing_empty_folder(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "save_standard_plots", lambda timeseries, out_dir: [])  # plots: tested above
    (tmp_path / "out").mkdir()
    assert {p.name for p in write_run(result, tmp_path / "out", "x", STARTED, STARTED).iterdir()} >= set(TABLES)


def test_a_failed_write_leaves_nothing_behind(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "results" / "earlier").mkdir(parents=True)
    (tmp_path / "results" / "earlier" / "outcomes.csv").write_text("old")

    def broken(timeseries: pd.DataFrame, out_dir: Path) -> list[Path]:
        (Path(out_dir) / "placements.png").write_bytes(b"half")
        raise KeyboardInterrupt  # an interrupted run, the worst case

    monkeypatch.setattr(plots, "save_standard_plots", broken)
    with pytest.raises(KeyboardInterrupt):
        write_run(result, tmp_path / "results" / "new" / "run1", "x", STARTED, STARTED)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "results",
        "results/earlier",
        "results/earlier/outcomes.csv",
    ]
    assert (tmp_path / "results" / "earlier" / "outcomes.csv").read_text() == "old"
