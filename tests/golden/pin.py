"""The golden baseline: exact outputs of a few small runs, pinned so that any change to the numbers is seen.

Re-pin deliberately when the model changes on purpose, and give the reason in the commit message::

    .venv/bin/python -m tests.golden.pin      # rewrites tests/golden/baseline.json

``tests/test_golden.py`` compares a fresh run with the pinned file. A refactoring (moving modules,
renaming kernel parameters, a faster kernel) must leave every pinned value unchanged.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sim import load_scenario, run_replicate

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).with_name("baseline.json")

# Small runs that still pass through every process: intake, matching, pairs, funding cliffs, the twin,
# the randomised comparison group (base), the dual model and an approval gap.
CASES: dict[str, tuple[str, tuple[str, ...], tuple[int, ...]]] = {
    "base": ("scenarios/base.yaml", ("population.size=3000", "months=84"), (1, 2)),
    "dual_model": ("scenarios/dual_model.yaml", ("population.size=3000", "months=60"), (3,)),
    "esf_approval_gap": ("scenarios/funding/esf_approval_gap.yaml", ("population.size=3000", "months=96"), (4,)),
}


def _number(value: Any) -> float | int | str | None:
    """A JSON-safe exact value: ints stay ints, floats keep every digit (``repr`` round-trips), NaN as text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def compute() -> dict[str, Any]:
    """Every case's outcomes and, per time series, its sum and its last value."""
    pinned: dict[str, Any] = {}
    for name, (path, overrides, seeds) in CASES.items():
        scenario = load_scenario(ROOT / path, list(overrides))
        for seed in seeds:
            series, outcomes = run_replicate(scenario, seed)
            numeric = series.drop(columns=["month"]).astype(float)
            pinned[f"{name}/seed={seed}"] = {
                "outcomes": {k: _number(v) for k, v in sorted(outcomes.items())},
                "series_sum": {c: _number(numeric[c].sum()) for c in numeric.columns},
                "series_last": {c: _number(numeric[c].iloc[-1]) for c in numeric.columns},
            }
    return pinned


def main() -> None:
    BASELINE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"pinned {BASELINE}")


if __name__ == "__main__":
    main()
