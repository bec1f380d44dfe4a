"""The reporting layer (issue 12: 3): a figure counted as the programme counted it, and ``mentorsim check``'s
exit status with known misses (issue 12: 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import SCENARIOS
from typer.testing import CliRunner

from sim.cli import app
from sim.model.model import MentoringModel
from sim.model.reporting import reported_share, respondents_share
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Counting
from sim.studies.validation import load_checked

SMALL = ("population.size=2000", "months=36", "labour_market.burn_in_months=36")
SEEDS = range(1, 5)


@pytest.fixture(scope="module")
def runs() -> list[tuple[MentoringModel, int]]:
    """Base runs on common seeds: each counting rule is applied to the same people (paired by construction)."""
    sc = load_scenario(SCENARIOS / "base.yaml", SMALL)
    return [(MentoringModel(sc, seed=s, agents=False).run(), sc.months) for s in SEEDS]


def _shares(runs: list[tuple[MentoringModel, int]], rule: Counting) -> np.ndarray:
    return np.array([reported_share(m.people, m.checks, rule, horizon) for m, horizon in runs])


def test_survey_respondents_report_more_than_all_participants(runs: list[tuple[MentoringModel, int]]) -> None:
    """Non-response not balanced (CETA: odds ratio 2.56): respondents' share above all participants' (each seed)."""
    everyone = _shares(runs, Counting())
    survey = _shares(runs, Counting(survey=True, response_rate=0.5))
    wales = _shares(runs, Counting(survey=True, response_rate=0.25))
    print(f"all {everyone.round(3)}, survey 50 % {survey.round(3)}, survey 25 % {wales.round(3)}")
    assert np.all(survey > everyone) and np.all(wales > survey)


def test_completers_report_more_than_those_who_started(runs: list[tuple[MentoringModel, int]]) -> None:
    """Counting only the pairs that ran to term raises the positive share above that of all started pairs.

    Completers are not above *all* participants in the model: all participants include those who left the
    waiting list because they found a job (positive at exit), so that direction is not asserted.
    """
    started = _shares(runs, Counting(denominator="started"))
    completed = _shares(runs, Counting(denominator="completed"))
    everyone = _shares(runs, Counting())
    print(f"started {started.round(3)}, completed {completed.round(3)}, all {everyone.round(3)}")
    assert np.all(completed > started)


def test_any_time_within_a_window_counts_at_least_the_snapshot(runs: list[tuple[MentoringModel, int]]) -> None:
    """In work at any time within 12 months of acceptance >= in work at 12 months, strictly on average."""
    snapshot = _shares(runs, Counting(moment="after_start", months=12, counts=["job"]))
    window = _shares(runs, Counting(moment="within_after_start", months=12, counts=["job"]))
    print(f"at 12 months {snapshot.round(3)}, within 12 months {window.round(3)}")
    assert np.all(window >= snapshot) and window.mean() > snapshot.mean()


def test_counting_training_adds_to_jobs(runs: list[tuple[MentoringModel, int]]) -> None:
    jobs = _shares(runs, Counting(counts=["job"]))
    positive = _shares(runs, Counting(counts=["job", "internship"]))
    at_level = _shares(runs, Counting(counts=["job_at_level"]))
    assert np.all(positive >= jobs) and np.all(at_level <= jobs) and positive.mean() > jobs.mean()


def test_response_model() -> None:
    """Balanced response changes nothing; more selective response (lower rate, higher odds ratio) reports more."""
    assert respondents_share(0.3, 0.5, 1.0) == 0.3
    assert respondents_share(0.3, 0.999999, 2.56) == pytest.approx(0.3, abs=1e-3)
    assert (
        0.3 < respondents_share(0.3, 0.8, 2.56) < respondents_share(0.3, 0.5, 2.56) < respondents_share(0.3, 0.25, 2.56)
    )
    assert respondents_share(0.3, 0.5, 2.56) < respondents_share(0.3, 0.5, 4.0)
    # CETA 1978: respondents 75 % vs non-respondents 54 % employed; at a 50 % response the true share is 64.5 %
    assert respondents_share(0.645, 0.5, 2.56) == pytest.approx(0.75, abs=0.005)


def test_outputs_carry_the_reported_figure_next_to_the_gross(tmp_path: Path) -> None:
    """A run's outcomes: reported_share (the scenario's rule), the same outcome over all, and their gap."""
    from sim.replicates import run_replicate

    sc = load_scenario(SCENARIOS / "base.yaml", [*SMALL, "reporting.survey=true"])
    _, out = run_replicate(sc, 1)
    assert out["reported_share"] > out["reported_share_all_participants"] > 0
    assert out["reporting_gap"] == pytest.approx(out["reported_share"] - out["reported_share_all_participants"])
    assert out["reported_share_all_participants"] == pytest.approx(out["positive_outcome_share"])


@pytest.mark.parametrize(
    ("counting", "outcome", "message"),
    [
        ({"moment": "after_exit", "months": 3}, "reported_share", "recorded at months 0, 6 only"),
        ({"moment": "within_after_exit"}, "reported_share", "needs a window"),
        ({"counts": ["job_in_sector"]}, "reported_share", "counts"),
        ({"denominator": "respondents"}, "reported_share", "denominator"),
        ({"counts": ["job"]}, "employed_end_share", "counting applies to outcome 'reported_share'"),
    ],
)
def test_bad_counting_rules_are_refused_clearly(counting: dict, outcome: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    target = {"outcome": outcome, "reported": 0.5, "source": "x", "counting": counting}
    path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "base.yaml"), "name": "bad", "targets": [target]}))
    with pytest.raises(ScenarioError) as err:
        load_checked(path)
    assert "bad.yaml, line " in str(err.value) and message in str(err.value), str(err.value)


CHECKED = """\
extends: {base}
name: checked
months: 12
population:
  size: 1000
labour_market:
  burn_in_months: 12
targets:
  - outcome: enrolled
    reported: {reported}
    tolerance: 1
    source: test
{known}"""


@pytest.mark.parametrize(
    ("reported", "known", "code", "result"),
    [
        (1e6, "", 1, "FAIL"),  # a miss without a reason: check fails
        (1e6, "    known_miss: the test's reason, with numbers\n", 0, "known miss"),  # an explained miss
    ],
)
def test_check_exits_non_zero_on_an_unexplained_miss(
    reported: float, known: str, code: int, result: str, tmp_path: Path
) -> None:
    (tmp_path / "checked.yaml").write_text(CHECKED.format(base=SCENARIOS / "base.yaml", reported=reported, known=known))
    out = CliRunner().invoke(app, ["check", "--root", str(tmp_path), "--replicates", "1"])
    assert out.exit_code == code, out.output
    assert result in out.output


def test_check_passes_when_every_target_is_met(tmp_path: Path) -> None:
    text = CHECKED.format(base=SCENARIOS / "base.yaml", reported=0, known="").replace("tolerance: 1", "tolerance: 1e6")
    (tmp_path / "checked.yaml").write_text(text)
    out = CliRunner().invoke(app, ["check", "--root", str(tmp_path), "--replicates", "1"])
    assert out.exit_code == 0 and "1 of 1 targets within tolerance" in out.output, out.output
