"""sim.scenario.loader: extends, parameter records, --set overrides, hashing, and located error messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from sim.scenario.loader import (
    ScenarioError,
    load_scenario,
    resolved_yaml,
    scenario_files,
    scenario_hash,
    scenario_path,
)
from sim.scenario.schema import Scenario, parameter_records


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def error_text(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


BASE = """
    name: base
    start: 2015-01
    months: 60
    programme:
      matching:
        strategy: optimal
      follow_up:
        intensity: 0.8
    funding:
      grants:
        - {name: A, funder: esf, start: 2015-01, end: 2018-12, amount_eur: 1000}
        - {name: B, funder: city, start: 2015-01, end: 2019-12}
"""


# --- bad inputs: file, line, field path, what was given and what is allowed -------------------

BAD_FILES = {
    "typo in a key": (
        """
        name: t
        programme:
          follow_up:
            intensty: 0.5
        """,
        [
            "line 4",
            "programme.follow_up.intensty",
            "unknown key 'intensty'",
            "did you mean 'intensity'?",
            "given:   0.5",
        ]
        + [
            "allowed: one of the keys intensity, never_start_reduction, check_in_restores, check_in_hours, first_meeting_hours"
        ],
    ),
    "section name glued to its key": (
        """
        programme:
          follow_up_intensty: 0.5
        """,
        [
            "line 2",
            "programme.follow_up_intensty",
            "did you mean 'follow_up' or 'follow_up.intensity'?",
            "given:   0.5",
            "matching, pairs, follow_up",
        ],
    ),
    "wrong type": (
        """
        name: t
        months: ten
        """,
        ["line 2", ": months", "valid integer", 'given:   "ten"', "allowed: integer, >= 1, <= 1200"],
    ),
    "grant ends before it starts": (
        """
        name: t
        funding:
          grants:
            - name: late
              funder: esf
              start: 2020-05
              end: 2020-01
        """,
        ["line 4", "funding.grants.0", "ends (2020-01) before it starts (2020-05)", '"end": "2020-01"'],
    ),
    "shock ends before it starts": (
        """
        economy:
          shocks:
            - {start: 2016-06, end: 2016-01}
        """,
        ["line 3", "economy.shocks.0", "ends (2016-01) before it starts (2016-06)", '"start": "2016-06"'],
    ),
    "impossible date": (
        """
        name: t
        start: 2020-13
        """,
        ["line 2", ": start", "month 01-12", 'given:   "2020-13"', "allowed: month YYYY-MM"],
    ),
    "negative count": (
        """
        population:
          female_share: 0.5
          size: -5
        """,
        ["line 3", "population.size", "greater than or equal to 1", "given:   -5", "allowed: integer, >= 1"],
    ),
    "share above 1": (
        """
        population:
          female_share: 1.5
        """,
        ["line 2", "population.female_share", "given:   1.5", "allowed: number, >= 0.0, <= 1.0"],
    ),
    "unknown strategy": (
        """
        programme:
          matching: {strategy: best}
        """,
        [
            "line 2",
            "programme.matching.strategy",
            'given:   "best"',
            "one of: random, sector_only, sector_first, optimal",
        ],
    ),
    "missing extends file": (
        """
        name: t
        extends: nope.yaml
        """,
        [
            "line 2",
            ": extends",
            "nope.yaml does not exist",
            'given:   "nope.yaml"',
            "allowed: the path of another scenario file",
        ],
    ),
    "empty file": (
        "# only a comment\n",
        [
            "line 1",
            "the file is empty",
            "allowed: a mapping of scenario keys: name, description, extends, start, months",
        ],
    ),
    "YAML syntax error": (
        """
        name: t
        months: 12
          seed: [
        """,
        ["line 3", "not valid YAML", "mapping values are not allowed here", "given:   seed: [", "allowed: YAML"],
    ),
    "TOML instead of YAML": (
        """
        [programme]
        wind_down = "end"
        """,
        ["line 2", "not valid YAML", 'given:   wind_down = "end"', "allowed: YAML"],
    ),
    "top level is a list": (
        """
        - name: t
        - months: 12
        """,
        [
            "line 1",
            "the top level is a list",
            'given:   [{"name": "t"}, {"months": 12}]',
            "allowed: a mapping of scenario keys",
        ],
    ),
    "key written twice": (
        """
        name: a
        months: 12
        name: b
        """,
        ["line 3", ": name", "written twice", "first on line 1", "allowed: each key once"],
    ),
    "shares that do not add up": (
        """
        population:
          initial_status: {unemployed: 0.5, employed_at_level: 0.1, employed_below_level: 0.1, training: 0.1, inactive: 0.1}
        """,
        [
            "line 2",
            "population.initial_status",
            "must add up to 1",
            '"unemployed": 0.5',
            "allowed: mapping of text to number",
        ],
    ),
    "sector shares that do not add up": (
        """
        name: t
        sectors:
          - {name: a, jobseeker_share: 0.5, mentor_share: 1, vacancy_share: 1}
          - {name: b, jobseeker_share: 0.4, mentor_share: 0, vacancy_share: 0}
        """,
        ["line 2", ": sectors", "sectors[*].jobseeker_share must add up to 1", '"jobseeker_share": 0.4'],
    ),
    "record value outside its range": (
        """
        months: {value: 300, unit: months, source: plan, range: [12, 240]}
        """,
        ["line 1", ": months", "outside the range documented", "given:   300", "allowed: a number from 12 to 240"],
    ),
    "record range reversed": (
        """
        name: t
        months: {value: 24, range: [240, 12]}
        """,
        [
            "line 2",
            ": months",
            "range of a record is reversed",
            "given:   [240, 12]",
            "allowed: [low, high] with low <= high",
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_message_names_file_line_path_given_and_allowed(tmp_path: Path, case: str) -> None:
    text, expected = BAD_FILES[case]
    message = error_text(write(tmp_path, "bad.yaml", text))
    assert "bad.yaml" in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_missing_scenario_file(tmp_path: Path) -> None:
    message = error_text(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml" in message
    assert "scenario file not found" in message
    assert "allowed: an existing YAML file" in message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "picture.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    message = error_text(path)
    assert "picture.yaml, line 1" in message
    assert "not a text file" in message


BAD_OVERRIDES = {
    "no '='": (
        "months",
        ["--set months", "must be written PATH=VALUE", "given:   months", "programme.matching.strategy=random"],
    ),
    "empty path": ("=3", ["--set =3", "PATH=VALUE"]),
    "unknown path": (
        "programme.matchng.strategy=random",
        [
            "--set programme.matchng.strategy=random: programme.matchng",
            "did you mean 'matching'?",
            '"strategy": "random"',
        ],
    ),
    "unknown leaf": (
        "programme.matching.strategie=random",
        ["--set programme.matching.strategie=random", "did you mean 'strategy'?", "allowed: one of the keys strategy"],
    ),
    "index out of range": (
        "funding.grants.5.end=2020-12",
        ["--set funding.grants.5.end=2020-12: funding.grants.5", "list of 2 item(s)", "given:   5", "from 0 to 1"],
    ),
    "path through a value": (
        "months.value.x=1",
        ["--set months.value.x=1: months.value", "months is a single value", "given:   60"],
    ),
    "bad value": ("months=ten", ["--set months=ten: months", 'given:   "ten"', "allowed: integer, >= 1, <= 1200"]),
    "extends": ("extends=other.yaml", ["--set extends=other.yaml: extends", "cannot be overridden"]),
    "value not YAML": ("months=[1", ["--set months=[1: months", "not valid YAML", "given:   [1"]),
}


@pytest.mark.parametrize("case", list(BAD_OVERRIDES))
def test_bad_override_message(tmp_path: Path, case: str) -> None:
    override, expected = BAD_OVERRIDES[case]
    message = error_text(write(tmp_path, "base.yaml", BASE), (override,))
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_all_errors_are_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "many.yaml",
        """
        months: ten
        seed: -1
        population: {size: 0, female_share: 2}
        programme: {matching: {strategy: best}, follow_up: {intensty: 1}}
        """,
    )
    message = error_text(path)
    assert message.startswith("Invalid scenario: 6 problems")
    for where in ["line 1: months", "line 2: seed", "line 3: population.size", "line 3: population.female_share"]:
        assert where in message
    assert "programme.matching.strategy" in message and "programme.follow_up.intensty" in message


def test_long_error_lists_are_cut(tmp_path: Path) -> None:
    keys = "\n".join(f"unknown_{i}: 1" for i in range(13))
    message = error_text(write(tmp_path, "many.yaml", keys))
    assert "13 problems" in message
    assert "unknown_9" in message and "unknown_10" not in message
    assert "... and 3 more" in message


def test_error_in_the_extended_file_names_that_file(tmp_path: Path) -> None:
    write(tmp_path, "common/base.yaml", "name: base\nmonths: twelve\n")
    child = write(tmp_path, "scenarios/child.yaml", "extends: ../common/base.yaml\nseed: 2\n")
    message = error_text(child)
    assert "base.yaml, line 2: months" in message


def test_error_points_to_the_overriding_file(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\nprogramme:\n  matching: {strategy: best}\n")
    assert "child.yaml, line 4: programme.matching.strategy" in error_text(child)


# --- extends -----------------------------------------------------------------------------------


def test_extends_override_wins_and_mappings_merge(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: base.yaml
        name: child
        months: 24
        programme:
          follow_up: {intensity: 0.2}
        """,
    )
    scenario = load_scenario(child)
    assert (scenario.name, scenario.months, scenario.start) == ("child", 24, "2015-01")
    assert scenario.programme.follow_up.intensity == 0.2
    assert scenario.programme.matching.strategy == "optimal"  # kept from the base: mappings are deep-merged
    assert scenario_files(scenario) == [child, tmp_path / "base.yaml"]
    assert scenario_path(scenario) == child


def test_extends_replaces_lists(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: base.yaml
        funding:
          grants:
            - {name: C, funder: regional, start: 2016-01, end: 2017-12}
        """,
    )
    grants = load_scenario(child).funding.grants
    assert [(g.name, g.amount_eur) for g in grants] == [("C", 0.0)]


def test_extends_chain_of_three_relative_to_each_file(tmp_path: Path) -> None:
    write(tmp_path, "a/base.yaml", BASE)
    write(tmp_path, "b/middle.yaml", "extends: ../a/base.yaml\nseed: 7\n")
    top = write(tmp_path, "top.yaml", "extends: b/middle.yaml\nname: top\n")
    scenario = load_scenario(top)
    assert (scenario.name, scenario.seed, scenario.months) == ("top", 7, 60)
    assert [p.name for p in scenario_files(scenario)] == ["top.yaml", "middle.yaml", "base.yaml"]


@pytest.mark.parametrize("files", [{"a.yaml": "a.yaml"}, {"a.yaml": "b.yaml", "b.yaml": "a.yaml"}])
def test_extends_cycle_is_detected(tmp_path: Path, files: dict[str, str]) -> None:
    for name, target in files.items():
        write(tmp_path, name, f"name: {name}\nextends: {target}\n")
    message = error_text(tmp_path / "a.yaml")
    assert "extends makes a cycle" in message
    assert "line 2: extends" in message


# --- parameter records ------------------------------------------------------------------------


RECORDS = """
    months: {value: 60, unit: months, source: "funding plan 2015", range: [12, 240]}
    funding:
      grants:
        - name: A
          funder: esf
          start: 2015-01
          end: 2019-12
          amount_eur: {value: 1400000, unit: EUR, source: "ESF decision", description: "first call"}
"""


def test_records_are_unwrapped_and_kept(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "records.yaml", RECORDS))
    assert scenario.months == 60
    assert scenario.funding.grants[0].amount_eur == 1_400_000
    records = parameter_records(scenario)
    assert records["months"] == {"value": 60, "unit": "months", "source": "funding plan 2015", "range": [12, 240]}
    assert records["funding.grants.0.amount_eur"]["source"] == "ESF decision"


def test_override_of_a_record_keeps_its_range(tmp_path: Path) -> None:
    path = write(tmp_path, "records.yaml", RECORDS)
    scenario = load_scenario(path, ["months=24"])
    assert scenario.months == 24
    assert parameter_records(scenario)["months"]["range"] == [12, 240]
    message = error_text(path, ("months=300",))
    assert "--set months=300: months" in message and "a number from 12 to 240" in message


def test_plain_value_over_a_record_in_an_extending_file_is_range_checked(tmp_path: Path) -> None:
    write(tmp_path, "records.yaml", RECORDS)
    child = write(tmp_path, "child.yaml", "extends: records.yaml\nmonths: 300\n")
    message = error_text(child)
    assert "child.yaml, line 2: months" in message
    assert "records.yaml, line 1" in message  # where the range is documented


def test_mapping_with_other_keys_is_not_a_record(tmp_path: Path) -> None:
    message = error_text(write(tmp_path, "bad.yaml", "months: {value: 12, note: x}\n"))
    assert "line 1: months" in message and "valid integer" in message


# --- --set overrides --------------------------------------------------------------------------


def test_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    overrides = [
        "programme.matching.strategy=random",
        "months=24",
        "funding.grants.1.end=2020-12",
        "programme.enabled=false",
    ]
    scenario = load_scenario(path, overrides)
    assert scenario.programme.matching.strategy == "random"
    assert scenario.months == 24
    assert scenario.funding.grants[1].end == "2020-12"
    assert scenario.programme.enabled is False
    assert scenario.programme.follow_up.intensity == 0.8  # untouched neighbours stay


def test_override_into_a_default_list(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "minimal.yaml", "name: minimal\n"), ["funding.grants.0.end=2016-12"])
    assert scenario.funding.grants[0].end == "2016-12"
    assert scenario.funding.grants[0].name == Scenario().funding.grants[0].name


def test_override_error_in_a_section_not_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "minimal.yaml", "name: minimal\n")
    message = error_text(path, ("population.initial_status.unemployed=0.6",))
    assert "--set population.initial_status.unemployed=0.6: population.initial_status" in message
    assert "must add up to 1" in message


# --- resolved YAML and hash --------------------------------------------------------------------


def test_resolved_yaml_round_trips_in_schema_order(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    scenario = load_scenario(write(tmp_path, "child.yaml", "extends: base.yaml\nseed: 3\n"))
    text = resolved_yaml(scenario)
    assert list(yaml.safe_load(text)) == [name for name in Scenario.model_fields if name != "extends"]
    again = load_scenario(write(tmp_path, "resolved.yaml", text))
    assert again.model_dump(exclude={"extends"}) == scenario.model_dump(exclude={"extends"})
    assert scenario_hash(again) == scenario_hash(scenario)


def test_hash_is_stable_and_sensitive(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    flat = write(tmp_path, "flat.yaml", textwrap.dedent(BASE) + "seed: 1\n")
    first = scenario_hash(load_scenario(base))
    assert len(first) == 64 and first == scenario_hash(load_scenario(base))
    assert scenario_hash(load_scenario(child)) == first  # same scenario, reached through extends
    assert scenario_hash(load_scenario(flat)) == first  # the default written out
    assert scenario_hash(load_scenario(base, ["seed=2"])) != first
    assert scenario_hash(load_scenario(base, ["programme.follow_up.intensity=0.81"])) != first
