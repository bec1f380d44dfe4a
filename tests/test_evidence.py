"""Evidence scenarios (scenarios/evidence/): causal effects the net effects must match (issue 12: 6).

Each file extends its region (directly or through another evidence file), states its design and target group
with the programme fields only (the allowed list of tests/test_regions.py), and carries targets on net-effect
outcomes with their sources. ``mentorsim check`` picks them up (it searches scenarios/ recursively).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import SCENARIOS
from test_regions import PROGRAMME_ALLOWED, _allowed, _leaves

from sim.replicates import run_replicate
from sim.scenario.loader import load_scenario, scenario_files
from sim.studies.validation import load_checked, scenarios_with_targets, target_kind

EVIDENCE = sorted((SCENARIOS / "evidence").glob("*.yaml"))
EFFECTS = ("net_effect_", "rct_effect_")  # outcome prefixes of causal effects


def test_the_three_studies_are_there() -> None:
    names = {p.stem for p in EVIDENCE}
    assert {"battisti_2019_job_matching", "start_with_a_friend_2022", "mansson_delander_2017_sweden"} <= names


@pytest.mark.parametrize("path", EVIDENCE, ids=lambda p: p.stem)
def test_evidence_extends_its_region_states_its_target_group_and_sources_its_targets(path: Path) -> None:
    sc = load_checked(path)
    files = scenario_files(sc)
    assert any(f.parent.name == "regions" for f in files), f"{path.name} does not extend a region"
    assert [f.name for f in files[-2:]] == ["base.yaml", "mechanisms.yaml"]
    bad = [leaf for leaf in _leaves(path) if not _allowed(leaf, PROGRAMME_ALLOWED)]
    assert not bad, f"{path.name} overrides region or shared parameters: {bad}"
    assert sc.programme.target.refugees_only, "every study here is of refugees"
    assert sc.targets, f"{path.name} has no targets"
    effects = [t for t in sc.targets if t.outcome.startswith(EFFECTS)]
    assert effects, f"{path.name} has no net-effect target"
    for t in sc.targets:
        assert t.source and ("DOMAIN.md" in t.source), (path.name, t.outcome)
        assert target_kind(t) == "outcome"


def test_mentorsim_check_picks_up_the_evidence() -> None:
    found = {p.resolve() for p in scenarios_with_targets(SCENARIOS)}
    assert {p.resolve() for p in EVIDENCE} <= found


def test_the_low_educated_subgroup_is_the_trial_restricted_to_low_skills() -> None:
    full = load_scenario(SCENARIOS / "evidence" / "battisti_2019_job_matching.yaml")
    low = load_scenario(SCENARIOS / "evidence" / "battisti_2019_low_educated.yaml")
    assert low.programme.target.skill_levels == ["low"]
    assert full.programme.target.skill_levels == ["low", "medium", "high"]
    assert low.programme.intake == full.programme.intake and low.programme.comparison_share == 0.5


def test_sweden_men_gain_more_than_women() -> None:
    """Månsson & Delander 2017 (men yes, women no), 8 seeds of the Sweden evidence scenario (15,000 people, 42
    months): the men's net effect 6 months after leaving is above the women's on average and in most seeds."""
    sc = load_scenario(SCENARIOS / "evidence" / "mansson_delander_2017_sweden.yaml")
    runs = [run_replicate(sc, seed)[1] for seed in range(1, 9)]
    men = np.array([o["net_effect_employed_6m_male"] for o in runs])
    women = np.array([o["net_effect_employed_6m_female"] for o in runs])
    print(f"men {men.round(3)}, women {women.round(3)}")
    assert men.mean() > women.mean() and np.sum(men > women) >= 5
