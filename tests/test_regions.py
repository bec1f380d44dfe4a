"""Region files (scenarios/regions/) and the programme files that extend them (issue 12: 1).

A region file sets one place's labour market; a programme file extends its region and sets only its
design and its own scale. This file checks that the regions load, are sourced and differ as their figures
say, and that no programme file (nor its calibrated overlay) overrides a region or shared mechanism parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from helpers import SCENARIOS, paired

from sim.scenario.loader import load_scenario, scenario_files
from sim.scenario.paths import flatten

REGIONS = sorted((SCENARIOS / "regions").glob("*.yaml"))
PROGRAMMES = sorted(p for p in (SCENARIOS / "programmes").glob("*.yaml") if not p.name.endswith(".calibrated.yaml"))
OVERLAYS = sorted((SCENARIOS / "programmes").glob("*.calibrated.yaml"))
REGION_SECTIONS = ("labour_market", "economy", "population")
REQUIRED = (  # every region states these (issue 12: 1)
    "labour_market.job_finding_rate",
    "labour_market.inactivity_rate",
    "labour_market.job_loss_rate",
    "labour_market.bias_non_shortage",
    "labour_market.bias_shortage",
    "labour_market.reference_unemployed_ratio",
)

# What a programme file may set: who runs it, when, its design and its own scale. Anything else (the
# labour market, the economy, the sectors, the population's composition beyond the programme's pool, and the
# shared mechanism parameters of pairs, mentors and follow-up) is the region's or shared.
PROGRAMME_ALLOWED = (
    "extends", "name", "description", "start", "months", "seed", "targets", "calibrate", "reporting",
    "counterfactual",
    "population.size",  # the region scaled to the programme's catchment
    "population.skill_shares", "population.recognised_qualifications",  # whom the programme's pool holds
    "programme.implementation", "programme.target", "programme.outreach", "programme.intake",
    "programme.dual.referring_share",  # how the two organisations of a dual design split the staff
    "programme.screening_strictness",
    "programme.comparison_share", "programme.max_wait_months",
    "programme.matching.strategy", "programme.matching.fallback_months",
    "programme.pairs.duration_months", "programme.pairs.meetings_per_month", "programme.pairs.hours_per_meeting",
    "programme.pairs.internship_rate", "programme.pairs.training_entry_multiplier",
    "programme.follow_up.intensity", "programme.guidelines", "programme.staff.max_coaches",
    # the parts a programme had besides mentoring, and their design (never what they do or cost: shared)
    "programme.components.workshops.enabled", "programme.components.workshops.sessions_per_month",
    "programme.components.workshops.attendees", "programme.components.workshops.places_per_session",
    "programme.components.events.enabled", "programme.components.events.per_year",
    "programme.components.events.attendees", "programme.components.events.places_per_event",
    "programme.components.internships.enabled", "programme.components.internships.months",
    "programme.components.internships.candidates", "programme.components.internships.per_participant",
    "programme.staff.training_cost_per_mentor",
    "mentors.initial", "mentors.retired_share", "mentors.individual_recruitment_per_month", "mentors.hours_mean",
    "employers.champions_initial", "employers.max_champions", "employers.champion_recruitment_rate",
    "employers.mentors_per_champion_per_year",
    "funding",
)  # fmt: skip
# What a calibrated overlay (and a programme's calibrate: list) may fit: its own scale only, for size targets.
SCALE_KNOBS = (
    "programme.outreach.applications_per_month",
    "mentors.individual_recruitment_per_month",
    "employers.mentors_per_champion_per_year",
    "programme.staff.max_coaches",
    "mentors.hours_mean",  # TRIEC's volunteer hours (a size target)
    "programme.pairs.meetings_per_month",  # TRIEC's volunteer hours (a size target)
)
OVERLAY_ALLOWED = ("extends", "name", *SCALE_KNOBS)
# outcome shares a programme reports must say how they were counted (outcome reported_share + counting)
COUNTED_ELSEWHERE = ("completed_share", "in_programme_share")  # shares of pairs or of the caseload, not outcomes


def _leaves(path: Path) -> list[str]:
    """The dotted paths a file writes (a record counts as one leaf; lists as one leaf)."""
    raw = yaml.safe_load(path.read_text())
    out = []
    for key in flatten(raw):
        parts = key.split(".")
        if len(parts) > 1 and parts[-1] in {"value", "unit", "source", "range", "description"}:
            key = ".".join(parts[:-1])
        out.append(key)
    return sorted(set(out))


def _allowed(leaf: str, allowed: tuple[str, ...]) -> bool:
    return any(leaf == a or leaf.startswith(a + ".") for a in allowed)


def _raw(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", REGIONS, ids=lambda p: p.stem)
def test_region_loads_states_its_figures_and_sources_them(path: Path) -> None:
    """A region extends base, names itself, and writes each required rate as a record with a source and range."""
    sc = load_scenario(path)
    assert sc.region == path.stem == sc.name
    raw = _raw(path)
    assert raw["extends"] == "../base.yaml"
    assert set(raw) <= {"extends", "name", "region", "description", *REGION_SECTIONS}
    for dotted in REQUIRED:
        section, key = dotted.split(".")
        rec = raw[section][key]
        assert isinstance(rec, dict) and {"value", "source", "range"} <= set(rec), f"{path.name}: {dotted}"
        assert "DOMAIN.md" in rec["source"] or "assumption" in rec["source"], f"{path.name}: {dotted} unsourced"
        low, high = rec["range"]
        assert low <= rec["value"] <= high


def test_at_least_the_regions_the_sources_support() -> None:
    assert {"brussels", "flanders", "wallonia", "austria", "toronto", "england"} <= {p.stem for p in REGIONS}


def test_regions_differ_as_their_figures_say() -> None:
    """Statbel (DOMAIN.md §5): still unemployed after a year Flanders 31 %, Wallonia 50 %, Brussels 53 %;
    callback gaps (DOMAIN.md §6): Germany 1.14 < Toronto 1.35 < Great Britain 1.73 < Belgium 2."""
    lm = {p.stem: load_scenario(p).labour_market for p in REGIONS}
    assert lm["brussels"].job_finding_rate < lm["wallonia"].job_finding_rate < lm["flanders"].job_finding_rate
    assert lm["brussels"].inactivity_rate < lm["flanders"].inactivity_rate
    bias = {k: v.bias_non_shortage for k, v in lm.items()}
    assert bias["germany"] < bias["toronto"] < bias["england"] < bias["brussels"]


def test_flanders_jobseekers_find_work_faster_than_brussels_ones() -> None:
    """Paired runs (same seeds, no programme): Flanders' migrant jobseekers are unemployed less than Brussels'."""
    small = ("population.size=1500", "months=24", "programme.enabled=false", "labour_market.burn_in_months=36")
    brussels = load_scenario(SCENARIOS / "regions" / "brussels.yaml", small)
    flanders = load_scenario(SCENARIOS / "regions" / "flanders.yaml", small)

    def unemployed(series: Any, _outcomes: dict[str, float]) -> float:
        return float(series["unemployed"].mean())

    result = paired(
        brussels,
        flanders,
        unemployed,
        range(1, 4),
        "unemployed jobseekers (monthly mean of 1,500), Flanders - Brussels",
    )
    print(result)
    assert np.all(result.diffs < 0), result


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.stem)
def test_programme_extends_its_region_and_overrides_no_shared_parameter(path: Path) -> None:
    """Every programme extends a region; it writes only its design and scale (PROGRAMME_ALLOWED)."""
    raw = _raw(path)
    assert raw["extends"].startswith("../regions/"), f"{path.name} does not extend a region"
    files = scenario_files(load_scenario(path))
    assert files[1].parent.name == "regions" and [f.name for f in files[-2:]] == ["base.yaml", "mechanisms.yaml"]
    bad = [leaf for leaf in _leaves(path) if not _allowed(leaf, PROGRAMME_ALLOWED)]
    assert not bad, f"{path.name} overrides region or shared parameters: {bad}"
    bad_free = [p for p in raw.get("calibrate", []) if p not in SCALE_KNOBS]
    assert not bad_free, f"{path.name} fits non-scale parameters: {bad_free}"


@pytest.mark.parametrize("path", OVERLAYS, ids=lambda p: p.stem)
def test_calibrated_overlay_keeps_only_scale_knobs(path: Path) -> None:
    bad = [leaf for leaf in _leaves(path) if not _allowed(leaf, OVERLAY_ALLOWED)]
    assert not bad, f"{path.name} fits more than the programme's scale: {bad}"


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.stem)
def test_outcome_share_targets_declare_how_they_were_counted(path: Path) -> None:
    """A reported outcome share is a reported_share target with a counting rule (issue 12: 3)."""
    for target in load_scenario(path).targets:
        if target.outcome.endswith("_share") and target.outcome not in COUNTED_ELSEWHERE:
            assert target.outcome == "reported_share" and target.counting is not None, (path.name, target.outcome)


def test_a_programme_may_state_its_components_but_not_their_effects(tmp_path: Path) -> None:
    """A part's design (enabled, its length) may be stated; what it does (job_chance) is shared (issue 12: 2)."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "extends: ../regions/brussels.yaml\nprogramme:\n  components:\n    internships:\n      enabled: true\n"
        "      months: 2\n      job_chance: 0.9\n"
    )
    assert [leaf for leaf in _leaves(path) if not _allowed(leaf, PROGRAMME_ALLOWED)] == [
        "programme.components.internships.job_chance"
    ]


def test_the_allowed_list_catches_an_override(tmp_path: Path) -> None:
    """The check can fail: a programme that sets the region's job-finding rate is caught."""
    path = tmp_path / "p.yaml"
    path.write_text("extends: ../regions/brussels.yaml\nlabour_market:\n  job_finding_rate: 0.1\n")
    assert [leaf for leaf in _leaves(path) if not _allowed(leaf, PROGRAMME_ALLOWED)] == [
        "labour_market.job_finding_rate"
    ]


@pytest.mark.parametrize("path", REGIONS, ids=lambda p: p.stem)
def test_region_runs(path: Path) -> None:
    """Each region runs a year of base's programme in it."""
    from sim.replicates import run_replicate

    sc = load_scenario(path, ["population.size=1000", "months=12", "labour_market.burn_in_months=12"])
    series, outcomes = run_replicate(sc, 1)
    assert len(series) == 12 and outcomes["enrolled"] > 0
