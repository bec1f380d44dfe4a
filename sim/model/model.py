"""The Mesa model of a mentoring-to-work programme in a region.

Each step is one calendar month. The order of the processes within a month:

1. **Economy**: the month's vacancy factors (shocks such as a downturn) and the downturn flag.
2. **Funding and staff**: money from the grants active this month (co-financing caps, renewals and
   approval gaps already drawn); coaches follow what is affordable: lost at once, rehired slowly.
3. **Employers**: champion employers withdraw (more in a downturn and while the programme is
   unfunded) or are engaged (only while funded).
4. **Mentors**: volunteers and champions' staff are recruited (and trained) while funded; mentors
   leave (peaks at 3, 6, 12 months, more when idle in an interruption) or return.
5. **Intake**: eligible unemployed apply through the outreach channel; while funded the organisation
   screens them (creaming or targeting) up to its caseload; a random share goes to the comparison
   group; the dual model loses some in the hand-over. Waiting mentees who found work, left the
   labour force or waited too long leave the list.
6. **Matching**: the strategy pairs ready mentees with available mentors, as many as coaches can match.
7. **Pairs**: new pairs start or never start; contact decays and lapses, check-ins restore it;
   meetings build local knowledge and trust; mentors may open their network (employer ties);
   pairs go silent, end early or complete. Without money, pairs finish or end (wind-down rule).
8. **Labour market**: people who leave the region are replaced by unemployed newcomers (turnover);
   vacancies, hiring (with bias and referral ties), job loss, training, inactivity.
9. **Records**: outcome checkpoints and the month's time-series row.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.model.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
from sim.model.funding import FundingSchedule
from sim.model.labour_market import LabourMarket, build_employers
from sim.model.matching import MatchRequest, match
from sim.model.mentors import MentorPool, MentorSupply
from sim.model.organisation import Organisation, end_participation
from sim.model.outcomes import Checkpoints, compute_outcomes
from sim.model.pairs import PairDynamics, start_pairs
from sim.model.population import (
    NO_MONTH,
    Exit,
    Labour,
    Status,
    build_population,
    caseload,
    participants,
    turnover,
)
from sim.model.rng import Streams
from sim.scenario.schema import Scenario

SERIES = (
    "active_pairs", "waiting_list", "mentor_pool", "mentors_available", "champions", "coaches_fte",
    "funding_month_eur", "budget_remaining_eur", "intake_open", "new_participants", "new_matches",
    "pairs_completed", "pairs_ended_early", "placements", "employed_share_participants",
    "employed_share_comparison", "employed_share_participants_without_programme", "economy_index",
    "vacancies", "hires", "hires_sme", "hires_large", "hires_from_training", "unemployed", "mentor_hours",
)  # fmt: skip


@dataclass
class TwinPlan:
    """What the twin run (programme off) needs from the programme run: who took part and when."""

    accepted_month: np.ndarray
    exit_month: np.ndarray
    participant: np.ndarray  # bool


class MentoringModel(mesa.Model):
    """A region with jobseekers, mentors, employers, funders and the coordinating organisation."""

    def __init__(
        self, scenario: Scenario, seed: int | None = None, twin_of: TwinPlan | None = None, agents: bool = True
    ) -> None:
        seed = scenario.seed if seed is None else seed
        super().__init__(rng=seed)
        self.params = scenario  # the Scenario (Mesa reserves `scenario`)
        self.seed = seed
        self.t = 0
        self.enabled = scenario.programme.enabled and twin_of is None
        self.twin_of = twin_of
        self.streams = Streams(seed)
        self.people = build_population(scenario, self.streams)
        self.employers = build_employers(scenario, self.streams)
        self.market = LabourMarket(scenario, self.employers, self.people, self.streams)
        if twin_of is not None:  # people are independent given the vacancies: follow the participants only
            self.people = self.people.subset(np.flatnonzero(twin_of.participant))
            self.plan_months = (twin_of.accepted_month[self.people.id], twin_of.exit_month[self.people.id])
        self.funding = FundingSchedule(scenario, self.streams)
        self.organisation = Organisation(scenario, self.funding, self.streams)
        self.pool = MentorPool.empty()
        self.supply = MentorSupply(scenario, self.streams)
        self.pair_dynamics = PairDynamics(scenario.programme, self.streams, len(scenario.sectors))
        self.checks = Checkpoints.empty(self.people.n)
        self.training_eur = 0.0
        self.months_without_intake = 0
        self.series = {name: np.zeros(scenario.months) for name in SERIES}
        self.with_agents = agents
        if self.enabled:
            self._train(self.supply.initial(self.pool, trained=False))
        if agents:
            self._create_agents()

    # -- agents --------------------------------------------------------------------------------
    def _create_agents(self) -> None:
        Jobseeker.create_agents(self, self.people.n, np.arange(self.people.n))
        Employer.create_agents(self, self.employers.n, np.arange(self.employers.n))
        Mentor.create_agents(self, self.pool.count, np.arange(self.pool.count)) if self.pool.count else None
        kinds: dict[str, list[int]] = {}
        for gi, grant in enumerate(self.params.funding.grants):
            kinds.setdefault(grant.funder, []).append(gi)
        for kind, grants in kinds.items():
            Funder(self, kind, grants)
        Coordinator(self)

    def _train(self, new: np.ndarray) -> None:
        """Initial or new mentors get the training course when the guidelines ask for it (costed)."""
        if self.params.programme.guidelines.mentor_training and len(new):
            self.pool.trained[new] = True
            self.training_eur += len(new) * self.params.programme.staff.training_cost_per_mentor

    # -- the month -------------------------------------------------------------------------------
    def step(self) -> None:
        """One calendar month, in the order of the module docstring."""
        t, people = self.t, self.people
        row: dict[str, float] = {}
        downturn = self.market.economy_index(t) < self.params.economy.downturn_threshold  # 1
        if self.enabled:
            self._programme_month(t, downturn, row)  # 2-7
        self._turnover(t)  # 8
        pairs = self.params.programme.pairs
        row |= self.market.step(t, people, pairs.training_entry_multiplier, pairs.internship_rate)
        self._record(t, row)  # 9
        self.t += 1
        if self.t >= self.params.months:
            self.running = False

    def _programme_month(self, t: int, downturn: bool, row: dict[str, float]) -> None:
        people, org, pool = self.people, self.organisation, self.pool
        self.training_eur = org.pay(t, self.training_eur)  # 2
        funded = org.funded
        self.supply.champions(t, self.employers.champion, funded, downturn)  # 3
        new, employer = self.supply.recruit(
            t, pool, self.employers.champion, self.employers.sector, funded, trained=False
        )  # 4
        np.add.at(self.employers.mentors_supplied, employer, 1)
        self._train(new)
        if self.with_agents and len(new):
            Mentor.create_agents(self, len(new), new)
        self.supply.attrition(t, pool, self.employers.champion, funded)
        self._leave_waiting_list(t)  # 5
        accepted = org.intake(t, people)
        self.months_without_intake += int(not funded)
        waiting = np.flatnonzero((people.programme == Status.WAITING) & (people.ready_month <= t))  # 6
        order = np.argsort(people.accepted_month[waiting], kind="stable")
        waiting = waiting[order]
        mentors = pool.available()
        req = MatchRequest(
            mentees=waiting,
            mentors=mentors,
            wait=t - people.accepted_month[waiting],
            capacity=org.match_capacity(t),
            people=people,
            pool=pool,
            cfg=self.params.programme.matching,
            u=self.streams.uniform("matching.order", t, mentors),
        )
        mentees, matched = match(req)
        from_queue = int(np.count_nonzero(~people.served[mentees]))  # queued unfunded: participants once matched
        start_pairs(t, people, pool, mentees, matched)
        load = caseload(people.programme)
        ends = self.pair_dynamics.step(t, people, pool, org.follow_up_share(load), funded)  # 7
        row |= {
            "intake_open": float(funded),
            "new_participants": int(participants(people)[accepted].sum()) + from_queue,
            "new_matches": len(mentees),
            "pairs_completed": ends["completed"],
            "pairs_ended_early": ends["ended"] + ends["never_started"],
            "mentor_hours": ends["meetings"] * self.params.programme.pairs.hours_per_meeting,
            "coaches_fte": org.coaches,
            "funding_month_eur": org.money,
            "budget_remaining_eur": self.funding.remaining(t),
            "champions": int(self.employers.champion.sum()),
        }

    def _turnover(self, t: int) -> None:
        """Leavers replaced by newcomers; applicants are exempt from their application on (also in the twin)."""
        p, plan = self.people, self.twin_of
        if plan is None:
            exempt = p.programme != Status.NOT_ENROLLED
        else:
            accepted = plan.accepted_month[p.id]
            exempt = (accepted != NO_MONTH) & (accepted <= t)
        newcomers = turnover(self.params, self.streams, p, t, exempt)
        if newcomers is not None:
            self.market.welcome(newcomers)

    def _leave_waiting_list(self, t: int) -> None:
        p = self.people
        waiting = np.flatnonzero(p.programme == Status.WAITING)
        left = (p.labour[waiting] != Labour.UNEMPLOYED) | (
            t - p.accepted_month[waiting] >= self.params.programme.max_wait_months
        )
        end_participation(p, waiting[left], t, Exit.LEFT_WAITING)

    def _record(self, t: int, row: dict[str, float]) -> None:
        p = self.people
        accepted, exited = self.plan_months if self.twin_of else (p.accepted_month, p.exit_month)
        row |= self.checks.record(t, p, accepted, exited, all_participants=self.twin_of is not None)
        row["mentor_pool"] = len(self.pool.active())
        row["mentors_available"] = len(self.pool.available())
        for name, value in row.items():
            if name in self.series:
                self.series[name][t] = value

    # -- results ---------------------------------------------------------------------------------
    def run(self) -> MentoringModel:
        """Run all months."""
        while self.running:
            self.step()
        return self

    def twin_plan(self) -> TwinPlan:
        """What the twin run without the programme needs: who took part, and when they were accepted and left."""
        p = self.people
        return TwinPlan(p.accepted_month.copy(), p.exit_month.copy(), participants(p))

    def outcomes(self, twin: MentoringModel | None = None) -> dict[str, float]:
        """One row of outcomes; pass the twin run for the net effect."""
        extra = {
            "mentors_recruited": self.supply.recruited,
            "mentors_lost": self.supply.lost,
            "staff_lost_fte": self.organisation.staff_lost_fte,
            "months_without_intake": self.months_without_intake,
            "champions_end": int(self.employers.champion.sum()),
        }
        twin_checks = twin.checks.expand(twin.people.id, self.people.n) if twin else None
        return compute_outcomes(self.people, self.checks, twin_checks, self.organisation.spent, extra)
