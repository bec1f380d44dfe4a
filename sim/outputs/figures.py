"""Standard figures of a run: median line and 90 % band across replicates, calendar months on the x axis.

Each ``plot_*`` function takes the run's timeseries (one row per replicate x month, see
:mod:`sim.replicates`) and returns ``(fig, ax)``: ``ax`` is one Axes, or an array of Axes for figures with
several panels. Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot, no global
state): saving renders with the Agg backend, and Jupyter still shows a returned figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.replicates import INTERVAL

PlotResult = tuple[Figure, Axes | np.ndarray]

PERCENT_WIDTH = round((INTERVAL[1] - INTERVAL[0]) * 100)  # 90: the band drawn around the median
DPI = 150
STYLE = "whitegrid"
CLOSED_COLOUR = "0.5"
CLOSED_ALPHA = 0.3
BAND_ALPHA = 0.25


def plot_placements(timeseries: pd.DataFrame) -> PlotResult:
    """Placements of participants, their employed share next to the same people without the programme
    and the comparison group (gross), and the difference with and without the programme (net)."""
    data = _with_dates(timeseries)
    data["net_effect"] = data["employed_share_participants"] - data["employed_share_participants_without_programme"]
    fig, axes = _figure(1, 3, figsize=(15, 4.8))
    _bands(axes[0], data, {"placements": "Participants who found a job"})
    _label(axes[0], "New jobs among participants each month", "people per month")
    shares = {
        "employed_share_participants": "Participants (with the programme)",
        "employed_share_participants_without_programme": "Same people without the programme",
        "employed_share_comparison": "Comparison group (not served)",
    }
    _bands(axes[1], data, shares, scale=100)
    axes[1].yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    _label(axes[1], "Share in work (gross)", "share of people in work (%)")
    _bands(axes[2], data, {"net_effect": "With minus without the programme"}, scale=100)
    axes[2].axhline(0, color="0.3", linewidth=0.8)
    _label(axes[2], "Net effect on the share in work", "difference (percentage points)")
    return _finish(fig, axes, data, "Jobs and employment of participants")


def plot_pairs_and_waiting(timeseries: pd.DataFrame) -> PlotResult:
    """Active mentoring pairs and the waiting list."""
    data = _with_dates(timeseries)
    fig, ax = _figure(1, 1)
    _bands(ax, data, {"active_pairs": "Active pairs", "waiting_list": "Waiting for a mentor"})
    _label(ax, "Pairs meeting and applicants waiting for a mentor, at the end of each month", "pairs / people")
    return _finish(fig, ax, data, "Mentoring pairs and waiting list")


def plot_mentor_pool(timeseries: pd.DataFrame) -> PlotResult:
    """Mentor pool and available mentors (top), champion employers (bottom)."""
    data = _with_dates(timeseries)
    fig, axes = _figure(2, 1, figsize=(10, 7), sharex=True, height_ratios=(2, 1))
    _bands(axes[0], data, {"mentor_pool": "Mentors in the pool", "mentors_available": "Available (without a mentee)"})
    _label(axes[0], "Volunteer mentors (end of month)", "mentors")
    _bands(axes[1], data, {"champions": "Champion employers"})
    _label(axes[1], "Employers engaged as champions (supply mentors, open doors)", "employers")
    return _finish(fig, axes, data, "Mentor pool and champion employers")


def plot_funding(timeseries: pd.DataFrame) -> PlotResult:
    """Monthly funding, remaining budget and coach FTE; grey where intake was closed (no money)."""
    data = _with_dates(timeseries)
    fig, axes = _figure(3, 1, figsize=(10, 9), sharex=True)
    panels = (
        ("funding_month_eur", "Funding used", "Grant money the programme can use each month", "EUR per month"),
        ("budget_remaining_eur", "Still to come", "Money still to come from the running grants", "EUR"),
        ("coaches_fte", "Coaches", "Coaching staff", "full-time equivalents (FTE)"),
    )
    for ax, (column, name, title, unit) in zip(axes, panels, strict=True):
        _bands(ax, data, {column: name})
        _label(ax, title, unit)
        _shade_closed_intake(ax, data)
    for ax in axes[:2]:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    return _finish(fig, axes, data, "Funding and staff")


PLOTS: dict[str, Callable[[pd.DataFrame], PlotResult]] = {
    "placements.png": plot_placements,
    "pairs_and_waiting.png": plot_pairs_and_waiting,
    "mentor_pool.png": plot_mentor_pool,
    "funding.png": plot_funding,
}


def save_standard_plots(timeseries: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Draw every standard figure and save it as PNG in ``out_dir``; return the files written."""
    paths = []
    for name, plot in PLOTS.items():
        fig, _ = plot(timeseries)
        path = Path(out_dir) / name
        fig.savefig(path, dpi=DPI, format="png")
        paths.append(path)
    return paths


# --- helpers ---------------------------------------------------------------------------------------


@contextmanager
def study_style() -> Iterator[None]:
    """Seaborn's white grid at its 'paper' scale and 'deep' palette for the figures of studies (sensitivity,
    discovery), for what is drawn inside only: matplotlib's global style is left as the user has it.
    Also a decorator (``@study_style()``)."""
    with sns.axes_style(STYLE), sns.plotting_context("paper"), sns.color_palette("deep"):
        yield


def _with_dates(timeseries: pd.DataFrame) -> pd.DataFrame:
    """A copy with a ``date`` column (first day of each ``YYYY-MM`` month)."""
    data = timeseries.copy()
    data["date"] = pd.to_datetime(data["month"], format="%Y-%m")
    return data


def _figure(rows: int, cols: int, figsize: tuple[float, float] = (10, 5), **subplots: Any) -> PlotResult:
    """A constrained-layout figure with seaborn's white grid style; ``subplots`` go to ``Figure.subplots``."""
    fig = Figure(figsize=figsize, layout="constrained")
    with sns.axes_style(STYLE):
        axes = fig.subplots(rows, cols, **subplots)
    return fig, axes


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


def _label(ax: Axes, title: str, unit: str) -> None:
    ax.set_title(title)
    ax.set_ylabel(unit)
    ax.set_xlabel("")


def _shade_closed_intake(ax: Axes, data: pd.DataFrame) -> None:
    """Grey months in which intake was closed; darker when closed in more replicates."""
    closed = 1 - data.groupby("date")["intake_open"].mean()
    if not (closed > 0).any():
        return
    ends = list(closed.index[1:]) + [closed.index[-1] + pd.offsets.MonthBegin(1)]
    run_starts = closed.ne(closed.shift()).to_numpy()  # a new span wherever the share changes
    starts = closed.index[run_starts]
    stops = [ends[i - 1] for i in [*np.flatnonzero(run_starts)[1:], len(closed)]]
    for start, stop, share in zip(starts, stops, closed[run_starts], strict=True):
        if share > 0:
            ax.axvspan(start, stop, color=CLOSED_COLOUR, alpha=CLOSED_ALPHA * share, linewidth=0)
    handles, labels = ax.get_legend_handles_labels()
    patch = Patch(color=CLOSED_COLOUR, alpha=CLOSED_ALPHA, label="Unfunded, intake closed (darker: in more replicates)")
    ax.legend([*handles, patch], [*labels, patch.get_label()], loc="best", fontsize="small")


def _finish(fig: Figure, ax: Axes | np.ndarray, data: pd.DataFrame, title: str) -> PlotResult:
    """Title, date axis and a note on what the line and band show."""
    replicates = data["replicate"].nunique()
    fig.suptitle(title, fontsize="x-large")
    for one in np.atleast_1d(ax):
        locator = mdates.AutoDateLocator()
        one.xaxis.set_major_locator(locator)
        one.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    note = f"Line: median of {replicates} replicate{'s' * (replicates != 1)}; band: middle {PERCENT_WIDTH} % of replicates."
    fig.supxlabel(note, fontsize="small", color="0.35")
    return fig, ax
