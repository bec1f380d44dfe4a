"""One shared parameter set (issue 12: 4, 5): the mechanisms file, the joint fit and leave-one-out."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario.loader import load_scenario
from sim.scenario.paths import flatten, value_at
from sim.studies.calibration import CalibrationError
from sim.studies.joint import (
    MECHANISMS,
    Study,
    fit,
    load_trials,
    loo_choice,
    set_record_values,
    shared_parameters,
    signed_error,
    study_group,
    write_fit,
)

FRIEND = SCENARIOS / "evidence" / "start_with_a_friend_2022.yaml"
SWEDEN = SCENARIOS / "evidence" / "mansson_delander_2017_sweden.yaml"


def _leaves(path: Path) -> set[str]:
    """Dotted parameter paths a YAML file writes (a record counts once)."""
    keys = set()
    for key in flatten(yaml.safe_load(path.read_text()) or {}):
        parts = key.split(".")
        if parts[-1] in {"value", "unit", "source", "range", "description"}:
            parts = parts[:-1]
        keys.add(".".join(parts))
    return keys


def test_every_shared_parameter_has_a_sourced_prior_range() -> None:
    params = shared_parameters(MECHANISMS)
    assert len(params) >= 8
    raw = yaml.safe_load(MECHANISMS.read_text())
    for p in params:
        node = raw
        for part in p.path.split("."):
            node = node[part]
        assert node["source"] and p.low < p.high, p.path
        assert p.low <= float(node["value"]) <= p.high, p.path


def test_every_scenario_runs_on_the_shared_parameters() -> None:
    """base.yaml extends the mechanisms file, so a programme gets its values; no other scenario file sets one."""
    shared = {p.path for p in shared_parameters(MECHANISMS)}
    programme = load_scenario(SCENARIOS / "programmes" / "mentoru.yaml")
    mechanisms = load_scenario(MECHANISMS)
    for path in shared:
        assert value_at(programme, path) == value_at(mechanisms, path)
    files = [p for p in SCENARIOS.rglob("*.yaml") if p.parent.name not in ("shared", "studies")]
    setting = {p.name: sorted(_leaves(p) & shared) for p in files}
    assert not {k: v for k, v in setting.items() if v}, "scenario files overriding a shared parameter"


def test_study_group_joins_subgroups_of_one_study() -> None:
    assert study_group("battisti_2019_low_educated") == study_group("battisti_2019_job_matching") == "battisti_2019"
    assert study_group("start_with_a_friend_2022") == "start_with_a_friend_2022"
    assert study_group("mentoru") == "mentoru"


def test_set_record_values_changes_only_the_values() -> None:
    text = MECHANISMS.read_text()
    new = set_record_values(
        text, {"labour_market.careers.knowledge_decay": 0.0123, "labour_market.referral_per_tie": 0.5}
    )
    changed = [(a, b) for a, b in zip(text.split("\n"), new.split("\n"), strict=True) if a != b]
    assert len(changed) == 2
    assert all(
        a.replace(a.split("value: ")[1].split(",")[0], "") == b.replace(b.split("value: ")[1].split(",")[0], "")
        for a, b in changed
    )
    data = yaml.safe_load(new)
    assert data["labour_market"]["careers"]["knowledge_decay"]["value"] == 0.0123
    with pytest.raises(CalibrationError, match="not found"):
        set_record_values(text, {"labour_market.no_such_thing": 1.0})


def test_the_left_out_refit_ignores_the_left_out_study() -> None:
    """Trial 1 fits b best and trial 2 fits a best: leaving a out picks the trial best for b, and vice versa."""
    studies = [Study(Path("a.yaml"), "a", "a", ("x",), (0,)), Study(Path("b.yaml"), "b", "b", ("y",), (0,))]
    design = pd.DataFrame({"trial": [0, 1, 2], "d: a": [5.0, 9.0, 0.1], "d: b": [5.0, 0.2, 9.0]})
    assert loo_choice(design, studies, "a")["trial"] == 1
    assert loo_choice(design, studies, "b")["trial"] == 2
    with pytest.raises(CalibrationError):
        loo_choice(design, studies[:1], "a")


def test_errors_read_a_lower_bound_as_met_above_it() -> None:
    assert signed_error("at_least", 0.04, 0.10) == 0.0
    assert signed_error("at_least", 0.04, 0.01) == pytest.approx(-0.03)
    assert signed_error("about", 0.39, 0.30) == pytest.approx(-0.09)


@pytest.fixture(scope="module")
def tiny_fit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A 3-trial fit on two cheap evidence scenarios (Start with a Friend, Sweden), one replicate, in this process."""
    folder = tmp_path_factory.mktemp("joint")
    root = folder / "root"
    root.mkdir()
    for source in (FRIEND, SWEDEN):
        (root / source.name).write_text(source.read_text().replace("extends: ../", f"extends: {SCENARIOS}/"))
    mechanisms = folder / "mechanisms.yaml"
    shutil.copy(MECHANISMS, mechanisms)
    return mechanisms, fit(root, mechanisms, design=2, refine=1, replicates=1, workers=1)


def test_a_joint_fit_keeps_the_values_before_as_its_first_trial_and_picks_the_best(tiny_fit) -> None:
    mechanisms, result = tiny_fit
    trials = result.trials
    assert list(trials["phase"]) == ["design", "design", "design", "refine"]
    start = load_scenario(MECHANISMS)
    for p in result.parameters:
        assert trials.loc[0, p.path] == pytest.approx(value_at(start, p.path))
        assert p.low <= result.values[p.path] <= p.high
    assert result.best["distance"] == trials["distance"].min() <= trials.loc[0, "distance"]
    assert np.isfinite(trials.filter(like="start_with_a_friend_2022 | ").to_numpy()).all()


def test_writing_a_fit_changes_only_values_and_the_fit_block(tiny_fit) -> None:
    mechanisms, result = tiny_fit
    before = mechanisms.read_text()
    written, trials_csv = write_fit(result, mechanisms)
    after = written.read_text()
    assert "# Fitted by `mentorsim calibrate --joint`" in after
    fitted = load_scenario(written)
    for path, value in result.values.items():
        assert value_at(fitted, path) == pytest.approx(value, rel=1e-3)
    body = lambda t: [line for line in t.split("\n") if not line.startswith("#")]  # noqa: E731
    assert len(body(before)) == len(body(after))
    assert len(load_trials(mechanisms)) == len(result.trials) == len(pd.read_csv(trials_csv))


def test_check_leave_one_out_predicts_each_study_from_the_others(tiny_fit) -> None:
    """After a joint fit, check --leave-one-out prints in-sample and left-out errors for every outcome target."""
    mechanisms, result = tiny_fit
    write_fit(result, mechanisms)
    root = mechanisms.parent / "root"
    args = ["check", "--root", str(root), "--replicates", "1", "--leave-one-out", "--mechanisms", str(mechanisms)]
    out = CliRunner().invoke(app, args)
    assert out.exit_code in (0, 1), out.output  # 1: a target missed (one replicate); never a crash or a refusal
    assert "in-sample vs left out" in out.output
    assert "left out: " in out.output and "of 4 outcome targets within 15 pp" in out.output


def test_cli_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["calibrate", "--joint", str(FRIEND)])
    assert both.exit_code == 2 and "give no scenario file" in both.output
    neither = runner.invoke(app, ["calibrate"])
    assert neither.exit_code == 2 and "--joint" in neither.output
    lonely = tmp_path / "mechanisms.yaml"
    shutil.copy(MECHANISMS, lonely)
    with pytest.raises(CalibrationError, match="calibrate --joint"):
        load_trials(lonely)
