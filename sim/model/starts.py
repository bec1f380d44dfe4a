"""Burned-in starts kept for reuse: the state after the burn-in is a pure function of a few inputs.

The burn-in (``labour_market.burn_in_months`` months of the labour market alone, before the start)
reads only the scenario's start month and length, sectors, population, economy, labour market,
employers and the mentees' matching attributes (``programme.matching``: districts, preference groups,
availability), and draws only from counter-based streams of the seed. Two models with the same seed
and the same values of these inputs therefore start from bit-identical states, whatever their
programme, mentors or funding: a study of programme levers on common seeds burns in once per seed. Starts are kept only inside :func:`keeping_starts` (a study's runs use it:
:mod:`sim.studies.executors`), in this process, for populations of up to :data:`MAX_CACHED_SIZE` (a few
MiB each), the last :data:`CACHED_STARTS` of them; elsewhere every model burns in (so code changed at run
time, as tests do, is never bypassed).
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sim.model.labour_market import Employers, LabourMarket
from sim.model.population import Population
from sim.model.rng import Streams
from sim.scenario.schema import Scenario

Start = tuple[Population, Employers, LabourMarket]
CACHED_STARTS = 8  # starts kept (least recently used dropped)
MAX_CACHED_SIZE = 100_000  # jobseekers: larger starts are not kept (memory)
BURN_IN_INPUTS: dict[str, Any] = {
    "start": True, "months": True, "sectors": True, "population": True, "economy": True, "labour_market": True,
    "employers": True, "programme": {"matching": True},
}  # fmt: skip
Key = tuple[str, int, type]
_starts: OrderedDict[Key, tuple[Start, Scenario, Streams]] = OrderedDict()
_keeping = [False]  # inside keeping_starts


@contextmanager
def keeping_starts() -> Iterator[None]:
    """Models built inside this block keep their burned-in starts and reuse kept ones; forgotten at its end."""
    was = _keeping[0]
    _keeping[0] = True
    try:
        yield
    finally:
        _keeping[0] = was
        if not was:
            _starts.clear()


def burn_in_key(scenario: Scenario, seed: int, model: type) -> Key:
    """The inputs the burn-in reads (:data:`BURN_IN_INPUTS`, as JSON), the seed and the model class that burns in."""
    return json.dumps(scenario.model_dump(mode="json", include=BURN_IN_INPUTS), sort_keys=True), seed, model


def copied(start: Start, was: tuple[Scenario, Streams], now: tuple[Scenario, Streams]) -> Start:
    """A deep copy of a start whose references to the scenario and streams ``was`` point to ``now``."""
    memo: dict[int, Any] = {id(old): new for old, new in zip(was, now, strict=True)}
    return copy.deepcopy(start, memo)


def cached_start(scenario: Scenario, streams: Streams, model: type) -> Start | None:
    """A copy of the kept start of this scenario's burn-in inputs, seed and ``model`` class, or None."""
    if not _keeping[0]:
        return None
    key = burn_in_key(scenario, streams.seed, model)
    kept = _starts.get(key)
    if kept is None:
        return None
    _starts.move_to_end(key)
    start, was_scenario, was_streams = kept
    return copied(start, (was_scenario, was_streams), (scenario, streams))


def keep_start(scenario: Scenario, streams: Streams, model: type, start: Start) -> None:
    """Keep a copy of a start burned in by a ``model`` (populations up to :data:`MAX_CACHED_SIZE`)."""
    if not _keeping[0] or scenario.population.size > MAX_CACHED_SIZE:
        return
    pair = (scenario, streams)
    _starts[burn_in_key(scenario, streams.seed, model)] = (copied(start, pair, pair), scenario, streams)
    while len(_starts) > CACHED_STARTS:
        _starts.popitem(last=False)
