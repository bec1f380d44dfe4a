"""Named random streams: common random numbers across scenarios (as in Starsim).

Every random decision draws from its own stream, keyed by (seed, stream name, month). A stream
returns one number per agent slot, so agent ``i`` gets the same draw for the same decision in the
same month whatever the other agents or the other decisions do. Two runs that differ only in a
policy (programme on vs off) therefore differ only by that policy's consequences, not by noise.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_id(name: str) -> int:
    """A stable integer for a stream name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(name.encode())


class Streams:
    """Factory of per-decision, per-month generators for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def generator(self, name: str, month: int = -1) -> np.random.Generator:
        """The generator of decision ``name`` in ``month`` (-1: set-up draws)."""
        key = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_id(name), month + 1))
        return np.random.Generator(np.random.PCG64(key))

    def uniform(self, name: str, month: int, n: int) -> np.ndarray:
        """One U(0,1) float32 draw per agent slot ``0..n-1``."""
        return self.generator(name, month).random(n, dtype=np.float32)
