"""``mentorsim report``: one self-contained HTML file with the run's numbers, sources, figures and a baseline diff."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import load_scenario, run, write_run
from sim.cli import app
from sim.outputs.vocabulary import format_value
from sim.scenario.schema import parameter_records

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
# Small and fast; the grant ends inside the horizon so the report shows a funding cliff.
SMALL = ["population.size=1500", "months=36", "funding.grants.0.end=2015-06"]
CHANGED = "programme.follow_up.intensity=0.9"  # base has 0.5


def write_small_run(folder: Path, overrides: list[str]) -> Path:
    """Run base.yaml with ``overrides`` (3 replicates) and write the run folder."""
    result = run(load_scenario(BASE, overrides), replicates=3)
    now = datetime.now().astimezone()
    return write_run(result, folder, "test", now, now, overrides)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A baseline run, a run with one lever changed, and the report of the latter against the former."""
    root = tmp_path_factory.mktemp("report")
    baseline = write_small_run(root / "baseline", SMALL)
    variant = write_small_run(root / "variant", [*SMALL, CHANGED])
    out = root / "mail" / "report.html"
    result = CliRunner().invoke(app, ["report", str(variant), "--baseline", str(baseline), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Report written to {out}" in result.output
    return baseline, variant, out.read_text(encoding="utf-8")


def text_of(page: str) -> str:
    """The visible text: tags removed, entities unescaped, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def test_report_states_what_was_run_and_the_outcomes_of_summary_csv(runs: tuple[Path, Path, str]) -> None:
    _, variant, page = runs
    text = text_of(page)
    summary = pd.read_csv(variant / "summary.csv").set_index("outcome")
    gross, net = summary.loc["employed_6m_share"] * 100, summary.loc["net_effect_employed_6m"] * 100
    assert "base" in text and "3 (seeds 1 to 3)" in text
    assert f"Of the {format_value('enrolled', summary.at['enrolled', 'mean'])} participants" in text
    assert (
        f"{gross['mean']:.1f} % ({gross['p05']:.1f} % to {gross['p95']:.1f} %) were in work 6 months after leaving"
        in text
    )
    assert f"a net effect of {net['mean']:+.1f} pp ({net['p05']:+.1f} pp to {net['p95']:+.1f} pp)" in text
    assert f"EUR {summary.at['cost_per_participant_eur', 'mean']:,.0f} per participant" in text
    assert "ESF 2014-2020 ends 2015-06" in text  # the funding cliff
    assert "Intervals from 3 replicates are rough" in text  # fewer than 5 replicates


def test_report_lists_documented_parameters_with_their_sources(runs: tuple[Path, Path, str]) -> None:
    text = text_of(runs[2])
    records = parameter_records(load_scenario(BASE, [*SMALL, CHANGED]))
    assert records
    for path, record in records.items():
        assert path in text
        assert re.sub(r"\s+", " ", record["source"]) in text


def test_report_is_self_contained(runs: tuple[Path, Path, str]) -> None:
    page = runs[2]
    assert page.count('src="data:image/png;base64,') == 4
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page and "<link" not in page
    assert not [p for p in Path(runs[1]).parent.rglob(".*partial*")]  # written atomically, nothing left over


def test_report_against_baseline_lists_the_changed_parameter(runs: tuple[Path, Path, str]) -> None:
    text = text_of(runs[2])
    diff = text[text.index("Against the baseline") :]
    assert "Programme, follow up: intensity programme.follow_up.intensity 0.5 0.9" in diff  # in words, then the path
    assert "population.size" not in diff.split("Outcome differences")[0]  # equal in both runs
    assert "same 3 seeds" in diff and "Outcome differences" in diff
    assert "95 % t interval of the mean paired difference" in diff


def test_report_states_the_comparison_first(runs: tuple[Path, Path, str]) -> None:
    text = text_of(runs[2])
    first = text[text.index("Compared with base") :]
    assert text.index("Compared with base") < text.index("participants (mean of")  # before the run's own findings
    assert first.startswith(
        "Compared with base, changing programme, follow up: intensity 0.5 \u2192 0.9, base changes net placements by"
    )
    assert text.index("Against the baseline") < text.index("What was run")  # the comparison is not the last section


def test_report_differences_are_computed_as_compare_computes_them(runs: tuple[Path, Path, str]) -> None:
    """The same paired differences and t intervals as ``mentorsim compare`` (one function, no second copy)."""
    from sim.outputs.report import compare_runs
    from sim.outputs.run_folder import read_run
    from sim.outputs.vocabulary import format_difference, format_range
    from sim.studies.experiments import paired_differences as used_by_compare

    baseline, variant, _ = (read_run(p) if isinstance(p, Path) else p for p in runs)
    table = pd.concat([baseline.outcomes.assign(s="a"), variant.outcomes.assign(s="b")], ignore_index=True)
    expected = used_by_compare(table, "s", "a", ["net_placements"]).iloc[0]
    row = next(r for r in compare_runs(variant, baseline)["outcomes"] if r["outcome"] == "net_placements")
    assert row["difference"] == format_difference("net_placements", expected["difference"])
    assert row["interval"] == format_range("net_placements", expected["low"], expected["high"], difference=True)
    half = expected["high"] - expected["difference"]
    diffs = variant.outcomes["net_placements"] - baseline.outcomes["net_placements"]
    assert half == pytest.approx(4.302653 * diffs.std(ddof=1) / 3**0.5, rel=1e-5)  # t(0.975, 2 df): not percentiles


def test_only_what_a_person_set_is_listed(tmp_path: Path) -> None:
    from sim.outputs.changes import differences, set_paths

    mine = tmp_path / "my.yaml"
    mine.write_text(f"extends: {BASE}\nname: mine\nprogramme:\n  matching: {{strategy: random}}\n")
    paths = set_paths(mine, ["population.size=1500"])
    assert paths == ["programme.matching.strategy", "population.size"]
    this = load_scenario(mine, ["population.size=1500"]).model_dump(mode="json")
    rows = differences(this, load_scenario(BASE).model_dump(mode="json"), paths)
    assert [r["path"] for r in rows] == ["population.size", "programme.matching.strategy"] or [
        r["path"] for r in rows
    ] == ["programme.matching.strategy", "population.size"]
    assert all(r["words"] and r["meaning"] for r in rows)


def test_report_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("outcome,mean\n")
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a run folder" in result.output and "manifest.json" in result.output
    assert not (tmp_path / "report.html").exists()


def test_report_shows_what_the_programme_would_report_with_the_clis_numbers(tmp_path: Path) -> None:
    """A programme with a reporting rule (MentorU counts over those who finished): the report shows the share it
    would report, the same outcome over all participants and the gap, as ``mentorsim run`` prints them."""
    scenario = BASE.parent / "programmes" / "mentoru.yaml"
    folder = tmp_path / "mentoru"
    done = CliRunner().invoke(app, ["run", str(scenario), "--replicates", "2", "--out-dir", str(folder)])
    assert done.exit_code == 0, done.output
    printed = {}
    for name in ("reported_share", "reported_share_all_participants", "reporting_gap"):
        line = next(line for line in done.stdout.splitlines() if re.search(rf"\b{name}\s", line))
        printed[name] = [cell.strip() for cell in re.split(r"[│|]", line) if cell.strip()][1]
    assert CliRunner().invoke(app, ["report", str(folder)]).exit_code == 0
    text = text_of((folder / "report.html").read_text(encoding="utf-8"))
    section = text[text.index("What the programme would report vs all participants") :]
    assert "over those who finished" in section and "counting a job, training or an internship" in section
    assert f"it would report {printed['reported_share']} (" in section
    assert (
        f"over all participants at the same moment the share is {printed['reported_share_all_participants']} ("
        in section
    )
    assert f"changes the figure by {printed['reporting_gap']} (" in section
    assert printed["reporting_gap"].startswith("+")  # counting over completers adds to the figure
    assert text.index("Counting as the programme does") < text.index("What was run")  # in the headline too


def test_a_run_without_a_reporting_rule_has_no_reporting_section(runs: tuple[Path, Path, str]) -> None:
    assert "What the programme would report" not in runs[2]  # base.yaml states no rule: the gap is 0 by definition
