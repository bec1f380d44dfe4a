"""mentorsim sensitivity: Sobol and Morris indices through the results store, on a tiny region.

The study varies one influential parameter (the job-finding rate drives employment 6 months after
leaving) and one inert one: the cost of training a mentor is paid from what the coaches leave of a
month's money (sim/organisation.py, Organisation.pay), so it changes costs but not a single
placement. Its indices for employment outcomes must be 0, and the job-finding rate's clearly not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.studies.experiments import (
    Sensitivity,
    base_scenario,
    experiments_at,
    load_study,
    parameter_space,
    points_from_unit,
)
from sim.studies.sensitivity import analyse, experiment_count, sample, stability_warnings

TINY = ("--set", "population.size=1000", "--set", "months=24")
INFLUENTIAL, INERT = "labour_market.job_finding_rate", "programme.staff.training_cost_per_mentor"
STUDY = f"""
name: tiny_gsa
base: {SCENARIOS / "base.yaml"}
levers:
  - {{path: {INERT}, range: [0, 2000]}}
uncertainties:
  - {{path: {INFLUENTIAL}, from_scenario: true}}
outcomes:
  - {{name: employed_6m_share, direction: maximise}}
  - {{name: cost_per_participant_eur, direction: minimise}}
sensitivity: {{method: sobol, samples: 32, seed: 3}}
replicates: 2
seed: 1
"""


def write(folder: Path, text: str = STUDY) -> Path:
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, ["sensitivity", *args, "--workers", "1", *TINY])


def indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "sensitivity.csv").set_index(["outcome", "parameter", "index"])


@pytest.fixture(scope="module")
def sobol(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    """The tiny study's Sobol analysis (N = 32: 128 experiments x 2 replicates), run once in this process."""
    folder = tmp_path_factory.mktemp("sobol")
    study = write(folder)
    result = invoke(str(study), "--out-dir", str(folder / "out"))
    assert result.exit_code == 0, result.output
    return study, folder / "out", result


def test_sobol_tells_the_influential_parameter_from_the_inert_one(sobol: tuple[Path, Path, object]) -> None:
    _, out, result = sobol
    table = indices(out)
    employed = table.loc["employed_6m_share"]
    assert employed.loc[(INFLUENTIAL, "ST"), "value"] > 0.5
    assert employed.loc[(INFLUENTIAL, "ST"), "conf_low"] > 0.2
    for index in ("S1", "ST"):
        inert = employed.loc[(INERT, index)]
        assert inert["conf_low"] <= 0 <= inert["conf_high"] and abs(inert["value"]) < 1e-9, inert
    cost = table.loc["cost_per_participant_eur"]  # the training cost is a cost: not inert here
    assert cost.loc[(INERT, "ST"), "value"] > 0
    assert "Sobol indices" in result.stdout and INFLUENTIAL in result.stdout
    assert (out / "sobol.png").read_bytes()[:4] == b"\x89PNG"
    runs = pd.read_parquet(out / "experiments.parquet")
    assert len(runs) == 32 * (2 + 2) * 2 and set(runs["seed"]) == {1, 2}
    assert all(list(seeds) == [1, 2] for _, seeds in runs.groupby("experiment")["seed"])  # the same seeds everywhere


def test_small_sample_is_warned_about_on_stderr_and_in_the_json(sobol: tuple[Path, Path, object]) -> None:
    _, out, result = sobol
    summary = json.loads((out / "sensitivity.json").read_text())
    assert summary["settings"]["samples"] == 32 and summary["experiments"] == 128
    assert any("N = 32 < 512" in w for w in summary["warnings"])
    assert "Warning: Sobol with N = 32 < 512" in result.stderr
    assert summary["analysed"] == ["employed_6m_share", "cost_per_participant_eur"]


def test_second_invocation_reuses_the_runs_and_writes_the_same_csv(sobol: tuple[Path, Path, object]) -> None:
    study, out, _ = sobol
    before = (out / "sensitivity.csv").read_bytes()
    again = invoke(str(study), "--out-dir", str(out))
    assert again.exit_code == 0, again.output
    assert "256 runs: 256 done (256 from earlier), 0 failed" in again.stdout
    assert (out / "sensitivity.csv").read_bytes() == before


def test_same_seed_same_sample_and_same_indices(sobol: tuple[Path, Path, object]) -> None:
    """The sample is fixed by its seed, and the bootstrap intervals by a fixed seed of their own."""
    study, out, _ = sobol
    names = [INERT, INFLUENTIAL]
    settings = Sensitivity(samples=32, seed=3)
    unit = sample(settings, names)
    assert np.array_equal(unit, sample(settings, names))
    assert not np.array_equal(unit, sample(Sensitivity(samples=32, seed=4), names))
    runs = pd.read_parquet(out / "experiments.parquet")
    spec = load_study(study)
    first = analyse(runs, unit, names, settings, ["employed_6m_share"]).indices
    pd.testing.assert_frame_equal(first, analyse(runs, unit, names, settings, ["employed_6m_share"]).indices)
    assert np.allclose(first["value"], indices(out).loc["employed_6m_share"]["value"].to_numpy())
    assert spec.sensitivity.seed == 3


def test_morris_ranks_the_influential_parameter_first_and_warns_on_few_trajectories(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(str(write(tmp_path)), "--method", "morris", "--samples", "4", "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    employed = indices(out).loc["employed_6m_share"]
    assert employed.loc[(INFLUENTIAL, "mu_star"), "value"] > 0.05
    assert employed.loc[(INERT, "mu_star"), "value"] == 0 and employed.loc[(INERT, "sigma"), "value"] == 0
    assert len(pd.read_parquet(out / "experiments.parquet")) == 4 * (2 + 1) * 2
    assert "Morris with 4 trajectories < 10" in result.stderr
    assert json.loads((out / "sensitivity.json").read_text())["settings"]["trajectories"] == 4
    assert (out / "morris.png").read_bytes()[:4] == b"\x89PNG"


def test_nan_outcomes_are_imputed_per_point_or_the_outcome_is_left_out() -> None:
    """Two points x two replicates: a NaN replicate is ignored; a point with no value drops the outcome."""
    unit = sample(Sensitivity(method="morris", trajectories=2), ["a"])  # 4 points
    table = pd.DataFrame(
        {
            "experiment": np.repeat(range(4), 2),
            "partly": [1.0, np.nan, 2.0, 2.0, 3.0, 5.0, 1.0, 1.0],
            "empty": [1.0, 2.0, np.nan, np.nan, 3.0, 4.0, 1.0, 1.0],
            "flat": 7.0,
        }
    )
    result = analyse(table, unit, ["a"], Sensitivity(method="morris", trajectories=2), ["partly", "empty", "flat"])
    assert set(result.indices["outcome"]) == {"partly"}
    assert any("partly: 1 run values are NaN" in n for n in result.notes)
    assert any("empty: not analysed, 1 of 4 points have no value" in n for n in result.notes)
    assert any("flat: not analysed, it does not vary" in n for n in result.notes)


def test_stability_rule_flags_wide_intervals() -> None:
    rows = [["y", "a", "S1", 0.5, 0.3, 0.2, 0.8], ["y", "a", "ST", 0.6, 0.05, 0.55, 0.65]]
    table = pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf", "conf_low", "conf_high"])
    assert stability_warnings(table, Sensitivity(samples=512)) == [
        "y: confidence intervals wider than the rule allows for S1(a)"
    ]
    assert stability_warnings(table.assign(conf=0.01), Sensitivity(samples=1024)) == []


def test_discrete_parameters_map_to_their_values_and_integers_stay_integers(tmp_path: Path) -> None:
    text = STUDY.replace(
        "outcomes:",
        "  - {path: programme.matching.strategy, values: [random, sector_only, optimal]}\n"
        "  - {path: programme.max_wait_months, range: [3, 12]}\noutcomes:",
    )
    study = load_study(path := write(tmp_path, text))
    base = base_scenario(study, path)
    unit = np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5]])
    points = points_from_unit(study, base, unit)
    assert [p["programme.matching.strategy"] for p in points] == ["random", "optimal", "sector_only"]
    assert [p["programme.max_wait_months"] for p in points] == [3, 12, 8]
    assert all(isinstance(p["programme.max_wait_months"], int) for p in points)
    assert [p[INFLUENTIAL] for p in points] == [0.035, 0.09, 0.0625]


@pytest.mark.parametrize("name", ["programme_levers", "sensitivity"])
def test_shipped_studies_give_valid_morris_and_sobol_samples(name: str) -> None:
    """Every Morris point of the shipped studies (the grid includes both ends of every range) is a valid scenario."""
    path = SCENARIOS / "studies" / f"{name}.yaml"
    study = load_study(path)
    base = base_scenario(study, path)
    names = list(parameter_space(study, base))
    settings = Sensitivity(method="morris")
    unit = sample(settings, names)
    experiments = experiments_at(study, path, points_from_unit(study, base, unit))
    assert len(experiments) == experiment_count(settings, len(names)) == 20 * (len(names) + 1)
    for p in study.parameters:
        if p.values is not None:
            assert {e.values[p.path] for e in experiments} == set(p.values), p.path
    sobol = sample(study.sensitivity, names)
    assert len(sobol) == experiment_count(study.sensitivity, len(names))


def test_bad_settings_exit_2_with_a_clear_message_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    bad = invoke(str(write(tmp_path)), "--samples", "100", "--out-dir", str(out))
    assert bad.exit_code == 2
    assert "Invalid study" in bad.stderr and "--samples: sensitivity.samples" in bad.stderr
    assert "power of 2" in bad.stderr and "e.g. 128" in bad.stderr
    typo = write(tmp_path, STUDY.replace("method: sobol", "method: sobl"))
    result = invoke(str(typo), "--out-dir", str(out))
    assert result.exit_code == 2 and f"{typo}, line 11: sensitivity.method" in result.stderr
    designs = invoke(str(SCENARIOS / "studies" / "funding_designs.yaml"), "--out-dir", str(out))
    assert designs.exit_code == 2 and "needs a study of kind sweep" in designs.stderr
    assert not out.exists()


def test_command_line_refuses_odd_morris_levels(tmp_path: Path) -> None:
    """The real executable: a bad value in the study file is reported with file and line, exit status 2."""
    study = write(tmp_path, STUDY.replace("seed: 3}", "seed: 3, levels: 5}"))
    mentorsim = str(Path(sys.executable).parent / "mentorsim")
    args = [mentorsim, "sensitivity", str(study), "--method", "morris"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "levels must be even" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.yaml"]  # no results/ folder
