"""``mentorsim validate`` and ``mentorsim describe`` run as a user would, in a subprocess."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = """name: good
start: 2015-01
months: {value: 24, unit: months, source: "funding plan", range: [12, 240]}
programme:
  matching: {strategy: optimal}
"""

BAD = {
    "typo": (
        "programme:\n  follow_up:\n    intensty: 0.5\n",
        (),
        ["bad.yaml, line 3", "programme.follow_up.intensty", "did you mean 'intensity'?"],
    ),
    "wrong type": ("months: ten\n", (), ["bad.yaml, line 1: months", 'given:   "ten"', "integer, >= 1, <= 1200"]),
    "impossible date": ("start: 2020-13\n", (), ["bad.yaml, line 1: start", '"2020-13"', "month YYYY-MM"]),
    "syntax": ("name: x\nmonths: 1\n  seed: [\n", (), ["bad.yaml, line 3", "not valid YAML"]),
    "empty": ("\n", (), ["bad.yaml, line 1", "the file is empty"]),
    "not a mapping": ("just text\n", (), ["bad.yaml, line 1", "the top level is text", "a mapping of scenario keys"]),
    "missing extends": ("extends: gone.yaml\n", (), ["bad.yaml, line 1: extends", "gone.yaml does not exist"]),
    "set without =": ("name: x\n", ("--set", "months"), ["--set months", "PATH=VALUE"]),
    "set unknown path": ("name: x\n", ("--set", "programme.matchng.strategy=random"), ["did you mean 'matching'?"]),
    "set bad value": (
        "name: x\n",
        ("--set", "programme.matching.strategy=best"),
        ["--set programme.matching.strategy=best"],
    ),
}


def mentorsim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sim.cli", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)


def snapshot(directory: Path) -> dict[Path, tuple[bytes, int]]:
    """Content and modification time of every file under ``directory``."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory with a previous run's output folder that validate must not touch."""
    output = tmp_path / "results" / "good-20250101-120000"
    output.mkdir(parents=True)
    (output / "summary.csv").write_text("month,employed\n2015-01,0.2\n")
    (output / "scenario.resolved.yaml").write_text("name: good\n")
    (tmp_path / "good.yaml").write_text(GOOD)
    return tmp_path


def test_validate_ok(workdir: Path) -> None:
    before = snapshot(workdir)
    result = mentorsim(
        "validate", "good.yaml", "--set", "months=36", "--set", "programme.matching.strategy=random", cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK: good.yaml is a valid scenario (good, 36 months from 2015-01)"
    assert snapshot(workdir) == before


@pytest.mark.parametrize("case", list(BAD))
def test_validate_bad_input_exits_2_without_traceback(workdir: Path, case: str) -> None:
    text, options, expected = BAD[case]
    (workdir / "bad.yaml").write_text(text)
    before = snapshot(workdir)
    result = mentorsim("validate", "bad.yaml", *options, cwd=workdir)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Invalid scenario")
    for fragment in expected:
        assert fragment in result.stderr, f"{fragment!r} missing from:\n{result.stderr}"
    assert snapshot(workdir) == before


def test_validate_missing_file(workdir: Path) -> None:
    result = mentorsim("validate", "absent.yaml", cwd=workdir)
    assert result.returncode == 2
    assert "absent.yaml" in result.stderr and "scenario file not found" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_describe_csv_lists_every_parameter(workdir: Path) -> None:
    result = mentorsim("describe", "--format", "csv", cwd=workdir)
    assert result.returncode == 0, result.stderr
    rows = {row["path"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["months"]["default"] == "120"
    assert rows["programme.matching.strategy"]["allowed"] == "one of: random, sector_only, sector_first, optimal"
    assert rows["funding.grants[*].end"]["allowed"] == "month YYYY-MM"
    assert rows["population.female_share"]["unit"] == "share"


def test_describe_scenario_shows_values_and_documented_sources(workdir: Path) -> None:
    result = mentorsim("describe", "good.yaml", "--format", "markdown", cwd=workdir)
    assert result.returncode == 0, result.stderr
    months = next(line for line in result.stdout.splitlines() if line.startswith("| months |"))
    assert "| 120 | 24 | months |" in months
    assert "scenario: funding plan" in months


def test_describe_table_and_bad_scenario(workdir: Path) -> None:
    assert "programme.follow_up.intensity" in mentorsim("describe", cwd=workdir).stdout
    (workdir / "bad.yaml").write_text("months: ten\n")
    result = mentorsim("describe", "bad.yaml", cwd=workdir)
    assert result.returncode == 2 and "bad.yaml, line 1: months" in result.stderr
