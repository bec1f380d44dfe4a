"""Malformed and hostile input ends in exit status 2 with the file, line, field and what is allowed, never in a
traceback, and before any work (issue 14, defects 2-6). The real command line, in this process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app

RUNNER = CliRunner()
TINY_SETS = ("--set", "population.size=1000", "--set", "months=12")


def mentorsim(*args: str | Path) -> tuple[int, str]:
    """Exit status and all output; an exception that escaped the command fails the test with its traceback."""
    result = RUNNER.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


DEEP = "name: deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(1000))
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

# name: (file text, --set options, fragments the message must hold)
BAD_SCENARIOS: dict[str, tuple[str | bytes, tuple[str, ...], list[str]]] = {
    "int tag on text": ("months: !!int abc\n", (), ["bad.yaml, line 1: months", "'abc' cannot be read as !!int"]),
    "float tag on text": ("months: !!float x\n", (), ["bad.yaml, line 1: months", "cannot be read as !!float"]),
    "bool tag on text": (
        "counterfactual:\n  twin: !!bool maybe\n",
        (),
        ["bad.yaml, line 2: counterfactual.twin", "'maybe' cannot be read as !!bool", "allowed: a value without a tag"],
    ),
    "timestamp tag": ("start: !!timestamp 2014-01\n", (), ["line 1: start", "cannot be read as !!timestamp"]),
    "NUL byte": (b"name: a\x00b\n", (), ["bad.yaml, line 1", "control character (U+0000) in column 8"]),
    "control byte": (b"months: 12\nname: a\x07b\n", (), ["bad.yaml, line 2", "control character (U+0007)"]),
    "NUL in extends": ('extends: "a\\0b"\n', (), ["line 1: extends", "without control characters"]),
    "tag in --set": ("name: x\n", ("--set", "months=!!int abc"), ["--set months=!!int abc: months", "!!int"]),
    "nested 1000 deep": (DEEP, (), ["bad.yaml, line 41", f"nested deeper than {40} levels"]),
    "flow nested 1000 deep": ("a: " + "[" * 1000 + "]" * 1000 + "\n", (), ["bad.yaml, line 1", "nested deeper"]),
    "alias bomb": (BOMB, (), ["bad.yaml, line 1", "more than 100,000 values once its YAML aliases"]),
    "an alias inside itself": ("a: &a [*a]\n", (), ["bad.yaml, line 1", "an alias inside the value it names"]),
    "an alias inside itself in --set": (
        "name: x\n",
        ("--set", "sectors=&a [*a]"),
        ["--set sectors=&a [*a]: sectors", "an alias inside the value it names"],
    ),
    "a control character in --set": ("name: x\n", ("--set", "calibrate=\x1f"), ["--set calibrate=", "not valid YAML"]),
    "alias bomb in --set": (
        "name: x\n",
        ("--set", "sectors=" + "[" * 3 + "&a [1,1,1,1,1,1,1,1,1,1]" + "]" * 3),
        [],  # a small value: refused as a bad value, not as a bomb; the point is no traceback
    ),
    "extends an absolute path": (
        "extends: /etc/passwd\n",
        (),
        ["line 1: extends", "outside the folders it may read", "MENTORSIM_EXTENDS_PATH"],
    ),
    "extends climbs out": ("extends: ../../../../../../etc/hostname\n", (), ["outside the folders it may read"]),
}


@pytest.mark.parametrize("case", list(BAD_SCENARIOS))
def test_malformed_scenario_exits_2_with_where_and_why(tmp_path: Path, case: str) -> None:
    text, options, expected = BAD_SCENARIOS[case]
    path = write(tmp_path / "project", "bad.yaml", text)
    status, output = mentorsim("validate", path, *options)
    assert status == 2, output
    assert "Traceback" not in output
    for fragment in expected:
        assert fragment in output


def test_a_foreign_file_reached_by_extends_is_not_echoed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = write(tmp_path / "elsewhere", "secret.txt", "password=hunter2\n")
    top = write(tmp_path / "project" / "deep", "my.yaml", f"extends: {secret}\n")
    status, output = mentorsim("validate", top)
    assert status == 2 and "outside the folders it may read" in output and "hunter2" not in output
    monkeypatch.setenv("MENTORSIM_EXTENDS_PATH", str(secret.parent))  # allowed explicitly: read, still not echoed
    status, output = mentorsim("validate", top)
    assert status == 2 and "secret.txt, line 1" in output and "hunter2" not in output


def test_extends_reaches_the_folder_above_as_the_shipped_programmes_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "scenarios", "base.yaml", "name: base\n")
    child = write(tmp_path / "scenarios" / "programmes", "p.yaml", "extends: ../base.yaml\nname: p\n")
    monkeypatch.chdir(tmp_path / "scenarios" / "programmes")  # the working folder is no help here
    status, output = mentorsim("validate", child)
    assert status == 0, output


STUDY = f"""
name: hostile
base: {SCENARIOS / "base.yaml"}
levers:
  - {{path: {{path}}, values: [0.1, 0.2]}}
outcomes:
  - {{name: net_placements, direction: maximise}}
replicates: 1
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("sectors.x.mentor_share", "no parameter 'sectors.x.mentor_share'; sectors is there"),
        ("funding.grants.3.amount_eur", "no parameter 'funding.grants.3.amount_eur'; funding.grants is there"),
        ("programme.matching.stratgy", "no parameter 'programme.matching.stratgy'"),
    ],
)
def test_a_lever_path_the_base_does_not_have_is_refused_before_any_run(
    tmp_path: Path, path: str, expected: str
) -> None:
    study = write(tmp_path, "study.yaml", STUDY.replace("{path}", path))
    status, output = mentorsim("sweep", study, "--workers", "1", "--out-dir", tmp_path / "out")
    assert status == 2, output
    assert "study.yaml, line 5: levers.0.path" in output and expected in output
    assert not (tmp_path / "out").exists()


def test_designs_that_share_a_name_are_refused_before_any_run(tmp_path: Path) -> None:
    study = write(
        tmp_path,
        "study.yaml",
        f"""
name: twins
kind: designs
base: {SCENARIOS / "base.yaml"}
designs:
  - {SCENARIOS / "sector_only.yaml"}
  - {SCENARIOS / "base.yaml"}
outcomes:
  - {{name: net_placements, direction: maximise}}
replicates: 1
""",
    )
    status, output = mentorsim("sweep", study, "--workers", "1", *TINY_SETS, "--out-dir", tmp_path / "out")
    assert status == 2, output
    assert "study.yaml, line 7: designs.1" in output and "has the name 'base'" in output
    assert not (tmp_path / "out").exists()


# --- checked before any compute (defects 2, 3 and 5) --------------------------------------------------

HUGE = "population.size={value: 1000000000, range: [1, 1000000000]}"
INVALID_BEFORE_COMPUTE: dict[str, tuple[str, tuple[str, ...], list[str]]] = {
    "year 0": ("start: 0000-01\n", (), ["line 1: start", "outside the supported calendar 1900-2200"]),
    "past year 9999": (
        "start: 2190-01\nmonths: 240\n",
        (),
        ["line 2: months", "ends in 2209-12, after the supported calendar (1900-01 to 2200-12)"],
    ),
    "a 300-character name": ("name: " + "x" * 300 + "\n", (), ["line 1: name", "300 bytes long", "at most 100"]),
    "1e19 in a field with only a lower bound": (
        "mentors:\n  network_size_active: 1.0e19\n",
        (),
        ["line 2: mentors.network_size_active", "less than or equal to 1000000000000"],
    ),
    "a log-scale effect of 1e6 (exp overflows)": (
        "labour_market:\n  language_effect: 1000000\n",
        (),
        ["line 2: labour_market.language_effect", "less than or equal to 20", "allowed: number, >= -20, <= 20"],
    ),
    "inf": ("population:\n  initial_ties_mean: .inf\n", (), ["population.initial_ties_mean", "finite number"]),
    "nan": ("population:\n  initial_ties_mean: .nan\n", (), ["population.initial_ties_mean", "finite number"]),
    "inf cost": (
        "programme:\n  staff:\n    coach_cost_per_month: .inf\n",
        (),
        ["line 3: programme.staff.coach_cost_per_month", "finite number"],
    ),
    "a boolean for a number": ("months: true\n", (), ["line 1: months", "a boolean (true/false) is not a number"]),
    "a boolean in --set": ("name: x\n", ("--set", "seed=false"), ["--set seed=false: seed", "not a number"]),
    "unknown calibrate path": (
        "calibrate: [programme.follow_up.intensty]\n",
        (),
        ["line 1: calibrate.0", "no parameter 'programme.follow_up.intensty' to calibrate"],
    ),
    "more memory than the machine has": (
        "name: x\n",
        ("--set", HUGE),
        ["population.size", "GiB of memory", "MENTORSIM_MAX_MEMORY", "or to 0 for no check"],
    ),
    "more mentors than memory": (
        "months: 24\npopulation: {size: 1000}\nmentors: {initial: 100000000}\n",
        (),
        ["line 3: mentors.initial", "jobseekers and mentors", "MENTORSIM_MAX_MEMORY"],
    ),
    "employers for 1e12 per 1000 jobseekers": (
        "name: x\n",
        ("--set", "employers.per_1000_jobseekers=1000000000000"),
        ["employers.per_1000_jobseekers", "GiB of memory"],
    ),
    "a ties table for a mean of 1e12": (
        "name: x\n",
        ("--set", "population.initial_ties_mean=1000000000000"),
        ["population.initial_ties_mean", "GiB of memory"],
    ),
    "a renewal table larger than memory": (
        "months: 24\nfunding:\n  grants:\n    - {name: a, funder: esf, amount_eur: 10, start: 2014-01, end: 2015-01,"
        " renewal: {max_renewals: 1000000000000}}\n",
        (),
        ["line 3: funding.grants", "max_renewals up to 1000000000000", "GiB of memory"],
    ),
}


@pytest.mark.parametrize("case", list(INVALID_BEFORE_COMPUTE))
def test_what_would_fail_late_is_refused_by_validate(tmp_path: Path, case: str) -> None:
    text, options, expected = INVALID_BEFORE_COMPUTE[case]
    path = write(tmp_path, "bad.yaml", text)
    status, output = mentorsim("validate", path, *options)
    assert status == 2, output
    for fragment in expected:
        assert fragment in output


def test_the_memory_check_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "big.yaml", "name: big\n")
    monkeypatch.setenv("MENTORSIM_MAX_MEMORY", "0")
    assert mentorsim("validate", path, "--set", HUGE)[0] == 0
    monkeypatch.setenv("MENTORSIM_MAX_MEMORY", "2T")
    assert mentorsim("validate", path, "--set", HUGE)[0] == 0


def test_an_out_of_range_value_says_where_the_range_is_and_how_to_widen_it() -> None:
    status, output = mentorsim("validate", SCENARIOS / "base.yaml", "--set", "population.size=1000000")
    assert status == 2
    assert "the range is written in" in output and "base.yaml, line" in output
    assert "to widen it, change that range, or give a range with the value" in output
    widened = "population.size={value: 100000, range: [1000, 200000]}"
    assert mentorsim("validate", SCENARIOS / "base.yaml", "--set", widened)[0] == 0


def test_grants_outside_the_run_and_twice_are_warned_about(tmp_path: Path) -> None:
    grant = "{name: b, funder: esf, amount_eur: 10, start: 2014-01, end: 2015-01}"
    path = write(
        tmp_path,
        "grants.yaml",
        "name: g\nfunding:\n  grants:\n"
        "    - {name: a, funder: esf, amount_eur: 10, start: 2000-01, end: 2001-01}\n"
        f"    - {grant}\n    - {grant}\n",
    )
    status, output = mentorsim("validate", path)
    assert status == 0, output
    assert "Warning: " in output and "grants.yaml, line 4: funding.grants.0" in output
    assert "lies wholly outside the run (2014-01 to 2023-12): it pays nothing" in output
    assert "funding.grants.2 grant 2 is the same as grant 1 ('b'): the programme is paid twice" in output


@pytest.mark.parametrize(
    ("out_dir", "expected"),
    [("/proc/mentorsim-x", "cannot write into /proc"), ("y" * 300, "is 300 bytes long; file systems allow 255")],
)
def test_run_refuses_an_output_folder_it_cannot_write_before_simulating(out_dir: str, expected: str) -> None:
    status, output = mentorsim("run", SCENARIOS / "base.yaml", "--replicates", "1", "--out-dir", out_dir)
    assert status == 2 and expected in output
    assert "Replicates" not in output  # refused before the progress bar of the simulation


def test_sweep_refuses_an_output_folder_it_cannot_write(tmp_path: Path) -> None:
    study = write(tmp_path, "study.yaml", STUDY.replace("{path}", "programme.follow_up.intensity"))
    status, output = mentorsim("sweep", study, "--workers", "1", "--out-dir", "/proc/mentorsim-x")
    assert status == 2 and "cannot write into /proc/mentorsim-x" in output


@pytest.mark.parametrize(
    ("design", "expected"),
    [
        (
            "levers:\n  - {path: programme.follow_up.intensity, range: [0, 1], levels: 1000}\n"
            "  - {path: labour_market.job_finding_rate, range: [0.01, 0.05], levels: 1000}\n",
            ["study.yaml", ": design", "1000 x 1000 = 1,000,000 experiments is more than 100,000"],
        ),
        (
            "levers:\n  - {path: programme.follow_up.intensity, range: [0, 1], levels: 100000}\n",
            ["study.yaml, line 6: levers.0.levels", "less than or equal to 1000"],
        ),
        (
            "levers:\n  - {path: programme.follow_up.intensity, range: [0, 1]}\ndesign: {method: lhs, samples: 1.0e+9}\n",
            ["design.samples", "less than or equal to 100000"],
        ),
        (
            "levers:\n  - {path: programme.follow_up.intensity, range: [0, 1]}\nreplicates: 1000000\n",
            ["replicates", "less than or equal to 10000"],
        ),
    ],
)
def test_design_sizes_are_bounded(tmp_path: Path, design: str, expected: list[str]) -> None:
    text = f"name: big\nbase: {SCENARIOS / 'base.yaml'}\noutcomes:\n  - {{name: net_placements, direction: maximise}}\n"
    study = write(tmp_path, "study.yaml", text + design)
    status, output = mentorsim("sweep", study, "--workers", "1", "--out-dir", tmp_path / "out")
    assert status == 2, output
    for fragment in expected:
        assert fragment in output
    assert not (tmp_path / "out").exists()


def test_a_run_removes_the_partial_folders_of_killed_runs(tmp_path: Path) -> None:
    dead = tmp_path / f".old.partial-{_gone_pid()}-abcd1234"  # left by a process that is gone
    dead.mkdir()
    (dead / "timeseries.parquet").write_bytes(b"half")
    live = tmp_path / f".other.partial-{os.getpid()}-abcd1234"  # a write under way in this process: kept
    live.mkdir()
    status, output = mentorsim(
        "run", SCENARIOS / "base.yaml", "--replicates", "1", *TINY_SETS, "--out-dir", tmp_path / "out"
    )
    assert status == 0, output
    assert not dead.exists() and live.exists() and (tmp_path / "out" / "manifest.json").exists()


def _gone_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
