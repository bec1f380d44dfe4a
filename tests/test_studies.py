"""Studies: study files, the results store, the local pool and Dask backends, compare and sweep.

Real processes, real Parquet files and a real Dask scheduler with two workers on 127.0.0.1; a tiny
region (1,500 jobseekers, 24 months) keeps each run around 0.2 s.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from helpers import SCENARIOS

from sim.replicates import run_replicate
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.studies.experiments import (
    StudyError,
    base_scenario,
    load_study,
    parameter_space,
    run_tasks,
    run_with_cliffs,
    study_experiments,
    tasks_for,
)
from sim.studies.store import Store

TINY = ("population.size=1500", "months=24")
BIN = Path(sys.executable).parent
MENTORSIM = str(BIN / "mentorsim")
STUDY = """
name: tiny
base: {base}
levers:
  - {{path: programme.follow_up.intensity, values: [0.0, 1.0]}}
  - {{path: programme.guidelines.network_opening, values: [false, true]}}
uncertainties:
  - {{path: labour_market.job_finding_rate, from_scenario: true, levels: 2}}
outcomes:
  - {{name: net_placements, direction: maximise}}
replicates: 2
seed: 3
"""


def write_study(folder: Path, text: str = STUDY) -> Path:
    path = folder / "study.yaml"
    path.write_text(text.format(base=SCENARIOS / "base.yaml"), encoding="utf-8")
    return path


def tiny_tasks(folder: Path) -> list:
    path = write_study(folder)
    study = load_study(path)
    return tasks_for(study_experiments(study, path, TINY), [study.seed + r for r in range(study.replicates)])


def run_into(folder: Path, tasks: list, workers: int | None = 1, dask: str | None = None) -> pd.DataFrame:
    with Store(folder, "tiny") as store:
        return run_tasks(tasks, store, workers, dask)


def mentorsim(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MENTORSIM, *args], capture_output=True, text=True, timeout=timeout)


def flaky(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """A runner that raises for seed 4 (module level, so that worker processes can import it)."""
    if seed == 4:
        raise RuntimeError("boom on seed 4")
    return run_replicate(scenario, seed)


# --- study files and designs ---------------------------------------------------------------------


def test_factorial_design_and_tidy_table_columns(tmp_path: Path) -> None:
    """2 x 2 x 2 levels x 2 replicates; ranges from the scenario's records; same seeds in every experiment."""
    tasks = tiny_tasks(tmp_path)
    assert len(tasks) == 16
    rates = {t.info["labour_market.job_finding_rate"] for t in tasks}
    assert rates == {0.035, 0.09}  # the range documented in base.yaml
    assert {t.seed for t in tasks} == {3, 4}
    assert tasks[0].info == {
        "experiment": 0,
        "programme.follow_up.intensity": 0.0,
        "programme.guidelines.network_opening": False,
        "labour_market.job_finding_rate": 0.035,
        "replicate": 0,
    }
    assert tasks[0].scenario.programme.follow_up.intensity == 0.0


def test_latin_hypercube_stays_in_ranges_and_keeps_integers(tmp_path: Path) -> None:
    text = STUDY.replace("replicates: 2", "replicates: 1\ndesign: {{method: lhs, samples: 12, seed: 5}}")
    text = text.replace("outcomes:", "  - {{path: programme.max_wait_months, range: [3, 12]}}\noutcomes:")
    path = write_study(tmp_path, text)
    experiments = study_experiments(load_study(path), path, TINY)
    assert len(experiments) == 12
    waits = [e.values["programme.max_wait_months"] for e in experiments]
    assert all(isinstance(w, int) and 3 <= w <= 12 for w in waits)
    assert {e.values["programme.guidelines.network_opening"] for e in experiments} == {False, True}
    rates = [e.values["labour_market.job_finding_rate"] for e in experiments]
    assert all(0.035 <= r <= 0.09 for r in rates) and len(set(rates)) == 12


def test_bad_study_is_explained_with_file_and_line(tmp_path: Path) -> None:
    path = write_study(tmp_path, STUDY.replace("from_scenario: true", "from_scenario: true, range: [0, 1]"))
    path.write_text(path.read_text() + "replicats: 3\n")
    with pytest.raises(StudyError) as err:
        load_study(path)
    text = str(err.value)
    assert text.startswith("Invalid study: 2 problems")
    assert f"{path}, line 8" in text and "exactly one of values, range or from_scenario" in text
    assert "replicats" in text
    result = mentorsim("sweep", str(path))
    assert result.returncode == 2 and "Invalid study" in result.stderr and "Traceback" not in result.stderr


def test_a_value_the_scenario_rejects_is_a_study_error(tmp_path: Path) -> None:
    path = write_study(tmp_path, STUDY.replace("values: [0.0, 1.0]", "values: [0.0, 1.5]"))
    with pytest.raises(StudyError, match="programme.follow_up.intensity"):
        study_experiments(load_study(path), path, TINY)


@pytest.mark.parametrize("path", sorted((SCENARIOS / "studies").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_studies_resolve(path: Path) -> None:
    """Every shipped study is valid and each of its experiments is a valid scenario.

    A study made for ``mentorsim sensitivity`` (which samples it) can be too large a factorial for ``sweep``:
    that is refused before any scenario is built, and its parameters must still resolve.
    """
    study = load_study(path)
    assert study.name == path.stem
    try:
        experiments = study_experiments(study, path, TINY)
    except StudyError as err:
        assert "experiments is more than 100,000" in str(err)
        assert len(parameter_space(study, base_scenario(study, path, TINY))) == len(study.parameters)
        return
    assert experiments and all(e.scenario.population.size == 1500 for e in experiments)


def test_funding_designs_study_and_cliff_outcomes() -> None:
    path = SCENARIOS / "studies" / "funding_designs.yaml"
    study = load_study(path)
    experiments = study_experiments(study, path, TINY)
    assert [e.values["design"] for e in experiments] == [
        "single_esf", "esf_approval_gap", "regional_calls", "staggered_portfolio", "structural",
    ]  # fmt: skip
    gap = load_scenario(SCENARIOS / "funding" / "esf_approval_gap.yaml", ["population.size=1500", "months=72"])
    series, outcomes = run_with_cliffs(gap, 1)
    end = 59  # 2018-12, the end of the first call
    assert outcomes["waiting_list_cliff_1"] == series["waiting_list"].iloc[end + 1 : end + 7].max()
    assert outcomes["waiting_list_cliff_max"] == outcomes["waiting_list_cliff_1"]
    pool = series["mentor_pool"]
    assert outcomes["mentors_lost_cliff_1"] == max(0, pool.iloc[end] - pool.iloc[end + 1 : end + 7].min())
    assert outcomes["mentors_lost_cliff_1"] > 0  # six months without money: idle mentors leave, none are recruited
    assert outcomes["mentors_lost_cliffs"] == sum(v for k, v in outcomes.items() if k.startswith("mentors_lost_cliff_"))
    assert outcomes["months_without_intake"] >= 6


def test_run_keys_tell_runners_apart() -> None:
    """A design study's runs (with cliff columns) never stand in for plain runs of the same scenario and seed."""
    experiments = study_experiments(
        load_study(SCENARIOS / "studies" / "funding_designs.yaml"), SCENARIOS / "studies" / "funding_designs.yaml", TINY
    )[:1]
    plain, cliffs = tasks_for(experiments, [1]), tasks_for(experiments, [1], run_with_cliffs)
    assert plain[0].key != cliffs[0].key
    assert tasks_for(experiments, [1])[0].key == plain[0].key  # and keys are stable


# --- backends ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, pd.DataFrame]:
    """The tiny study run in this process (the reference table)."""
    folder = tmp_path_factory.mktemp("sequential")
    tasks = tiny_tasks(folder)
    return tasks, run_into(folder / "results", tasks, workers=1)


@pytest.mark.slow
def test_local_pool_of_two_gives_the_same_table(sequential: tuple[list, pd.DataFrame], tmp_path: Path) -> None:
    tasks, expected = sequential
    assert len(expected) == 16 and expected["net_placements"].notna().all()
    pd.testing.assert_frame_equal(run_into(tmp_path, tasks, workers=2), expected)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["study"] == "tiny" and {r["status"] for r in manifest["runs"].values()} == {"done"}
    assert {"python", "numpy"} <= set(manifest["versions"]) and manifest["started"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster() -> Iterator[str]:
    """A real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [subprocess.Popen([dask, "scheduler", "--port", str(port), *common], stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            worker = [dask, "worker", address, "--nthreads", "1", "--nworkers", "1", *common]
            procs.append(subprocess.Popen(worker, stderr=subprocess.DEVNULL))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.slow
def test_dask_cluster_gives_the_same_table(
    sequential: tuple[list, pd.DataFrame], dask_cluster: str, tmp_path: Path
) -> None:
    tasks, expected = sequential
    pd.testing.assert_frame_equal(run_into(tmp_path, tasks, dask=dask_cluster), expected)


# --- the store -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_killed_study_resumes_to_the_same_table(sequential: tuple[list, pd.DataFrame], tmp_path: Path) -> None:
    """kill -9 after a few runs are written, run again: the same table as an uninterrupted run."""
    study = write_study(tmp_path)
    args = ["sweep", str(study), "--workers", "1", *(a for s in TINY for a in ("--set", s))]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [MENTORSIM, *args, "--out-dir", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120

    def done() -> int:  # a run is done when its row file exists (runs/<key>.parquet; its series file is apart)
        return sum(not p.name.endswith(".series.parquet") for p in (killed / "runs").glob("*.parquet"))

    while done() < 4 and time.monotonic() < deadline:
        assert proc.poll() is None, "the study ended before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = done()
    assert 4 <= written < 16 and not (killed / "experiments.parquet").exists()
    resumed = mentorsim(*args, "--out-dir", str(killed))
    assert resumed.returncode == 0, resumed.stderr
    assert f"16 done ({written} from earlier), 0 failed" in resumed.stdout
    table = pd.read_parquet(killed / "experiments.parquet")
    _, expected = sequential
    pd.testing.assert_frame_equal(table, expected)
    runs = json.loads((killed / "manifest.json").read_text())["runs"]
    assert sorted(runs) == sorted(set(table["run_key"])) and all(r["status"] == "done" for r in runs.values())


@pytest.mark.slow
def test_failed_run_is_recorded_and_the_study_goes_on(tmp_path: Path) -> None:
    tasks = tiny_tasks(tmp_path)
    flaky_tasks = [type(t)(t.key, t.scenario, t.seed, t.info, t.keep_series, flaky) for t in tasks[:6]]
    with Store(tmp_path / "results", "tiny") as store:
        table = run_tasks(flaky_tasks, store, workers=2)
        failures = store.failures()
    assert len(table) == 3 and set(table["seed"]) == {3}  # seeds 3, 4 alternate: 3 runs fail
    assert len(failures) == 3 and all("RuntimeError: boom on seed 4" in e for e in failures.values())
    manifest = json.loads((tmp_path / "results" / "manifest.json").read_text())
    assert sorted(r["status"] for r in manifest["runs"].values()) == ["done"] * 3 + ["failed"] * 3


def test_second_study_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    study = write_study(tmp_path)
    with Store(tmp_path / "out", "tiny"):
        result = mentorsim("sweep", str(study), "--workers", "1", "--out-dir", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "in use by another study" in result.stderr and f"pid {os.getpid()}" in result.stderr
    assert not list((tmp_path / "out" / "runs").iterdir())


# --- compare -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_compare_finds_the_network_guidelines_effect(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = mentorsim(
        "compare", str(SCENARIOS / "base.yaml"), str(SCENARIOS / "network_guidelines.yaml"),
        "--replicates", "4", "--workers", "1", "--out-dir", str(out), *(a for s in TINY for a in ("--set", s)),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "8 runs: 8 done (0 from earlier), 0 failed" in result.stdout
    assert "network_access_share" in result.stdout
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    row = diffs.loc["network_access_share"]
    assert row["scenario"] == "network_guidelines" and row["n"] == 4
    assert row["low"] > 0, row
    assert (out / "differences.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_parquet(out / "experiments.parquet")
    assert list(table.groupby("scenario")["seed"].apply(list)) == [[1, 2, 3, 4]] * 2


@pytest.mark.slow
def test_study_benchmark_runs() -> None:
    """benchmarks/studies.py runs end to end on a few runs (no timing assertions)."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "studies.py"), "--runs", "6"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "2 local workers / 1 worker:" in done.stdout and "Dask 2 workers / 2 local workers:" in done.stdout
