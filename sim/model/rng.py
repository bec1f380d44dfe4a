"""Named random streams: common random numbers across scenarios (as in Starsim).

Every random decision draws from its own stream. Per-agent draws are counter-based: the uniform
of agent ``i`` for decision ``name`` in month ``t`` is a hash of (seed, name, t, i), so it is the
same whatever the other agents or decisions do, and only the agents concerned are drawn for. Two
runs that differ only in a policy (programme on vs off) therefore differ only by that policy's
consequences, not by noise. Draws that are not per agent (counts, new mentors' attributes) come from
a generator keyed by (seed, name, month).

A kernel gets the keys of its streams as a :class:`StreamSet` record (an array of one), one ``uint64``
field per decision, and reads them by field name (``keys.job_loss``): which stream a draw comes from depends on
the field's stream name, never on the position of the field.
"""

from __future__ import annotations

import zlib
from typing import Any

import numba
import numpy as np

from sim.model.records import record_dtype

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / (1 << 53)


@numba.njit(inline="always", cache=True)
def uniform_at(key: np.uint64, i: int) -> float:
    """The U(0,1) draw of agent ``i`` under a stream key (SplitMix64 of the counter): usable in kernels."""
    x = np.uint64(i) * _GOLDEN + key
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return float(x >> _S11) * _UNIT


@numba.njit(cache=True)
def _uniforms(key: np.uint64, ids: np.ndarray) -> np.ndarray:
    out = np.empty(len(ids))
    for j in range(len(ids)):
        out[j] = uniform_at(key, ids[j])
    return out


def stream_id(name: str) -> int:
    """A stable integer for a stream name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(name.encode())


def _mix(x: int) -> int:
    """SplitMix64 finaliser on a Python int (for keys)."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK
    return x ^ (x >> 31)


@numba.njit(cache=True)
def _month_keys(bases: np.ndarray, offset: int) -> np.ndarray:
    """:meth:`Streams.key` of each base at one month (``offset`` = month + 1), SplitMix64-finalised in uint64.

    Equal to the Python-int path whenever ``base + offset`` does not go below zero; :meth:`Streams.keys`
    checks that (bases are 64-bit hashes, so it holds except with probability ~1e-16).
    """
    out = np.empty(len(bases), np.uint64)
    for r in range(len(bases)):
        x = bases[r] + np.uint64(offset) if offset >= 0 else bases[r] - np.uint64(-offset)
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        out[r] = x ^ (x >> _S31)
    return out


_M32 = np.uint64(0xFFFFFFFF)
_S16, _S32 = np.uint64(16), np.uint64(32)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)  # NumPy's SeedSequence constants
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)


@numba.njit(cache=True, inline="always")
def _hashmix(value, hash_const, mult):  # noqa: ANN001, ANN202
    """One step of SeedSequence's hash (32-bit words held in uint64): the mixed value and the next constant."""
    value = (value ^ hash_const) & _M32
    hash_const = (hash_const * mult) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _S16), hash_const


@numba.njit(cache=True)
def _seed_words(key: np.uint64) -> np.ndarray:
    """``np.random.SeedSequence(key).generate_state(4, np.uint64)`` for a key below 2**64, compiled.

    NumPy's algorithm (pool of 4 words, entropy = the key's 32-bit words, no spawn key), written out
    because building a SeedSequence costs more than the draws of a small generator;
    tests/test_rng.py checks it against NumPy on many keys.
    """
    n_entropy = 2 if key >> _S32 else 1
    pool = np.zeros(4, np.uint64)
    h = _INIT_A
    for i in range(4):
        word = (key >> (_S32 * np.uint64(i))) & _M32 if i < n_entropy else np.uint64(0)
        pool[i], h = _hashmix(word, h, _MULT_A)
    for src in range(4):
        for dst in range(4):
            if src != dst:
                mixed, h = _hashmix(pool[src], h, _MULT_A)
                r = (_MIX_L * pool[dst] - _MIX_R * mixed) & _M32
                pool[dst] = r ^ (r >> _S16)
    out = np.zeros(4, np.uint64)
    h = _INIT_B
    for k in range(8):  # 8 32-bit words, read as 4 little-endian 64-bit words
        word, h = _hashmix(pool[k % 4], h, _MULT_B)
        out[k // 2] |= word << (_S32 * np.uint64(k % 2))
    return out


class _Seeded(np.random.bit_generator.ISeedSequence):
    """A seed sequence whose state is already computed (:func:`_seed_words`): PCG64 asks it for 4 words."""

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:  # PCG64 asks for exactly this
            raise ValueError(f"_Seeded gives 4 uint64 words, not {n_words} {np.dtype(dtype)}")
        return self.words


@numba.njit(cache=True)
def _uniform_rows(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    out = np.empty((len(keys), len(ids)))
    for r in range(len(keys)):
        for j in range(len(ids)):
            out[r, j] = uniform_at(keys[r], ids[j])
    return out


class Streams:
    """Per-decision, per-month random numbers for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._base: dict[str, int] = {}
        self._bases: dict[tuple[str, ...], np.ndarray] = {}  # names -> their bases (uint64), for keys()

    def key(self, name: str, month: int) -> int:
        """The 64-bit key of decision ``name`` in ``month``."""
        base = self._base.get(name)
        if base is None:
            base = self._base[name] = _mix(_mix(self.seed) ^ stream_id(name))
        return _mix(base + month + 1)

    def keys(self, names: tuple[str, ...], month: int) -> np.ndarray:
        """``[key(name, month) for name in names]`` as uint64, computed in one compiled call (kernels' keys)."""
        bases = self._bases.get(names)
        if bases is None:
            for name in names:
                self.key(name, 0)  # fills self._base
            bases = self._bases[names] = np.array([self._base[name] for name in names], dtype=np.uint64)
        if month + 1 < 0 and int(bases.min()) < -(month + 1):  # below zero: the Python-int path (never in practice)
            return np.array([self.key(name, month) for name in names], dtype=np.uint64)
        return _month_keys(bases, month + 1)

    def generator(self, name: str, month: int = -1) -> np.random.Generator:
        """The generator of decision ``name`` in ``month`` (-1: set-up draws)."""
        # = PCG64(key): the same state, without building a SeedSequence
        seeded = _Seeded(_seed_words(np.uint64(self.key(name, month))))
        return np.random.Generator(np.random.PCG64(seeded))  # type: ignore[arg-type]  # any ISeedSequence works

    def uniform(self, name: str, month: int, idx: np.ndarray | int) -> np.ndarray:
        """U(0,1) draws for agent slots ``idx`` (an index array, or ``n`` for all of ``0..n-1``)."""
        idx = np.arange(idx) if isinstance(idx, int | np.integer) else np.asarray(idx)
        return _uniforms(np.uint64(self.key(name, month)), idx.astype(np.int64, copy=False))

    def uniform_rows(self, names: tuple[str, ...], month: int, ids: np.ndarray) -> np.ndarray:
        """(decisions, agents): draws of several decisions for the same agents at once, a row per name.

        Row ``r`` has the same values as :meth:`uniform` of ``names[r]``.
        """
        return _uniform_rows(self.keys(names, month), np.asarray(ids, dtype=np.int64))


class StreamSet:
    """The random streams of one kernel: record field -> stream name (the name fixes the key)."""

    def __init__(self, **names: str) -> None:
        if len(set(names.values())) != len(names):
            raise ValueError(f"two fields share a stream: {names}")
        self.names = dict(names)
        self.streams = tuple(names.values())  # in the order of the fields of self.dtype
        self.dtype = record_dtype(names, np.uint64)

    def keys(self, streams: Streams, month: int) -> np.ndarray:
        """The record (an array of one) of this month's key of every stream, read by field name in the kernel."""
        return streams.keys(self.streams, month).view(self.dtype)
