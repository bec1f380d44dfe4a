"""The named random streams' fast paths give exactly NumPy's numbers (sim.model.rng).

A speed-up that changed a draw would silently change every result; these compare the compiled paths
with the plain ones they replace, over many keys, months and seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.rng import Streams, _seed_words

EDGE_KEYS = [0, 1, 5, 2**32 - 1, 2**32, 2**32 + 1, 2**63, 2**64 - 1]


def _keys() -> list[int]:
    rng = np.random.default_rng(5)
    low = rng.integers(0, 2**32, 500, dtype=np.int64)  # one 32-bit word of entropy
    high = rng.integers(0, 2**63, 3000, dtype=np.int64)  # two words
    return [int(k) for k in low] + [int(k) for k in high] + [int(k) | 2**63 for k in high[:500]] + EDGE_KEYS


def test_seed_words_equal_numpy_seed_sequence() -> None:
    for key in _keys():
        expected = np.random.SeedSequence(key).generate_state(4, np.uint64)
        assert np.array_equal(_seed_words(np.uint64(key)), expected), key


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_generator_is_pcg64_of_the_key(seed: int) -> None:
    streams = Streams(seed)
    for name in ("economy.vacancies", "mentors.recruit", "mentors.new.company"):
        for month in (-241, -2, -1, 0, 1, 119):
            fast = streams.generator(name, month)
            plain = np.random.Generator(np.random.PCG64(streams.key(name, month)))
            assert fast.bit_generator.state == plain.bit_generator.state
            assert np.array_equal(fast.poisson(3.0, 20), plain.poisson(3.0, 20))


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_keys_of_many_streams_equal_one_at_a_time(seed: int) -> None:
    streams = Streams(seed)
    names = ("labour.job_loss", "labour.channel", "careers.move", "pairs.early_end")
    for month in range(-600, 130, 7):
        assert streams.keys(names, month).tolist() == [streams.key(name, month) for name in names]


def test_uniform_rows_equal_uniform_per_stream() -> None:
    streams = Streams(3)
    ids = np.array([0, 5, 17, 8999, 123456])
    names = ("people.age", "people.sector", "people.language")
    rows = streams.uniform_rows(names, -5, ids)
    for r, name in enumerate(names):
        assert np.array_equal(rows[r], streams.uniform(name, -5, ids))
