"""Grants on a calendar, the funders' renewal decisions and how the money arrives.

Project funding always has an end date (ESF calls, regional calls of N years, annual city money);
renewal is uncertain and may come after an approval gap (DOMAIN.md §2.7, §5 ESF rules, §6 funding
rules). Only the first call of each grant is known at the start. Each funder decides on a renewal
*during* the run, ``renewal.decision_months_before_end`` months before the running call ends, on what
the programme reports against the grant's targets and on its own budget (:meth:`FundingSchedule.decide`,
called by the :class:`sim.model.agents.Funder` agents):

- achievement ``a = min(reported / target)`` over the targets set (pairs matched, placements reported
  since the call began, targets prorated to the months elapsed); shortfall ``s = max(0, 1 - a -
  shortfall_tolerance)``;
- renewal chance ``p = probability * 2 / (1 + exp(steepness * s))``: the base chance when targets are
  met, a logistic falling in the shortfall;
- renewed when ``u < p`` and the funder's remaining budget covers the new call, with ``u`` one uniform
  per grant and call from stream ``funding.renewal`` (drawn up front: common random numbers);
- an ESF renewal ends at the latest at the N+3 eligibility end of its framework (2014-2020 spending
  eligible to December 2023; EU Reg. 1303/2013 art. 65).

Money arrives as pre-financing at the start of each year of a call (``payment.prefinancing_share_per_year``
of the call's amount; ESF 1 % a year, CPR art. 134) and as reimbursement of declared costs
``payment.reimbursement_lag_months`` later, until the call's amount is paid (:meth:`FundingSchedule.receipts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.model.rng import Streams
from sim.scenario.schema import Eligibility, Grant, Scenario, month_index

ESF_FRAMEWORK_START = 2007  # ESF frameworks: 2007-2013, 2014-2020, 2021-2027 (DOMAIN.md §1)
ESF_FRAMEWORK_YEARS = 7
ESF_N_PLUS = 3  # spending eligible to the end of year N+3 (DOMAIN.md §5 ESF rules)


@dataclass
class Call:
    """One funded period of a grant (the first call or a renewal), in model months [first, last]."""

    grant: int
    first: int
    last: int
    monthly_eur: float
    number: int = 0  # 0: the first call, k: the k-th renewal
    received_eur: float = 0.0  # pre-financing and reimbursements paid so far
    decided: bool = False  # the funder has decided on its renewal

    @property
    def amount_eur(self) -> float:
        """The call's whole amount."""
        return self.monthly_eur * (self.last - self.first + 1)


@dataclass
class Report:
    """What the programme reports to its funders: pairs matched and placements, month by month (up to now)."""

    t: int
    matches: np.ndarray
    placements: np.ndarray


@dataclass
class Decision:
    """A funder's decision on the renewal of one call."""

    grant: int
    call: int
    month: int
    achievement: float  # min(reported / target); 1 without targets
    chance: float
    renewed: bool
    reason: str  # "renewed", "performance" (the draw failed), "budget", "eligibility" (ESF N+3 end passed)


def schedule_calls(scenario: Scenario, streams: Streams) -> list[Call]:
    """The first call of every grant; renewals are decided during the run (:meth:`FundingSchedule.decide`)."""
    calls = []
    for gi, grant in enumerate(scenario.funding.grants):
        first = month_index(grant.start) - scenario.start_index
        last = month_index(grant.end) - scenario.start_index
        calls.append(Call(gi, first, last, grant.amount_eur / (last - first + 1)))
    return calls


def renewal_chance(grant: Grant, achievement: float) -> float:
    """The documented rule: base chance times a logistic falling in the shortfall against the targets."""
    rule = grant.renewal
    shortfall = max(0.0, 1.0 - achievement - rule.shortfall_tolerance)
    return rule.probability * 2.0 / (1.0 + float(np.exp(min(rule.steepness * shortfall, 700.0))))


def achievement(grant: Grant, call: Call, report: Report) -> float:
    """Reported pairs and placements since the call began over the targets prorated to the months elapsed."""
    months = max(report.t - max(call.first, 0), 1)
    done = slice(max(call.first, 0), report.t)
    ratios = [
        float(reported[done].sum()) / (target * months)
        for reported, target in (
            (report.matches, grant.targets.pairs_per_month),
            (report.placements, grant.targets.placements_per_month),
        )
        if target > 0
    ]
    return min(ratios, default=1.0)


def esf_eligible_until(grant: Grant, start_index: int) -> int:
    """Last model month an ESF grant may spend in: December of year N+3 of the framework it starts in."""
    year = month_index(grant.start) // 12
    framework_end = (
        ESF_FRAMEWORK_START + ((year - ESF_FRAMEWORK_START) // ESF_FRAMEWORK_YEARS + 1) * ESF_FRAMEWORK_YEARS - 1
    )
    return month_index(f"{framework_end + ESF_N_PLUS}-12") - start_index


@dataclass
class FunderLedger:
    """Renewal decisions taken so far and what each grant's funder has left for renewals."""

    budget: list[float]
    decisions: list[Decision] = field(default_factory=list)

    @property
    def granted(self) -> int:
        """Renewals granted so far."""
        return sum(d.renewed for d in self.decisions)

    @property
    def refused(self) -> int:
        """Renewals refused so far."""
        return sum(not d.renewed for d in self.decisions)


class FundingSchedule:
    """Money each grant offers each month, the funders' renewal decisions and the cash they pay."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.grants: list[Grant] = list(scenario.funding.grants)
        self.months = scenario.months
        self.start_index = scenario.start_index
        self.calls = schedule_calls(scenario, streams)
        self.monthly = np.zeros((len(self.grants), self.months))  # money each grant offers each month
        for call in self.calls:
            self._fill(call)
        self.cofinancing = np.array([g.cofinancing_share for g in self.grants]) if self.grants else np.zeros(0)
        most = 1 + max((g.renewal.max_renewals for g in self.grants), default=0)
        self.u = streams.generator("funding.renewal").random((len(self.grants), most))  # one draw per grant and call
        budgets = [np.inf if g.renewal.funder_budget_eur is None else g.renewal.funder_budget_eur for g in self.grants]
        self.ledger = FunderLedger(budgets)

    def _fill(self, call: Call) -> None:
        a, b = max(call.first, 0), min(call.last, self.months - 1)
        if a <= b:
            self.monthly[call.grant, a : b + 1] += call.monthly_eur

    def available(self, t: int, planned_cost: float) -> float:
        """Money the programme may spend in month ``t`` at a planned monthly cost (before cash limits)."""
        return float(self.shares(t, planned_cost).sum())

    def shares(self, t: int, planned_cost: float) -> np.ndarray:
        """What each grant pays of the month's spending at a planned cost (co-financing caps; total <= cost)."""
        if not self.grants:
            return np.zeros(0)
        each = np.minimum(self.monthly[:, t], self.cofinancing * planned_cost)
        total = each.sum()
        return each * (planned_cost / total) if total > planned_cost else each

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

    def months_ahead(self, t: int) -> int:
        """Months from ``t`` on that approved calls pay without a break (``t`` included; beyond the run: the calls)."""
        last = t - 1
        for call in sorted(self.calls, key=lambda c: c.first):
            if call.first <= last + 1 and call.last > last:
                last = call.last
        return last - t + 1

    # -- the funders' decisions ----------------------------------------------------------------------
    def due(self, grants: list[int], t: int) -> list[Call]:
        """The calls of ``grants`` whose renewal is decided in month ``t`` (the latest call of each grant)."""
        out = []
        for gi in grants:
            call = max((c for c in self.calls if c.grant == gi), key=lambda c: c.number)
            rule = self.grants[gi].renewal
            when = call.last - rule.decision_months_before_end
            if not call.decided and when <= t and call.number < rule.max_renewals and call.last < self.months - 1:
                out.append(call)
        return out

    def decide(self, grants: list[int], report: Report) -> list[Decision]:
        """A funder's renewal decisions this month on the calls of its ``grants`` (the rule of the module docstring)."""
        decisions = [self._decide(call, report) for call in self.due(grants, report.t)]
        self.ledger.decisions.extend(decisions)
        return decisions

    def _decide(self, call: Call, report: Report) -> Decision:
        call.decided = True
        grant = self.grants[call.grant]
        rule = grant.renewal
        first = call.last + 1 + rule.gap_months
        last = first + rule.call_months - 1
        if grant.funder == "esf":
            last = min(last, esf_eligible_until(grant, self.start_index))
        score = achievement(grant, call, report)
        chance = renewal_chance(grant, score)
        new = Call(call.grant, first, last, call.monthly_eur, call.number + 1)
        if last < first:
            reason = "eligibility"
        elif new.amount_eur > self.ledger.budget[call.grant]:
            reason = "budget"
        elif self.u[call.grant, call.number] >= chance:
            reason = "performance"
        else:
            reason = "renewed"
            self.ledger.budget[call.grant] -= new.amount_eur
            self.calls.append(new)
            self._fill(new)
        return Decision(call.grant, call.number, report.t, score, chance, reason == "renewed", reason)

    def by_funder(self) -> dict[str, list[int]]:
        """The grants of each kind of funder (one :class:`sim.model.agents.Funder` each)."""
        kinds: dict[str, list[int]] = {}
        for gi, grant in enumerate(self.grants):
            kinds.setdefault(grant.funder, []).append(gi)
        return kinds

    # -- cash ------------------------------------------------------------------------------------------
    def receipts(self, t: int, declared: np.ndarray, same_month: bool = False) -> float:
        """Cash paid to the organisation in month ``t``: pre-financing due, and reimbursement of ``declared``.

        ``declared[g, m]`` is the cost grant ``g`` was declared for in month ``m``; it is reimbursed
        ``payment.reimbursement_lag_months`` later, and no call pays more than its amount. At the final
        balance (the reimbursement of the call's last month) pre-financing not covered by declared
        costs is recovered: the receipt is then negative. At the start of a month (``same_month``
        false) come the pre-financing and the reimbursements of earlier months; after the month's
        spending is declared (``same_month`` true), the reimbursements of grants with no lag.
        """
        paid = 0.0
        for call in self.calls:
            grant = self.grants[call.grant]
            due = 0.0
            if not same_month and call.first <= t <= call.last and (t - call.first) % 12 == 0:
                due += grant.payment.prefinancing_share_per_year * call.amount_eur
            lag = grant.payment.reimbursement_lag_months
            spent = t - lag
            settles = False
            if (lag == 0) == same_month and call.first <= spent <= call.last and spent >= 0:
                due += declared[call.grant, spent]
                settles = spent == call.last
            due = min(due, call.amount_eur - call.received_eur)
            if settles:  # final balance: pre-financing not covered by declared costs is recovered
                months = slice(max(call.first, 0), call.last + 1)
                due = min(due, float(declared[call.grant, months].sum()) - call.received_eur)
            call.received_eur += due
            paid += due
        return paid

    def paid_as_spent(self, t: int, covered: np.ndarray) -> float:
        """Of the month's covered costs ``covered`` (by grant), what grants without a lag reimburse in the month."""
        total = 0.0
        for call in self.calls:
            if call.first <= t <= call.last and self.grants[call.grant].payment.reimbursement_lag_months == 0:
                total += min(float(covered[call.grant]), max(call.amount_eur - call.received_eur, 0.0))
        return total


def eligible_for(eligibility: Eligibility, age: np.ndarray, non_eu: np.ndarray) -> np.ndarray:
    """Who a grant's money may serve (applicants are registered unemployed by construction)."""
    ok = (age >= eligibility.min_age) & (age <= eligibility.max_age)
    if eligibility.non_eu_only:
        ok &= non_eu
    return ok
