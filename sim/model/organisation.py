"""The coordinating organisation: coaches paid from the grants, intake and screening, the comparison group.

The sources insist the organisation is part of the programme (DOMAIN.md §1): it recruits, screens,
matches, trains and follows up, and it can only do so while money pays its coaches. Coaches leave at
once when money stops and are rehired slowly (staff lost at funding cliffs, P15 §IV.B).

The organisation holds cash (DOMAIN.md §6 funding rules): it starts with ``funding.reserves_eur``,
receives pre-financing and reimbursements of its declared costs in arrears (:meth:`FundingSchedule.receipts`)
and spends each month what its grants cover, but never more than the cash it has (a month where cash
limits spending is *cash-constrained*). Cash pays only costs a grant covers: reserves are working
capital, not a fund to run without grants. Intake (and matching) closes while the money approved so
far runs out before a new pair could run to term (``pairs.duration_months``, or ``intake.close_months``
where the design says otherwise), and coaches leave
(``staff.leave_before_end_rate`` a month, no rehiring) once it runs out within ``staff.leave_horizon_months``.

**The coaches' time is a budget** (:class:`CoachHours`, DOMAIN.md §6). Each month the coaches have
``coaches x staff.hours_per_fte_month x (1 - staff.other_duties_share)`` hours for casework. Its tasks take
hours: an intake interview per applicant screened, ``matching.hours_per_match`` per match and, at the
follow-up intensity, ``follow_up.first_meeting_hours`` for the new pair's first meeting; a check-in per
running pair a month (``follow_up.check_in_hours``, at the intensity: with the first meeting, the MENTOR
schedule of twice in the first month, then monthly) and ``staff.mentor_support_hours`` per running pair.
When the hours run short the tasks are served in the order of ``staff.hours_priority`` (a task ranked
higher keeps what it is expected to need; the month's tasks run in the model's order: intake, matching,
then support and check-ins of the pairs). Check-ins and mentor support not given lower the share of
pairs checked in on.
The organisation also plans its caseload in hours: it takes in applicants only while its pairs and
waiting mentees, each at the hours a pair takes a month (:meth:`Organisation.hours_per_case`), fit its
hours. So more follow-up costs intake and matches, not only the pairs it keeps alive.
A programme's components (workshops, events, internships it arranges: :mod:`sim.model.components`) are
scheduled: their hours are booked at the start of the month, before the triage (:meth:`CoachHours.book`),
and the caseload is planned on the hours left.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model.funding import FundingSchedule, eligible_for
from sim.model.population import NO_MONTH, Exit, Labour, Population, Status, caseload, in_codes
from sim.model.rng import Streams
from sim.scenario.schema import SKILLS, Programme, Scenario, month_index

ENTRY_LABOUR = {"unemployed": Labour.UNEMPLOYED, "inactive": Labour.INACTIVE,
                "employed_below_level": Labour.EMPLOYED_BELOW_LEVEL, "training": Labour.TRAINING}  # fmt: skip


TASKS: tuple[str, ...] = ("intake", "matching", "first_meeting", "check_in", "mentor_support", "coordination")  # fmt: skip
COMPONENT_TASKS = ("workshops", "events", "internships")  # programme.components: booked first (CoachHours.book)
TASKS += COMPONENT_TASKS
HANDOVER_QUEUE = np.int32(2**30)  # ready_month of a mentee handed over, not yet taken in (dual model)


class CoachHours:
    """The coaches' hours of one month and their triage, kept as a few scalars a month.

    ``open`` sets the month's hours and what each task is expected to need (its reservation); a task may
    use what is left after the tasks done so far and the reservations of the tasks ranked above it that
    are still to come (``cap``). First meetings go with matching (its priority).
    """

    def __init__(self, priority: Sequence[str]) -> None:
        self.priority = list(priority)
        self.available = 0.0
        self.used = dict.fromkeys(TASKS, 0.0)
        self.reserved: dict[str, float] = {}
        self.done: set[str] = set()
        self.total = dict.fromkeys(TASKS, 0.0)  # over the run
        self.booked = 0.0  # this month's hours booked by the components (book)

    def open(self, available: float, reserved: dict[str, float]) -> None:
        """A new month: ``available`` hours; ``reserved`` hours each task is expected to need."""
        self.available = available
        self.used = dict.fromkeys(TASKS, 0.0)
        self.reserved = reserved
        self.done = set()
        self.booked = 0.0

    def cap(self, task: str) -> float:
        """Hours ``task`` may use now (``task``: one of the priority names)."""
        ahead = self.priority[: self.priority.index(task)]
        held = sum(self.reserved.get(x, 0.0) for x in ahead if x not in self.done)
        return max(self.available - sum(self.used.values()) - held, 0.0)

    def free(self) -> float:
        """Hours not used yet this month (reservations aside)."""
        return max(self.available - sum(self.used.values()), 0.0)

    def book(self, task: str, hours: float) -> None:
        """Book ``hours`` (at most :meth:`free`) for a scheduled ``task`` before the casework.

        A programme's components (:data:`COMPONENT_TASKS`) are booked at the start of the month, ahead of the
        triage: their hours are used and so no longer there for the tasks of ``priority``.
        """
        given = min(hours, self.free())
        self.used[task] += given
        self.total[task] += given
        self.booked += given

    def use(self, task: str, **hours: float) -> None:
        """Record the hours used by ``task`` (by the names of :data:`TASKS`) and mark it done."""
        for name, h in hours.items():
            self.used[name] += h
            self.total[name] += h
        self.done.add(task)


class Organisation:
    """Coach FTE, spending, coaches' hours and intake of the programme."""

    def __init__(self, scenario: Scenario, funding: FundingSchedule, streams: Streams) -> None:
        self.scenario = scenario
        self.cfg: Programme = scenario.programme
        self.funding = funding
        self.streams = streams
        staff = self.cfg.staff
        self.planned_cost = staff.max_coaches * staff.coach_cost_per_month / max(1 - staff.overhead_share, 1e-9)
        self.coaches = 0.0
        self.spent = 0.0
        self.staff_lost_fte = 0.0
        self.money = 0.0
        self.start = 0 if self.cfg.start is None else _month_of(scenario, self.cfg.start)
        self.cash = scenario.funding.reserves_eur
        self.declared = np.zeros((len(funding.grants), scenario.months))  # cost declared to each grant each month
        self.cash_constrained = False
        self.months_cash_constrained = 0
        self.closing = True  # too little funded time left for a new pair to run to term
        self.funded_run = 0  # consecutive months with approved money ahead (how long the current stretch has run)
        target = self.cfg.target  # what every month's intake looks up, made once
        self._entry_statuses = [ENTRY_LABOUR[s] for s in target.labour_statuses]
        self._skill_ok = np.array([s in target.skill_levels for s in SKILLS])
        self._outreach_weights = np.asarray(self.cfg.outreach.weights())
        self.hours = CoachHours(staff.hours_priority)  # the matching organisation's in the dual model
        self.dual = self.cfg.implementation == "dual"
        # the dual model's referring organisation: interviews, screening and referrals (its own coaches' hours)
        self.referring = CoachHours(staff.hours_priority) if self.dual else None
        self.handover_waits = 0.0  # months from referral to take-in, summed over the mentees taken in
        self.handed_over = 0  # mentees taken in by the matching organisation

    @property
    def funded(self) -> bool:
        """The organisation has coaches at work this month (follow-up; intake and matching unless closing)."""
        return self.coaches > 1e-6

    @property
    def intake_open(self) -> bool:
        """Intake and matching are open: coaches at work and enough funded months left for a pair to run to term."""
        return self.funded and not self.closing

    def pay(self, t: int, training_due: float, components_budget: float = 0.0) -> float:
        """Step 2: cash in, money of the month; coaches follow the affordable FTE (down at once, up slowly).

        The month's money is what the grants cover, limited by the cash at hand. Mentor training is
        paid from what the coaches leave; what cannot be paid yet is returned (carried to the next
        month), so training never costs the programme its staff. The programme's components
        (``components_budget``: what they cost a month, :meth:`ProgrammeComponents.budget`) are budgeted: their
        budget is kept from the money before the coaches' (with a binding grant they cost coach FTE), and their
        costs, due with the training, are paid from it. The cost spent is declared to the grants in proportion
        to what each covers, and reimbursed later.
        """
        staff = self.cfg.staff
        self.cash = max(self.cash + self.funding.receipts(t, self.declared), 0.0)  # recoveries: at most the cash
        planned = self.planned_cost + components_budget
        covered = self.funding.shares(t, planned + training_due) if t >= self.start else np.zeros(0)
        eligible = float(covered.sum())
        self.money = min(eligible, self._spendable(t, covered, eligible))
        self.cash_constrained = eligible - self.money > 0.5  # EUR: rounding aside
        self.months_cash_constrained += int(self.cash_constrained)
        ahead = self.funding.months_ahead(t)
        self.funded_run = self.funded_run + 1 if ahead > 0 else 0
        close = self.cfg.intake.close_months
        self.closing = ahead < (self.cfg.pairs.duration_months if close is None else close)
        # the components' budget is kept from the money first (sessions and events are scheduled)
        affordable = (
            max(self.money - components_budget, 0.0)
            * (1 - staff.overhead_share)
            / max(staff.coach_cost_per_month, 1e-9)
        )
        target = min(staff.max_coaches, affordable)
        # The end is in sight: coaches leave, nobody is hired; but coaches hired for a stretch of money no
        # longer than the horizon stay to its end (otherwise a short call would never be staffed).
        if 0 < ahead <= staff.leave_horizon_months and self.funded_run > staff.leave_horizon_months:
            target = min(target, self.coaches * (1 - staff.leave_before_end_rate))
        if target < self.coaches:
            self.staff_lost_fte += self.coaches - target
            self.coaches = target
        else:
            self.coaches += (target - self.coaches) / staff.hiring_months
            if target - self.coaches < 0.05:
                self.coaches = target
        staff_cost = min(self.money, self.coaches * staff.coach_cost_per_month / max(1 - staff.overhead_share, 1e-9))
        training = min(training_due, self.money - staff_cost)
        spend = staff_cost + training
        self.cash -= spend
        if eligible > 0:
            self.declared[:, t] = covered * (spend / eligible)
        self.cash = max(self.cash + self.funding.receipts(t, self.declared, same_month=True), 0.0)
        self.spent += spend
        return training_due - training

    def _spendable(self, t: int, covered: np.ndarray, eligible: float) -> float:
        """Most the organisation can spend this month: its cash, stretched by what grants without a lag pay back."""
        if eligible <= 0:
            return 0.0
        back = min(self.funding.paid_as_spent(t, covered) / eligible, 1.0)  # share of spending repaid at once
        return np.inf if back >= 1.0 - 1e-12 else self.cash / (1.0 - back)

    def hours_per_case(self) -> float:
        """Coach hours a pair takes a month over its term: support, check-ins, matching and first meeting spread."""
        cfg, fu = self.cfg, self.cfg.follow_up
        per_match = cfg.matching.hours_per_match + fu.intensity * fu.first_meeting_hours
        if self.dual:  # the matching organisation also takes each mentee in
            per_match += cfg.dual.handover_hours
        return cfg.staff.mentor_support_hours + fu.intensity * fu.check_in_hours + per_match / cfg.pairs.duration_months

    def plan_hours(self, pairs: int, matchable: int) -> None:
        """Step 2 (after pay): the month's casework hours and what the pairs and matching are expected to need.

        ``pairs``: pairs running; ``matchable``: matches possible with the mentees waiting and the mentors
        available at the start of the month (the least of the two).
        """
        staff, fu = self.cfg.staff, self.cfg.follow_up
        available = self.coaches * staff.hours_per_fte_month * (1 - staff.other_duties_share) if self.funded else 0.0
        if self.referring is not None:  # the dual model: the money, so the coaches, split between the two
            self.referring.open(available * self.cfg.dual.referring_share, {})
            available *= 1 - self.cfg.dual.referring_share
        per_match = self.cfg.matching.hours_per_match + fu.intensity * fu.first_meeting_hours
        self.hours.open(
            available,
            {
                "mentor_support": pairs * staff.mentor_support_hours,
                "check_in": pairs * fu.intensity * fu.check_in_hours,
                "matching": matchable * per_match if self.intake_open else 0.0,
            },
        )

    @property
    def hours_available(self) -> float:
        """Casework hours of the month, both organisations' in the dual model."""
        return self.hours.available + (self.referring.available if self.referring else 0.0)

    def hours_used(self) -> dict[str, float]:
        """Hours used this month by task (:data:`TASKS`), both organisations' in the dual model."""
        other = self.referring.used if self.referring else {}
        return {task: hours + other.get(task, 0.0) for task, hours in self.hours.used.items()}

    def hours_total(self, task: str) -> float:
        """Hours used by ``task`` over the run, both organisations' in the dual model."""
        return self.hours.total[task] + (self.referring.total[task] if self.referring else 0.0)

    def follow_up_share(self, pairs: int) -> float:
        """Step 7: support and check-ins of the ``pairs`` running, as the hours allow; the share checked in on.

        The share is the intensity times the part of the due check-in hours given, times the part of the
        due mentor support given: support contacts are part of the follow-up that keeps a pair alive (they
        predict closure, Prevention Science 2021, DOMAIN.md §6), so a check-in with an unsupported mentor
        restores less.
        """
        fu, staff = self.cfg.follow_up, self.cfg.staff
        due = {
            "mentor_support": pairs * staff.mentor_support_hours,
            "check_in": pairs * fu.intensity * fu.check_in_hours,
        }
        share = fu.intensity if self.funded else 0.0
        for task in (x for x in self.hours.priority if x in due):
            given = min(due[task], self.hours.cap(task))
            self.hours.use(task, **{task: given})
            share *= given / due[task] if due[task] > 0 else 1.0
        return share

    def match_capacity(self, t: int) -> int:
        """Matches the coaches' hours allow this month, first meetings included (stochastic rounding); none while closed."""
        if not self.intake_open:
            return 0
        fu = self.cfg.follow_up
        per_match = self.cfg.matching.hours_per_match + fu.intensity * fu.first_meeting_hours
        expected = self.hours.cap("matching") / per_match
        return int(expected) + int(self.streams.uniform("programme.match_capacity", t, 1)[0] < expected % 1)

    def matched(self, n: int) -> None:
        """Step 6: the hours of ``n`` matches made and of their first meetings (at the follow-up intensity)."""
        fu = self.cfg.follow_up
        self.hours.use(
            "matching",
            matching=n * self.cfg.matching.hours_per_match,
            first_meeting=n * fu.intensity * fu.first_meeting_hours,
        )

    def intake(self, t: int, people: Population) -> np.ndarray:
        """Step 5: applications, screening (creaming or targeting), comparison group, dual hand-over.

        While intake is closed (no money, or too little funded time left for a pair to run to term),
        referred applicants still queue on the waiting list unscreened (the list grows); they become
        participants only if a mentor is found for them later. Returns the indices of this month's
        applicants.
        """
        if t < self.start:
            return np.zeros(0, dtype=np.int64)
        gathered = self._intake_months(t)
        if gathered == 0:  # a yearly group or a single cohort: no intake this month
            return np.zeros(0, dtype=np.int64)
        pool = self._eligible(t, people)
        weight = self._outreach_weights[people.female[pool].astype(int) ^ 1, _age_band(people.age[pool])]
        p_month = np.minimum(1.0, self.cfg.outreach.applications_per_month * weight)
        # a group intake takes the applications gathered over the months before it
        p_apply = p_month if gathered == 1 else 1.0 - (1.0 - p_month) ** gathered
        applicants = pool[self.streams.uniform("programme.apply", t, pool) < p_apply]
        if not self.intake_open:  # referrals queue unscreened; they count as participants once matched
            people.accepted_month[applicants] = t
            people.programme[applicants] = Status.WAITING
            people.ready_month[applicants] = t
            return applicants
        applicants = self._interview(t, applicants, self._free_places(people))
        applicants = self._screen(t, people, applicants, self._free_places(people))
        comparison = self.streams.uniform("programme.comparison", t, applicants) < self.cfg.comparison_share
        people.accepted_month[applicants] = t
        people.served[applicants] = True
        people.served_month[applicants] = t
        people.programme[applicants[comparison]] = Status.COMPARISON
        served = applicants[~comparison]
        people.programme[served] = Status.WAITING
        people.ready_month[served] = t
        if self.referring is not None:  # referred: they wait in the hand-over queue to be taken in (take_in)
            people.ready_month[served] = HANDOVER_QUEUE
            self.referring.use("intake", coordination=len(served) * self.cfg.dual.handover_hours)
            lost = served[self.streams.uniform("programme.handover", t, served) < self.cfg.handover_loss]
            end_participation(people, lost, t, Exit.LOST_IN_HANDOVER)
        return applicants

    def take_in(self, t: int, people: Population) -> int:
        """Step 5 (dual model): the matching organisation takes in mentees from the hand-over queue.

        Each month a share ``dual.queue_dropout_rate`` of the queue gives up (lost in the hand-over); then the
        matching organisation takes in, first referred first, those referred at least ``handover_months`` ago,
        as many as its own caseload planned in its hours leaves places for (its hours / hours a case takes a
        month, less its pairs and the mentees it has taken in who wait for a mentor) and as its hours left after
        the tasks ranked above intake allow (``dual.handover_hours`` each); they can be matched from this
        month. Returns the queue left.
        """
        queue = np.flatnonzero((people.programme == Status.WAITING) & (people.ready_month == HANDOVER_QUEUE))
        if self.referring is None or not len(queue):
            return 0
        gave_up = self.streams.uniform("programme.handover_queue", t, queue) < self.cfg.dual.queue_dropout_rate
        end_participation(people, queue[gave_up], t, Exit.LOST_IN_HANDOVER)
        queue = queue[~gave_up]
        due = queue[people.accepted_month[queue] + self.cfg.handover_months <= t]
        due = due[np.argsort(people.accepted_month[due], kind="stable")]
        hours = self.cfg.dual.handover_hours
        n = 0
        if self.intake_open:
            per_case = self.hours_per_case()
            held = int(np.count_nonzero(people.programme == Status.PAIRED)) + int(
                np.count_nonzero((people.programme == Status.WAITING) & (people.ready_month != HANDOVER_QUEUE))
            )
            casework = self.hours.available - self.hours.booked  # after the components' hours
            places = max(int(casework / per_case) - held, 0) if per_case > 0 else len(due)
            n = min(len(due), places)
            if hours > 0:
                n = min(n, int(self.hours.cap("intake") / hours + 1e-9))
        taken = due[:n]
        people.ready_month[taken] = t
        self.hours.use("intake", coordination=n * hours)
        self.handover_waits += float((t - people.accepted_month[taken]).sum())
        self.handed_over += n
        return len(queue) - n

    def _free_places(self, people: Population) -> int:
        """Places the caseload planned in hours leaves: hours / hours a case takes a month, less pairs and waiting.

        In the dual model the partnership plans on both organisations' hours together (the referring one refers
        up to the caseload agreed for the partnership, not seeing the matching one's hours of the month). The hours
        the programme's components booked this month (:meth:`CoachHours.book`) are not casework hours.
        """
        per_case = self.hours_per_case()
        planned = (self.hours_available - self.hours.booked) / per_case if per_case > 0 else np.inf
        return int(max(min(planned, 1e9) - caseload(people.programme), 0))

    def _interview(self, t: int, applicants: np.ndarray, free: int) -> np.ndarray:
        """Applicants the coaches interview this month: all while places are free, as far as the hours allow.

        In the dual model the referring organisation interviews, keeping the hours of each one's referral.
        """
        hours = self.cfg.staff.intake_hours_per_applicant
        book = self.referring or self.hours
        per_applicant = hours + (self.cfg.dual.handover_hours if self.referring else 0.0)
        if free <= 0:
            n = 0
        elif per_applicant > 0:
            n = min(len(applicants), int(book.cap("intake") / per_applicant))
        else:
            n = len(applicants)
        if n < len(applicants):  # a random subset when the hours run short
            keys = self.streams.uniform("programme.interview", t, applicants)
            applicants = np.sort(applicants[np.argsort(keys, kind="stable")[:n]])
        book.use("intake", intake=n * hours)
        return applicants

    def _intake_months(self, t: int) -> int:
        """Months of applications accepted in month ``t``: 1 (monthly), 12 or 0 (yearly), recruitment or 0 (cohort)."""
        intake = self.cfg.intake
        if intake.mode == "monthly":
            return 1
        if intake.mode == "yearly":
            return 12 if (self.scenario.start_index + t) % 12 == intake.month - 1 else 0
        cohort = self.start if intake.cohort is None else _month_of(self.scenario, intake.cohort)
        return intake.recruitment_months if t == cohort else 0

    def _eligible(self, t: int, people: Population) -> np.ndarray:
        """Indices of not yet enrolled people in the target group (programme.target) whom an active grant may fund."""
        target = self.cfg.target
        idx = np.flatnonzero((people.programme == Status.NOT_ENROLLED) & in_codes(people.labour, self._entry_statuses))
        age = people.age[idx]
        ok = (age >= target.min_age) & (age <= target.max_age)
        ok &= self._skill_ok[people.skill[idx]]
        if target.min_months_unemployed > 0:  # the unemployed only: other statuses carry no unemployment spell
            unemployed = people.labour[idx] == Labour.UNEMPLOYED
            ok &= ~unemployed | (people.months_unemployed[idx] >= target.min_months_unemployed)
        if target.gender != "all":
            ok &= people.female[idx] == (target.gender == "women")
        if target.non_eu_only:
            ok &= people.non_eu[idx]
        if target.eu_only:
            ok &= ~people.non_eu[idx]
        if target.refugees_only:
            ok &= people.refugee[idx]
        if target.recognised_qualifications != "any":
            ok &= people.recognised[idx] == (target.recognised_qualifications == "required")
        if target.work_permit_required:
            ok &= people.work_permit[idx]
        if target.min_language > 0:
            ok &= people.language[idx] >= target.min_language
        if target.min_motivation > 0:
            ok &= people.motivation[idx] >= target.min_motivation
        grants = self.funding.active_grants(t)
        if grants:
            fundable = np.zeros(len(idx), dtype=bool)
            for g in grants:
                fundable |= eligible_for(g.eligibility, age, people.non_eu[idx])
            ok &= fundable
        return idx[ok]

    def _screen(self, t: int, people: Population, applicants: np.ndarray, free: int) -> np.ndarray:
        """Keep ``free`` applicants, drawn with weight exp(strictness x employability z-score)."""
        if len(applicants) <= free:
            return applicants
        z = _employability(people, applicants)
        u = self.streams.uniform("programme.screening", t, applicants)
        keys = np.log(np.maximum(u, 1e-12)) / np.exp(self.cfg.screening_strictness * z)  # Efraimidis-Spirakis
        return np.sort(applicants[np.argsort(-keys, kind="stable")[:free]])


def _employability(people: Population, idx: np.ndarray) -> np.ndarray:
    """Standardised employability as a screener sees it: skill, language, motivation, short unemployment."""
    score = (
        people.skill[idx] + 2 * people.language[idx] + 2 * people.motivation[idx] - people.months_unemployed[idx] / 24
    )
    sd = score.std()
    return (score - score.mean()) / (sd if sd > 0 else 1.0)


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted([26, 46], age, side="right")


def _month_of(scenario: Scenario, label: str) -> int:
    return month_index(label) - scenario.start_index


def end_participation(people: Population, idx: np.ndarray, t: int, reason: Exit) -> None:
    """Mark mentees as having left the programme in month ``t``."""
    status = Status.COMPLETED if reason == Exit.COMPLETED else Status.DROPPED_OUT
    people.programme[idx] = status
    people.exit_reason[idx] = reason
    people.exit_month[idx] = t
    people.ready_month[idx] = NO_MONTH
