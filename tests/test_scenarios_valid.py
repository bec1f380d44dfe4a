"""Every scenario file validates and runs; the one-lever variants of base are what they say they are."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import SCENARIOS

from sim.replicates import run_replicate
from sim.scenario.loader import load_scenario

FILES = sorted(SCENARIOS.glob("*.yaml"))
VARIANTS = (
    "generic_mentors", "sector_only", "grant_renewed", "staggered_funding", "network_guidelines",
    "no_follow_up", "creaming", "downturn_2020", "dual_model", "mentor_surplus",
)  # fmt: skip


def test_base_and_its_variants_exist() -> None:
    """base and the one-lever variants the mechanism tests use are all there."""
    assert {"base", *VARIANTS} <= {f.stem for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_loads_and_runs(path: Path) -> None:
    """Loads with ``load_scenario`` (named after its file) and runs 12 months with 1,500 jobseekers."""
    sc = load_scenario(path, ["population.size=1500", "months=12"])
    assert sc.name == path.stem
    series, outcomes = run_replicate(sc, 1)
    assert len(series) == 12
    if sc.programme.enabled:
        assert outcomes["enrolled"] > 0


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_extends_base(name: str) -> None:
    """Each variant extends base.yaml and opens with a comment naming the lever it changes."""
    text = (SCENARIOS / f"{name}.yaml").read_text()
    assert yaml.safe_load(text)["extends"] == "base.yaml"
    assert text.startswith("#") and "Lever:" in text
