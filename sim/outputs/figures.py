"""Every figure of mentorsim, with one contract: a function takes data and returns ``(fig, ax)``.

``fig`` is a :class:`matplotlib.figure.Figure` built directly (no pyplot, no global state, no backend
switch): :func:`save_png` writes it atomically (Agg renders it), and Jupyter shows a returned figure.
``ax`` is one Axes, or an array of Axes for figures with several panels. Titles, legends and axis labels
come from the outputs vocabulary (:mod:`sim.outputs.vocabulary`): its labels, its units, and percentage
points for differences of shares.

- A run (median line and 90 % band across replicates, calendar months on the x axis):
  :func:`plot_placements`, :func:`plot_pairs_and_waiting`, :func:`plot_mentor_pool`, :func:`plot_funding`
  (the PNGs of a run folder, :data:`PLOTS`), :func:`plot_funding_timeline` (the report and the dashboard);
  :func:`plot_overlay` (one series of several runs in one figure, each with its band);
- studies: :func:`plot_differences` (``compare``, studies of designs), :func:`plot_sobol` and
  :func:`plot_morris` (``sensitivity``), :func:`plot_tradeoff` and :func:`plot_box_limits`
  (PRIM, ``discover``), :func:`plot_cliff_timelines` (a sweep: when the money falls, for every design);
- validation: :func:`plot_validation` (reported against simulated, ``mentorsim check --write-docs``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from sim.outputs import vocabulary as vocab
from sim.outputs.changes import in_words
from sim.outputs.files import atomic_write
from sim.replicates import DIFFERENCE_NAME, INTERVAL

PlotResult = tuple[Figure, Axes | np.ndarray]  # the figure, and one Axes or an array of them

PERCENT_WIDTH = round((INTERVAL[1] - INTERVAL[0]) * 100)  # 90: the band drawn around the median
NOT_DEFINED = "not defined\n(no value in these runs)"  # what an empty panel says
DPI = 150
STYLE = "whitegrid"
CLOSED_COLOUR = "0.5"
CLOSED_ALPHA = 0.3
BAND_ALPHA = 0.25
CLIFF_COLOUR = "tab:red"
PANELS_PER_ROW = 3
TITLE_WIDTH = 40  # characters per line of a panel title in the figures of studies


class GrantEnd(Protocol):
    """A grant end drawn on the funding timeline (e.g. :class:`sim.outputs.report.Cliff`)."""

    month: str  # the grant's last month, YYYY-MM
    grant: str  # its name


def save_png(fig: Figure, path: str | Path, dpi: int = DPI) -> Path:
    """Write a figure as a PNG, atomically (a temporary file renamed into place); return ``path``."""
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))


# --- a run -------------------------------------------------------------------------------------------


def plot_placements(timeseries: pd.DataFrame) -> PlotResult:
    """Placements of participants, their employed share (gross) and the programme's effect on it (net).

    The employed share of participants is shown next to the same people without the programme and the
    comparison group; the net effect is the difference with and without the programme.
    """
    data = _with_dates(timeseries)
    fig, axes = _figure(1, 3, figsize=(15, 4.8))
    _panel(axes[0], data, ["placements"], "New jobs among participants each month")
    shares = [
        "employed_share_participants",
        "employed_share_participants_without_programme",
        "employed_share_comparison",
    ]
    _panel(axes[1], data, shares, "Share in work (gross)")
    _panel(axes[2], data, ["net_effect_employed"], "Net effect on the share in work")
    axes[2].axhline(0, color="0.3", linewidth=0.8)
    return _finish(fig, axes, data, "Jobs and employment of participants")


def plot_pairs_and_waiting(timeseries: pd.DataFrame) -> PlotResult:
    """Active mentoring pairs and the waiting list."""
    data = _with_dates(timeseries)
    fig, ax = _figure(1, 1)
    title = "Pairs meeting and applicants waiting for a mentor, at the end of each month"
    _panel(ax, data, ["active_pairs", "waiting_list"], title)
    return _finish(fig, ax, data, "Mentoring pairs and waiting list")


def plot_mentor_pool(timeseries: pd.DataFrame) -> PlotResult:
    """Mentor pool and available mentors (top), champion employers (bottom)."""
    data = _with_dates(timeseries)
    fig, axes = _figure(2, 1, figsize=(10, 7), sharex=True, height_ratios=(2, 1))
    _panel(axes[0], data, ["mentor_pool", "mentors_available"], "Volunteer mentors (end of month)")
    _panel(axes[1], data, ["champions"], "Employers engaged as champions (supply mentors, open doors)")
    return _finish(fig, axes, data, "Mentor pool and champion employers")


def plot_funding(timeseries: pd.DataFrame) -> PlotResult:
    """Monthly funding, remaining budget and coach FTE; grey where intake was closed (no money)."""
    data = _with_dates(timeseries)
    fig, axes = _figure(3, 1, figsize=(10, 9), sharex=True)
    panels = (
        ("funding_month_eur", "Grant money the programme can use each month"),
        ("budget_remaining_eur", "Money still to come from the running grants"),
        ("coaches_fte", "Coaching staff"),
    )
    for ax, (name, title) in zip(axes, panels, strict=True):
        _panel(ax, data, [name], title)
        _shade_closed_intake(ax, data)
    return _finish(fig, axes, data, "Funding and staff")


def plot_funding_timeline(timeseries: pd.DataFrame, cliffs: Sequence[GrantEnd] = ()) -> PlotResult:
    """Money per month and coaches, grey where intake was closed, dashed lines at the funding cliffs.

    A cliff's line is at the first month after its grant end in ``cliffs``.
    """
    data = _with_dates(timeseries)
    fig, axes = _figure(2, 1, figsize=(10, 6.5), sharex=True)
    panels = (("funding_month_eur", "Grant money the programme can use each month"), ("coaches_fte", "Coaching staff"))
    after = [(cliff, pd.Timestamp(cliff.month) + pd.offsets.MonthBegin(1)) for cliff in cliffs]
    for ax, (name, title) in zip(axes, panels, strict=True):
        _panel(ax, data, [name], title)
        for _, when in after:
            ax.axvline(when, color=CLIFF_COLOUR, linestyle="--", linewidth=1.2, label="Grant ends, not renewed at once")
        _shade_closed_intake(ax, data)  # redraws the legend with the cliff line once
    for cliff, when in after:
        axes[0].annotate(cliff.grant, (when, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                         textcoords="offset points", color=CLIFF_COLOUR, fontsize="small")  # fmt: skip
    return _finish(fig, axes, data, "Funding timeline and cliffs")


CLIFF_SERIES = ("funding_month_eur", "waiting_list")  # what a cliff timeline shows of each design
CLIFF_LABEL = "Money falls after this month"


def plot_cliff_timelines(
    runs: Mapping[str, pd.DataFrame], cliffs: Mapping[str, Sequence[GrantEnd]] | None = None, title: str = ""
) -> PlotResult:
    """The cliff timeline of every design of a study: a row per design, its money per month and its waiting list.

    ``runs`` maps a design's name to its time series (all replicates); ``cliffs`` maps it to the months after
    which its money falls (e.g. :func:`sim.outputs.study_report.money_falls`), drawn as dashed lines; grey
    where intake was closed (no money). A design without time series says "not defined" in its panels.
    """
    cliffs = cliffs or {}
    count = max(1, len(runs))
    fig, axes = _figure(count, len(CLIFF_SERIES), figsize=(12, 2.7 * count + 1.2), sharex=True, squeeze=False)
    first = pd.DataFrame({"replicate": []})
    for row, (name, series) in zip(axes, runs.items(), strict=False):
        usable = not series.empty and set(CLIFF_SERIES) <= set(series.columns)
        data = _with_dates(series) if usable else None
        if data is not None and first.empty:
            first = data
        for ax, column in zip(row, CLIFF_SERIES, strict=True):
            if data is None:
                ax.set_title(f"{name}: {vocab.label(column)}", fontsize=9)
                ax.text(0.5, 0.5, "not defined\n(no time series kept for this design)", transform=ax.transAxes,
                        ha="center", va="center", color="0.4")  # fmt: skip
                continue
            _panel(ax, data, [column], f"{name}: {vocab.label(column)}")
            ax.title.set_fontsize(9)
            ax.set_ylim(bottom=0)  # a flat line of money is not a fall
            for cliff in cliffs.get(name, ()):
                when = pd.Timestamp(cliff.month) + pd.offsets.MonthBegin(1)
                ax.axvline(when, color=CLIFF_COLOUR, linestyle="--", linewidth=1.2, label=CLIFF_LABEL)
            _shade_closed_intake(ax, data)  # redraws the legend, the cliff lines once
    if not runs:
        axes[0, 0].text(0.5, 0.5, "not defined\n(no designs)", transform=axes[0, 0].transAxes, ha="center")
    if first.empty:
        first = pd.DataFrame({"replicate": [0], "month": ["2000-01"]})
    return _finish(fig, axes, first, title or "When the money falls: money and waiting list of every design")


PLOTS: dict[str, Callable[[pd.DataFrame], PlotResult]] = {
    "placements.png": plot_placements,
    "pairs_and_waiting.png": plot_pairs_and_waiting,
    "mentor_pool.png": plot_mentor_pool,
    "funding.png": plot_funding,
}


def save_standard_plots(timeseries: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw every standard figure and save it as PNG in ``out_dir``; return the files written."""
    return [save_png(plot(timeseries)[0], Path(out_dir) / name) for name, plot in PLOTS.items()]


# --- studies -----------------------------------------------------------------------------------------


def plot_differences(diffs: pd.DataFrame, by: str, reference: str) -> PlotResult:
    """One panel per outcome: each alternative's mean paired difference against ``reference``, 95 % interval.

    ``diffs`` is the table of :func:`sim.replicates.paired_differences`; differences of shares are
    shown in pp.
    """
    outcomes = list(dict.fromkeys(diffs["outcome"]))
    alternatives = list(dict.fromkeys(diffs[by]))
    fig, axes = _panels(len(outcomes), 4.2, 0.5 * len(alternatives) + 1.6)
    y = np.arange(len(alternatives))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = diffs[diffs["outcome"] == outcome].set_index(by).reindex(alternatives)
        times = vocab.scale(outcome, difference=True)
        mean, low, high = (part[c].to_numpy(dtype=float) * times for c in ("difference", "low", "high"))
        ax.set_title(_wrapped(vocab.label(outcome)), fontsize=9)
        if not np.isfinite(mean).any():
            ax.text(0.5, 0.5, NOT_DEFINED, transform=ax.transAxes, ha="center", va="center", color="0.4", fontsize=8)
            ax.set_yticks([])
            continue
        ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="o", color="tab:blue", capsize=3)
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(y, alternatives if ax in axes[:, 0] else [""] * len(alternatives))
        ax.invert_yaxis()
        ax.set_xlabel(vocab.axis_label(outcome, difference=True) + better(outcome), fontsize=8)
        ax.tick_params(labelsize=8)
    fig.suptitle(f"Against {reference}: {DIFFERENCE_NAME}", fontsize=10)
    return fig, axes


def better(name: str) -> str:
    """The "better" direction of an outcome for an axis label: ``; better →``, ``; ← better`` or nothing."""
    found = vocab.find(name)
    direction = found.direction if found is not None else "neither"
    return {"higher": "; better \u2192", "lower": "; \u2190 better"}.get(direction, "")


def in_labels(condition: str) -> str:
    """A condition such as ``net_placements < 20`` with the outcome's label and unit: ``Net placements (...) < 20 people``."""
    name, _, rest = condition.partition(" ")
    if vocab.find(name) is None:
        return condition
    unit = vocab.unit(name)
    return f"{vocab.label(name)} {rest}{' ' + unit if unit and unit not in ('share', '%') else ''}"


def parameter_labels(names: Sequence[str]) -> dict[str, str]:
    """Labels of parameter paths in words, e.g. ``Programme, follow up: intensity`` (wrapped at 30 characters)."""
    return {n: textwrap.fill(in_words(n), 30) for n in names}


def plot_overlay(runs: dict[str, pd.DataFrame], name: str, title: str = "") -> PlotResult:
    """One series of two or more runs in one figure: the median of each run's replicates and its 90 % band.

    ``runs`` maps a run's name (legend) to its time series (``RunResult.timeseries`` or ``read_run(...).timeseries``).
    """
    times = vocab.scale(name)
    fig, ax = _figure(1, 1, figsize=(9, 4.2))
    for (run_name, data), colour in zip(runs.items(), sns.color_palette(n_colors=len(runs)), strict=True):
        if name not in data.columns or not data[name].notna().any():
            ax.plot([], [], color=colour, label=f"{run_name}: not defined")
            continue
        by_month = data.assign(date=pd.to_datetime(data["month"])).groupby("date")[name]
        low, median, high = (by_month.quantile(q) * times for q in (INTERVAL[0], 0.5, INTERVAL[1]))
        ax.fill_between(median.index, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)
        ax.plot(median.index, median, color=colour, label=run_name)
    ax.legend(loc="best", fontsize="small")
    ax.set_ylabel(vocab.axis_label(name))
    if vocab.kind_of(name) == "share":
        ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_title(vocab.label(name))
    first = next(iter(runs.values()))
    return _finish(fig, ax, first, title or f"{len(runs)} runs compared")


def plot_sobol(indices: pd.DataFrame, title: str = "") -> PlotResult:
    """One panel per outcome: S1 and ST of every parameter with their 95 % bootstrap intervals.

    ``indices`` are the tidy indices of :func:`sim.studies.sensitivity.analyse`.
    """
    with study_style():  # seaborn's look for these figures only, not globally
        data = indices[indices["index"].isin(["S1", "ST"])]
        outcomes = list(dict.fromkeys(data["outcome"]))
        names = list(dict.fromkeys(data["parameter"]))
        short = parameter_labels(names)
        fig, axes = _panels(len(outcomes), 4.6, 0.35 * len(names) + 1.2)
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            part = data[data["outcome"] == outcome].assign(label=lambda d: d["parameter"].map(short))
            sns.barplot(
                part, x="value", y="label", hue="index", hue_order=["S1", "ST"], order=[short[n] for n in names],
                orient="h", errorbar=None, ax=ax, palette=["#4c72b0", "#dd8452"],
            )  # fmt: skip
            for container, index in zip(ax.containers, ["S1", "ST"], strict=False):
                values = part[part["index"] == index].set_index("parameter").reindex(names)
                centres = [bar.get_y() + bar.get_height() / 2 for bar in container]
                ax.errorbar(
                    values["value"], centres, xerr=values["conf"], fmt="none", ecolor="black", capsize=2, lw=0.8
                )
            ax.axvline(0, color="grey", lw=0.8)
            ax.set(title=_wrapped(vocab.label(outcome)), xlabel="Sobol index (95 % bootstrap interval)", ylabel="")
            ax.legend(title="", fontsize=7, loc="best")
        fig.suptitle(title or "Sobol indices: first order (S1) and total (ST)", fontsize=10)
        return fig, axes


def plot_morris(indices: pd.DataFrame, title: str = "") -> PlotResult:
    """One panel per outcome: every parameter's mu* (bar, with its 95 % bootstrap interval) and sigma (diamond).

    Parameters are ranked by mu* within each panel and named on the y axis in words (:func:`parameter_labels`),
    so no label overlaps another however many parameters there are; mu* and sigma are in the outcome's units
    (a change of a share in pp). A parameter far right matters; a sigma above its mu* means it acts
    non-linearly or through interactions (Morris 1991; Campolongo et al. 2007). An outcome without values
    (e.g. not computed in these runs) says "not defined" in its panel.
    """
    with study_style():  # seaborn's look for these figures only, not globally
        outcomes = list(dict.fromkeys(indices["outcome"]))
        names = list(dict.fromkeys(indices["parameter"]))
        short = parameter_labels(names)
        lines = sum(short[n].count("\n") + 1 for n in names)
        fig, axes = _panels(len(outcomes), 5.2, 0.14 * lines + 0.2 * len(names) + 1.4, per_row=2)
        legend: tuple[list[Any], list[str]] | None = None
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            part = indices[indices["outcome"] == outcome]
            wide = part.pivot_table(index="parameter", columns="index", values=["value", "conf"], dropna=False)
            wide = wide.reindex(names) * vocab.scale(outcome, difference=True)
            ax.set_title(_wrapped(vocab.label(outcome)), fontsize=9)
            mu = wide.get(("value", "mu_star"), pd.Series(np.nan, index=wide.index)).astype(float)
            if not np.isfinite(mu.to_numpy()).any():
                ax.text(0.5, 0.5, NOT_DEFINED, transform=ax.transAxes, ha="center", va="center", color="0.4")
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            ranked = mu.sort_values(ascending=False, na_position="last").index
            conf = wide.get(("conf", "mu_star"), pd.Series(0.0, index=wide.index)).reindex(ranked).astype(float)
            sigma = wide.get(("value", "sigma"), pd.Series(np.nan, index=wide.index)).reindex(ranked).astype(float)
            y = np.arange(len(ranked))
            ax.barh(y, mu.reindex(ranked), color="#4c72b0", height=0.6, label="mu* (bar: 95 % bootstrap interval)")
            ax.errorbar(mu.reindex(ranked), y, xerr=conf.fillna(0), fmt="none", ecolor="black", capsize=2, lw=0.8)
            ax.scatter(sigma, y, marker="D", s=22, color="#dd8452", zorder=3, label="sigma")
            ax.set_yticks(y, [short[n] for n in ranked], fontsize=7)
            ax.set_ylim(len(ranked) - 0.5, -0.5)  # the most important parameter on top
            unit = vocab.unit(outcome, difference=True)  # mu* and sigma are changes of the outcome
            ax.set_xlabel(f"mu* and sigma of the elementary effects{' (' + unit + ')' if unit else ''}", fontsize=8)
            ax.set_xlim(left=0)
            ax.tick_params(axis="x", labelsize=7)
            legend = legend or ax.get_legend_handles_labels()
        if legend:  # once, below the panels (a legend inside a panel hides its bars)
            fig.legend(*legend, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
        fig.suptitle(title or "Morris screening: mu* (importance) and sigma (non-linearity, interactions)", fontsize=10)
        return fig, axes


def plot_tradeoff(trajectory: pd.DataFrame, condition: str = "") -> PlotResult:
    """One panel per PRIM box: coverage against density on the peeling trajectory, the chosen entry ringed.

    Points are coloured by the number of restricted dimensions. ``trajectory`` is the ``peeling.csv`` table
    of ``mentorsim discover``: columns ``box``, ``id``, ``coverage``, ``density``, ``res_dim``, ``chosen``.
    """
    with study_style():  # seaborn's look for these figures only, not globally
        boxes = list(dict.fromkeys(trajectory["box"]))
        fig, axes = _figure(1, len(boxes), figsize=(5.2 * len(boxes), 4.4), squeeze=False)
        for ax, box in zip(axes.flat, boxes, strict=True):
            t = trajectory[trajectory["box"] == box].astype({"res_dim": int})
            ax.plot(t["coverage"], t["density"], color="lightgrey", lw=0.8, zorder=1)
            sns.scatterplot(t, x="coverage", y="density", hue="res_dim", palette="viridis", s=30, ax=ax, zorder=2)
            pick = t[t["chosen"].astype(bool)]
            ax.scatter(pick["coverage"], pick["density"], s=160, facecolors="none", edgecolors="red", lw=1.5, zorder=3)
            ax.annotate(
                f"chosen: entry {int(pick['id'].iloc[0])}", (float(pick["coverage"].iloc[0]), float(pick["density"].iloc[0])),
                xytext=(8, -12), textcoords="offset points", fontsize=8, color="red",
            )  # fmt: skip
            ax.set(xlim=(0, 1.05), ylim=(0, 1.05), xlabel="coverage", ylabel="density", title=f"Box {box}")
            ax.legend(title="restricted dims", fontsize=7, title_fontsize=7, loc="lower left")
        fig.suptitle(f"PRIM peeling trajectory{': ' + in_labels(condition) if condition else ''}", fontsize=10)
        return fig, axes


class PrimBoxLike(Protocol):
    """A PRIM box of :mod:`sim.studies.discovery` (:class:`~sim.studies.discovery.Box`)."""

    @property
    def number(self) -> int:
        """The box's number, 1 first."""

    @property
    def chosen(self) -> int:
        """The chosen entry of its peeling trajectory."""

    @property
    def stats(self) -> dict[str, float]:
        """Coverage, density, mass, res_dim of that entry."""

    @property
    def limits(self) -> pd.DataFrame:
        """One row per restricted parameter."""

    @property
    def prim_box(self) -> Any:
        """The PrimBox of ema_workbench (its inspect graph draws the limits)."""


def plot_box_limits(boxes: Sequence[PrimBoxLike], condition: str = "") -> PlotResult:
    """One panel per PRIM box: ema_workbench's own box-limits graph of the chosen entry.

    Drawn by ``PrimBox.inspect(i, style="graph", ax=...)``: each restricted parameter's full range (grey)
    and the box's limits within it (numbers: the limits; categories: the values kept), with the
    quasi-p-values of its restrictions; the box's coverage, density and mass in the panel's title. The
    parameters are named in words (:func:`parameter_labels`); a box without restrictions says so.
    """
    rows = [max(1, len(box.limits)) for box in boxes] or [1]
    fig = Figure(figsize=(10, sum(0.7 * r + 1.4 for r in rows) + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(rows), 1, squeeze=False, height_ratios=rows).ravel())
    for ax, box in zip(axes, boxes, strict=False):
        stats = box.stats
        ax.set_title(
            f"Box {box.number} (entry {box.chosen}): coverage {stats['coverage']:.0%}, density "
            f"{stats['density']:.0%}, mass {stats['mass']:.0%}",
            fontsize=9,
        )
        if box.prim_box is None or box.limits.empty:
            ax.text(0.5, 0.5, "not defined\n(the box restricts no parameter)", transform=ax.transAxes,
                    ha="center", va="center", color="0.4")  # fmt: skip
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        with _pyplot_figures_closed():  # ema_workbench asks pyplot for a current figure; close what it makes
            box.prim_box.inspect(box.chosen, style="graph", ax=ax, ticklabel_formatter=QP_SEPARATOR.join(["{}", "{}"]))
        for table in list(ax.tables):
            table.remove()  # its coverage and density are in the panel's title (the table overlaps small panels)
        labels = parameter_labels(list(box.limits["parameter"]))
        shown = []
        for tick in ax.get_yticklabels():
            path, _, qp = tick.get_text().partition(QP_SEPARATOR)
            shown.append(f"{labels.get(path, path)}\n(quasi-p {qp})")
        ax.set_yticks(ax.get_yticks(), shown, fontsize=8)
        ax.set_xlabel("each parameter's full range (grey) and the box's limits (blue: values kept)", fontsize=8)
    if not boxes:
        axes[0].text(0.5, 0.5, "not defined\n(no box found)", transform=axes[0].transAxes, ha="center", va="center")
        axes[0].set_title("No PRIM box")
    fig.suptitle(f"PRIM box limits{': ' + in_labels(condition) if condition else ''}", fontsize=10)
    return fig, axes


QP_SEPARATOR = "|"  # between a parameter and its quasi-p-values in the tick labels ema_workbench writes


@contextmanager
def _pyplot_figures_closed() -> Iterator[None]:
    """Close every pyplot figure made inside the block (ema_workbench's plots call ``plt.gcf()``)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        yield
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


# --- validation --------------------------------------------------------------------------------------


def plot_validation(table: pd.DataFrame) -> PlotResult:
    """Reported (x) against simulated mean (y, 90 % interval as a bar) of every target.

    Shares and the others in two panels. ``table`` is the table of :func:`sim.studies.validation.check`;
    its ``target`` starts with the column.
    """
    outcomes = table["target"].str.split(" [", n=1, regex=False).str[0]
    shares = outcomes.map(lambda name: vocab.kind_of(name) in ("share", "pp")).astype(bool)
    fig, axes = _figure(1, 2, figsize=(11, 5))
    for ax, part, title, log in ((axes[0], table[shares], "shares", False), (axes[1], table[~shares], "counts and money", True)):  # fmt: skip
        for r in part.itertuples():
            colour = "tab:green" if r.within else "tab:red"
            yerr = [[max(r.simulated - r.low, 0)], [max(r.high - r.simulated, 0)]]
            ax.errorbar(r.reported, r.simulated, yerr=yerr, xerr=r.tolerance, fmt="o", color=colour, capsize=3)
            label = f"{r.programme}: {vocab.label(r.target.split(' [')[0])}"
            ax.annotate(label, (r.reported, r.simulated), fontsize=6, xytext=(4, 2), textcoords="offset points")
        if len(part):
            low = min(part["reported"].min(), part["low"].min())
            high = max(part["reported"].max(), part["high"].max())
            ax.plot([low, high], [low, high], color="grey", lw=0.8, ls="--")
        if log and len(part) and (part[["reported", "low"]] > 0).all().all():
            ax.set_xscale("log")
            ax.set_yscale("log")
        if not log:
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set(
            title=title, xlabel="reported (bar: tolerance)", ylabel=f"simulated mean (bar: {PERCENT_WIDTH} % interval)"
        )
    fig.suptitle("Reported vs simulated (green: within tolerance, red: not)")
    return fig, axes


# --- helpers -----------------------------------------------------------------------------------------


@contextmanager
def study_style() -> Iterator[None]:
    """Seaborn's white grid at its 'paper' scale and 'deep' palette for the figures of studies.

    Used by the figures of sensitivity and discovery, for what is drawn inside only: matplotlib's global
    style is left as the user has it. Also a decorator (``@study_style()``).
    """
    with sns.axes_style(STYLE), sns.plotting_context("paper"), sns.color_palette("deep"):
        yield


def _with_dates(timeseries: pd.DataFrame) -> pd.DataFrame:
    """A copy with a ``date`` column (first day of each ``YYYY-MM`` month)."""
    data = timeseries.copy()
    data["date"] = pd.to_datetime(data["month"], format="%Y-%m")
    return data


def _figure(rows: int, cols: int, figsize: tuple[float, float] = (10, 5), **subplots: Any) -> tuple[Figure, Any]:
    """A constrained-layout figure with seaborn's white grid style, and its Axes.

    ``subplots`` go to ``Figure.subplots`` (the Axes are one Axes or an array of them, as
    ``Figure.subplots`` gives them).
    """
    fig = Figure(figsize=figsize, layout="constrained")
    with sns.axes_style(STYLE):
        axes = fig.subplots(rows, cols, **subplots)
    return fig, axes


def _panels(count: int, width: float, height: float, per_row: int = PANELS_PER_ROW) -> tuple[Figure, np.ndarray]:
    """A figure with one panel per item, at most ``per_row`` (:data:`PANELS_PER_ROW`) per row.

    The Axes are a 2-d array; the panels left over are hidden.
    """
    cols = max(1, min(per_row, count))
    rows = max(1, -(-count // cols))
    fig, axes = _figure(rows, cols, figsize=(width * cols, height * rows + 0.8), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes


def _wrapped(title: str, width: int = TITLE_WIDTH) -> str:
    """A panel title on as many lines of at most ``width`` characters as it needs."""
    return textwrap.fill(title, width)


def _panel(ax: Axes, data: pd.DataFrame, names: Sequence[str], title: str) -> None:
    """Median and 90 % band of the series ``names`` (one kind), legend labels and y axis from the vocabulary.

    A derived series (:data:`sim.outputs.vocabulary.DERIVED_SERIES`) is computed into ``data`` first.
    """
    for name in names:
        if name not in data and name in vocab.DERIVED_SERIES:
            data[name] = vocab.DERIVED_SERIES[name](data)
    kind = vocab.kind_of(names[0])
    _bands(ax, data, {name: vocab.label(name) for name in names}, scale=vocab.scale(names[0]))
    ax.set_title(title)
    ax.set_ylabel(" / ".join(dict.fromkeys(vocab.axis_label(name) for name in names)))
    ax.set_xlabel("")
    if kind == "share":
        ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    elif kind == "eur":
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # thousands separators on money


def _bands(ax: Axes, data: pd.DataFrame, series: dict[str, str], scale: float = 1.0) -> None:
    """Median across replicates and the 90 % band of each column in ``series`` (column -> legend label)."""
    present = [column for column in series if data[column].notna().any()]
    if not present:
        ax.text(0.5, 0.5, "not computed in this run", transform=ax.transAxes, ha="center", va="center", color="0.4")
        return
    by_month = data.groupby("date")[present]
    low, median, high = (by_month.quantile(q) * scale for q in (INTERVAL[0], 0.5, INTERVAL[1]))
    for column, colour in zip(present, sns.color_palette(n_colors=len(present)), strict=True):
        ax.fill_between(median.index, low[column], high[column], color=colour, alpha=BAND_ALPHA, linewidth=0)
        ax.plot(median.index, median[column], color=colour, label=series[column])
    ax.legend(loc="best", fontsize="small")


def _shade_closed_intake(ax: Axes, data: pd.DataFrame) -> None:
    """Grey months in which intake was closed; darker when closed in more replicates. Redraws the legend (each label once)."""
    closed = 1 - data.groupby("date")["intake_open"].mean() if "intake_open" in data else pd.Series(dtype=float)
    handles, labels = ax.get_legend_handles_labels()
    shown = dict(zip(labels, handles, strict=True))  # a label drawn several times (cliff lines) once
    if (closed > 0).any():
        ends = list(closed.index[1:]) + [closed.index[-1] + pd.offsets.MonthBegin(1)]
        run_starts = closed.ne(closed.shift()).to_numpy()  # a new span wherever the share changes
        starts = closed.index[run_starts]
        stops = [ends[i - 1] for i in [*np.flatnonzero(run_starts)[1:], len(closed)]]
        for start, stop, share in zip(starts, stops, closed[run_starts], strict=True):
            if share > 0:
                ax.axvspan(start, stop, color=CLOSED_COLOUR, alpha=CLOSED_ALPHA * share, linewidth=0)
        patch = Patch(
            color=CLOSED_COLOUR, alpha=CLOSED_ALPHA, label="Unfunded, intake closed (darker: in more replicates)"
        )
        shown[str(patch.get_label())] = patch
    if shown:
        ax.legend(handles=list(shown.values()), labels=list(shown), loc="best", fontsize="small")


def _finish(fig: Figure, ax: Any, data: pd.DataFrame, title: str) -> PlotResult:
    """Title, date axis and a note on what the line and band show."""
    replicates = data["replicate"].nunique()
    fig.suptitle(title, fontsize="x-large")
    for one in np.atleast_1d(ax).flat:
        locator = mdates.AutoDateLocator()
        one.xaxis.set_major_locator(locator)
        one.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    note = f"Line: median of {replicates} replicate{'s' * (replicates != 1)}; band: middle {PERCENT_WIDTH} % of replicates."
    fig.supxlabel(note, fontsize="small", color="0.35")
    return fig, ax
