"""Kernels read parameters and random streams by name: field order cannot change results, none is left out.

The kernels once took positional vectors (``p[P_TRAIN_JOB]``, ``keys[7]``): reordering a tuple silently
changed every number. These tests reorder the records and check identical runs, perturb each field and
each stream and check the run changes (so every field is read by its kernel), and pin the stream keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from functools import cache
from pathlib import Path

import numpy as np
import pydantic
import pytest

from sim.model import labour_market, pairs
from sim.model.labour_market import LABOUR_PARAMS, LABOUR_STREAMS, LabourMarket
from sim.model.model import MentoringModel
from sim.model.pairs import MISMATCH_FIELDS, PAIR_PARAMS, PAIR_STREAMS, PairDynamics
from sim.model.population import PEOPLE_STREAMS
from sim.model.records import make_records, record_dtype
from sim.model.rng import Streams, StreamSet
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
KERNEL_STREAMS = {"labour": LABOUR_STREAMS, "pairs": PAIR_STREAMS}
STREAM_ATTRIBUTES = {"labour": (labour_market, "LABOUR_STREAMS"), "pairs": (pairs, "PAIR_STREAMS")}


@cache
def small_scenario() -> Scenario:
    """Base at 2,000 people over 48 months: pairs form, open networks, end and complete."""
    return load_scenario(BASE, ["population.size=2000", "months=48", "programme.guidelines.network_opening=true"])


def fingerprint() -> str:
    """A digest of one run: every time series and every jobseeker and employer array at the end."""
    model = MentoringModel(small_scenario(), seed=5, agents=False).run()
    digest = hashlib.sha256()
    arrays = [model.series[name] for name in sorted(model.series)]
    arrays += [getattr(model.people, f.name) for f in fields(model.people)]
    arrays += [model.employers.hires]
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def reference() -> str:
    return fingerprint()


# -- records ---------------------------------------------------------------------------------------
def test_make_records_needs_every_field_once_and_fills_by_name() -> None:
    dtype = record_dtype(("a", "b"))
    record = make_records(dtype, {"b": 2.0, "a": 1.0})
    assert record.shape == (1,) and (record[0]["a"], record[0]["b"]) == (1.0, 2.0)
    table = make_records(dtype, {"b": np.array([2.0, 3.0]), "a": 1.0}, n=2)
    assert table["a"].tolist() == [1.0, 1.0] and table["b"].tolist() == [2.0, 3.0]
    with pytest.raises(ValueError, match="missing"):
        make_records(dtype, {"a": 1.0})
    with pytest.raises(ValueError, match="unknown"):
        make_records(dtype, {"a": 1.0, "b": 2.0, "c": 3.0})
    with pytest.raises(ValueError, match="duplicate"):
        record_dtype(("a", "a"))


# record field -> the scenario setting it comes from (written out independently of the model's code)
LABOUR_SOURCES = {
    "own_sector_share": "own_sector_share",
    "local_knowledge_effect": "local_knowledge_effect",
    "duration_dependence": "duration_dependence",
    "job_loss_rate": "job_loss_rate",
    "probation_multiplier": "probation_multiplier",
    "inactivity_rate": "inactivity_rate",
    "training_entry_rate": "training_entry_rate",
    "training_months": "training_months",
    "training_to_job": "training_to_job",
    "return_rate": "return_rate",
    "level_gain": "recognition_or_referral_level_gain",
}
LABOUR_COMPUTED = {"scale", "economy_index"}
PAIR_SOURCES = {
    "never_start": "pairs.never_start_base",
    "never_start_reduction": "follow_up.never_start_reduction",
    "start_delay": "pairs.start_delay_share",
    "contact_decay": "pairs.contact_decay",
    "lapse_rate": "pairs.lapse_rate",
    "check_in_restores": "follow_up.check_in_restores",
    "meetings_per_month": "pairs.meetings_per_month",
    "hours_per_meeting": "pairs.hours_per_meeting",
    "knowledge_per_meeting": "pairs.local_knowledge_per_meeting",
    "network_open_base": "pairs.network_open_base",
    "network_trust_effect": "pairs.network_trust_effect",
    "network_sector_effect": "pairs.network_sector_effect",
    "network_willingness_effect": "pairs.network_willingness_effect",
    "ties_per_opening": "pairs.ties_per_opening",
    "cross_sector_tie_relevance": "pairs.cross_sector_tie_relevance",
    "early_end_rate": "pairs.early_end_rate",
    "mentee_end_rate": "pairs.mentee_end_rate",
    "training_early_end_reduction": "pairs.training_early_end_reduction",
    "silent_threshold": "pairs.silent_threshold",
    "duration_months": "pairs.duration_months",
    "sector_knowledge": "matching.sector_knowledge_factor",
    "language_support_below": "matching.language_support_below",
} | {name: f"pairs.mismatch.{name}" for name in MISMATCH_FIELDS}
PAIR_COMPUTED = {"follow_up"}


def moved_fields(build, root: object, path: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:  # noqa: ANN001
    """The record fields that change when the scenario setting ``path`` (under ``root``) is moved."""
    before = build()
    *parents, name = path.split(".")
    for parent in parents:
        root = getattr(root, parent)
    value = getattr(root, name)
    moved = value + 1 if isinstance(value, int) else value * 0.5 + 0.013
    try:
        monkeypatch.setattr(root, name, moved)
    except pydantic.ValidationError:  # a factor that must stay at or above 1 moves up instead
        moved = value * 1.5 + 0.013
        monkeypatch.setattr(root, name, moved)
    assert moved != value
    after = build()
    return {field for field in before.dtype.names if (before[field] != after[field]).any()}


def test_labour_parameters_come_from_their_scenario_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(LABOUR_SOURCES) | LABOUR_COMPUTED == set(LABOUR_PARAMS.names)
    market = MentoringModel(small_scenario().model_copy(deep=True), seed=5, agents=False).market
    assert (market.params["scale"] == market.scale).all()
    assert market.params["economy_index"].tolist() == [max(x, 0.2) for x in market.index]
    for field, path in LABOUR_SOURCES.items():
        assert moved_fields(market._monthly_params, market.cfg, path, monkeypatch) == {field}, path


def test_pair_parameters_come_from_their_scenario_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(PAIR_SOURCES) | PAIR_COMPUTED == set(PAIR_PARAMS.names)
    sc = small_scenario().model_copy(deep=True)
    dynamics = PairDynamics(sc.programme, Streams(5), len(sc.sectors))
    assert dynamics._params(0.25)[0]["follow_up"] == 0.25 and dynamics._params(0.5)[0]["follow_up"] == 0.5
    for field, path in PAIR_SOURCES.items():
        build = lambda: PairDynamics(sc.programme, Streams(5), len(sc.sectors))._params(0.25)  # noqa: E731
        assert moved_fields(build, sc.programme, path, monkeypatch) == {field}, path


# -- streams ---------------------------------------------------------------------------------------
def test_stream_names_are_unique_across_kernels() -> None:
    names = [name for s in KERNEL_STREAMS.values() for name in s.names.values()] + list(PEOPLE_STREAMS)
    assert len(names) == len(set(names))
    with pytest.raises(ValueError, match="share a stream"):
        StreamSet(a="labour.job_loss", b="labour.job_loss")


@pytest.mark.parametrize("seed", [0, 1, 2**40 + 3])
@pytest.mark.parametrize("month", [-1, 0, 7, 119])
def test_stream_keys_are_the_named_keys_and_all_distinct(seed: int, month: int) -> None:
    streams = Streams(seed)
    for stream_set in KERNEL_STREAMS.values():
        record = stream_set.keys(streams, month)[0]
        assert record.dtype.names == tuple(stream_set.names)
        for field, name in stream_set.names.items():
            assert int(record[field]) == streams.key(name, month)
    keys = [streams.key(name, month) for s in KERNEL_STREAMS.values() for name in s.names.values()]
    assert len(set(keys)) == len(keys)


def test_stream_key_derivation_is_pinned() -> None:
    """The key of (seed, name, month) is part of every result: it must never change."""
    assert Streams(1).key("labour.job_loss", 0) == 0x643D9B7B1E948562
    assert Streams(1).key("labour.return", 5) == 0x430DA5E94CA858A9
    assert Streams(42).key("pairs.ties", 11) == 0x825460D52E3BC59C


# -- kernels read by name --------------------------------------------------------------------------
def reversed_streams(stream_set: StreamSet) -> StreamSet:
    return StreamSet(**dict(reversed(stream_set.names.items())))


def test_reordered_records_give_identical_runs(reference: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parameter and stream records with their fields in reverse order: the same run, bit for bit."""
    labour_params = record_dtype(reversed(LABOUR_PARAMS.names))
    pair_params = record_dtype(reversed(PAIR_PARAMS.names))
    assert labour_params.fields["scale"][1] != LABOUR_PARAMS.fields["scale"][1]  # really another layout
    monkeypatch.setattr(labour_market, "LABOUR_PARAMS", labour_params)
    monkeypatch.setattr(pairs, "PAIR_PARAMS", pair_params)
    monkeypatch.setattr(labour_market, "LABOUR_STREAMS", reversed_streams(LABOUR_STREAMS))
    monkeypatch.setattr(pairs, "PAIR_STREAMS", reversed_streams(PAIR_STREAMS))
    assert MentoringModel(small_scenario(), seed=5, agents=False).market.params.dtype == labour_params
    assert fingerprint() == reference


def perturbed(build, field: str):  # noqa: ANN001, ANN201
    """``build`` (a method returning records) with one field of its records moved."""

    def params(self, *args):  # noqa: ANN001, ANN002, ANN202
        record = build(self, *args).copy()
        record[field] = record[field] * 1.5 + 0.2
        return record

    return params


@pytest.mark.parametrize("field", LABOUR_PARAMS.names)
def test_every_labour_parameter_is_read(field: str, reference: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LabourMarket, "_monthly_params", perturbed(LabourMarket._monthly_params, field))
    assert fingerprint() != reference


@pytest.mark.parametrize("field", PAIR_PARAMS.names)
def test_every_pair_parameter_is_read(field: str, reference: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PairDynamics, "_params", perturbed(PairDynamics._params, field))
    assert fingerprint() != reference


@pytest.mark.parametrize(
    ("kernel", "field"), [(kernel, field) for kernel, s in KERNEL_STREAMS.items() for field in s.names]
)
def test_every_stream_is_drawn(kernel: str, field: str, reference: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming one stream (so its key changes) changes the run: the kernel draws from that field."""
    module, attribute = STREAM_ATTRIBUTES[kernel]
    names = dict(KERNEL_STREAMS[kernel].names)
    names[field] += ".renamed"
    monkeypatch.setattr(module, attribute, StreamSet(**names))
    assert fingerprint() != reference
