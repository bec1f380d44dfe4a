"""mentorsim discover: PRIM boxes on the table of a study folder.

Synthetic folders (a table written as a sweep writes it, outcome known by construction) check that
PRIM finds the rule; one real sweep on a tiny region checks the whole path from runs to boxes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app


def study_folder(folder: Path, outcome: str = "a_rule") -> Path:
    """A study folder of 300 experiments x 2 replicates; ``out`` is low exactly when a < 0.3 (or c == 'x')."""
    rng = np.random.default_rng(7)
    n = 300
    x = pd.DataFrame(
        {
            "p.a": rng.uniform(0, 1, n),
            "p.b": rng.uniform(10, 20, n),
            "p.c": rng.choice(["x", "y", "z"], n),
            "p.flag": rng.choice([False, True], n),
            "p.k": rng.integers(1, 6, n),
        }
    )
    low = x["p.a"] < 0.3 if outcome == "a_rule" else x["p.c"] == "x"
    rows = []
    for i, row in x.iterrows():
        for r in range(2):
            value = (1.0 if low[i] else 10.0) + rng.normal(0, 0.5)
            rows.append({"experiment": i, **row, "replicate": r, "seed": 1 + r, "run_key": f"{i}-{r}", "out": value})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "experiments.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps({"study": "synthetic"}))
    return folder


def discover(*args: str) -> object:
    return CliRunner().invoke(app, ["discover", *args])


def boxes(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "boxes.csv").set_index("parameter")


def answer(study: Path, side: str = "below", value: str = "5") -> Path:
    """Where discover writes its answer to ``out < 5`` (or ``> 5``) by default."""
    return study / f"discover-out-{side}-{value}"


def test_box_restricts_the_parameter_below_which_the_outcome_is_low(tmp_path: Path) -> None:
    folder = study_folder(tmp_path / "study")
    result = discover(str(folder), "--outcome", "out", "--below", "5")
    assert result.exit_code == 0, result.output
    found = boxes(answer(folder))
    assert "p.a" in found.index
    a = found.loc["p.a"]  # the widest box with density >= 0.8: a little past 0.3, all the cases in it
    assert a["kind"] == "numeric" and 0.3 <= a["high"] <= 0.4 and a["qp_high"] < 0.01
    assert a["density"] >= 0.8 and a["coverage"] >= 0.95
    assert "Box 1: out < 5" in result.stdout and "coverage" in result.stdout and "p.a" in result.stdout
    trajectory = pd.read_csv(answer(folder) / "peeling.csv")
    assert trajectory["chosen"].sum() == 1 and {"coverage", "density", "res_dim"} <= set(trajectory.columns)
    assert (answer(folder) / "peeling.png").read_bytes()[:4] == b"\x89PNG"
    assert (answer(folder) / "box_limits.png").read_bytes()[:4] == b"\x89PNG"


def test_above_finds_the_complementary_box(tmp_path: Path) -> None:
    folder = study_folder(tmp_path / "study")
    result = discover(str(folder), "--outcome", "out", "--above", "5", "--min-density", "0.99")
    assert result.exit_code == 0, result.output
    a = boxes(answer(folder, "above")).loc["p.a"]  # a pure box: it starts at the rule's 0.3
    assert 0.28 <= a["low"] <= 0.32 and a["density"] >= 0.99


def test_categorical_rule_is_found_as_a_set_of_values(tmp_path: Path) -> None:
    folder = study_folder(tmp_path / "study", outcome="c_rule")
    result = discover(str(folder), "--outcome", "out", "--below", "5")
    assert result.exit_code == 0, result.output
    c = boxes(answer(folder)).loc["p.c"]
    assert c["kind"] == "categorical" and c["values"] == "x" and c["density"] >= 0.8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "outt", "--below", "5"], "unknown outcome 'outt'; did you mean out?"),
        (["--outcome", "out", "--below", "-1"], "no experiment has out < -1: no cases of interest"),
        (["--outcome", "out", "--below", "100"], "every experiment has out < 100"),
        (["--outcome", "out"], "give exactly one of --below X or --above X"),
        (["--outcome", "out", "--below", "1", "--above", "2"], "give exactly one of --below X or --above X"),
    ],
)
def test_bad_requests_exit_2_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    folder = study_folder(tmp_path / "study")
    result = discover(str(folder), *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["experiments.parquet", "manifest.json"]


def test_another_question_does_not_overwrite_the_first_answer(tmp_path: Path) -> None:
    folder = study_folder(tmp_path / "study")
    assert discover(str(folder), "--outcome", "out", "--below", "5").exit_code == 0
    first = (answer(folder) / "boxes.csv").read_bytes()
    assert discover(str(folder), "--outcome", "out", "--above", "5").exit_code == 0
    assert (answer(folder) / "boxes.csv").read_bytes() == first
    assert (answer(folder, "above") / "boxes.csv").exists()


def test_a_folder_that_is_not_a_study_folder_is_refused(tmp_path: Path) -> None:
    result = discover(str(tmp_path), "--outcome", "net_placements", "--below", "5")
    assert result.exit_code == 2 and "is not a study folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_real_sweep_low_employment_is_explained_by_the_job_finding_rate(tmp_path: Path) -> None:
    """A tiny Latin-hypercube sweep; experiments below the median employment share have low job-finding rates."""
    study = tmp_path / "study.yaml"
    study.write_text(
        f"""
name: tiny_discovery
base: {SCENARIOS / "base.yaml"}
levers:
  - {{path: programme.staff.training_cost_per_mentor, range: [0, 2000]}}
  - {{path: programme.guidelines.network_opening, values: [false, true]}}
uncertainties:
  - {{path: labour_market.job_finding_rate, from_scenario: true}}
outcomes:
  - {{name: employed_6m_share, direction: maximise}}
design: {{method: lhs, samples: 30, seed: 2}}
replicates: 1
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    tiny = ["--set", "population.size=1000", "--set", "months=24"]
    swept = CliRunner().invoke(app, ["sweep", str(study), "--workers", "1", "--out-dir", str(out), *tiny])
    assert swept.exit_code == 0, swept.output
    median = float(pd.read_parquet(out / "experiments.parquet")["employed_6m_share"].median())
    result = discover(str(out), "--outcome", "employed_6m_share", "--below", f"{median}", "--min-density", "0.7")
    assert result.exit_code == 0, result.output
    (written,) = out.glob("discover-employed_6m_share-below-*")  # named for the question
    found = boxes(written)
    assert "labour_market.job_finding_rate" in found.index
    assert found.loc["labour_market.job_finding_rate", "high"] < 0.08  # the upper part of [0.035, 0.09] is left out
    assert found.loc["labour_market.job_finding_rate", "qp"] < 0.05  # a significant restriction
    # inert for employment: PRIM may peel it by chance, but never as a significant restriction (quasi-p-value)
    inert = "programme.staff.training_cost_per_mentor"
    assert inert not in found.index or found.loc[inert, "qp"] > 0.1, found
