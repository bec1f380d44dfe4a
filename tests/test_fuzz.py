"""Property-based fuzzing (Hypothesis) of everything a user writes: scenario files, ``--set`` values, study files.

Mutated versions of the shipped files and hostile values are loaded as the commands load them; the only
exception allowed out is the project's own :class:`~sim.scenario.loader.ScenarioError` (a study's
:class:`~sim.studies.experiments.StudyError` is one), and its message must be printable. A bounded number
of examples with a fixed seed runs in ``make test``; the longer fuzz is marked slow (issue 14).
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from helpers import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.describe import parameter_index
from sim.scenario.limits import scenario_warnings
from sim.scenario.loader import ScenarioError
from sim.studies.experiments import load_study, study_experiments
from sim.studies.validation import load_checked

FAST = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FAST, max_examples=3000)

SEEDS = [
    (SCENARIOS / "base.yaml").read_text(encoding="utf-8"),
    (SCENARIOS / "programmes" / "mentoru.yaml").read_text(encoding="utf-8"),
    (SCENARIOS / "staggered_funding.yaml").read_text(encoding="utf-8"),
    "name: small\nstart: 2015-01\nmonths: 24\npopulation:\n  size: 2000\n",
]
STUDY_SEEDS = [p.read_text(encoding="utf-8") for p in sorted((SCENARIOS / "studies").glob("*.yaml"))]
HOSTILE = [
    "!!int abc", "!!float x", "!!bool maybe", "!!timestamp 2014-01", "!!binary aGk=", "!!set {a: null}",
    "!!python/object/apply:os.system [true]", "!!str", "!!null x", "!!map [1]", "!!seq {a: 1}",
    ".inf", "-.inf", ".nan", "1e19", "1.0e+19", "-1", "0", "1", "true", "false", "~", "null", "[]", "{}",
    "[1, 2]", "{value: 1}", "{value: 5, range: [1, 2]}", "{value: 1, range: [2, 1]}", "{value: .inf, range: [0, 1]}",
    "0000-01", "9999-12", "2014-13", "2014-01-01", "'2014-01'", "2200-12", "1899-12", "99999999999999999999999",
    "-99999999999999999999", "0x10", "0o17", "1_000", "'a\\0b'", '"\\x07"', "x" * 300, "ü" * 120, "'../../etc/passwd'",
    "/etc/passwd", "&a [*a]", "*undefined", "&a 1", "<<: {a: 1}", "? [a]\n: 1", "[" * 60 + "]" * 60, "{a: {b: {c: 1}}}",
    "- 1\n- 2", "|\n  text", "'", '"', "[", "{", "%YAML 1.1", "---", "...", "#", ":", "a: b: c",
]  # fmt: skip
PATHS = sorted({p.replace("[*]", ".0") for p in parameter_index()}) + [
    "sectors.9.mentor_share", "funding.grants.5.end", "a.b", "", ".", "..", "months.x", "extends", "targets.0.outcome",
    "sectors.-1.name", "population.initial_status.unemployed", "calibrate.0", "funding.grants",
]  # fmt: skip
CONTROL = [chr(c) for c in (0, 1, 7, 8, 11, 12, 27, 127, 0x85, 0xFEFF, 0xFFFE, 0xD7FF)]

_names = itertools.count()
_folder = Path(tempfile.mkdtemp(prefix="mentorsim-fuzz-"))


def fresh(text: str, suffix: str = ".yaml") -> Path:
    """A new file for every example (the loader caches a parsed file by its path, size and time)."""
    path = _folder / f"f{next(_names)}{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed text with a few lines replaced by hostile values, deleted, duplicated, or bytes changed."""
    lines = draw(st.sampled_from(seeds)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "delete", "duplicate", "indent", "control", "truncate", "key"]))
        line = lines[i]
        if kind == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(HOSTILE))}"
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + line.lstrip()
        elif kind == "control":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(CONTROL)) + line[at:]
        elif kind == "truncate":
            lines = lines[: i + 1]
            lines[i] = line[: draw(st.integers(0, len(line)))]
        else:
            lines[i] = draw(st.text(min_size=0, max_size=20)) + ": " + draw(st.sampled_from(HOSTILE))
    return "\n".join(lines) + "\n"


overrides = st.lists(
    st.builds(
        lambda path, value: f"{path}={value}",
        st.sampled_from(PATHS),
        st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)),
    ),
    max_size=3,
)


def loads_or_refuses(path: Path, sets: list[str]) -> None:
    """The property: a valid scenario, or a ScenarioError with a printable message; nothing else."""
    try:
        scenario = load_checked(path, sets)
    except ScenarioError as err:
        assert str(err).startswith("Invalid scenario")
        return
    for warning in scenario_warnings(scenario):
        assert str(warning)


def check_scenario(text: str, sets: list[str]) -> None:
    loads_or_refuses(fresh(text), sets)


def check_study(text: str, sets: list[str]) -> None:
    path = fresh(text.replace("base: ../", f"base: {SCENARIOS}/").replace("- ../", f"- {SCENARIOS}/"))
    try:
        study = load_study(path)
        study_experiments(study, path, sets)
    except ScenarioError as err:
        assert str(err)


@FAST
@given(text=mutated(SEEDS), sets=overrides)
def test_mutated_scenario_files_load_or_are_refused(text: str, sets: list[str]) -> None:
    check_scenario(text, sets)


@FAST
@given(sets=overrides.filter(bool))
def test_set_values_load_or_are_refused(sets: list[str]) -> None:
    loads_or_refuses(SCENARIOS / "base.yaml", sets)


@settings(FAST, max_examples=40)
@given(text=mutated(STUDY_SEEDS), sets=st.just(["population.size=1000", "months=12"]))
def test_mutated_study_files_load_or_are_refused(text: str, sets: list[str]) -> None:
    check_study(text, sets)


@FAST
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_refused_or_loaded(data: bytes) -> None:
    path = _folder / f"b{next(_names)}.yaml"
    path.write_bytes(data)
    loads_or_refuses(path, [])


@pytest.mark.slow
@SLOW
@given(text=mutated(SEEDS), sets=overrides)
def test_long_fuzz_of_scenario_files(text: str, sets: list[str]) -> None:
    check_scenario(text, sets)


@pytest.mark.slow
@settings(SLOW, max_examples=400)
@given(text=mutated(STUDY_SEEDS), sets=overrides)
def test_long_fuzz_of_study_files(text: str, sets: list[str]) -> None:
    check_study(text, ["population.size=1000", "months=12", *sets])
