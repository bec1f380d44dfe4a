"""The golden baseline: a few small runs must give exactly the pinned outputs (see tests/golden/pin.py).

A failure means the numbers changed. If that was the purpose of the change, re-pin with
``.venv/bin/python -m tests.golden.pin`` and say why in the commit message; otherwise it is a bug.
Floats are compared to 12 significant digits (the last bits may differ between CPUs' math libraries).
"""

from __future__ import annotations

import json
import math

import pytest

from tests.golden.pin import BASELINE, compute

RELATIVE = 1e-12


def _same(pinned: object, fresh: object) -> bool:
    if isinstance(pinned, str) or isinstance(fresh, str):
        return pinned == fresh
    return math.isclose(float(pinned), float(fresh), rel_tol=RELATIVE, abs_tol=RELATIVE)


@pytest.fixture(scope="module")
def fresh() -> dict:
    return compute()


def test_golden_baseline_cases_and_columns_unchanged(fresh: dict) -> None:
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert sorted(fresh) == sorted(pinned)
    for case in pinned:
        for part in pinned[case]:
            assert sorted(fresh[case][part]) == sorted(pinned[case][part]), f"{case} {part}: columns changed"


def test_golden_baseline_values_unchanged(fresh: dict) -> None:
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    changed = [
        f"{case} {part}.{name}: pinned {value!r}, now {fresh[case][part].get(name)!r}"
        for case in pinned
        for part in pinned[case]
        for name, value in pinned[case][part].items()
        if name in fresh[case][part] and not _same(value, fresh[case][part][name])
    ]
    assert not changed, f"{len(changed)} pinned values changed:\n" + "\n".join(changed[:40])
