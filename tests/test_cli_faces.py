"""The small traps of the command line (issue 13: 6): did-you-mean for outcomes and sections, --replicates for
studies, ``describe`` next to the extended base, the README's ``my.yaml`` recipe wherever the file is kept."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
TINY = ("--set", "population.size=1500", "--set", "months=24")


def mentorsim(*args: str | Path, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sim.cli", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_an_unknown_outcome_is_refused_before_any_run_with_the_closest_names(tmp_path: Path) -> None:
    base, other = SCENARIOS / "base.yaml", SCENARIOS / "sector_only.yaml"
    out = tmp_path / "out"
    result = mentorsim("compare", base, other, "--outcome", "net_placement", "--out-dir", out)
    assert result.returncode == 2
    assert "'net_placement' is not an outcome" in result.stderr and "did you mean 'net_placements'" in result.stderr
    assert not out.exists()  # nothing was run or written
    series = mentorsim("compare", base, other, "--outcome", "waiting_list", "--out-dir", out)
    assert series.returncode == 2 and "is not an outcome" in series.stderr  # a time series is not an outcome


def test_sweep_takes_replicates_from_the_command_line(tmp_path: Path) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(
        f"name: tiny\nbase: {SCENARIOS / 'base.yaml'}\n"
        "levers:\n  - {path: programme.follow_up.intensity, values: [0.0, 1.0]}\n"
        "outcomes:\n  - {name: net_placements, direction: maximise}\nreplicates: 5\nseed: 3\n"
    )
    result = mentorsim("sweep", study, "--replicates", "1", "--workers", "1", *TINY, "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(tmp_path / "out" / "experiments.parquet")
    assert len(table) == 2 and set(table["seed"]) == {3}  # 2 experiments x 1 replicate, not x 5
    assert "--replicates" in mentorsim("sensitivity", "--help").stdout


def describe_rows(*args: str | Path, cwd: Path = ROOT) -> dict[str, dict[str, str]]:
    result = mentorsim("describe", *args, "--format", "csv", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return {row["path"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


def test_describe_shows_a_files_values_next_to_the_base_it_extends(tmp_path: Path) -> None:
    rows = describe_rows(SCENARIOS / "sector_only.yaml", "--section", "programme.matching")
    assert all(p.startswith("programme.matching.") for p in rows)
    strategy = rows["programme.matching.strategy"]
    assert strategy["value"] == "sector_only" and strategy["base"] == "sector_first"  # base.yaml's, not the schema's
    assert "fall back" in strategy["description"] or "sector" in strategy["description"]
    assert "default" not in strategy  # the base replaces the schema default next to a file's values
    table = mentorsim("describe", "--section", "programme.matching.strategy")
    assert "description" in table.stdout and "sector_first" in table.stdout  # descriptions shown, wrapped
    wrong = mentorsim("describe", "--section", "programme.matchng")
    assert wrong.returncode == 2 and "did you mean 'programme.matching'" in wrong.stderr


def readme_recipe() -> str:
    """The ``my.yaml`` block of the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n# my.yaml\n(.*?)```", text, re.S)
    assert block, "the README has no my.yaml block"
    return block.group(1)


def test_the_readme_recipe_works_where_the_readme_says_and_elsewhere_as_documented(tmp_path: Path) -> None:
    """In the repository root as written; in a subfolder or outside the repository with extends rewritten
    as the README says (relative to my.yaml, or an absolute path)."""
    recipe = readme_recipe()
    extends = re.search(r"^extends: (\S+)", recipe, re.M)
    assert extends and extends.group(1) == "scenarios/base.yaml"
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")  # a checkout's root: scenarios/ next to my.yaml
    places = {
        tmp_path / "my.yaml": recipe,
        tmp_path / "analysis" / "my.yaml": recipe.replace("scenarios/base.yaml", "../scenarios/base.yaml"),
        tmp_path / "elsewhere" / "deep" / "my.yaml": recipe.replace(
            "scenarios/base.yaml", str(SCENARIOS / "base.yaml")
        ),
    }
    for path, text in places.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        result = mentorsim("validate", path, cwd=ROOT if "elsewhere" in str(path) else tmp_path)
        assert result.returncode == 0, (path, result.stderr)
        assert "my-variant" in result.stdout
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "relative to the folder of my.yaml" in readme and "absolute path" in readme


def test_few_replicates_are_flagged_and_progress_can_be_quiet(tmp_path: Path) -> None:
    """Intervals from fewer than 5 replicates carry a warning (run, report: stderr and the page); --quiet silences
    progress, not warnings; the report names its steps."""
    from sim.outputs.report import write_report
    from sim.outputs.vocabulary import rough_intervals

    assert rough_intervals(5) == "" and rough_intervals(4).startswith("Intervals from 4 replicates are rough")
    folder = tmp_path / "run"
    done = mentorsim("run", SCENARIOS / "base.yaml", "--replicates", "2", *TINY, "--out-dir", folder)
    assert done.returncode == 0, done.stderr
    assert "Warning: Intervals from 2 replicates are rough" in done.stderr
    quiet = mentorsim("--quiet", "report", folder)
    assert quiet.returncode == 0, quiet.stderr
    assert "Warning: Intervals from 2 replicates are rough" in quiet.stderr and "Report written" in quiet.stdout
    assert "Intervals from 2 replicates are rough" in (folder / "report.html").read_text(encoding="utf-8")
    steps: list[str] = []
    write_report(folder, tmp_path / "again.html", progress=steps.append)
    assert steps[0].startswith("Reading the run folder") and steps[-1] == "Writing the HTML..."
    assert [s for s in steps if s.startswith("Drawing figure")][-1].startswith("Drawing figure 4 of 4")


def test_start_up_says_it_is_loading_unless_quiet(monkeypatch) -> None:  # noqa: ANN001
    import time

    from sim.cli import startup

    out = io.StringIO()
    with startup.loading("loading...", stream=out, delay=0.0, force=True):
        time.sleep(0.2)
    assert out.getvalue() == "loading...\r\x1b[K"  # shown, then cleared
    fast = io.StringIO()
    with startup.loading("loading...", stream=fast, delay=5.0, force=True):
        pass
    assert fast.getvalue() == ""  # a fast start says nothing
    assert startup.quiet_requested(["-q", "run", "x.yaml"]) and not startup.quiet_requested(["run", "-q"])
    monkeypatch.setenv(startup.QUIET_ENV, "1")
    assert startup.quiet_requested([])
    monkeypatch.setenv(startup.QUIET_ENV, "0")
    assert not startup.quiet_requested([])
