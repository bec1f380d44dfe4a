"""Malformed and hostile input ends in exit status 2 with the file, line, field and what is allowed, never in a
traceback, and before any work (issue 14, defects 2-6). The real command line, in this process."""

from __future__ import annotations

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
