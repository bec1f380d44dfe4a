"""sim.outputs.figures: every figure takes data and returns (fig, ax) on a Figure object, with no pyplot state
and no backend switch; labels, units and pp for differences come from the vocabulary; save_png is atomic."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.outputs import figures
from sim.outputs import vocabulary as v
from sim.outputs.report import Cliff
from sim.replicates import RunResult, run
from sim.scenario.loader import load_scenario
from sim.studies import discovery

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
PNG = b"\x89PNG\r\n\x1a\n"
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")  # an internal name (net_placements) where a label belongs


@pytest.fixture(scope="module")
def result() -> RunResult:
    """A small run whose grant ends inside the horizon (intake closes: a cliff)."""
    return run(load_scenario(BASE, ["population.size=1000", "months=24", "funding.grants.0.end=2014-12"]), 2)


def diffs() -> pd.DataFrame:
    """A paired-differences table (as sim.studies.experiments.paired_differences writes it)."""
    rows = []
    for outcome, d in (("employed_6m_share", 0.03), ("cost_per_net_placement_eur", -1500.0)):
        for design in ("a", "b"):
            rows.append(
                {"design": design, "outcome": outcome, "difference": d, "low": d - abs(d) / 2, "high": d + abs(d) / 2}
            )
    return pd.DataFrame(rows)


def indices(method: str) -> pd.DataFrame:
    """Tidy indices (as sim.studies.sensitivity.analyse writes them) of two outcomes and two parameters."""
    rows = []
    for outcome in ("dropout_share", "net_placements"):
        for parameter in ("programme.follow_up.intensity", "labour_market.job_finding_rate"):
            names = ("mu_star", "sigma", "mu") if method == "morris" else ("S1", "ST")
            for k, index in enumerate(names):
                value = 0.02 * (k + 1)
                rows.append([outcome, parameter, index, value, 0.005, value - 0.005, value + 0.005])
    return pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf", "conf_low", "conf_high"])


def trajectory() -> pd.DataFrame:
    t = pd.DataFrame({"id": range(5), "coverage": np.linspace(1, 0.4, 5), "density": np.linspace(0.3, 0.9, 5)})
    return t.assign(box=1, mass=0.5, res_dim=[0, 1, 1, 2, 2], n=10, k=3, chosen=[False, False, False, True, False])


def prim_boxes() -> list[discovery.Box]:
    """PRIM boxes of a known rule: the outcome is low when labour_market.job_finding_rate < 0.3."""
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"labour_market.job_finding_rate": rng.uniform(0, 1, 200),
                      "programme.matching.strategy": pd.Categorical(rng.choice(["random", "optimal"], 200))})  # fmt: skip
    return discovery.find_boxes(x, (x["labour_market.job_finding_rate"] < 0.3).to_numpy())


def validation_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"programme": "p", "target": "employed_end_share [cohort 2014-01..2014-06]", "reported": 0.4,
             "simulated": 0.38, "low": 0.33, "high": 0.42, "tolerance": 0.05, "within": True},
            {"programme": "p", "target": "enrolled", "reported": 300.0, "simulated": 250.0, "low": 230.0,
             "high": 270.0, "tolerance": 30.0, "within": False},
        ]
    )  # fmt: skip


def all_figures(result: RunResult) -> dict[str, figures.PlotResult]:
    cliffs = [Cliff("2014-12", "ESF 2014-2020", 2, 2)]
    return {
        **{name: plot(result.timeseries) for name, plot in figures.PLOTS.items()},
        "funding_timeline": figures.plot_funding_timeline(result.timeseries, cliffs),
        "differences": figures.plot_differences(diffs(), "design", "base"),
        "sobol": figures.plot_sobol(indices("sobol"), "Sobol"),
        "morris": figures.plot_morris(indices("morris"), "Morris"),
        "tradeoff": figures.plot_tradeoff(trajectory(), "net_placements < 20"),
        "box_limits": figures.plot_box_limits(prim_boxes(), "net_placements < 20"),
        "validation": figures.plot_validation(validation_table()),
        "overlay": figures.plot_overlay({"base": result.timeseries, "again": result.timeseries}, "waiting_list"),
        "cliff_timelines": figures.plot_cliff_timelines(
            {"single grant": result.timeseries, "no series": pd.DataFrame()},
            {"single grant": [Cliff("2014-12", "money falls", 2, 2)]},
        ),
    }


def test_every_figure_is_a_figure_object_without_pyplot_state(result: RunResult, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    before = plt.get_fignums()
    made = all_figures(result)
    for name, (fig, ax) in made.items():
        assert isinstance(fig, Figure), name
        visible = [a for a in np.atleast_1d(ax).flat if a.get_visible()]
        assert visible and all(a.get_title() for a in visible), name
        assert figures.save_png(fig, tmp_path / f"{name}.png").read_bytes().startswith(PNG)
        texts = [fig.get_suptitle()] + [t for a in visible for t in (a.get_title(), a.get_xlabel(), a.get_ylabel())]
        assert not [t for t in texts if SNAKE.search(t)], (name, [t for t in texts if SNAKE.search(t)])
    assert plt.get_fignums() == before, "no figure is registered with pyplot"
    assert matplotlib.get_backend() == backend, "no backend switch"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in made)  # nothing left over


def test_run_figures_label_series_and_axes_from_the_vocabulary(result: RunResult) -> None:
    _, axes = figures.plot_placements(result.timeseries)
    legend = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert legend == [v.label("employed_share_participants"),
                      v.label("employed_share_participants_without_programme"),
                      v.label("employed_share_comparison")]  # fmt: skip
    assert axes[0].get_ylabel() == v.axis_label("placements") == "people per month"
    assert axes[2].get_ylabel() == "percentage points (pp)"
    net = axes[2].lines[0].get_ydata()
    assert np.nanmax(np.abs(net)) > 0.5, "the net effect is drawn in percentage points, not as a fraction"
    _, funding = figures.plot_funding(result.timeseries)
    assert [a.get_ylabel() for a in funding] == ["EUR per month", "EUR", "full-time equivalents (FTE)"]


def test_funding_timeline_marks_the_cliffs(result: RunResult) -> None:
    _, axes = figures.plot_funding_timeline(result.timeseries, [Cliff("2014-12", "ESF 2014-2020", 2, 2)])
    assert "ESF 2014-2020" in [t.get_text() for t in axes[0].texts]
    assert "Grant ends, not renewed at once" in [t.get_text() for t in axes[0].get_legend().get_texts()]


def test_differences_of_shares_are_drawn_in_pp() -> None:
    _, axes = figures.plot_differences(diffs(), "design", "base")
    share, money = axes.flat[0], axes.flat[1]
    assert share.get_title() == v.label("employed_6m_share") and share.get_xlabel() == "difference (pp); better \u2192"
    assert money.get_title() == v.label("cost_per_net_placement_eur")
    assert money.get_xlabel() == "difference (EUR); \u2190 better"  # lower costs are better
    assert share.lines[0].get_xdata() == pytest.approx([3.0, 3.0])  # 0.03 as 3 pp
    assert money.lines[0].get_xdata() == pytest.approx([-1500.0, -1500.0])


def test_sensitivity_figures_name_outcomes_by_their_labels() -> None:
    _, axes = figures.plot_sobol(indices("sobol"))
    titles = [a.get_title().replace("\n", " ") for a in axes.flat[:2]]  # long labels are wrapped
    assert titles == [v.label("dropout_share"), v.label("net_placements")]
    _, axes = figures.plot_morris(indices("morris"))
    assert axes.flat[0].get_xlabel() == "mu* and sigma of the elementary effects (pp)"
    assert axes.flat[1].get_xlabel() == "mu* and sigma of the elementary effects"
    assert axes.flat[0].get_xlim()[1] > 2, "mu* of a share is drawn in percentage points"


def test_morris_names_every_parameter_in_words_without_overlap() -> None:
    """Every parameter is a y tick label in words (no dotted path, no snake_case), one per row, ranked by mu*."""
    table = indices("morris")
    table.loc[(table["parameter"] == "labour_market.job_finding_rate") & (table["index"] == "mu_star"), "value"] = 0.5
    _, axes = figures.plot_morris(table)
    ticks = [t.get_text() for t in axes.flat[0].get_yticklabels()]
    assert ticks == ["Labour market: job finding\nrate", "Programme, follow up:\nintensity"]  # the larger mu* on top
    assert all("_" not in t and "." not in t for t in ticks)
    fig = axes.flat[0].figure
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    boxes = [t.get_window_extent(renderer) for t in axes.flat[0].get_yticklabels()]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), "labels overlap"


def test_morris_panel_of_an_outcome_without_values_says_not_defined() -> None:
    table = indices("morris")
    table.loc[table["outcome"] == "dropout_share", ["value", "conf"]] = np.nan  # pivot_table used to drop it (crash)
    _, axes = figures.plot_morris(table)
    assert figures.NOT_DEFINED in [t.get_text() for t in axes.flat[0].texts]
    assert axes.flat[1].get_yticklabels(), "the other outcome is drawn"


def test_parameter_labels_are_in_words() -> None:
    names = ["programme.follow_up.intensity", "labour_market.job_finding_rate"]
    assert figures.parameter_labels(names) == {
        "programme.follow_up.intensity": "Programme, follow up:\nintensity",
        "labour_market.job_finding_rate": "Labour market: job finding\nrate",
    }


def test_a_panel_without_values_says_not_defined() -> None:
    table = diffs()
    table.loc[table["outcome"] == "employed_6m_share", ["difference", "low", "high"]] = np.nan
    _, axes = figures.plot_differences(table, "design", "base")
    assert figures.NOT_DEFINED in [t.get_text() for t in axes.flat[0].texts]


def test_overlay_draws_each_run_with_its_band(result: RunResult) -> None:
    other = result.timeseries.assign(waiting_list=result.timeseries["waiting_list"] + 50)
    _, ax = figures.plot_overlay({"base": result.timeseries, "more waiting": other}, "waiting_list")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["base", "more waiting"]
    assert ax.get_title() == v.label("waiting_list") and ax.figure.get_suptitle() == "2 runs compared"
    assert ax.get_ylabel() == v.axis_label("waiting_list") and len(ax.collections) == 2  # two bands
    assert np.nanmax(ax.lines[1].get_ydata()) > np.nanmax(ax.lines[0].get_ydata())


def test_box_limits_are_ema_workbenchs_graph_with_parameters_in_words() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    _, axes = figures.plot_box_limits(prim_boxes(), "net_placements < 20")
    assert plt.get_fignums() == before, "the pyplot figure ema_workbench asks for is closed"
    ax = axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 1 and ticks[0].startswith("Labour market: job finding\nrate\n(quasi-p ")
    texts = [t.get_text() for t in ax.texts]
    assert any(0.25 <= float(t) <= 0.4 for t in texts if t.strip().replace(".", "", 1).isdigit()), texts  # the limit
    assert ax.get_title().startswith("Box 1 (entry ") and "coverage" in ax.get_title()
    _, empty = figures.plot_box_limits([])
    assert "not defined" in empty[0].texts[0].get_text()


def test_cliff_timelines_draw_every_design_with_its_falls(result: RunResult) -> None:
    from sim.outputs.study_report import money_falls

    falls = money_falls(result.timeseries)
    assert [(f.month, f.replicates_falling, f.replicates) for f in falls] == [("2014-12", 2, 2)]
    _, axes = figures.plot_cliff_timelines({"single grant": result.timeseries, "no series": pd.DataFrame()},
                                           {"single grant": falls})  # fmt: skip
    assert axes.shape == (2, 2)
    money, waiting = axes[0]
    assert money.get_title() == f"single grant: {v.label('funding_month_eur')}"
    assert money.get_ylabel() == v.axis_label("funding_month_eur") == "EUR per month"
    assert waiting.get_ylabel() == v.axis_label("waiting_list") and waiting.get_title().endswith(
        v.label("waiting_list")
    )
    legend = [t.get_text() for t in money.get_legend().get_texts()]
    assert legend.count(figures.CLIFF_LABEL) == 1
    assert "not defined" in axes[1, 0].texts[0].get_text()
