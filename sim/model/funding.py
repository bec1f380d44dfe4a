"""Grants on a calendar: when money flows, how much of the programme's cost each grant may pay, renewals.

Project funding always has an end date (ESF calls, regional calls of N years, annual city money);
renewal is uncertain and may come after an approval gap (DOMAIN.md §2.7, §5 ESF rules). Renewal
decisions are drawn once per grant and call from their own stream, so they are common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.rng import Streams
from sim.scenario.schema import Eligibility, Grant, Scenario, month_index


@dataclass
class Call:
    """One funded period of a grant (the first call or a renewal), in model months [first, last]."""

    grant: int
    first: int
    last: int
    monthly_eur: float


def schedule_calls(scenario: Scenario, streams: Streams) -> list[Call]:
    """All calls of all grants inside the simulated horizon, renewals drawn from ``funding.renewal``."""
    calls: list[Call] = []
    u = streams.generator("funding.renewal").random(
        (len(scenario.funding.grants), 1 + max((g.renewal.max_renewals for g in scenario.funding.grants), default=0))
    )
    for gi, grant in enumerate(scenario.funding.grants):
        first = month_index(grant.start) - scenario.start_index
        last = month_index(grant.end) - scenario.start_index
        monthly = grant.amount_eur / (last - first + 1)
        calls.append(Call(gi, first, last, monthly))
        for k in range(grant.renewal.max_renewals):
            if last >= scenario.months or u[gi, k] >= grant.renewal.probability:
                break
            first = last + 1 + grant.renewal.gap_months
            last = first + grant.renewal.call_months - 1
            calls.append(Call(gi, first, last, monthly))
    return calls


class FundingSchedule:
    """Money available each month and which grants are active."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.grants: list[Grant] = list(scenario.funding.grants)
        self.calls = schedule_calls(scenario, streams)
        months = scenario.months
        self.monthly = np.zeros((len(self.grants), months))  # money each grant offers each month
        for call in self.calls:
            a, b = max(call.first, 0), min(call.last, months - 1)
            if a <= b:
                self.monthly[call.grant, a : b + 1] += call.monthly_eur
        self.cofinancing = np.array([g.cofinancing_share for g in self.grants]) if self.grants else np.zeros(0)

    def available(self, t: int, planned_cost: float) -> float:
        """Money the programme can spend in month ``t`` at a planned monthly cost."""
        if not self.grants:
            return 0.0
        return float(np.minimum(self.monthly[:, t], self.cofinancing * planned_cost).sum().clip(0, planned_cost))

    def active_grants(self, t: int) -> list[Grant]:
        """The grants that pay in month ``t``."""
        return [g for gi, g in enumerate(self.grants) if self.monthly[gi, t] > 0]

    def remaining(self, t: int) -> float:
        """Money still to come from the calls that are running in month ``t`` (what staff can see)."""
        total = 0.0
        for call in self.calls:
            if call.first <= t <= call.last:
                total += call.monthly_eur * (call.last - t + 1)
        return total


def eligible_for(eligibility: Eligibility, age: np.ndarray, non_eu: np.ndarray) -> np.ndarray:
    """Who a grant's money may serve (applicants are registered unemployed by construction)."""
    ok = (age >= eligibility.min_age) & (age <= eligibility.max_age)
    if eligibility.non_eu_only:
        ok &= non_eu
    return ok
