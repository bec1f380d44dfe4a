"""A self-contained HTML report of one run folder, for funders and partners: ``mentorsim report``.

It reads the run folder with :func:`sim.outputs.run_folder.read_run` (a folder that is not a run is a
:class:`~sim.outputs.run_folder.RunFolderError`). One HTML file with inline CSS and the figures embedded as base64 PNG (no external assets, no
JavaScript): what was run, the documented assumptions with their sources, gross and net outcomes with
their spread across replicates (5th-95th percentile) in plain language, costs, the funding timeline with its
cliffs, and optionally the comparison with a baseline run first: what a person changed, in words, and the mean
paired differences with their 95 % t interval of the mean (the computation of ``mentorsim compare``). The template is ``sim/outputs/templates/report.html.j2`` (Jinja2).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from sim.model.reporting import moment_in_words
from sim.outputs.changes import differences, person_set_paths, plain
from sim.outputs.files import atomic_write_text
from sim.outputs.run_folder import RunFolder, read_run
from sim.outputs.vocabulary import (
    BREAKDOWNS,
    format_as,
    format_difference,
    format_estimate,
    format_range,
    format_value,
    label,
    rough_intervals,
)
from sim.replicates import DIFFERENCE_NAME, SPREAD_COLUMNS, SPREAD_NAME, paired_differences, summarise
from sim.scenario.loader import ScenarioError, load_scenario, read_document, scenario_files, scenario_hash
from sim.scenario.paths import value_at
from sim.scenario.schema import Counting, Scenario, parameter_records

REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"
FIGURE_DPI = 90

# The outcomes of each table of the report, in report order (labels and units: sim.outputs.vocabulary).
GROSS = (
    "enrolled", "matched_share", "wait_months_mean", "dropout_share", "network_access_share",
    "employed_end_share", "employed_6m_share", "employed_at_level_share", "positive_outcome_6m_share",
)  # fmt: skip
NET = (
    "net_effect_employed_6m", "net_effect_employed_6m_after_start", "net_effect_employed_12m_after_start",
    "rct_effect_employed_12m",
)  # fmt: skip
SUBGROUPS = BREAKDOWNS
COSTS = ("cost_total_eur", "cost_per_participant_eur", "net_placements", "cost_per_net_placement_eur")
CAPACITY = ("months_without_intake", "staff_lost_fte", "mentors_recruited", "mentors_lost")
COMPARED = (*GROSS, *NET, *COSTS, *CAPACITY)
REPORTING = ("reported_share", "reported_share_all_participants", "reporting_gap")  # sim.model.reporting


@dataclass
class Cliff:
    """A grant end after which the money falls in at least one replicate."""

    month: str
    grant: str
    replicates_falling: int
    replicates: int

    @property
    def label(self) -> str:
        """How the report names the cliff: grant and month, and in how many replicates the money falls if not all."""
        how = (
            ""
            if self.replicates_falling == self.replicates
            else f" (money falls in {self.replicates_falling} of {self.replicates} replicates)"
        )
        return f"{self.grant} ends {self.month}{how}"


Progress = Callable[[str], None]  # told what the report does next (the command line's spinner)


def _silent(step: str) -> None:
    """No progress messages."""


def render_report(folder: str | Path, baseline: str | Path | None = None, progress: Progress = _silent) -> str:
    """The HTML report of a run folder, optionally compared with a ``baseline`` run folder."""
    progress(f"Reading the run folder {folder}...")
    run = read_run(folder)
    if baseline is not None:
        progress(f"Reading the baseline {baseline}...")
    base = read_run(baseline) if baseline is not None else None
    context = report_context(run, base, progress)
    progress("Writing the HTML...")
    return templates().get_template(TEMPLATE).render(context)


def templates() -> jinja2.Environment:
    """The report templates of ``sim/outputs/templates`` (escaped; a missing value is an error)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sim.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_report(
    folder: str | Path, out: str | Path | None = None, baseline: str | Path | None = None, progress: Progress = _silent
) -> Path:
    """Render the report and write it atomically (temporary file, then rename); return the path written.

    ``out`` is the file written (default: ``report.html`` in the run folder); ``progress`` is told each step.
    """
    html = render_report(folder, baseline, progress)
    target = Path(out) if out is not None else Path(folder) / REPORT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(target, html)


# --- the content ------------------------------------------------------------------------------------


def report_context(run: RunFolder, baseline: RunFolder | None = None, progress: Progress = _silent) -> dict[str, Any]:
    """Everything the template shows, as plain values and strings."""
    cliffs = funding_cliffs(run)
    progress("Reading the documented assumptions of the scenario files...")
    assumptions, assumptions_note = documented_assumptions(run)
    replicates = int(run.manifest.get("replicates", len(run.outcomes)))
    return {
        "run": _what_was_run(run),
        "headline": headline(run),
        "gross": outcome_rows(run, GROSS),
        "net": outcome_rows(run, NET),
        "subgroups": outcome_rows(run, SUBGROUPS),
        "costs": outcome_rows(run, COSTS),
        "capacity": outcome_rows(run, CAPACITY),
        "cost_sentence": cost_sentence(run),
        "assumptions": assumptions,
        "assumptions_note": assumptions_note,
        "grants": _grants(run.scenario),
        "cliffs": [cliff.label for cliff in cliffs],
        "figures": _figures(run, cliffs, progress),
        "rough": rough_intervals(replicates),
        "baseline": compare_runs(run, baseline) if baseline is not None else None,
        "reporting": reporting_gap(run),
        "spread_name": SPREAD_NAME,
        "difference_name": DIFFERENCE_NAME,
    }


def headline(run: RunFolder) -> list[str]:
    """The main findings as sentences: gross, without the programme, net."""
    participants = run.mean("enrolled")
    replicates = int(run.manifest.get("replicates", len(run.outcomes)))
    gross = run.interval("employed_6m_share")
    net = run.interval("net_effect_employed_6m")
    sentences = [
        f"Of the {format_value('enrolled', participants)} participants (mean of {replicates} "
        f"replicate{'s' * (replicates != 1)}), {format_estimate('employed_6m_share', *gross)} were in work "
        "6 months after leaving the programme"
    ]
    if math.isnan(net[0]):
        sentences[0] += "; the net effect was not computed (no run without the programme)."
        return sentences
    without = summarise((run.outcomes["employed_6m_share"] - run.outcomes["net_effect_employed_6m"]).to_frame("x"))
    mean, low, high = (float(without.iloc[0][k]) for k in ("mean", *SPREAD_COLUMNS))
    sentences[0] += (
        f"; without the programme the same people would have been at "
        f"{format_estimate('employed_6m_share', mean, low, high)}: "
        f"a net effect of {format_estimate('net_effect_employed_6m', *net)}."
    )
    rct = run.interval("rct_effect_employed_12m")
    if not math.isnan(rct[0]):
        sentences.append(
            "Twelve months after acceptance, the share in work of participants differed by "
            f"{format_estimate('rct_effect_employed_12m', *rct)} "
            "from that of the randomised comparison group (people who applied but were not served)."
        )
    return sentences


def counting_rule(run: RunFolder) -> Counting | None:
    """The run's reporting rule when its scenario states one, else None.

    Stated: a scenario file of the run (or one it extends) sets ``reporting:``, or the rule differs from the
    schema's default (e.g. by ``--set``).
    """
    rule = run.scenario.reporting
    if rule != Counting():
        return rule
    for path in _files(run) or scenario_files(run.scenario):
        try:
            data, _ = read_document(path)
        except (ScenarioError, OSError):
            continue
        if "reporting" in data:
            return rule
    return None


DENOMINATORS = {"all": "over all participants", "started": "over those whose pair started",
                "completed": "over those who finished (their pair ran to term)"}  # fmt: skip
COUNTED = {"job": "a job", "job_at_level": "a job at their skill level", "training": "training",
           "internship": "an internship", "study": "further study"}  # fmt: skip


def counting_in_words(rule: Counting) -> str:
    """How a programme counts, in words: ``over those who finished (...), at exit, counting a job or training``."""
    moment = moment_in_words(rule)
    counts = [COUNTED[c] for c in rule.counts]
    what = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " or " + counts[-1]
    survey = (
        f", only those who answered a follow-up survey ({format_as('share', rule.response_rate)} answer; those with "
        f"the outcome {rule.response_odds_ratio:g} times the odds)"
        if rule.survey
        else ""
    )
    return f"{DENOMINATORS[rule.denominator]}{survey}, {moment}, counting {what}"


def reporting_gap(run: RunFolder) -> dict[str, Any] | None:
    """What the programme would report against all participants, with the gap (None without a stated rule).

    The numbers are the run's ``reported_share``, ``reported_share_all_participants`` and ``reporting_gap``
    (:mod:`sim.model.reporting`) as summary.csv has them, the rows ``mentorsim run`` prints.
    """
    rule = counting_rule(run)
    if rule is None or math.isnan(run.mean("reported_share")):
        return None
    reported, everyone, gap = (run.interval(name) for name in REPORTING)
    sentence = (
        f"Counting as the programme does, {counting_in_words(rule)}, it would report "
        f"{format_estimate('reported_share', *reported)} with a positive outcome; over all participants at the same "
        f"moment the share is {format_estimate('reported_share_all_participants', *everyone)}"
    )
    if math.isnan(gap[0]):
        sentence += "."
    else:
        sentence += f": the way of counting changes the figure by {format_estimate('reporting_gap', *gap)}."
    return {"rule": counting_in_words(rule), "rows": outcome_rows(run, REPORTING), "sentence": sentence}


def cost_sentence(run: RunFolder) -> str:
    """Costs in one sentence."""
    total, per_participant = run.mean("cost_total_eur"), run.mean("cost_per_participant_eur")
    text = (
        f"The programme cost {format_value('cost_total_eur', total)} in total, "
        f"{format_value('cost_per_participant_eur', per_participant)} per participant"
    )
    per_net = run.interval("cost_per_net_placement_eur")
    if math.isnan(per_net[0]) or run.mean("net_placements") <= 0:
        return text + "; with no net placements there is no cost per net placement."
    return text + f", and {format_estimate('cost_per_net_placement_eur', *per_net)} per net placement."


def documented_assumptions(run: RunFolder) -> tuple[list[dict[str, str]], str]:
    """The parameters documented as records in the scenario files of the run, and a note on where they were read.

    A row per parameter: value as run, unit, range, source. The note is empty when all is as run.
    """
    manifest = run.manifest
    files = _files(run)
    if not files:
        return [], "The run was not loaded from a scenario file: no documented parameters."
    try:
        scenario = load_scenario(files[0], manifest.get("overrides", []))
    except ScenarioError as err:
        return [], f"The scenario file {files[0]} cannot be read any more ({err}); sources not shown."
    note = ""
    if scenario_hash(scenario) != manifest.get("scenario_hash"):
        note = f"The scenario file {files[0]} has changed since the run: sources are today's, values are those run."
    rows = []
    for path, record in parameter_records(scenario).items():
        low_high = record.get("range")
        rows.append(
            {
                "path": path,
                "value": plain(value_at(run.resolved, path)),
                "unit": str(record.get("unit", "")),
                "range": f"{plain(low_high[0])} to {plain(low_high[1])}" if low_high else "",
                "source": str(record.get("source", "")),
            }
        )
    return rows, note


def funding_cliffs(run: RunFolder) -> list[Cliff]:
    """Grant ends inside the simulated period after which the monthly money falls in some replicate."""
    funding = run.timeseries.pivot(index="month", columns="replicate", values="funding_month_eur").sort_index()
    months = list(funding.index)
    cliffs = []
    for grant in run.scenario.funding.grants:
        if grant.end not in months[:-1]:
            continue
        t = months.index(grant.end)
        falling = int((funding.iloc[t + 1] < funding.iloc[t] - 1e-6).sum())
        if falling:
            cliffs.append(Cliff(grant.end, grant.name, falling, funding.shape[1]))
    return cliffs


HEADLINE_DIFFERENCES = ("net_placements", "net_effect_employed_6m", "employed_6m_share", "cost_per_net_placement_eur")


def compare_runs(run: RunFolder, baseline: RunFolder) -> dict[str, Any]:
    """What a person changed against the baseline (in words) and the outcome differences.

    The parameters: those set in either run's own scenario file or with ``--set`` (not what they take from the
    files they extend or the defaults) whose values differ; every differing parameter when a file cannot be read
    any more. The outcomes: paired by seed with :func:`~sim.replicates.paired_differences` (the computation of
    ``mentorsim compare``) when the runs share seeds, else the difference of the means without an interval.
    """
    ours = person_set_paths(_files(run), run.manifest.get("overrides", []))
    theirs = person_set_paths(_files(baseline), baseline.manifest.get("overrides", []))
    paths = None if ours is None or theirs is None else [*ours, *theirs]
    changed = differences(run.resolved, baseline.resolved, paths)
    shared = [c for c in COMPARED if c in run.outcomes.columns and c in baseline.outcomes.columns]
    both = pd.concat([baseline.outcomes.assign(run="baseline"), run.outcomes.assign(run="this")], ignore_index=True)
    diffs = paired_differences(both, "run", "baseline", shared).set_index("outcome")
    paired = bool(len(diffs)) and int(diffs["n"].max()) > 1
    rows = []
    for outcome in shared:
        row = {
            "outcome": outcome,
            "label": label(outcome),
            "baseline": format_value(outcome, baseline.mean(outcome)),
            "this": format_value(outcome, run.mean(outcome)),
        }
        if paired:
            diff = diffs.loc[outcome]  # means over the paired seeds of outcomes.csv, as compare computes them
            row["baseline"] = format_value(outcome, diff["reference_mean"])
            row["this"] = format_value(outcome, diff["mean"])
            row["difference"] = format_difference(outcome, diff["difference"])
            row["interval"] = format_range(outcome, diff["low"], diff["high"], difference=True)
            row["estimate"] = format_estimate(outcome, diff["difference"], diff["low"], diff["high"], difference=True)
        else:
            row["difference"] = format_difference(outcome, run.mean(outcome) - baseline.mean(outcome))
            row["interval"] = ""
            row["estimate"] = row["difference"]
        rows.append(row)
    return {
        "name": baseline.manifest.get("scenario", baseline.path.name),
        "this_name": run.manifest.get("scenario", run.path.name),
        "path": str(baseline.path),
        "changed": changed,
        "only_set": paths is not None,
        "outcomes": rows,
        "paired": paired,
        "seeds": len(diffs) and int(diffs["n"].max()),
        "rough": rough_intervals(int(diffs["n"].max())) if paired else "",
        "sentence": comparison_sentence(run, baseline, changed, rows, paired),
    }


def comparison_sentence(
    run: RunFolder, baseline: RunFolder, changed: list[dict[str, str]], rows: list[dict[str, str]], paired: bool
) -> str:
    """The comparison in plain language, for the top of the report."""
    this_name = run.manifest.get("scenario", run.path.name)
    base_name = baseline.manifest.get("scenario", baseline.path.name)
    what = "; ".join(f"{c['words'].lower()} {c['other']} \u2192 {c['this']}" for c in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    change = f", changing {what}{more}," if changed else ", where no parameter differs,"
    by = {r["outcome"]: r for r in rows}
    effects = [f"{_short(label(o))} by {by[o]['estimate']}" for o in HEADLINE_DIFFERENCES if o in by]
    how = (
        f"on the same {int(len(run.outcomes))} seeds (mean paired difference, 95 % t interval of the mean)"
        if paired
        else "on different seeds (difference of the means, no interval)"
    )
    return f"Compared with {base_name}{change} {this_name} changes {', '.join(effects)}, {how}."


def _short(text: str) -> str:
    """A label without its explanation in brackets, in lower case: ``net placements``."""
    return text.split(" (")[0].lower()


def _files(run: RunFolder) -> list[Path]:
    manifest = run.manifest
    return [Path(manifest.get("working_directory", ".")) / f for f in manifest.get("scenario_files", [])]


# --- helpers ---------------------------------------------------------------------------------------


def _what_was_run(run: RunFolder) -> dict[str, Any]:
    manifest, seeds = run.manifest, run.manifest.get("seeds", [])
    return {
        "name": manifest.get("scenario", run.resolved.get("name", "")),
        "description": run.resolved.get("description", ""),
        "start": run.resolved.get("start", ""),
        "months": run.resolved.get("months", ""),
        "replicates": manifest.get("replicates", len(run.outcomes)),
        "seeds": f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else ", ".join(map(str, seeds)),
        "version": manifest.get("mentorsim_version", "unknown"),
        "hash": manifest.get("scenario_hash", ""),
        "files": ", ".join(manifest.get("scenario_files", [])),
        "overrides": ", ".join(manifest.get("overrides", [])),
        "command": manifest.get("command", ""),
        "finished": manifest.get("finished", ""),
        "folder": str(run.path),
    }


def outcome_rows(run: RunFolder, outcomes: Sequence[str]) -> list[dict[str, str]]:
    """Table rows: label, mean and 5th-95th percentile of replicates, formatted with their unit (outcomes the run lacks are left out)."""
    rows = []
    for outcome in outcomes:
        mean, low, high = run.interval(outcome)
        if math.isnan(mean):
            continue
        rows.append(
            {
                "label": label(outcome),
                "mean": format_value(outcome, mean),
                "interval": format_range(outcome, low, high),
            }
        )
    return rows


def _grants(scenario: Scenario) -> list[dict[str, str]]:
    return [
        {
            "name": grant.name,
            "funder": grant.funder,
            "amount": format_as("eur", grant.amount_eur),
            "period": f"{grant.start} to {grant.end}",
            "cofinancing": format_as("share", grant.cofinancing_share),
            "renewal": (
                "none"
                if grant.renewal.probability == 0
                else f"{format_as('share', grant.renewal.probability)} a call, {grant.renewal.call_months} months, "
                f"{grant.renewal.gap_months} months gap"
            ),
        }
        for grant in scenario.funding.grants
    ]


def _figures(run: RunFolder, cliffs: list[Cliff], progress: Progress = _silent) -> list[dict[str, str]]:
    """The figures as data URIs: outcomes first, then capacity, then the funding timeline."""
    progress("Loading the plotting stack...")
    from sim.outputs.figures import plot_funding_timeline, plot_mentor_pool, plot_pairs_and_waiting, plot_placements

    plots: tuple[tuple[str, Callable[[], Any]], ...] = (
        ("Jobs and employment, gross and net", lambda: plot_placements(run.timeseries)),
        ("Mentoring pairs and waiting list", lambda: plot_pairs_and_waiting(run.timeseries)),
        ("Mentor pool", lambda: plot_mentor_pool(run.timeseries)),
        (
            "Funding timeline: money, coaches, cliffs and months without intake",
            lambda: plot_funding_timeline(run.timeseries, cliffs),
        ),
    )
    figures = []
    for number, (title, plot) in enumerate(plots, 1):
        progress(f"Drawing figure {number} of {len(plots)}: {title.lower()}...")
        figures.append({"title": title, "src": _data_uri(plot()[0])})
    return figures


def _data_uri(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
