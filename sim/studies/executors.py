"""Running many replicates: in this process, on a local process pool, or on a Dask cluster.

:func:`execute` takes a list of :class:`Task` (a scenario, a seed and what to record with the result)
and yields one :class:`Done` per task as they complete, in any order. Each run is deterministic per
seed, so the backend does not change the numbers.

- ``workers=1``: in this process.
- ``workers=N`` (default: the number of cores): a ``ProcessPoolExecutor`` with the ``spawn`` start
  method passed to it (the global start method is left alone), so it behaves the same on Linux,
  macOS and Windows and from a notebook; runs go to the workers in batches of up to
  :data:`MAX_POOL_BATCH`, so that the writing process is not a bottleneck.
- ``dask="tcp://HOST:PORT"``: a running Dask scheduler; ``dask="local"`` starts a
  ``LocalCluster`` of 2 single-threaded worker processes on 127.0.0.1. Runs are sent in batches
  (up to :data:`MAX_BATCH` runs per Dask task) so that the scheduler's overhead per task is amortised.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.extras import MissingExtra, require
from sim.model.starts import keeping_starts
from sim.replicates import run_replicate
from sim.scenario.schema import Scenario

Runner = Callable[[Scenario, int], tuple[pd.DataFrame, dict[str, float]]]
MAX_BATCH = 25  # runs per Dask task
MAX_POOL_BATCH = 8  # runs per local pool task (fewer round trips through the writing process)
BATCHES_PER_WORKER = 4  # at least this many tasks per worker, for balance
# Settings of the LocalCluster of ``dask="local"``: each worker samples its running task every 10 ms for
# Dask's profiler and polls psutil twice a second; both take the GIL from the simulation and cost 5-10 %
# of a run's wall time on a small machine (measured here). A remote cluster keeps its own configuration.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.interval": "2s"}


class ExecutorError(Exception):
    """A backend cannot be used (e.g. no Dask scheduler at the address given)."""


@dataclass(frozen=True)
class Task:
    """One run: ``runner(scenario, seed)``; ``info`` (experiment, parameter values...) is recorded with it."""

    key: str
    scenario: Scenario
    seed: int
    info: dict[str, Any] = field(default_factory=dict)
    keep_series: bool = False
    runner: Runner = run_replicate  # a module-level function, so that it can be sent to other processes


@dataclass
class Done:
    """The result of one task: its row (``info``, ``seed`` and the outcomes) or the error it raised."""

    key: str
    row: dict[str, Any] | None = None
    series: pd.DataFrame | None = None
    error: str | None = None


def evaluate(task: Task) -> Done:
    """Run one task; an exception becomes ``Done.error`` (its type, message and the last traceback line)."""
    try:
        series, outcomes = task.runner(task.scenario, task.seed)
    except Exception as err:  # a failed run is recorded, the study goes on
        where = traceback.extract_tb(err.__traceback__)[-1]
        return Done(task.key, error=f"{type(err).__name__}: {err} ({where.filename}:{where.lineno})")
    row = {**task.info, "seed": task.seed, **outcomes}
    return Done(task.key, row, series if task.keep_series else None)


def evaluate_batch(tasks: Sequence[Task]) -> list[Done]:
    """Run several tasks one after the other (a pool or Dask task), reusing burned-in starts among them.

    Runs with the same burn-in inputs and seed start from the same state (:mod:`sim.model.starts`).
    """
    with keeping_starts():
        return [evaluate(t) for t in tasks]


def default_workers() -> int:
    """Workers of the local process pool when none are given: the number of cores (1 if it is unknown)."""
    return os.cpu_count() or 1


def execute(tasks: Sequence[Task], workers: int | None = None, dask: str | None = None) -> Iterator[Done]:
    """Run ``tasks`` and yield each result as it completes (see the module docstring for the backends)."""
    if not tasks:
        return
    if dask:
        yield from _dask(tasks, dask)
    elif (workers or default_workers()) == 1:
        with keeping_starts():  # as evaluate_batch, each result as it comes
            yield from map(evaluate, tasks)
    else:
        yield from _pool(tasks, workers or default_workers())


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: a worker whose parent was killed (kill -9) exits instead of waiting forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _pool(tasks: Sequence[Task], workers: int) -> Iterator[Done]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=context,
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = [pool.submit(evaluate_batch, b) for b in batches(tasks, workers, MAX_POOL_BATCH)]
        try:
            for future in as_completed(futures):
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def batches(tasks: Sequence[Task], workers: int, largest: int = MAX_BATCH) -> list[list[Task]]:
    """Split ``tasks`` into batches of at most ``largest`` runs, at least ``BATCHES_PER_WORKER`` per worker."""
    size = max(1, min(largest, math.ceil(len(tasks) / (BATCHES_PER_WORKER * max(workers, 1)))))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def _dask(tasks: Sequence[Task], address: str) -> Iterator[Done]:
    try:
        require("dask")
    except MissingExtra as err:
        raise ExecutorError(str(err)) from None
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if address == "local":
        import dask

        with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read when the nannies are made; they pass it on
            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,  # not the nanny's warnings when the cluster is closed
            )
    try:
        try:
            client = Client(cluster if cluster is not None else address, timeout=30)
        except (OSError, TimeoutError) as err:
            raise ExecutorError(f"cannot connect to the Dask scheduler at {address}: {err}") from None
        with client:
            workers = len(client.scheduler_info().get("workers", {})) or 1
            futures = [client.submit(evaluate_batch, b, pure=False) for b in batches(tasks, workers)]
            try:
                for future in dask_completed(futures):
                    yield from future.result()
                    future.release()
            finally:
                client.cancel(futures)
    finally:
        if cluster is not None:
            cluster.close()
