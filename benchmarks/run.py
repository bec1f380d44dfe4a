"""Benchmarks of the array model: build and step seconds, throughput, peak memory, and ratios to the
per-agent reference twin (tests/reference/twin.py) and to a bare NumPy loop, next to the targets.

    .venv/bin/python benchmarks/run.py                       # 10k, 100k, 1M jobseekers x 120 months
    .venv/bin/python benchmarks/run.py --sizes 10000,100000  # chosen sizes
    .venv/bin/python benchmarks/run.py --quick               # small sizes and few months: a fast check

Every measurement runs in a fresh subprocess (this file with ``--worker``) so peak memories do not mix.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE_SCENARIO = ROOT / "scenarios" / "base.yaml"
TWIN_MAX_SIZE = 100_000  # the twin is timed up to this size
TWIN_FULL_SIZE = 10_000  # above this the twin runs Plan.twin_short_months and is scaled to the full months
GIB = 1024**3
DASHBOARD_REPLICATES = 5  # sim.dashboard.app.REPLICATES (not imported: the dashboard's extras may be absent)
SOBOL_RUNS = 28_700  # the shipped Sobol study (scenarios/studies/sensitivity.yaml): N (D + 2) x 2 seeds, N 512, D 26
STUDY_WORKERS = 2
COLUMNS = (  # (header, width)
    ("jobseekers", 10), ("months", 6), ("first-call s", 12), ("build s (agents)", 16), ("build s (arrays)", 16),
    ("views s", 7), ("step s", 7), ("total s", 7), ("jobseeker-months/s", 18), ("peak RSS MiB", 12),
    ("views MiB", 9),
    ("x faster than twin", 18), ("x slower than bare NumPy", 24),
)  # fmt: skip
HEADER = "  ".join(f"{name:>{width}}" for name, width in COLUMNS)
NOTES = (
    "first-call s: a tiny model built and run first in the fresh process (compiled kernels load); not in build or step",
    "build s (agents): MentoringModel(..., agents=True) (its jobseeker, employer and mentor agents are built on"
    " first use: 'views s' times that first use after the run); build s (arrays): agents=False; both include the"
    " burn-in (labour_market.burn_in_months), so their difference is noise: what agents add is measured apart"
    " (benchmarks/run.py agents_seconds, the goals below)",
    "step s: all months of the full model (default scenario, programme on); total s = build s (agents) + step s",
    "x faster than twin: the twin's step seconds per jobseeker-month / the array model's; the twin does less"
    " (jobseeker and pair dynamics of 2 % of jobseekers paired at month 0; no intake, matching, funding)",
    "x slower than bare NumPy: step s / a loop of one uniform draw, compare and masked write per agent per month",
    "peak RSS: ru_maxrss of the measuring process while building and running (includes the interpreter and"
    " libraries, ~300 MiB); views MiB: what building the Mesa agents (views) on first use adds afterwards",
)


@dataclass(frozen=True)
class Plan:
    sizes: list[int]
    months: int
    replicates: int
    twin_short_months: int
    quick: bool


# -- workers (each in its own process) -------------------------------------------------------------
def peak_rss_bytes() -> int:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def current_rss_bytes() -> int:
    """Resident memory of this process now (Linux /proc; 0 where it is not available)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * resource.getpagesize()


def sized_scenario(size: int, months: int) -> Any:
    from sim.scenario.schema import Scenario

    scenario = Scenario(months=months)
    scenario.population.size = size
    return scenario


def first_call_seconds() -> float:
    """Build and run a tiny model: compiled kernels are loaded (or compiled) once a process."""
    from sim.replicates import run

    start = time.perf_counter()
    run(sized_scenario(200, 2), replicates=1)
    return time.perf_counter() - start


def bare_numpy_seconds(size: int, months: int) -> float:
    """The floor: one uniform draw, one compare and one masked write per agent per month."""
    import numpy as np

    rng = np.random.default_rng(0)
    state = np.zeros(size, dtype=np.int8)
    start = time.perf_counter()
    for _ in range(months):
        u = rng.random(size)
        state[u < 0.03] = 1
    return time.perf_counter() - start


def work_model(size: int, months: int) -> dict[str, float]:
    """Build (arrays only, then with Mesa agents), run all months, peak memory, the bare NumPy loop."""
    from sim.model.model import MentoringModel

    first_call = first_call_seconds()
    scenario = sized_scenario(size, months)
    before = current_rss_bytes()
    start = time.perf_counter()
    model = MentoringModel(scenario, seed=1, agents=False)
    build_arrays = time.perf_counter() - start
    del model
    gc.collect()
    start = time.perf_counter()
    model = MentoringModel(scenario, seed=1, agents=True)
    build = time.perf_counter() - start
    start = time.perf_counter()
    model.run()
    step = time.perf_counter() - start
    peak = peak_rss_bytes()  # the model's peak: building and running (the agents' views not built yet)
    rss = current_rss_bytes()
    start = time.perf_counter()
    len(model.agents_by_type)  # the first use builds the jobseeker, employer and mentor agents
    views = time.perf_counter() - start
    views_bytes = current_rss_bytes() - rss
    del model
    gc.collect()
    numpy = bare_numpy_seconds(size, months)
    return {
        "first_call": first_call,
        "build": build,
        "build_arrays": build_arrays,
        "agents": agents_seconds(scenario),
        "views": views,
        "step": step,
        "peak": peak,
        "views_bytes": views_bytes,
        "before": before,
        "numpy": numpy,
    }


def agents_seconds(scenario: Any, rounds: int = 3) -> float:
    """What Mesa agents add to building a model: agents=True minus agents=False, without the burn-in.

    Both builds run in this process on a copy of the scenario with no burn-in (the same for both, and the
    noisy bulk of a build), alternately, ``rounds`` times; the smallest difference is reported.
    """
    from sim.model.model import MentoringModel

    quick = scenario.model_copy(deep=True)
    quick.labour_market.burn_in_months = 0
    differences = []
    for _ in range(rounds):
        seconds = {}
        for agents in (False, True):
            start = time.perf_counter()
            model = MentoringModel(quick, seed=1, agents=agents)
            seconds[agents] = time.perf_counter() - start
            del model
            gc.collect()
        differences.append(seconds[True] - seconds[False])
    return max(min(differences), 0.0)


def work_twin(size: int, months: int) -> dict[str, float]:
    """The reference twin from the same initial state, 2 % of jobseekers in pairs formed at month 0."""
    sys.path.insert(0, str(ROOT / "tests"))
    from reference.twin import PairSetup, TwinModel

    from sim.model.model import MentoringModel

    source = MentoringModel(sized_scenario(size, months), seed=1, agents=False)
    start = time.perf_counter()
    twin = TwinModel(source, seed=1, pairs=PairSetup(n_pairs=size // 50))
    build = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(months):
        twin.step()
    return {"build": build, "step": time.perf_counter() - start}


def work_base(replicates: int, shrink_to: tuple[int, int] | None) -> dict[str, Any]:
    """``sim.replicates.run`` on the base scenario (with the twin counterfactual runs it asks for)."""
    from sim.replicates import run
    from sim.scenario.schema import Scenario

    if BASE_SCENARIO.exists():
        from sim.scenario.loader import load_scenario

        scenario, name = load_scenario(BASE_SCENARIO), "scenarios/base.yaml"
    else:
        scenario, name = Scenario(), "Scenario()"
    if shrink_to:
        scenario.population.size = min(scenario.population.size, shrink_to[0])
        scenario.months = min(scenario.months, shrink_to[1])
        name += f" shrunk to {scenario.population.size:,} x {scenario.months} months"
    first_call = first_call_seconds()
    start = time.perf_counter()
    run(scenario, replicates=replicates)
    seconds = time.perf_counter() - start
    twin = scenario.counterfactual.twin and scenario.programme.enabled
    return {"seconds": seconds, "first_call": first_call, "name": name, "twin": twin}


def work_dashboard(shrink_to: tuple[int, int] | None) -> dict[str, Any]:
    """The dashboard's default run of the base scenario: ``run`` with the replicates slider's default."""
    from sim.replicates import run
    from sim.scenario.loader import load_scenario

    replicates = DASHBOARD_REPLICATES
    scenario = load_scenario(BASE_SCENARIO)
    if shrink_to:
        scenario.population.size = min(scenario.population.size, shrink_to[0])
        scenario.months = min(scenario.months, shrink_to[1])
    first_call = first_call_seconds()
    start = time.perf_counter()
    run(scenario, replicates=replicates)
    return {"seconds": time.perf_counter() - start, "first_call": first_call, "replicates": replicates}


WORKERS = {"model": work_model, "twin": work_twin, "base": work_base, "dashboard": work_dashboard}


def measure(kind: str, **kwargs: Any) -> dict[str, Any]:
    """Run one worker in a fresh Python process; its last stdout line is the JSON result."""
    spec = json.dumps({"kind": kind, "kwargs": kwargs})
    done = subprocess.run([sys.executable, __file__, "--worker", spec], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker {kind} {kwargs} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ------------------------------------------------------------------------------------
def size_row(size: int, plan: Plan, notes: list[str]) -> dict[str, float]:
    """Measure one size (model, then twin) and print its table row."""
    months = plan.months
    m = measure("model", size=size, months=months)
    row = m | {"total": m["build"] + m["step"], "throughput": size * months / m["step"], "twin_ratio": math.nan}
    if size <= TWIN_MAX_SIZE:
        twin_months = months if size <= TWIN_FULL_SIZE else min(months, plan.twin_short_months)
        tw = measure("twin", size=size, months=twin_months)
        row["twin_ratio"] = (tw["step"] / twin_months) / (m["step"] / months)
        if twin_months < months:
            notes.append(
                f"twin at {size:,}: run for {twin_months} months, its step time scaled x{months / twin_months:g}"
            )
    row["numpy_ratio"] = m["step"] / m["numpy"]
    cells = (
        f"{size:,}", str(months), f"{m['first_call']:.2f}", f"{m['build']:.2f}", f"{m['build_arrays']:.2f}",
        f"{m['views']:.2f}", f"{m['step']:.2f}", f"{row['total']:.2f}", f"{row['throughput']:,.0f}",
        f"{m['peak'] / 2**20:,.0f}", f"{m['views_bytes'] / 2**20:,.0f}",
        "n/a" if math.isnan(row["twin_ratio"]) else f"{row['twin_ratio']:.3g}x", f"{row['numpy_ratio']:.1f}",
    )  # fmt: skip
    print("  ".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, COLUMNS, strict=True)), flush=True)
    return row


def target_line(what: str, measured: str, goal: str, ok: bool | None | str) -> None:
    """One target: what, the measured value, the goal and met / MISSED (n/a, or a reason it is not measured)."""
    verdict = ok if isinstance(ok, str) else "n/a" if ok is None else ("met" if ok else "MISSED")
    print(f"  {what:<52} {measured:>10}  {goal:<9} {verdict}")


def report_goals(
    rows: dict[int, dict[str, float]], base: dict[str, Any], dashboard: dict[str, Any], plan: Plan
) -> None:
    """The goals of issue 15 ("Fast enough to think with"), each with its measured value and met / MISSED."""
    full = plan.months == 120 and not plan.quick
    print("\nGoals of issue 15 (fast enough to think with):")
    replicate = base["seconds"] / plan.replicates
    target_line("a base replicate (programme run + twin), wall", f"{replicate * 1000:.0f} ms", "<= 50 ms",
                replicate <= 0.05 if full else None)  # fmt: skip
    r = rows.get(1_000_000)
    agents = r["agents"] if r else math.nan
    target_line("1M: what agents add to a build (views built lazily)", f"{agents:.2f} s" if r else "-", "<= 1 s",
                agents <= 1 if r and full else None)  # fmt: skip
    target_line("1M x 120 months, build (agents) + step", f"{r['total']:.2f} s" if r else "-", "<= 5 s",
                r["total"] <= 5 if r and full else None)  # fmt: skip
    target_line("1M x 120 months, step / bare NumPy loop", f"{r['numpy_ratio']:.1f}x" if r else "-", "<= 5x",
                r["numpy_ratio"] <= 5 if r and full else None)  # fmt: skip
    r = rows.get(10_000_000)
    why = "not measured: ~4 min and ~7 GiB at today's speed (--sizes 10000000 measures it)"
    target_line("10M x 120 months, build (agents) + step", f"{r['total']:.1f} s" if r else "-", "<= 60 s",
                (r["total"] <= 60 if full else None) if r else why)  # fmt: skip
    target_line("10M x 120 months, peak RSS", f"{r['peak'] / GIB:.2f} GiB" if r else "-", "<= 6 GiB",
                (r["peak"] <= 6 * GIB if full else None) if r else "not measured (as above)")  # fmt: skip
    size = max(rows)
    per_person = (rows[size]["peak"] - rows[size]["before"]) / size
    target_line(f"memory per jobseeker ({size:,}: peak - before build)", f"{per_person:,.0f} B", "reported", None)
    study = SOBOL_RUNS * replicate / STUDY_WORKERS
    target_line(f"Sobol study at base size, {STUDY_WORKERS} local workers", f"~{study / 60:,.0f} min", "<= 3 min",
                f"{'met' if study <= 180 else 'MISSED'} (estimate: {SOBOL_RUNS:,} runs x a base replicate /"
                f" {STUDY_WORKERS}; not run; runs/s of the pools: benchmarks/studies.py)" if full else None)  # fmt: skip
    label = f"dashboard default run (base, {dashboard['replicates']} replicates)"
    target_line(label, f"{dashboard['seconds']:.2f} s", "<= 2 s", dashboard["seconds"] <= 2 if full else None)


def report_targets(rows: dict[int, dict[str, float]], base: dict[str, Any], plan: Plan) -> None:
    """The targets next to the figures ('n/a' when the run does not measure them at full size)."""
    full = plan.months == 120
    print("\nTargets:")
    what = f"base x {plan.replicates} replicates" + (" (with twin runs), wall" if base["twin"] else ", wall")
    base_ok = base["seconds"] < 5 if plan.replicates == 20 and not plan.quick else None
    target_line(what, f"{base['seconds']:.2f} s", "< 5 s", base_ok)
    r = rows.get(100_000)
    target_line(
        "100k x 120 months, build (agents) + step",
        f"{r['total']:.2f} s" if r else "-",
        "< 3 s",
        r["total"] < 3 if r and full else None,
    )
    target_line(
        "speed-up over the reference twin at 100k (step)",
        f"{r['twin_ratio']:.0f}x" if r else "-",
        ">= 50x",
        r["twin_ratio"] >= 50 if r else None,
    )
    r = rows.get(1_000_000)
    target_line(
        "1M x 120 months, build (agents) + step",
        f"{r['total']:.2f} s" if r else "-",
        "< 30 s",
        r["total"] < 30 if r and full else None,
    )
    target_line(
        "1M x 120 months, peak RSS",
        f"{r['peak'] / GIB:.2f} GiB" if r else "-",
        "< 2 GiB",
        r["peak"] < 2 * GIB if r and full else None,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", help="comma-separated jobseeker counts (default 10000,100000,1000000; quick: 2000,5000)"
    )
    parser.add_argument("--months", type=int, help="months per run (default 120; quick: 12)")
    parser.add_argument("--replicates", type=int, help="replicates of the base scenario (default 20; quick: 2)")
    parser.add_argument(
        "--quick", action="store_true", help="a fast check: small sizes, few months and replicates, base shrunk"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(WORKERS[spec["kind"]](**spec["kwargs"])))
        return
    plan = Plan(
        sizes=[int(s) for s in (args.sizes or ("2000,5000" if args.quick else "10000,100000,1000000")).split(",")],
        months=args.months or (12 if args.quick else 120),
        replicates=args.replicates or (2 if args.quick else 20),
        twin_short_months=3 if args.quick else 12,
        quick=args.quick,
    )
    print(
        f"mentorsim benchmarks: Python {sys.version.split()[0]}, {plan.months} months, each measurement in a fresh process\n"
    )
    print(HEADER)
    notes: list[str] = []
    rows = {size: size_row(size, plan, notes) for size in plan.sizes}
    base = measure("base", replicates=plan.replicates, shrink_to=(2000, plan.months) if plan.quick else None)
    print(
        f"\nbase scenario ({base['name']}) x {plan.replicates} replicates with sim.replicates.run: {base['seconds']:.2f} s wall"
    )
    print(f"  (+ {base['first_call']:.2f} s first call in the fresh process, not included)")
    print("\nNotes:")
    for note in [*notes, *NOTES]:
        print(f"  - {note}")
    report_targets(rows, base, plan)
    dashboard = measure("dashboard", shrink_to=(2000, plan.months) if plan.quick else None)
    report_goals(rows, base, dashboard, plan)


if __name__ == "__main__":
    main()
