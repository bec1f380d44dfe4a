"""The Mesa model of a mentoring-to-work programme in a region.

Each step is one calendar month. Before the first, ``labour_market.burn_in_months`` months of step 8
alone (normal economy, no programme) give a stationary start. The order of the processes within a month:

1. **Economy**: the month's vacancy factors (shocks such as a downturn) and the downturn flag.
2. **Funders and staff**: each funder decides on the calls whose decision month it is (renewal on the
   pairs and placements reported against the grant's targets, and its budget); pre-financing and
   reimbursements of costs declared months before come in as cash; the month's money is what the
   grants cover (co-financing caps), limited by cash; coaches follow what is affordable: lost at once,
   rehired slowly, leaving ahead of a known end. Intake and matching close when too few funded months
   are left for a pair to run to term. The month's casework hours of the coaches are set, and what the
   running pairs and matching are expected to need is kept for them (triage by ``staff.hours_priority``).
   2b. **Components** (``programme.components``, none by default: sim.model.components): the month's
   workshop sessions, events and new internships, their coaches' hours booked first, their costs due.
3. **Employers**: champion employers withdraw (more in a downturn and while the programme is
   unfunded) or are engaged (only while funded).
4. **Mentors**: volunteers and champions' staff are recruited (and trained) while funded; mentors
   whose pair ended last month re-enlist or rest, rests end; mentors leave (peaks at 3, 6, 12 months,
   more when idle in an interruption, more with every pair done and every hard pair) or return.
5. **Intake**: eligible unemployed apply through the outreach channel; while funded the coaches interview
   them as their hours allow and screen them (creaming or targeting) up to the caseload their hours
   carry; a random share goes to the comparison group. In the dual model a referring organisation
   interviews, screens and refers (losing some at once); the referred wait in the hand-over queue (some
   give up each month) until the matching organisation has the hours to take them in.
   Waiting mentees who found work, left the labour force or waited too long leave the list.
6. **Matching**: the strategy pairs ready mentees with available mentors, as many as the coaches' hours
   allow (each match and its first meeting take hours; the hours of tasks ranked higher are kept).
7. **Pairs**: the coaches support the mentors and check in on pairs as the hours left allow; new pairs
   start or never start; contact decays and lapses, check-ins restore it;
   meetings build local knowledge and trust; mentors may open their network (employer ties);
   pairs go silent, end early or complete. Without money, pairs finish or end (wind-down rule).
8. **Labour market**: people who leave the region are replaced by unemployed newcomers (turnover);
   careers move (sim.model.careers: what a pair gave, by gender and origin; fading after the pair;
   language and diploma recognition, faster with a mentor; moves up to one's level; the mentor's
   support in a new job); openings, hiring from finite openings shared with the reference group (callback and offer gaps,
   referral ties, crowding), job loss, training, inactivity.
   8b. **Internships ending** (a component): a job with the host employer or back to unemployment.
9. **Records**: outcome checkpoints and the month's time-series row.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.model.agents import Coordinator, Employer, Funder, Jobseeker, Mentor
from sim.model.components import COMPONENT_SERIES, ProgrammeComponents
from sim.model.funding import FundingSchedule, Report
from sim.model.labour_market import Employers, LabourMarket, build_employers
from sim.model.matching import MatchRequest, match
from sim.model.mentors import MentorPool, MentorSupply
from sim.model.organisation import COMPONENT_TASKS, ENTRY_LABOUR, TASKS, Organisation, end_participation
from sim.model.outcomes import Checkpoints, compute_outcomes, displacement
from sim.model.pairs import PairDynamics, start_pairs
from sim.model.population import (
    Exit,
    Labour,
    Population,
    Status,
    build_population,
    category_tables,
    in_codes,
    participants,
    settle,
    turnover,
)
from sim.model.reporting import reporting_outcomes
from sim.model.rng import Streams
from sim.model.starts import cached_start, keep_start
from sim.scenario.schema import Scenario

SERIES: tuple[str, ...] = (
    "active_pairs", "waiting_list", "mentor_pool", "mentors_available", "champions", "coaches_fte",
    "funding_month_eur", "budget_remaining_eur", "intake_open", "new_participants", "new_matches",
    "pairs_completed", "pairs_ended_early", "placements", "employed_share_participants",
    "employed_share_comparison", "employed_share_participants_without_programme", "economy_index",
    "vacancies", "hires", "hires_sme", "hires_large", "hires_from_training", "unemployed", "mentor_hours",
    "hires_reference", "unemployed_reference", "displacement_jobs", "cash_balance_eur",
    "mentors_resting", "mentors_left", "moves_to_level", "recognitions",
)  # fmt: skip
SERIES += ("coach_hours_available", *(f"coach_hours_used_{task}" for task in TASKS), "handover_queue")
SERIES += COMPONENT_SERIES


@dataclass
class TwinPlan:
    """What the twin run (programme off) needs from the programme run: who took part and when, and the start."""

    accepted_month: np.ndarray
    exit_month: np.ndarray
    participant: np.ndarray  # bool
    served_month: np.ndarray  # when each participant became one
    start: tuple[Population, Employers, LabourMarket]  # the state after the burn-in (shared by both runs)
    arrivals: dict[int, tuple[np.ndarray, Population]]  # month -> rows that left and their newcomers


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
        self._start: tuple[Population, Employers, LabourMarket] | None = None
        self._arrivals: dict[int, tuple[np.ndarray, Population]] = {}  # kept for the twin (see _turnover)
        self._people_tables: tuple[np.ndarray, ...] | None = None  # population.category_tables, made once
        if twin_of is None:
            self.people, self.employers, self.market = self._burned_in(scenario)
            if self.enabled and scenario.counterfactual.twin:  # the twin starts from the same state
                memo = {id(scenario): scenario, id(self.streams): self.streams}
                self._start = copy.deepcopy((self.people, self.employers, self.market), memo)
        else:  # the twin follows everyone: openings are shared, so non-participants feel the programme too
            self.people, self.employers, self.market = twin_of.start
            self.plan_months = (twin_of.accepted_month, twin_of.exit_month)
        n_months = scenario.months
        self.employed_non_participants = np.zeros(n_months)  # jobs held by people not (yet) participants
        self.participants_so_far = np.zeros(n_months)
        self.funding = FundingSchedule(scenario, self.streams)
        self.organisation = Organisation(scenario, self.funding, self.streams)
        self.pool = MentorPool.empty()
        self.supply = MentorSupply(scenario, self.streams)
        self.pair_dynamics = PairDynamics(scenario.programme, self.streams, len(scenario.sectors))
        self.checks = Checkpoints.empty(self.people.n)
        self.training_eur = 0.0  # mentor training (and the components' costs) due, paid at step 2
        components = scenario.programme.components
        self.components = (
            ProgrammeComponents(scenario, self.streams, self.people.n) if self.enabled and components.any else None
        )
        self.months_without_intake = 0
        self.series = {name: np.zeros(scenario.months) for name in SERIES}
        self.with_agents = agents
        self.funders: list[Funder] = []
        self._views_pending = False  # Jobseeker, Employer and Mentor agents not built yet (see _create_agents)
        if self.enabled:
            self._train(self.supply.initial(self.pool, trained=False))
        if agents:
            self._create_agents()

    # -- agents --------------------------------------------------------------------------------
    def _create_agents(self) -> None:
        """Funders (they decide each month) and the coordinator now; the views of the arrays when first asked for.

        Jobseeker, Employer and Mentor agents hold only an index, but a million of them take seconds to
        build, so they are created on the first use of ``agents``, ``agents_by_type`` or ``agent_types``
        (:meth:`_build_views`); from then on recruited mentors get theirs as they come.
        """
        self.funders = [Funder(self, kind, grants) for kind, grants in self.funding.by_funder().items()]
        Coordinator(self)
        self._views_pending = True

    def _build_views(self) -> None:
        if not self._views_pending:
            return
        self._views_pending = False
        Jobseeker.create_agents(self, self.people.n, np.arange(self.people.n))
        Employer.create_agents(self, self.employers.n, np.arange(self.employers.n))
        Mentor.create_agents(self, self.pool.count, np.arange(self.pool.count)) if self.pool.count else None

    @property
    def agents(self) -> Any:
        """All agents (Mesa's ``agents``), the views built first."""
        self._build_views()
        return super().agents

    @property
    def agents_by_type(self) -> Any:
        """Agents by class (Mesa's ``agents_by_type``), the views built first."""
        self._build_views()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Agent classes (Mesa's ``agent_types``), the views built first."""
        self._build_views()
        return super().agent_types

    def _burned_in(self, scenario: Scenario) -> tuple[Population, Employers, LabourMarket]:
        """The people, employers and market after the burn-in, drawn and burned in here or kept from before.

        Kept: an earlier model with the same burn-in inputs and seed started from it (a pure function of
        them, :mod:`sim.model.starts`).
        """
        start = cached_start(scenario, self.streams, type(self))
        if start is not None:
            return start
        self.people = build_population(scenario, self.streams)
        self.employers = build_employers(scenario, self.streams)
        self.market = LabourMarket(scenario, self.employers, self.people, self.streams)
        self._burn_in()
        keep_start(scenario, self.streams, type(self), (self.people, self.employers, self.market))
        return self.people, self.employers, self.market

    def _burn_in(self) -> None:
        """Labour-market months before the start (normal economy, no programme) for a stationary start.

        Halfway through, the hiring scale and openings are set again on the state reached, so that the
        reference job-finding rate and the tightness hold at the start, not at the initial cross-section.
        """
        months = self.params.labour_market.burn_in_months
        for k in range(months):
            if k == months // 2:
                self.market.calibrate(self.people)
            self._turnover(-2 - k)
            self.market.burn_in(k, self.people)
        self.employers.hires[:] = 0

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
        if self.components is not None:  # 8b
            row |= self.components.end_of_month(t, people)
        self._record(t, row)  # 9
        self.t += 1
        if self.t >= self.params.months:
            self.running = False

    def _programme_month(self, t: int, downturn: bool, row: dict[str, float]) -> None:
        people, org, pool = self.people, self.organisation, self.pool
        report = Report(t, self.series["new_matches"], self.series["placements"])  # 2: funders decide, then pay
        if self.with_agents:
            for funder in self.funders:
                funder.decide(report)
        else:  # the same decisions without Mesa agents (batch runs)
            for grants in self.funding.by_funder().values():
                self.funding.decide(grants, report)
        if self.components is None:
            self.training_eur = org.pay(t, self.training_eur)
        else:  # the components' costs are due with the training; their budget is kept before the coaches
            due = self.training_eur + self.components.take_due()
            self.training_eur = org.pay(t, due, self.components.budget())  # what cannot be paid yet is carried
        funded = org.funded
        ready = np.count_nonzero((people.programme == Status.WAITING) & (people.ready_month <= t))
        org.plan_hours(int(np.count_nonzero(people.programme == Status.PAIRED)), min(int(ready), len(pool.available())))
        if self.components is not None:  # 2b
            row |= self.components.start_of_month(t, people, self.employers, org.hours)
        self.supply.champions(t, self.employers.champion, funded, downturn)  # 3
        new, employer = self.supply.recruit(
            t, pool, self.employers.champion, self.employers.sector, funded, trained=False
        )  # 4
        np.add.at(self.employers.mentors_supplied, employer, 1)
        self._train(new)
        if self.with_agents and not self._views_pending and len(new):
            Mentor.create_agents(self, len(new), new)
        row |= self.supply.attrition(t, pool, self.employers.champion, funded, people)
        self._leave_waiting_list(t)  # 5
        accepted = org.intake(t, people)
        row["handover_queue"] = org.take_in(t, people)  # the dual model's hand-over queue
        self.months_without_intake += int(not org.intake_open)
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
        org.matched(len(mentees))
        pairs = int(np.count_nonzero(people.programme == Status.PAIRED))
        ends = self.pair_dynamics.step(t, people, pool, org.follow_up_share(pairs), funded)  # 7
        row |= {
            "intake_open": float(org.intake_open),
            "new_participants": int(participants(people)[accepted].sum()) + from_queue,
            "new_matches": len(mentees),
            "pairs_completed": ends["completed"],
            "pairs_ended_early": ends["ended"] + ends["never_started"],
            "mentor_hours": ends["meetings"] * self.params.programme.pairs.hours_per_meeting,
            "coaches_fte": org.coaches,
            "funding_month_eur": org.money,
            "budget_remaining_eur": self.funding.remaining(t),
            "cash_balance_eur": org.cash,
            "champions": int(self.employers.champion.sum()),
            "coach_hours_available": org.hours_available,
        } | {f"coach_hours_used_{task}": hours for task, hours in org.hours_used().items()}

    def _turnover(self, t: int) -> None:
        """Leavers replaced by newcomers; applicants are exempt from their application on (also in the twin).

        The twin's leavers and newcomers are the programme run's: the draws are keyed by person and
        month, and the exempt are the same people (applicants from their application on), so the twin
        takes them from the plan instead of drawing them again (tests/test_reproducibility.py checks).
        """
        p, plan = self.people, self.twin_of
        if plan is not None and t >= 0:
            arrived = plan.arrivals.get(t)
            if arrived is not None:
                settle(p, *arrived)
                self.market.welcome(arrived[1])
            return
        if self._people_tables is None:
            self._people_tables = category_tables(self.params)
        arrived = turnover(self.params, self.streams, p, t, p.programme != Status.NOT_ENROLLED, self._people_tables)
        if arrived is not None:
            self.market.welcome(arrived[1])
            if self._start is not None and t >= 0:
                self._arrivals[t] = arrived

    def _leave_waiting_list(self, t: int) -> None:
        p = self.people
        waiting = np.flatnonzero(p.programme == Status.WAITING)
        # one leaves on leaving the target group's labour statuses (a job, or inactivity, unless the programme takes
        # those); a wait for a mentor while unemployed is always compatible (an inactive entrant who starts searching)
        statuses = [ENTRY_LABOUR[s] for s in self.params.programme.target.labour_statuses] + [Labour.UNEMPLOYED]
        left = ~in_codes(p.labour[waiting], statuses) | (
            t - p.accepted_month[waiting] >= self.params.programme.max_wait_months
        )
        end_participation(p, waiting[left], t, Exit.LEFT_WAITING)

    def _record(self, t: int, row: dict[str, float]) -> None:
        p = self.people
        plan = self.twin_of
        accepted, exited = self.plan_months if plan else (p.accepted_month, p.exit_month)
        served, since = (plan.participant, plan.served_month) if plan else (p.served, p.served_month)
        row |= self.checks.record(t, p, accepted, exited, served, since)
        self.employed_non_participants[t] = row.pop("employed_non_participants")
        self.participants_so_far[t] = row.pop("participants_so_far")
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
        if self._start is None:
            raise ValueError("a twin needs the programme run of a scenario with the programme and the twin on")
        start, self._start = self._start, None  # handed over once
        arrivals, self._arrivals = self._arrivals, {}
        return TwinPlan(
            p.accepted_month.copy(), p.exit_month.copy(), participants(p), p.served_month.copy(), start, arrivals
        )

    def outcomes(self, twin: MentoringModel | None = None) -> dict[str, float]:
        """One row of outcomes; pass the twin run for the net effect."""
        extra = {
            **self.supply.outcomes(self.pool),  # mentors_recruited, mentors_lost, ... (MentorSupply.outcomes)
            "staff_lost_fte": self.organisation.staff_lost_fte,
            "months_without_intake": self.months_without_intake,
            "champions_end": int(self.employers.champion.sum()),
            "renewals_granted": self.funding.ledger.granted,
            "renewals_refused": self.funding.ledger.refused,
            "months_cash_constrained": self.organisation.months_cash_constrained,
            "coach_hours_follow_up": self.organisation.hours_total("check_in")
            + self.organisation.hours_total("first_meeting"),
            "coach_hours_coordination": self.organisation.hours_total("coordination"),
            "handover_wait_months_mean": self.organisation.handover_waits / self.organisation.handed_over
            if self.organisation.handed_over
            else float("nan"),
            "lost_in_handover": int(np.count_nonzero(self.people.exit_reason == Exit.LOST_IN_HANDOVER)),
            **self._component_outcomes(),
        }
        jobs = self.displacement_jobs(twin) if twin is not None else None
        extra |= displacement(self.people, jobs, self.participants_so_far)
        twin_checks = twin.checks if twin else None
        out = compute_outcomes(self.people, self.checks, twin_checks, self.organisation.spent, extra)
        out |= reporting_outcomes(self.people, self.checks, self.params.reporting, self.params.months)
        return out

    def _component_outcomes(self) -> dict[str, float]:
        """What the programme's parts did and cost over the run (0 without parts)."""
        total = {name: float(self.series[name].sum()) for name in COMPONENT_SERIES}
        return {
            "workshop_attendances_total": total["workshop_attendances"],
            "event_ties_total": total["event_ties"],
            "programme_internships_total": total["programme_internships"],
            "internship_hires_total": total["internship_hires"],
            "coach_hours_components": sum(self.organisation.hours_total(task) for task in COMPONENT_TASKS),
            "components_cost_eur": total["components_eur"],
        }

    def displacement_jobs(self, twin: MentoringModel) -> np.ndarray:
        """Jobs of everyone else each month, this run minus the twin (negative: jobs taken by mentees).

        Everyone else: the people here who are not (yet) participants, and the reference group (its
        unemployed stock, which competes for the same openings).
        """
        others = self.employed_non_participants - twin.employed_non_participants
        reference = self.series["unemployed_reference"] - twin.series["unemployed_reference"]
        return others - reference
