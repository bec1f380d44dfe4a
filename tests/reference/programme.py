"""A plain per-agent Mesa twin of the programme's month: coaches' hours, intake, screening, matching, follow-up.

The docking reference for steps 2 (the coaches' casework hours and what is kept for the pairs and
matching), 5 (leaving the waiting list, applications through the outreach channel, eligibility, the
interviews the hours allow, screening, the comparison group, the dual model's referral, hand-over
losses and take-in) and 6-7 (matching by strategy with the hours' capacity, the hours of matches and
first meetings, then mentor support and check-ins of the running pairs and the share of pairs checked
in on) of ``sim/model/model.py``. Written from the documented rules (docs/model.md "Coaches' time",
"Intake", "Two organisations in the dual model", "Matching"; the field descriptions of
``programme.staff``, ``programme.follow_up``, ``programme.target``, ``programme.outreach``,
``programme.dual`` and ``programme.matching`` in ``sim/scenario/schema.py``) as ordinary per-agent
Python: one Mesa agent per jobseeker (``Candidate``), per mentor (``Volunteer``) and per organisation
(``Office``, with its own book of hours); no arrays and no call into ``sim.model``.

**What is shared with the array model, and why.** The twin docks one month at a time: it is given
the state at the start of the month's programme steps (people, mentors, the coaches' FTE and whether
intake is open, the grants active this month), as the array model's funders, staff, mentor supply,
pairs and labour market left it, and it must reach the same end of step 6 and the same hours of
step 7. To make that comparison exact rather than statistical, every random decision reads the
array model's *named, counter-based draw* for the same agent and month (``sim.model.rng``: the
uniform of agent ``i`` for decision ``name`` in month ``t`` is a hash of (seed, name, t, i)); the
twin computes them through :class:`sim.model.rng.Streams` and :func:`sim.model.rng.uniform_at`
(``Draws``), the random-number source only. The stream names are the documented decisions:
``programme.apply``, ``programme.interview``, ``programme.screening``, ``programme.comparison``,
``programme.handover``, ``programme.handover_queue``, ``programme.match_capacity`` (one draw, slot 0)
and ``matching.order`` (per mentor slot). The optimal matching solves its assignment with
``scipy.optimize.linear_sum_assignment`` on scores the twin computes itself, because an assignment
problem with tied scores has many optima and only the same solver picks the same one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np
from scipy.optimize import linear_sum_assignment

from sim.model.rng import Streams, uniform_at
from sim.scenario.schema import SKILLS, Scenario, month_index

# programme status, exit reason and labour codes, as documented in sim/model/population.py
NOT_ENROLLED, WAITING, PAIRED, COMPLETED, DROPPED_OUT, COMPARISON = range(6)
LEFT_WAITING, LOST_IN_HANDOVER = 4, 5
UNEMPLOYED = 0
LABOUR_CODES = {"unemployed": 0, "inactive": 4, "employed_below_level": 2, "training": 3}
AVAILABLE, MENTOR_PAIRED = 0, 1
IN_QUEUE = 2**30  # ready month of a referral not yet taken in by the matching organisation
TASKS = ("intake", "matching", "first_meeting", "check_in", "mentor_support", "coordination")

PERSON_FIELDS = (
    "age", "female", "non_eu", "skill", "sector", "language", "recognised", "motivation", "district",
    "preference", "availability", "refugee", "work_permit", "labour", "months_unemployed", "programme",
    "served", "exit_reason", "accepted_month", "served_month", "ready_month", "matched_month", "exit_month",
    "mentor",
)  # fmt: skip
MENTOR_FIELDS = ("sector", "district", "preference", "multilingual", "availability", "status")


class Draws:
    """The array model's named per-agent uniforms (see the module docstring): ``draws(name, t, slot)``."""

    def __init__(self, seed: int) -> None:
        self.streams = Streams(seed)

    def __call__(self, name: str, t: int, slot: int) -> float:
        return float(uniform_at(np.uint64(self.streams.key(name, t)), slot))


class Book:
    """One organisation's casework hours of the month and their triage by priority.

    A task may use the hours not yet used, less what is kept for the tasks ranked above it that have not
    yet had their turn this month (docs/model.md "Coaches' time"; ``staff.hours_priority``).
    """

    def __init__(self, priority: Sequence[str]) -> None:
        self.priority = list(priority)
        self.available = 0.0
        self.kept: dict[str, float] = {}
        self.had_turn: list[str] = []
        self.used = dict.fromkeys(TASKS, 0.0)

    def open(self, hours: float, kept: dict[str, float]) -> None:
        self.available, self.kept, self.had_turn = hours, kept, []
        self.used = dict.fromkeys(TASKS, 0.0)

    def free_for(self, task: str) -> float:
        left = self.available - sum(self.used.values())
        for above in self.priority[: self.priority.index(task)]:
            if above not in self.had_turn:
                left -= self.kept.get(above, 0.0)
        return max(left, 0.0)

    def spend(self, task: str, **hours: float) -> None:
        for name, h in hours.items():
            self.used[name] += h
        self.had_turn.append(task)


class Candidate(mesa.Agent):
    """A jobseeker as the programme sees them: who they are, their labour status, where they stand in it."""

    def __init__(self, model: ProgrammeTwin, slot: int) -> None:
        super().__init__(model)
        self.slot = slot  # index in the array model: the key of this person's draws
        self.age = 0
        self.female = self.non_eu = self.recognised = self.refugee = self.work_permit = self.served = False
        self.skill = self.sector = self.district = self.preference = self.availability = 0
        self.language = self.motivation = 0.0
        self.labour = self.months_unemployed = self.programme = self.exit_reason = 0
        self.accepted_month = self.served_month = self.ready_month = self.matched_month = self.exit_month = 0
        self.mentor = -1

    # -- step 5 ------------------------------------------------------------------------------------
    def leave_waiting_list(self) -> None:
        """A waiting mentee leaves on leaving the target group's statuses (unemployed always fits) or after the longest wait."""
        model = self.model
        if self.programme != WAITING:
            return
        statuses = {LABOUR_CODES[s] for s in model.cfg.target.labour_statuses} | {UNEMPLOYED}
        if self.labour not in statuses or model.t - self.accepted_month >= model.cfg.max_wait_months:
            self.leave(LEFT_WAITING)

    def leave(self, reason: int) -> None:
        self.programme = DROPPED_OUT
        self.exit_reason = reason
        self.exit_month = self.model.t
        self.ready_month = -(10**6)

    def eligible(self) -> bool:
        """In the target group (``programme.target``) and fundable by a grant active this month."""
        model = self.model
        target = model.cfg.target
        if self.programme != NOT_ENROLLED or self.labour not in {LABOUR_CODES[s] for s in target.labour_statuses}:
            return False
        checks = [
            target.min_age <= self.age <= target.max_age,
            SKILLS[self.skill] in target.skill_levels,
            self.labour != UNEMPLOYED or self.months_unemployed >= target.min_months_unemployed,
            target.gender == "all" or self.female == (target.gender == "women"),
            not target.non_eu_only or self.non_eu,
            not target.eu_only or not self.non_eu,
            not target.refugees_only or self.refugee,
            target.recognised_qualifications == "any"
            or self.recognised == (target.recognised_qualifications == "required"),
            not target.work_permit_required or self.work_permit,
            self.language >= target.min_language,
            self.motivation >= target.min_motivation,
        ]
        if model.grant_rules:
            checks.append(
                any(
                    lo <= self.age <= hi and (self.non_eu or not non_eu_only)
                    for lo, hi, non_eu_only in model.grant_rules
                )
            )
        return all(checks)

    def applies(self, months: int) -> bool:
        """The outreach channel reaches this person (weight by gender and age band) over ``months`` months."""
        outreach = self.model.cfg.outreach
        band = 0 if self.age < 26 else (1 if self.age < 46 else 2)
        weights = next(c for c in outreach.channels if c.name == outreach.channel)
        weight = (weights.female if self.female else weights.male)[band]
        p = min(1.0, outreach.applications_per_month * weight)
        if months > 1:
            p = 1.0 - (1.0 - p) ** months
        return self.model.draws("programme.apply", self.model.t, self.slot) < p

    def employability(self) -> float:
        """What a screener sees: skill, language, motivation, short unemployment."""
        return self.skill + 2 * self.language + 2 * self.motivation - self.months_unemployed / 24

    def accept(self, queued: bool) -> None:
        """Onto the waiting list (screened in, or queued unscreened while intake is closed) or the comparison group."""
        model, t = self.model, self.model.t
        self.accepted_month = t
        if queued:
            self.programme, self.ready_month = WAITING, t
            return
        self.served, self.served_month = True, t
        if model.draws("programme.comparison", t, self.slot) < model.cfg.comparison_share:
            self.programme = COMPARISON
            return
        self.programme, self.ready_month = WAITING, t
        if model.dual:  # referred: lost at once, or into the hand-over queue
            self.ready_month = IN_QUEUE
            model.referring.spend("intake", coordination=model.cfg.dual.handover_hours)
            if model.draws("programme.handover", t, self.slot) < model.cfg.handover_loss:
                self.leave(LOST_IN_HANDOVER)

    # -- step 6 ------------------------------------------------------------------------------------
    def pair_with(self, mentor: Volunteer) -> None:
        model = self.model
        self.programme = PAIRED
        if not self.served:  # queued unscreened while intake was closed: a participant once matched
            self.served, self.served_month = True, model.t
            model.from_queue += 1
        self.matched_month = model.t
        self.mentor = mentor.slot
        mentor.status = MENTOR_PAIRED
        model.new_pairs.append((self.slot, mentor.slot))


class Volunteer(mesa.Agent):
    """A mentor as matching sees them: sector, district, preference, language support, availability, status."""

    def __init__(self, model: ProgrammeTwin, slot: int) -> None:
        super().__init__(model)
        self.slot = slot
        self.sector = self.district = self.preference = self.availability = self.status = 0
        self.multilingual = False

    def score(self, mentee: Candidate) -> float:
        """Compatibility: each criterion met adds its weight (language support only where needed and given)."""
        m = self.model.cfg.matching
        needs = mentee.language < m.language_support_below
        clash = {mentee.availability, self.availability} == {1, 2}
        return (
            m.weight_sector * (mentee.sector == self.sector)
            + m.weight_language * (needs and self.multilingual)
            + m.weight_location * (mentee.district == self.district)
            + m.weight_availability * (not clash)
            + m.weight_preferences * (mentee.preference == self.preference)
        )


@dataclass
class MonthInput:
    """What the twin is given for month ``t``: the organisation's state and the grants' eligibility rules."""

    coaches: float  # FTE after this month's pay
    intake_open: bool
    grant_rules: list[tuple[int, int, bool]]  # (min_age, max_age, non_eu_only) of each active grant


class Office(mesa.Agent):
    """The coordinating organisation (or, in the dual model, the matching one) with its book of hours."""

    def __init__(self, model: ProgrammeTwin) -> None:
        super().__init__(model)
        self.book = Book(model.cfg.staff.hours_priority)

    def per_match(self) -> float:
        fu = self.model.cfg.follow_up
        return self.model.cfg.matching.hours_per_match + fu.intensity * fu.first_meeting_hours

    def per_case(self) -> float:
        """Hours a pair takes a month over its term (support, check-ins, its matching and first meeting spread)."""
        cfg = self.model.cfg
        once = self.per_match() + (cfg.dual.handover_hours if self.model.dual else 0.0)
        return (
            cfg.staff.mentor_support_hours
            + cfg.follow_up.intensity * cfg.follow_up.check_in_hours
            + once / cfg.pairs.duration_months
        )


class ProgrammeTwin(mesa.Model):
    """Jobseekers, mentors and the organisation(s); :meth:`month` runs steps 2 (hours), 5, 6 and 7 (hours)."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        super().__init__(rng=seed)
        self.params = scenario
        self.cfg = scenario.programme
        self.draws = Draws(seed)
        self.dual = self.cfg.implementation == "dual"
        self.t = 0
        self.people: list[Candidate] = []
        self.mentors: list[Volunteer] = []
        self.office = Office(self)
        self.referring = Book(self.cfg.staff.hours_priority)  # the dual model's referring organisation
        self.coaches = 0.0
        self.intake_open = False
        self.grant_rules: list[tuple[int, int, bool]] = []
        self.new_pairs: list[tuple[int, int]] = []
        self.from_queue = 0
        self.applications = 0
        self.record: dict[str, float] = {}
        self.follow_up = 0.0
        self.start = 0 if self.cfg.start is None else month_index(self.cfg.start) - scenario.start_index

    # -- state -------------------------------------------------------------------------------------
    def load(self, people: dict[str, list[object]], mentors: dict[str, list[object]]) -> None:
        """Set every agent's state from columns (one list per field of ``PERSON_FIELDS`` / ``MENTOR_FIELDS``)."""
        while len(self.people) < len(people["age"]):
            self.people.append(Candidate(self, len(self.people)))
        while len(self.mentors) < len(mentors["sector"]):
            self.mentors.append(Volunteer(self, len(self.mentors)))
        for agents, columns in ((self.people, people), (self.mentors, mentors)):
            for name, values in columns.items():
                for agent, value in zip(agents, values, strict=True):
                    setattr(agent, name, value)

    # -- step 2 ------------------------------------------------------------------------------------
    def plan(self, t: int, month: MonthInput) -> None:
        """The month's casework hours and what is kept for the running pairs and the possible matches."""
        self.t, self.coaches, self.intake_open, self.grant_rules = (
            t,
            month.coaches,
            month.intake_open,
            month.grant_rules,
        )
        staff, fu = self.cfg.staff, self.cfg.follow_up
        funded = self.coaches > 1e-6
        hours = self.coaches * staff.hours_per_fte_month * (1 - staff.other_duties_share) if funded else 0.0
        if self.dual:
            self.referring.open(hours * self.cfg.dual.referring_share, {})
            hours *= 1 - self.cfg.dual.referring_share
        pairs = sum(p.programme == PAIRED for p in self.people)
        ready = sum(p.programme == WAITING and p.ready_month <= t for p in self.people)
        free = sum(m.status == AVAILABLE for m in self.mentors)
        kept = {
            "mentor_support": pairs * staff.mentor_support_hours,
            "check_in": pairs * fu.intensity * fu.check_in_hours,
            "matching": min(ready, free) * self.office.per_match() if self.intake_open else 0.0,
        }
        self.office.book.open(hours, kept)
        self.record = {"coach_hours_available": hours + (self.referring.available if self.dual else 0.0)}
        self.new_pairs = []
        self.from_queue = self.applications = 0

    # -- step 5 ------------------------------------------------------------------------------------
    def intake_months(self) -> int:
        intake, t = self.cfg.intake, self.t
        if intake.mode == "monthly":
            return 1
        if intake.mode == "yearly":
            return 12 if (self.params.start_index + t) % 12 == intake.month - 1 else 0
        cohort = self.start if intake.cohort is None else month_index(intake.cohort) - self.params.start_index
        return intake.recruitment_months if t == cohort else 0

    def free_places(self) -> int:
        """Places the caseload planned in hours leaves (both organisations' hours in the dual model)."""
        per_case = self.office.per_case()
        hours = self.office.book.available + (self.referring.available if self.dual else 0.0)
        held = sum(p.programme in (WAITING, PAIRED) for p in self.people)
        return int(max(min(hours / per_case, 1e9) - held, 0)) if per_case > 0 else 10**9

    def intake(self) -> list[Candidate]:
        """Applications, interviews as the hours allow, screening to the free places, the comparison group."""
        t = self.t
        months = self.intake_months() if t >= self.start else 0
        if months == 0:
            return []
        applicants = [p for p in self.people if p.eligible() and p.applies(months)]
        self.applications = len(applicants)
        if not self.intake_open:
            for p in applicants:
                p.accept(queued=True)
            return applicants
        book = self.referring if self.dual else self.office.book
        free = self.free_places()
        hours = self.cfg.staff.intake_hours_per_applicant
        each = hours + (self.cfg.dual.handover_hours if self.dual else 0.0)
        n = (
            0
            if free <= 0
            else (min(len(applicants), int(book.free_for("intake") / each)) if each > 0 else len(applicants))
        )
        if n < len(applicants):  # the hours run short: a random subset is interviewed
            by_draw = sorted(applicants, key=lambda p: self.draws("programme.interview", t, p.slot))
            applicants = sorted(by_draw[:n], key=lambda p: p.slot)
        book.spend("intake", intake=n * hours)
        free = self.free_places()
        if len(applicants) > free:  # screening: weighted draw without replacement, weight exp(strictness z)
            scores = [p.employability() for p in applicants]
            mean = sum(scores) / len(scores)
            sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores)) or 1.0
            strict = self.cfg.screening_strictness

            def key(item: tuple[Candidate, float]) -> float:
                u = self.draws("programme.screening", t, item[0].slot)
                return math.log(max(u, 1e-12)) / math.exp(strict * (item[1] - mean) / sd)

            ranked = sorted(zip(applicants, scores, strict=True), key=key, reverse=True)
            applicants = sorted((p for p, _ in ranked[:free]), key=lambda p: p.slot)
        for p in applicants:
            p.accept(queued=False)
        return applicants

    def take_in(self) -> int:
        """The dual model's hand-over queue: some give up, the matching organisation takes in whom it can."""
        queue = [p for p in self.people if p.programme == WAITING and p.ready_month == IN_QUEUE]
        if not self.dual or not queue:
            return 0
        t, dual = self.t, self.cfg.dual
        for p in queue:
            if self.draws("programme.handover_queue", t, p.slot) < dual.queue_dropout_rate:
                p.leave(LOST_IN_HANDOVER)
        queue = [p for p in queue if p.programme == WAITING]
        due = sorted(
            (p for p in queue if p.accepted_month + self.cfg.handover_months <= t), key=lambda p: p.accepted_month
        )
        book, n = self.office.book, 0
        if self.intake_open:
            per_case = self.office.per_case()
            held = sum(
                p.programme == PAIRED or (p.programme == WAITING and p.ready_month != IN_QUEUE) for p in self.people
            )
            n = min(len(due), max(int(book.available / per_case) - held, 0)) if per_case > 0 else len(due)
            if dual.handover_hours > 0:
                n = min(n, int(book.free_for("intake") / dual.handover_hours + 1e-9))
        for p in due[:n]:
            p.ready_month = t
        book.spend("intake", coordination=n * dual.handover_hours)
        return len(queue) - n

    # -- step 6 ------------------------------------------------------------------------------------
    def capacity(self) -> int:
        """Matches the hours left for matching allow (first meetings included), rounded at random."""
        if not self.intake_open:
            return 0
        expected = self.office.book.free_for("matching") / self.office.per_match()
        whole = int(expected)
        return whole + int(self.draws("programme.match_capacity", self.t, 0) < expected - whole)

    def matching(self) -> list[tuple[Candidate, Volunteer]]:
        """The strategy's pairs, longest wait first, at most the capacity; mentors taken in a random order."""
        t, m = self.t, self.cfg.matching
        ready = sorted(
            (p for p in self.people if p.programme == WAITING and p.ready_month <= t),
            key=lambda p: (p.accepted_month, p.slot),
        )
        free = [v for v in self.mentors if v.status == AVAILABLE]
        cap = self.capacity()
        if cap <= 0 or not ready or not free:
            return []
        shuffled = sorted(free, key=lambda v: (self.draws("matching.order", t, v.slot), v.slot))
        if m.strategy == "random":
            return list(zip(ready, shuffled, strict=False))[:cap]
        if m.strategy == "optimal":
            mentees, mentors = ready[:2000], shuffled[:2000]
            score = np.array([[v.score(p) for v in mentors] for p in mentees])
            rows, cols = linear_sum_assignment(score, maximize=True)
            chosen = sorted((r, c) for r, c in zip(rows, cols, strict=True) if score[r, c] >= m.min_score)
            return [(mentees[r], mentors[c]) for r, c in chosen[:cap]]
        pairs: list[tuple[Candidate, Volunteer]] = []
        taken: set[int] = set()
        for p in ready:  # own sector first: each mentee, in wait order, the next mentor of their sector
            if len(pairs) == cap:
                break
            mentor = next((v for v in shuffled if v.sector == p.sector and v.slot not in taken), None)
            if mentor is not None:
                pairs.append((p, mentor))
                taken.add(mentor.slot)
        if m.strategy == "sector_first":  # then those who waited long enough take any mentor left
            matched = {p.slot for p, _ in pairs}
            left = [v for v in shuffled if v.slot not in taken]
            late = [p for p in ready if p.slot not in matched and t - p.accepted_month >= m.fallback_months]
            pairs += list(zip(late, left, strict=False))[: cap - len(pairs)]
        return pairs

    # -- the month ---------------------------------------------------------------------------------
    def programme_month(self) -> None:
        """Steps 5, 6 and the hours of step 7 (after :meth:`plan`)."""
        agents = self.agents_by_type[Candidate]
        agents.do("leave_waiting_list")
        accepted = self.intake()
        queue = self.take_in()
        pairs = self.matching()
        for mentee, mentor in pairs:
            mentee.pair_with(mentor)
        fu = self.cfg.follow_up
        self.office.book.spend(
            "matching",
            matching=len(pairs) * self.cfg.matching.hours_per_match,
            first_meeting=len(pairs) * fu.intensity * fu.first_meeting_hours,
        )
        self.follow_up = self.check_ins()
        used = {task: self.office.book.used[task] + (self.referring.used[task] if self.dual else 0.0) for task in TASKS}
        self.record |= {
            "applications": self.applications,
            "accepted": len(accepted),
            "new_participants": sum(p.served and p.programme != COMPARISON for p in accepted) + self.from_queue,
            "new_matches": len(pairs),
            "handover_queue": queue,
            "active_pairs": sum(p.programme == PAIRED for p in self.people),
            "waiting_list": sum(p.programme == WAITING for p in self.people),
            "follow_up_share": self.follow_up,
        } | {f"coach_hours_used_{task}": hours for task, hours in used.items()}

    def check_ins(self) -> float:
        """Mentor support and check-ins of the running pairs as the hours allow; the share checked in on."""
        staff, fu = self.cfg.staff, self.cfg.follow_up
        pairs = sum(p.programme == PAIRED for p in self.people)
        due = {
            "mentor_support": pairs * staff.mentor_support_hours,
            "check_in": pairs * fu.intensity * fu.check_in_hours,
        }
        share = fu.intensity if self.coaches > 1e-6 else 0.0
        for task in self.office.book.priority:
            if task in due:
                given = min(due[task], self.office.book.free_for(task))
                self.office.book.spend(task, **{task: given})
                share *= given / due[task] if due[task] > 0 else 1.0
        return share
