"""Burned-in starts kept for reuse (sim.model.starts): a kept start gives bit-identical results."""

from __future__ import annotations

import numpy as np
import pandas as pd
from helpers import scenario

from sim.model import starts
from sim.model.model import MentoringModel
from sim.model.rng import Streams
from sim.replicates import run_replicate
from sim.scenario.schema import Scenario

SMALL = ("population.size=1500", "months=36", "labour_market.burn_in_months=24")


def _fresh(sc: Scenario, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    return run_replicate(sc, seed)  # outside keeping_starts: burned in afresh


def test_a_programme_lever_reuses_the_start_and_changes_no_number() -> None:
    """A scenario differing only in a programme lever starts from the start kept by the first; its series and
    outcomes are those of a run that burns in afresh, to the bit (two seeds, the twin included)."""
    base = scenario("base", *SMALL)
    lever = scenario("base", *SMALL, "programme.follow_up.intensity=0.3")
    for seed in (5, 6):
        expected = _fresh(lever, seed)
        with starts.keeping_starts():
            run_replicate(base, seed)  # keeps its start
            assert starts.cached_start(lever, Streams(seed), MentoringModel) is not None
            series, outcomes = run_replicate(lever, seed)
        pd.testing.assert_frame_equal(series, expected[0], check_exact=True)
        assert outcomes.keys() == expected[1].keys()
        np.testing.assert_array_equal(list(outcomes.values()), list(expected[1].values()))


def test_a_burn_in_input_or_another_seed_burns_in_again() -> None:
    """The burn-in reads the population and labour market: a change there, or another seed, is not served the
    kept start (the results differ from the first scenario's, as burning in afresh gives)."""
    base = scenario("base", *SMALL)
    with starts.keeping_starts():
        first = run_replicate(base, 5)
        for other, seed in ((scenario("base", *SMALL, "labour_market.job_finding_rate=0.08"), 5), (base, 7)):
            assert starts.cached_start(other, Streams(seed), MentoringModel) is None
            got = run_replicate(other, seed)
            assert not got[0]["unemployed"].equals(first[0]["unemployed"])
            pd.testing.assert_frame_equal(got[0], _fresh(other, seed)[0], check_exact=True)


def test_a_kept_start_is_not_changed_by_the_runs_that_use_it() -> None:
    """Running from a kept start leaves it as it was: the same scenario and seed run three times agree. Outside
    keeping_starts nothing is kept (every model burns in: code changed at run time is never bypassed)."""
    sc = scenario("base", *SMALL)
    with starts.keeping_starts():
        runs = [run_replicate(sc, 9)[0] for _ in range(3)]
        assert starts.cached_start(sc, Streams(9), MentoringModel) is not None
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other, runs[0], check_exact=True)
    run_replicate(sc, 9)
    assert starts.cached_start(sc, Streams(9), MentoringModel) is None
