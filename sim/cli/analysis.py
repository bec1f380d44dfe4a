"""The analysis commands: ``mentorsim sensitivity`` and ``mentorsim discover``.

``sensitivity`` samples a sweep study's parameters (:mod:`sim.studies.sensitivity`), runs every point on the
study's replicate seeds through the results store of ``results/<study>-<method>/`` exactly like
``sweep`` (resumable, ``--workers``/``--dask``/``--set``/``--out-dir``) and analyses every outcome.
``discover`` runs PRIM (:mod:`sim.studies.discovery`) on the table of a finished study folder. Bad input is
a clear message and exit status 2, before anything is written.
"""

from __future__ import annotations

import json
import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Column, Table

from sim.cli.common import (
    DaskOption,
    ReplicatesOption,
    SetOption,
    WorkersOption,
    console,
    progress_console,
    refuse,
    refused_if_invalid,
)
from sim.cli.studies import ForceOption, reported_outcomes, run_study, with_replicates
from sim.outputs.files import atomic_write, file_hash, safe_name
from sim.outputs.run_folder import RESULTS_ROOT
from sim.outputs.vocabulary import format_difference
from sim.scenario.loader import Origin, Problem
from sim.studies import discovery
from sim.studies import sensitivity as gsa
from sim.studies.experiments import (
    Sensitivity,
    Study,
    StudyError,
    base_scenario,
    experiments_at,
    load_study,
    parameter_space,
    points_from_unit,
    sensitivity_settings,
    tasks_for,
)


class Method(StrEnum):
    """The methods of ``mentorsim sensitivity --method``: Sobol indices or Morris elementary effects."""

    sobol = "sobol"
    morris = "morris"


def sensitivity(
    study: Annotated[Path, typer.Argument(help="Study YAML file of kind sweep.", show_default=False)],
    method: Annotated[
        Method | None, typer.Option(help="sobol or morris (default: the study's sensitivity.method, else sobol).")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            help="sobol: base sample N (a power of 2); morris: trajectories (default: the study's).", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the sample (default: the study's).", show_default=False)
    ] = None,
    replicates: ReplicatesOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    set_: SetOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Results folder (default: results/<study>-<method>/).", show_default=False),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Global sensitivity (Sobol or Morris, SALib) of every outcome of a sweep study to its levers and uncertainties.

    Writes sensitivity.csv (tidy indices), sensitivity.json (settings, notes, warnings), a figure
    (sobol.png or morris.png) and the experiments table; warns when the sample is too small.
    """
    overrides = set_ or ()
    with refused_if_invalid():
        spec = with_replicates(load_study(study), replicates)
        _require_sweep(spec, study)
        settings = sensitivity_settings(spec, study, method and method.value, samples, seed)
        base = base_scenario(spec, study, overrides)
        names = list(parameter_space(spec, base))
        unit = gsa.sample(settings, names)
        with progress_console().status(f"Preparing {len(unit)} experiments..."):
            experiments = experiments_at(spec, study, points_from_unit(spec, base, unit), overrides)
    folder = out_dir or RESULTS_ROOT / safe_name(f"{spec.name}-{settings.method}")
    digest = f"{file_hash(study)}:{settings.model_dump_json()}:{shlex.join(overrides)}"
    seeds = [spec.seed + r for r in range(spec.replicates)]
    table = run_study(spec.name, folder, digest, tasks_for(experiments, seeds), workers, dask, force)
    result = gsa.analyse(table, unit, names, settings, reported_outcomes(spec, table))
    found = gsa.stability_warnings(result.indices, settings)
    _write_sensitivity(folder, result, found, settings, spec, len(unit), seeds)
    _print_indices(result.indices, settings)
    for line in [*(f"Note: {n}" for n in result.notes), *(f"Warning: {w}" for w in found)]:
        typer.echo(line, err=True)


def _require_sweep(study: Study, path: Path) -> None:
    if study.kind != "sweep":
        message = "sensitivity needs a study of kind sweep (levers and uncertainties)"
        raise StudyError([Problem(Origin(str(path)), "kind", message, study.kind, "sweep")])


def _write_sensitivity(
    folder: Path,
    result: gsa.Analysis,
    found: list[str],
    settings: Sensitivity,
    study: Study,
    points: int,
    seeds: list[int],
) -> None:
    """sensitivity.csv, sensitivity.json and the figure of the method."""
    atomic_write(folder / "sensitivity.csv", lambda p: result.indices.to_csv(p, index=False))
    summary = {
        "study": study.name,
        "settings": settings.model_dump(),
        "experiments": points,
        "seeds": seeds,
        "analysed": list(dict.fromkeys(result.indices["outcome"])),
        "outcome_per_point": "mean over the replicates with a value (NaN replicates ignored)",
        "confidence": gsa.CONFIDENCE,
        "bootstrap": {"resamples": gsa.RESAMPLES, "seed": gsa.BOOTSTRAP_SEED},
        "notes": result.notes,
        "warnings": found,
    }
    text = json.dumps(summary, indent=1) + "\n"
    atomic_write(folder / "sensitivity.json", lambda p: p.write_text(text, encoding="utf-8"))
    if result.indices.empty:
        return
    from sim.outputs.figures import plot_morris, plot_sobol, save_png  # the plotting stack loads only to draw

    plot = plot_morris if settings.method == "morris" else plot_sobol
    figure = folder / f"{settings.method}.png"
    save_png(plot(result.indices, f"{study.name}: {_sample_text(settings, points, len(seeds))}")[0], figure)
    typer.echo(f"Indices: {folder / 'sensitivity.csv'}, {figure}")


def _sample_text(settings: Sensitivity, points: int, replicates: int) -> str:
    size = f"r = {settings.trajectories}" if settings.method == "morris" else f"N = {settings.samples}"
    return f"{settings.method.capitalize()}, {size}, {points} experiments x {replicates} replicates"


def _print_indices(indices: pd.DataFrame, settings: Sensitivity) -> None:
    """Per outcome, the parameters from most to least influential (ST, or mu* for Morris)."""
    if indices.empty:
        return
    morris = settings.method == "morris"
    heads = ("mu* (95 % interval)", "sigma") if morris else ("S1 (95 % interval)", "ST (95 % interval)")
    table = Table(
        "Outcome", "Parameter", *(Column(h, justify="right") for h in heads),
        title=f"{settings.method.capitalize()} indices",
        caption="Mean over replicates per point; discrete parameters: approximate indices"
        + ("; mu* and sigma in the outcome's units (pp: percentage points)." if morris else "."),
    )  # fmt: skip
    for outcome, group in indices.groupby("outcome", sort=False):
        by = group.set_index(["parameter", "index"])
        key = "mu_star" if morris else "ST"
        order = by.xs(key, level="index")["value"].sort_values(ascending=False).index
        for parameter in order:
            cells = [
                _interval(by.loc[(parameter, i)], str(outcome) if morris else None)
                for i in (("mu_star",) if morris else ("S1", "ST"))
            ]
            if morris:
                cells.append(format_difference(str(outcome), by.loc[(parameter, "sigma"), "value"], signed=False))
            table.add_row(str(outcome), str(parameter), *cells)
        table.add_section()
    console().print(table)


def _interval(row: pd.Series, outcome: str | None) -> str:
    """An index and its interval, as the table shows them.

    Sobol indices with 3 decimals on their 0-1 scale; Morris's mu* (``outcome`` given) is a change of the
    outcome, shown as a difference in its units (pp for shares).
    """
    if outcome is None:
        return f"{row['value']:.3f} ({row['conf_low']:.3f} to {row['conf_high']:.3f})"
    values = (format_difference(outcome, row[k], signed=False) for k in ("value", "conf_low", "conf_high"))
    return "{} ({} to {})".format(*values)


# --- discover ------------------------------------------------------------------------------------


def discover(
    results: Annotated[
        Path, typer.Argument(help="Folder of a finished sweep or sensitivity study.", show_default=False)
    ],
    outcome: Annotated[str, typer.Option(help="Outcome column that defines the cases of interest.")],
    below: Annotated[
        float | None, typer.Option(help="Cases of interest: experiment mean < this.", show_default=False)
    ] = None,
    above: Annotated[
        float | None, typer.Option(help="Cases of interest: experiment mean > this.", show_default=False)
    ] = None,
    peel_alpha: Annotated[
        float, typer.Option("--peel-alpha", "--threshold-peel", min=0.001, max=0.5, help="Share peeled per step.")
    ] = discovery.PEEL_ALPHA,
    min_density: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Box chosen: the highest coverage with at least this density.")
    ] = discovery.MIN_DENSITY,
    boxes: Annotated[int, typer.Option(min=1, max=10, help="Boxes to find, one after the other.")] = 1,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            help="Folder for boxes.csv and the plots (default: discover-<outcome>-<below|above>-<X>/ in the study folder).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scenario discovery with PRIM: which ranges of levers and uncertainties lead to the cases of interest.

    Writes boxes.csv (the chosen boxes' limits and statistics), peeling.csv and peeling.png (the
    coverage-density trade-off of every box on the peeling trajectory) and box_limits.png (each chosen box's
    limits, ema_workbench's inspect graph) into a folder of the study folder
    named for the question, so that asking another question does not overwrite the answer to this one.
    """
    try:
        table = discovery.read_table(results)
        x, y, note = discovery.cases(table, outcome, below, above)
        found = discovery.find_boxes(x, y, peel_alpha, min_density, boxes)
    except discovery.DiscoveryError as err:
        refuse(f"Refused: {err}")
    folder = out_dir or results / discover_folder(outcome, below, above)
    folder.mkdir(parents=True, exist_ok=True)
    limits = pd.concat([b.limits for b in found], ignore_index=True)
    trajectory = pd.concat([b.trajectory for b in found], ignore_index=True)
    atomic_write(folder / "boxes.csv", lambda p: limits.to_csv(p, index=False))
    atomic_write(folder / "peeling.csv", lambda p: trajectory.to_csv(p, index=False))
    condition = discovery.describe_condition(outcome, below, above)
    from sim.outputs.figures import plot_box_limits, plot_tradeoff, save_png  # the plotting stack loads only to draw

    save_png(plot_tradeoff(trajectory, condition)[0], folder / "peeling.png")
    save_png(plot_box_limits(found, condition)[0], folder / "box_limits.png")
    _print_boxes(found, condition, int(y.sum()), len(y))
    if note:
        typer.echo(f"Note: {note}", err=True)
    typer.echo(f"Boxes: {folder / 'boxes.csv'}, {folder / 'peeling.png'}, {folder / 'box_limits.png'}")


def discover_folder(outcome: str, below: float | None, above: float | None) -> str:
    """The default output folder of one question, e.g. ``discover-net_placements-below-20``."""
    side, value = ("below", below) if below is not None else ("above", above)
    return safe_name(f"discover-{outcome}-{side}-{value:g}")


def _print_boxes(found: list[discovery.Box], condition: str, cases: int, experiments: int) -> None:
    for box in found:
        stats = box.stats
        table = Table(
            "Parameter",
            "Restricted to",
            "Full range",
            Column("Quasi-p", justify="right"),
            title=(
                f"Box {box.number}: {condition} ({cases} of {experiments} experiments): coverage "
                f"{stats['coverage']:.0%}, density {stats['density']:.0%}, mass {stats['mass']:.0%}"
            ),
            caption=box.choice,
        )
        for row in box.limits.itertuples(index=False):
            table.add_row(row.parameter, row.restricted, row.full, row.qp)
        console().print(table)
