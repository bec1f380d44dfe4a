"""The results store never loses what is written: it refuses folders that are not its study, keeps replaced
tables, repairs or reports damaged files and records every finished run (issue 14, defects 1, 4 and 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import SCENARIOS

from sim.outputs.files import atomic_write, atomic_write_text
from sim.scenario.limits import MEMORY_ENV, memory_estimate
from sim.scenario.loader import load_scenario
from sim.studies.experiments import load_study, run_tasks, study_experiments, tasks_for
from sim.studies.store import Store, StoreRefused

MENTORSIM = str(Path(sys.executable).parent / "mentorsim")
SMALL = ("population.size=1000", "months=12")
STUDY = f"""
name: tiny
base: {SCENARIOS / "base.yaml"}
levers:
  - {{path: programme.follow_up.intensity, values: [0.0, 1.0]}}
outcomes:
  - {{name: net_placements, direction: maximise}}
replicates: 1
"""


def mentorsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MENTORSIM, *args], capture_output=True, text=True, timeout=300, check=False)


def sets(*overrides: str) -> list[str]:
    return [a for s in overrides for a in ("--set", s)]


def study_file(folder: Path, text: str = STUDY) -> Path:
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def tasks(study: Path) -> list:
    spec = load_study(study)
    return tasks_for(study_experiments(spec, study, SMALL), [spec.seed])


def contents(folder: Path) -> dict[str, bytes]:
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock")  # .lock: the pid of the last
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def test_a_sweep_into_a_run_folder_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    made = mentorsim("run", str(SCENARIOS / "base.yaml"), "--replicates", "1", *sets(*SMALL), "--out-dir", str(run))
    assert made.returncode == 0, made.stderr
    before = contents(run)
    result = mentorsim("sweep", str(study_file(tmp_path)), "--workers", "1", *sets(*SMALL), "--out-dir", str(run))
    assert result.returncode == 2
    assert "is a run folder written by `mentorsim run`" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert contents(run) == before


def test_another_studys_folder_is_refused_and_force_keeps_the_old_tables(tmp_path: Path) -> None:
    study = study_file(tmp_path)
    out = tmp_path / "out"
    first = mentorsim("sweep", str(study), "--workers", "1", *sets(*SMALL), "--out-dir", str(out))
    assert first.returncode == 0, first.stderr
    before = contents(out)
    (tmp_path / "other").mkdir()
    other = study_file(tmp_path / "other", STUDY.replace("tiny", "other"))
    refused = mentorsim("sweep", str(other), "--workers", "1", *sets(*SMALL), "--out-dir", str(out))
    assert refused.returncode == 2 and "holds the results of another study ('tiny')" in refused.stderr
    changed = mentorsim("sweep", str(study), "--workers", "1", *sets(*SMALL, "months=13"), "--out-dir", str(out))
    assert changed.returncode == 2 and "study hash differs" in changed.stderr
    assert contents(out) == before  # experiments.parquet and the manifest untouched
    forced = mentorsim("sweep", str(other), "--workers", "1", *sets(*SMALL), "--out-dir", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    [kept] = out.glob("replaced-*")
    assert (kept / "experiments.parquet").read_bytes() == before["experiments.parquet"]
    assert (kept / "manifest.json").read_bytes() == before["manifest.json"]
    assert json.loads((out / "manifest.json").read_text())["study"] == "other"


def test_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    with pytest.raises(StoreRefused, match=r"holds files a study did not write \(thesis.tex\)"), Store(folder, "s"):
        pass
    assert [p.name for p in folder.iterdir()] == ["thesis.tex"]
    with Store(folder, "s", force=True):
        pass
    assert (folder / "thesis.tex").read_text() == "years of work"


def test_a_rerun_keeps_a_table_it_would_change(tmp_path: Path) -> None:
    path = tmp_path / "experiments.csv"
    atomic_write_text(path, "a\n1\n")
    atomic_write(path, lambda p: p.write_text("a\n1\n"), keep_previous=True)
    assert [p.name for p in tmp_path.iterdir()] == ["experiments.csv"]  # the same bytes: nothing kept
    atomic_write(path, lambda p: p.write_text("a\n2\n"), keep_previous=True)
    [previous] = tmp_path.glob("experiments.previous-*.csv")
    assert previous.read_text() == "a\n1\n" and path.read_text() == "a\n2\n"


def test_a_damaged_run_file_is_redone(tmp_path: Path) -> None:
    todo = tasks(study_file(tmp_path))
    with Store(tmp_path / "out", "tiny") as store:
        expected = run_tasks(todo, store, workers=1)
    damaged = tmp_path / "out" / "runs" / f"{todo[0].key}.parquet"
    damaged.write_bytes(b"")  # a zero-byte run file (disk full, a copy cut short)
    with Store(tmp_path / "out", "tiny") as store:
        assert store.repaired == [damaged.name]
        table = run_tasks(todo, store, workers=1)
    pd.testing.assert_frame_equal(table, expected)


def test_a_truncated_manifest_is_reported_with_what_to_delete(tmp_path: Path) -> None:
    study = study_file(tmp_path)
    out = tmp_path / "out"
    assert mentorsim("sweep", str(study), "--workers", "1", *sets(*SMALL), "--out-dir", str(out)).returncode == 0
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text()[:40])
    result = mentorsim("sweep", str(study), "--workers", "1", *sets(*SMALL), "--out-dir", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "damaged manifest.json" in result.stderr and f"delete {manifest}" in result.stderr
    manifest.unlink()
    again = mentorsim("sweep", str(study), "--workers", "1", *sets(*SMALL), "--out-dir", str(out))
    assert again.returncode == 0 and "2 done (2 from earlier)" in again.stdout


def test_the_manifest_records_runs_finished_after_its_last_write(tmp_path: Path) -> None:
    """Runs finished within the seconds before a kill are on disk but not yet in the manifest."""
    todo = tasks(study_file(tmp_path))
    with Store(tmp_path / "out", "tiny") as store:
        run_tasks(todo, store, workers=1)
    manifest = tmp_path / "out" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["runs"] = {}  # as if killed before the manifest was written again
    manifest.write_text(json.dumps(data))
    with Store(tmp_path / "out", "tiny"):
        pass
    runs = json.loads(manifest.read_text())["runs"]
    assert runs == {t.key: {"status": "done"} for t in todo}


def test_temporary_files_of_a_killed_table_write_are_removed_on_opening(tmp_path: Path) -> None:
    """A write killed mid-way leaves ``.experiments.parquet.partial-<pid>-<random>`` at the top of the study folder:
    the next opening of the study removes it (its process is gone) and keeps everything else."""
    todo = tasks(study_file(tmp_path))
    with Store(tmp_path / "out", "tiny") as store:
        run_tasks(todo, store, workers=1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / "out" / f".experiments.parquet.partial-{dead.stdout.strip()}-0a1b2c3d"
    left.write_bytes(b"half a table")
    before = {k: v for k, v in contents(tmp_path / "out").items() if left.name not in k}
    with Store(tmp_path / "out", "tiny") as store:
        assert not left.exists()
        assert store.is_done(todo[0].key)
    after = contents(tmp_path / "out")
    assert {k: after[k] for k in before if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }


def test_a_local_pool_that_would_not_fit_in_memory_is_refused_before_any_file(tmp_path: Path) -> None:
    """Each worker runs a replicate at once: with memory for one run and a half, two workers are refused (exit 2,
    the way out named, nothing written) and one worker runs."""
    one = memory_estimate(load_scenario(SCENARIOS / "base.yaml", SMALL))
    env = os.environ | {MEMORY_ENV: str(int(one * 1.5))}
    study, out = study_file(tmp_path), tmp_path / "out"

    def sweep(workers: str) -> subprocess.CompletedProcess[str]:
        command = [MENTORSIM, "sweep", str(study), "--workers", workers, "--out-dir", str(out), *sets(*SMALL)]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=env)

    refused = sweep("2")
    assert refused.returncode == 2, refused.stderr
    assert "2 workers would need" in refused.stderr and "--workers 1" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not out.exists() or not any(out.iterdir())
    assert sweep("1").returncode == 0
