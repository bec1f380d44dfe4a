"""Study throughput: the same 1,000-run study in this process, on 2 local workers and on a 2-worker Dask
cluster on loopback, through the results store (Parquet per run), with the ratios and their targets.

    .venv/bin/python benchmarks/studies.py               # 1,000 runs of base shrunk to 1,000 jobseekers x 24 months
    .venv/bin/python benchmarks/studies.py --runs 40     # a fast check

The study is the base scenario with ``population.size=1000, months=24`` (about 100 ms a run with its
twin) on seeds 1..runs. Each backend writes into a fresh temporary store; the timings include starting
the worker processes (and the Dask LocalCluster) and writing every run's Parquet file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sim.scenario.loader import load_scenario
from sim.studies.experiments import Experiment, run_tasks, tasks_for
from sim.studies.store import Store

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("population.size=1000", "months=24")
TARGET_POOL = 1.8  # 2 local workers / 1 worker
TARGET_DASK = 0.8  # 2-worker Dask cluster on loopback / 2 local workers


@dataclass
class Timing:
    seconds: float  # wall seconds, worker start-up included
    steady: float  # runs per second once the workers run: from the 10th % of results to the last
    parent_cpu: float  # CPU seconds of this (the writing) process
    rows: int


def timed(runs: int, workers: int | None = None, dask: str | None = None) -> Timing:
    """Run the study into a fresh store."""
    scenario = load_scenario(ROOT / "scenarios" / "base.yaml", SETTINGS)
    tasks = tasks_for([Experiment(0, {}, scenario)], range(1, runs + 1))
    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder), "bench") as store:
        start, cpu = time.perf_counter(), time.process_time()
        table = run_tasks(tasks, store, workers, dask, on_result=lambda _: stamps.append(time.perf_counter()))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    first = len(stamps) // 10
    steady = (len(stamps) - 1 - first) / (stamps[-1] - stamps[first]) if len(stamps) > first + 1 else float("nan")
    return Timing(seconds, steady, cpu, len(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    timed(2, workers=1)  # compiled kernels load once in this process before timing
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'backend':<30} {'wall s':>8} {'runs/s':>8} {'steady runs/s':>14} {'writer CPU s':>13}")
    results = []
    for label, kwargs in (("1 worker (in process)", {"workers": 1}), ("2 local workers", {"workers": 2}),
                          ("Dask LocalCluster, 2 workers", {"dask": "local"})):  # fmt: skip
        t = timed(args.runs, **kwargs)
        assert t.rows == args.runs, f"{label}: {t.rows} of {args.runs} runs done"
        results.append(t)
        print(
            f"{label:<30} {t.seconds:8.1f} {args.runs / t.seconds:8.1f} {t.steady:14.1f} {t.parent_cpu:13.1f}",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    one, pool, dask = results
    print(f"\nStudy of {args.runs} runs of base with {', '.join(SETTINGS)} (wall time incl. start-up; steady):")
    print(f"  2 local workers / 1 worker: {one.seconds / pool.seconds:.2f}x; steady {pool.steady / one.steady:.2f}x"
          f" (target >= {TARGET_POOL}x)")  # fmt: skip
    print(f"  Dask 2 workers / 2 local workers: {pool.seconds / dask.seconds:.2f}x; steady {dask.steady / pool.steady:.2f}x"
          f" (target >= {TARGET_DASK}x)")  # fmt: skip
    print("Targets: 2 local workers >= 1.8x one worker; a 2-worker Dask cluster on loopback >= 0.8x the local pool.")


if __name__ == "__main__":
    main()
