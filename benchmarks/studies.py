"""Study throughput: the same 1,000-run study in this process, on 2 local workers and on a 2-worker Dask
cluster on loopback, through the results store (Parquet per run), with the ratios and their targets.

    .venv/bin/python benchmarks/studies.py               # 1,000 runs of base shrunk to 1,000 jobseekers x 12 months
    .venv/bin/python benchmarks/studies.py --runs 40     # a fast check

The study is the base scenario with ``population.size=1000, months=12`` (about 50 ms a run with its
twin) on seeds 1..runs. Each backend writes into a fresh temporary store; the timings include starting
the worker processes (and the Dask LocalCluster) and writing every run's Parquet file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.experiments import Experiment, run_tasks, tasks_for
from sim.loader import load_scenario
from sim.store import Store

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("population.size=1000", "months=12")
TARGET_POOL = 1.8  # 2 local workers / 1 worker
TARGET_DASK = 0.8  # 2-worker Dask cluster on loopback / 2 local workers


def timed(runs: int, workers: int | None = None, dask: str | None = None) -> tuple[float, int]:
    """Seconds to run the study into a fresh store, and the rows of its table."""
    scenario = load_scenario(ROOT / "scenarios" / "base.yaml", SETTINGS)
    tasks = tasks_for([Experiment(0, {}, scenario)], range(1, runs + 1))
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder), "bench") as store:
        start = time.perf_counter()
        table = run_tasks(tasks, store, workers, dask)
        return time.perf_counter() - start, len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    timed(2, workers=1)  # compiled kernels load once in this process before timing
    rows = []
    for label, kwargs in (("1 worker (in process)", {"workers": 1}), ("2 local workers", {"workers": 2}),
                          ("Dask LocalCluster, 2 workers", {"dask": "local"})):  # fmt: skip
        seconds, done = timed(args.runs, **kwargs)
        assert done == args.runs, f"{label}: {done} of {args.runs} runs done"
        rows.append((label, seconds))
        print(f"{label:<30} {seconds:8.1f} s  {args.runs / seconds:7.1f} runs/s", flush=True)
    one, pool, dask = (s for _, s in rows)
    print(f"\nStudy of {args.runs} runs of base with {', '.join(SETTINGS)}:")
    print(f"  2 local workers / 1 worker: {one / pool:.2f}x (target >= {TARGET_POOL}x)")
    print(f"  Dask 2 workers / 2 local workers: {pool / dask:.2f}x (target >= {TARGET_DASK}x)")
    print("Targets: 2 local workers >= 1.8x one worker; a 2-worker Dask cluster on loopback >= 0.8x the local pool.")


if __name__ == "__main__":
    main()
