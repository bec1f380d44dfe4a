"""The outputs vocabulary: one record per outcome and per time series, and the one formatter of every face.

A :class:`Measure` says what a column is: its ``name``, ``kind`` (how its numbers read: a share, percentage
points, euros, a count ...), ``group`` (gross, net, cost, operation, or the labour-market context),
``direction`` (whether higher or lower is better, or neither), a short ``label`` for people, a
``description`` and how it is ``computed`` (a pointer to the code). :data:`OUTCOMES` are the columns of a
run's outcomes (:func:`sim.replicates.run_replicate`, :func:`sim.model.outcomes.compute_outcomes`) and the
cliff columns of :func:`sim.studies.experiments.run_with_cliffs`; :data:`SERIES` the columns of a run's time
series (:data:`sim.model.model.SERIES`) and the series derived from them (:data:`DERIVED_SERIES`).

**Derived records.** The breakdowns ``employed_6m_share_<group>`` (``female``, ``male`` and every skill
level) are records of :data:`OUTCOMES`, made from ``employed_6m_share``. The cliff columns of one grant,
``waiting_list_cliff_<i>`` and ``mentors_lost_cliff_<i>`` (``i``: the grant's number, from 1), are made on
demand by :func:`find` from the rule in :data:`NUMBERED` (their number depends on the scenario).

**Formatting: one rule per kind** (the command line and the report used to differ; these rules replace
both). Every face (the command line, the report, the dashboard, the figures, ``mentorsim check``)
formats through :func:`format_value`, :func:`format_difference`, :func:`format_range` and
:func:`format_estimate`.

- ``share``: per cent with one decimal, ``45.3 %``; a difference in percentage points, ``+2.1 pp``;
- ``pp`` (effects, themselves differences of shares): signed percentage points, one decimal, ``+2.1 pp``;
- ``eur``: ``EUR`` before a whole number, ``EUR 1,234``; a difference ``+EUR 120``;
- ``count``: a whole number from 100 on (or when whole), else one decimal: ``1,234``, ``12.5``;
- ``months``: one decimal and ``months``, ``3.4 months``; ``fte``: one decimal and ``FTE``, ``2.5 FTE``;
- ``hours``: as a count, with ``hours``; ``index``: two decimals, ``0.97``.

Differences of shares are in percentage points (``pp``) everywhere; every difference has a sign. Numbers
have thousands separators; a missing value (NaN or infinite) is ``n/a``. An interval is ``low to high``,
an estimate ``mean (low to high)``. A column without a record (a name the vocabulary does not know) is a
plain number: three significant digits below 1,000, a whole number above. Scenario parameters and the
statistics of methods (Sobol indices, PRIM coverage and quasi-p-values) are not outputs: they keep the
formats of their own tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sim.scenario.schema import GENDERS, SKILLS

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["share", "pp", "eur", "count", "months", "fte", "hours", "index"]
Group = Literal["gross", "net", "cost", "operation", "context"]
Direction = Literal["higher", "lower", "neither"]

OUTCOMES_CODE = "compute_outcomes (sim/model/outcomes.py)"
MODEL_CODE = "MentoringModel (sim/model/model.py)"
CLIFFS_CODE = "run_with_cliffs (sim/studies/experiments.py)"
REPORTING_CODE = "sim/model/reporting.py"
# Below this many replicates (or paired seeds) an interval is rough: the 5th-95th percentile of 4 or fewer
# replicates is their lowest and highest, and the t interval's factor is 12.7 (2 seeds), 4.30 (3), 3.18 (4)
# against 2.78 (5) and 2.26 (10). The threshold is an assumption (the "~5 replicates").
FEW_REPLICATES = 5


@dataclass(frozen=True)
class Measure:
    """What one output column is, how it is computed and how it reads."""

    name: str
    kind: Kind
    group: Group
    direction: Direction
    label: str
    description: str
    computed: str
    unit: str = ""  # what an axis of this column says, e.g. "people per month" (default: the kind's unit)
    series: bool = False  # a time series (one value per month), else an outcome (one value per replicate)
    runner: str = "run_replicate"  # outcomes: the runner that produces the column

    @property
    def axis_unit(self) -> str:
        """What an axis of this column says: its ``unit``, else the unit of its kind."""
        return self.unit or FORMATS[self.kind].unit


@dataclass(frozen=True)
class Format:
    """How the numbers of one kind read (see the table of the module docstring)."""

    unit: str  # after the number, or before it when ``prefix``
    scale: float = 1.0  # shares and percentage points are stored as fractions
    decimals: int | None = None  # None: whole from 100 on or when whole, else one decimal
    prefix: bool = False
    signed: bool = False  # values of this kind are differences themselves (effects)
    difference: str = ""  # the kind of a difference of two values (default: the same kind)


FORMATS: dict[str, Format] = {
    "share": Format("%", 100.0, 1, difference="pp"),
    "pp": Format("pp", 100.0, 1, signed=True),
    "eur": Format("EUR", decimals=0, prefix=True),
    "count": Format(""),
    "months": Format("months", decimals=1),
    "fte": Format("FTE", decimals=1),
    "hours": Format("hours"),
    "index": Format("", decimals=2),
    "number": Format(""),  # a column without a record: three significant digits (see _number)
}
GROUP_HEADINGS: dict[str, str] = {
    "gross": "Gross outcomes",
    "net": "Net effects",
    "cost": "Costs",
    "operation": "Programme operation",
    "context": "Labour market",
}
NOT_AVAILABLE = "n/a"


def _outcome(name: str, kind: Kind, group: Group, direction: Direction, label: str, description: str,
             computed: str, runner: str = "run_replicate") -> Measure:  # fmt: skip
    return Measure(name, kind, group, direction, label, description, computed, runner=runner)


def _series(name: str, kind: Kind, group: Group, direction: Direction, label: str, unit: str, description: str,
            computed: str = "") -> Measure:  # fmt: skip
    where = computed or f"{MODEL_CODE}: the month's value, recorded in _record"
    return Measure(name, kind, group, direction, label, description, where, unit=unit, series=True)


_HOURS_CODE = "CoachHours (sim/model/organisation.py), steps 2, 5-7"
_HOURS_TASKS = (
    ("intake", "intake interviews", "intake interviews (one per applicant screened)"),
    ("matching", "matching", "making matches (first meetings apart)"),
    ("first_meeting", "first meetings", "attending new pairs' first meetings (at the follow-up intensity)"),
    ("check_in", "check-ins", "check-ins with running pairs (at the follow-up intensity, as the hours allow)"),
    ("mentor_support", "mentor support", "supporting the mentors of running pairs"),
    (
        "coordination",
        "hand-over coordination",
        "hand-overs between the dual model's two organisations (referral and take-in; none in the centralised model)",
    ),
    (
        "workshops",
        "workshops",
        "the programme's workshop sessions (booked before the casework; none without workshops)",
    ),
    (
        "events",
        "events",
        "the programme's group and networking events (booked before the casework; none without events)",
    ),
    (
        "internships",
        "arranging internships",
        "arranging internships with champion employers (booked before the casework; none without internships)",
    ),
)
_COMPONENTS_CODE = "ProgrammeComponents (sim/model/components.py)"
_BREAKDOWN_GROUPS = (
    *zip(GENDERS, ("Women", "Men"), strict=True),
    *((skill, f"{skill.capitalize()} skill level") for skill in SKILLS),
)
BREAKDOWNS = tuple(f"employed_6m_share_{group}" for group, _ in _BREAKDOWN_GROUPS)  # by gender, by skill level
_AT_EXIT6 = "among participants who reached 6 months after exit (Checkpoints.exit6)"
_RUN_OUTCOMES = [
    _outcome("enrolled", "count", "gross", "higher", "Participants",
             "Applicants the programme served: screened in while funded (not drawn into the comparison group), "
             "or matched with a mentor after queuing while it had no money.",
             f"{OUTCOMES_CODE}: participants(people).sum() (sim/model/population.py)."),
    _outcome("queued_unserved", "count", "operation", "lower", "Referrals that queued unfunded and were never matched",
             "Applicants accepted while the programme had no money who never got a mentor.",
             f"{OUTCOMES_CODE}: accepted (accepted_month set) and not served."),
    _outcome("comparison_group", "count", "operation", "neither", "Comparison group (randomised out)",
             "Applicants drawn into the randomised comparison group: screened in but not served.",
             f"{OUTCOMES_CODE}: programme status COMPARISON."),
    _outcome("matched_share", "share", "gross", "higher", "Got a mentor",
             "Participants who got a mentor.",
             f"{OUTCOMES_CODE}: participants with a matched_month, over participants."),
    _outcome("wait_months_mean", "months", "gross", "lower", "Months waiting for a mentor (matched)",
             "Months from acceptance to the match, among the matched.",
             f"{OUTCOMES_CODE}: mean of matched_month - accepted_month over the matched."),
    _outcome("never_started_share", "share", "gross", "lower", "Pairs that never started",
             "Matched participants whose pair never really started.",
             f"{OUTCOMES_CODE}: exit_reason NEVER_STARTED over the matched."),
    _outcome("dropout_share", "share", "gross", "lower", "Pairs that ended before the agreed term",
             "Started pairs that ended before the agreed term (silent, mentor or mentee reasons, mentor left).",
             f"{OUTCOMES_CODE}: exit_reason ENDED_EARLY over the started pairs that ended."),
    _outcome("completed_share", "share", "gross", "higher", "Pairs that ran to term",
             "Started pairs that ran to the agreed term.",
             f"{OUTCOMES_CODE}: exit_reason COMPLETED over the started pairs that ended."),
    _outcome("network_access_share", "share", "gross", "higher", "Got a new employer contact from the mentor",
             "Matched participants with at least one new employer tie from their mentor.",
             f"{OUTCOMES_CODE}: new_ties > 0 over the matched."),
    _outcome("sector_match_share", "share", "gross", "higher", "Mentor from their own sector",
             "Matched participants whose mentor works in their own sector.",
             f"{OUTCOMES_CODE}: sector_match over the matched."),
    _outcome("employed_end_share", "share", "gross", "higher", "In work when leaving the programme",
             "Participants in work at exit, as programmes report it.",
             f"{OUTCOMES_CODE}: employed at the exit checkpoint (Checkpoints.exit) over participants who exited."),
    _outcome("positive_outcome_share", "share", "gross", "higher", "In work or training when leaving",
             "Participants in work or in training at exit.",
             f"{OUTCOMES_CODE}: employed or TRAINING at the exit checkpoint over participants who exited."),
    _outcome("positive_outcome_completed_share", "share", "gross", "higher",
             "In work or training when leaving, pairs that ran to term",
             "Positive outcome at exit among participants whose pair ran to term ('of those who finished').",
             f"{OUTCOMES_CODE}: as positive_outcome_share, among exits with reason COMPLETED."),
    _outcome("employed_6m_share", "share", "gross", "higher", "In work 6 months after leaving",
             "Participants in work 6 months after they left the programme.",
             f"{OUTCOMES_CODE}: employed at Checkpoints.exit6, {_AT_EXIT6}."),
    _outcome("employed_at_level_share", "share", "gross", "higher",
             "In work at their skill level 6 months after leaving",
             "Participants in a job matching their skill level 6 months after they left.",
             f"{OUTCOMES_CODE}: EMPLOYED_AT_LEVEL at Checkpoints.exit6, {_AT_EXIT6}."),
    _outcome("positive_outcome_6m_share", "share", "gross", "higher", "In work or training 6 months after leaving",
             "Participants in work or in training 6 months after they left.",
             f"{OUTCOMES_CODE}: employed or TRAINING at Checkpoints.exit6, {_AT_EXIT6}."),
    _outcome("employed_12m_after_start_share", "share", "gross", "higher", "In work 12 months after acceptance",
             "Participants in work 12 months after they were accepted.",
             f"{OUTCOMES_CODE}: employed at Checkpoints.acc12 over participants who reached it."),
    _outcome("net_effect_employed_6m", "pp", "net", "higher", "Net effect on being in work 6 months after leaving",
             "employed_6m_share minus the same people's employment at the same month in the twin run without "
             "the programme (common random numbers).",
             f"{OUTCOMES_CODE}: _net_effects, checkpoint exit6 of the run minus that of its twin."),
    _outcome("net_effect_employed_6m_after_start", "pp", "net", "higher",
             "Net effect on being in work 6 months after acceptance",
             "Participants in work 6 months after acceptance, minus the same people without the programme.",
             f"{OUTCOMES_CODE}: _net_effects, checkpoint acc6 of the run minus that of its twin."),
    _outcome("net_effect_employed_12m_after_start", "pp", "net", "higher",
             "Net effect on being in work 12 months after acceptance",
             "Participants in work 12 months after acceptance, minus the same people without the programme.",
             f"{OUTCOMES_CODE}: _net_effects, checkpoint acc12 of the run minus that of its twin."),
    _outcome("net_effect_employed_24m_after_start", "pp", "net", "higher",
             "Net effect on being in work 24 months after acceptance",
             "Participants in work 24 months after acceptance, minus the same people without the programme "
             "(lower than at 12 months when what mentoring gave fades: labour_market.careers).",
             f"{OUTCOMES_CODE}: _net_effects, checkpoint acc24 of the run minus that of its twin."),
    _outcome("net_effect_at_level_6m", "pp", "net", "higher",
             "Net effect on work at one's skill level 6 months after leaving",
             "Participants in a job at their skill level 6 months after leaving, minus the same people without "
             "the programme (ties and recognition help hires and moves up to one's level).",
             f"{OUTCOMES_CODE}: _career_effects, EMPLOYED_AT_LEVEL at checkpoint exit6, run minus twin."),
    _outcome("net_effect_employed_6m_female", "pp", "net", "higher", "Net effect 6 months after leaving: women",
             "net_effect_employed_6m among women participants (mentoring's effects scale by "
             "labour_market.careers.female_mentoring_factor).",
             f"{OUTCOMES_CODE}: _career_effects, checkpoint exit6 of women, run minus twin."),
    _outcome("net_effect_employed_6m_male", "pp", "net", "higher", "Net effect 6 months after leaving: men",
             "net_effect_employed_6m among men participants.",
             f"{OUTCOMES_CODE}: _career_effects, checkpoint exit6 of men, run minus twin."),
    _outcome("rct_effect_employed_12m", "pp", "net", "higher",
             "Effect against the randomised comparison group, 12 months after acceptance",
             "In work 12 months after acceptance: participants minus the randomised comparison group "
             "(applicants who were not served), as a randomised trial would measure it.",
             f"{OUTCOMES_CODE}: _rct_effect, checkpoint acc12 of participants minus that of the comparison group."),
    _outcome("queued_participants", "count", "operation", "neither", "Participants who queued while intake was closed",
             "Referrals accepted while the programme had no money and matched with a mentor later: participants "
             "without a randomised counterpart, left out of rct_effect_employed_12m.",
             f"{OUTCOMES_CODE}: _rct_effect, participants whose served_month differs from their accepted_month."),
    _outcome("employed_12m_after_start_share_queued", "share", "gross", "higher",
             "In work 12 months after acceptance: participants who queued",
             "employed_12m_after_start_share among the queued participants (reported apart from the randomised "
             "comparison: they were selected on staying unemployed while they queued).",
             f"{OUTCOMES_CODE}: _rct_effect, employed at Checkpoints.acc12 among queued participants."),
    *(
        _outcome(f"employed_6m_share_{group}", "share", "gross", "higher",
                 f"In work 6 months after leaving: {text}",
                 f"employed_6m_share among {text.lower()}.",
                 f"{OUTCOMES_CODE}: _breakdowns, employed_6m_share among {text.lower()}.")
        for group, text in _BREAKDOWN_GROUPS
    ),
    _outcome("cost_total_eur", "eur", "cost", "neither", "Total cost (coaches, overhead, mentor training)",
             "Money the programme spent on coaches, overhead and mentor training over the run.",
             "Organisation.pay (sim/model/organisation.py): the sum of staff and training costs paid."),
    _outcome("cost_per_participant_eur", "eur", "cost", "lower", "Cost per participant",
             "Total cost over participants.",
             f"{OUTCOMES_CODE}: cost_total_eur / enrolled."),
    _outcome("net_placements", "count", "net", "higher",
             "Net placements (extra people in work 6 months after leaving)",
             "The net effect times the participants with a 6-month follow-up: people in work 6 months after "
             "leaving who would not have been without the programme.",
             f"{OUTCOMES_CODE}: net_effect_employed_6m x participants who reached Checkpoints.exit6."),
    _outcome("cost_per_net_placement_eur", "eur", "cost", "lower", "Cost per net placement",
             "Total cost over net placements (missing when there are none).",
             f"{OUTCOMES_CODE}: cost_total_eur / net_placements when net_placements > 0."),
    _outcome("mentors_recruited", "count", "operation", "neither", "Mentors recruited",
             "Volunteer mentors recruited over the run (including champions' staff).",
             "MentorSupply.recruit (sim/model/mentors.py): MentorSupply.recruited."),
    _outcome("mentors_lost", "count", "operation", "lower", "Mentors lost",
             "Mentors who left the pool over the run.",
             "MentorSupply.attrition (sim/model/mentors.py): MentorSupply.lost."),
    _outcome("mentors_reenlisted", "count", "operation", "higher", "Mentors who re-enlisted after a pair",
             "Mentors who, their pair over and staying in the pool, took on a new mentee at once (no rest).",
             "MentorSupply._debrief (sim/model/mentors.py): MentorSupply.reenlisted."),
    _outcome("mentors_rested", "count", "operation", "neither", "Mentors who rested after a pair",
             "Mentors who, their pair over and staying in the pool, rested for some months before the next.",
             "MentorSupply._debrief (sim/model/mentors.py): MentorSupply.rested."),
    _outcome("hard_pairs_share", "share", "operation", "lower", "Hard pairs (for the mentor)",
             "Finished pairs that were hard for the mentor: never started, ended early, or a mentee still "
             "unemployed at the end after long unemployment (mentors.hard_pair_months_unemployed).",
             "MentorSupply._debrief (sim/model/mentors.py): hard / pairs_ended."),
    _outcome("mentors_repeat_share", "share", "operation", "higher", "Mentors with two or more pairs",
             "Share of the mentors who finished at least one pair who finished two or more.",
             "MentorSupply.outcomes (sim/model/mentors.py): pairs_done >= 2 over pairs_done >= 1."),
    _outcome("staff_lost_fte", "fte", "operation", "lower", "Coaches lost",
             "Coach full-time equivalents lost over the run: let go because the money (or the cash) no longer "
             "paid for them, or left ahead of a known end of the money.",
             "Organisation.pay (sim/model/organisation.py): staff_lost_fte."),
    _outcome("months_without_intake", "months", "operation", "lower", "Months without intake",
             "Months in which the programme took no one in: no money or cash for coaches, or too few funded "
             "months left for a new pair to run to term.",
             f"{MODEL_CODE}: months_without_intake, counted in _programme_month (Organisation.intake_open)."),
    _outcome("champions_end", "count", "operation", "higher", "Champion employers at the end",
             "Employers engaged as champions (they supply mentors and open doors) in the last month.",
             f"{MODEL_CODE}: outcomes, employers.champion.sum()."),
    _outcome("renewals_granted", "count", "operation", "higher", "Grant renewals granted",
             "Calls the funders renewed during the run, on the pairs and placements the programme reported "
             "against the grants' targets and on their budgets.",
             "FundingSchedule.decide (sim/model/funding.py), called by the Funder agents: FunderLedger.granted."),
    _outcome("renewals_refused", "count", "operation", "lower", "Grant renewals refused",
             "Calls the funders decided not to renew (short of the targets, out of budget, past the ESF N+3 end, "
             "or a grant with no renewal chance).",
             "FundingSchedule.decide (sim/model/funding.py), called by the Funder agents: FunderLedger.refused."),
    _outcome("months_cash_constrained", "months", "operation", "lower", "Months short of cash",
             "Months in which the organisation's cash (reserves, pre-financing, reimbursements received) was "
             "less than the costs its grants would cover: reimbursement in arrears held spending back.",
             "Organisation.pay (sim/model/organisation.py): months_cash_constrained."),
    _outcome("coach_hours_follow_up", "hours", "operation", "neither", "Coaches' hours of follow-up",
             "Coach hours given to follow-up over the run: check-ins with running pairs and attending new pairs' "
             "first meetings (what the follow-up intensity buys, as far as the hours allowed).",
             "Organisation.follow_up_share and Organisation.matched (sim/model/organisation.py): CoachHours.total."),
    _outcome("coach_hours_coordination", "hours", "operation", "lower", "Coaches' hours of hand-over coordination",
             "Coach hours spent over the run on hand-overs between the dual model's two organisations: the "
             "referring organisation's referrals and the matching organisation's take-ins (0 when centralised).",
             "Organisation.intake and Organisation.take_in (sim/model/organisation.py): CoachHours.total."),
    _outcome("handover_wait_months_mean", "months", "operation", "lower", "Months in the hand-over queue",
             "Dual model: months from the referral to the take-in by the matching organisation, among the "
             "mentees taken in (empty when centralised).",
             "Organisation.take_in (sim/model/organisation.py): handover_waits / handed_over."),
    _outcome("lost_in_handover", "count", "operation", "lower", "Mentees lost in the hand-over",
             "Dual model: participants lost between the two organisations, at the referral or while waiting in "
             "the hand-over queue.",
             f"{MODEL_CODE}: exit_reason LOST_IN_HANDOVER, counted in MentoringModel.outcomes."),
    _outcome("workshop_attendances_total", "count", "operation", "neither", "Workshop attendances",
             "Participant-sessions at the programme's workshops over the run (0 without workshops).",
             f"{_COMPONENTS_CODE}.workshops: the sum of the series workshop_attendances."),
    _outcome("event_ties_total", "count", "operation", "higher", "Employer ties gained at events",
             "Ties to employers participants gained at the programme's group and networking events over the run "
             "(0 without events).",
             f"{_COMPONENTS_CODE}.events: the sum of the series event_ties."),
    _outcome("programme_internships_total", "count", "operation", "neither", "Internships arranged",
             "Internships the programme's coaches arranged with champion employers over the run (0 without "
             "internships; those a mentor arranges, programme.pairs.internship_rate, are not counted here).",
             f"{_COMPONENTS_CODE}.place_interns: the sum of the series programme_internships."),
    _outcome("internship_hires_total", "count", "gross", "higher", "Interns hired by their host",
             "Participants the host employer hired at the end of an internship the programme arranged.",
             f"{_COMPONENTS_CODE}.end_of_month: the sum of the series internship_hires."),
    _outcome("coach_hours_components", "hours", "operation", "neither", "Coaches' hours of the components",
             "Coach hours the programme's components took over the run (workshops, events, arranging "
             "internships), booked before the casework.",
             "CoachHours.book (sim/model/organisation.py): CoachHours.total of workshops, events, internships."),
    _outcome("components_cost_eur", "eur", "cost", "lower", "Cost of the components",
             "EUR the components cost besides the coaches over the run (sessions, events, internships), due to the "
             "grants like mentor training (what the grants cannot pay is carried, so part may stay unpaid).",
             f"{_COMPONENTS_CODE}.start_of_month: the sum of the series components_eur."),
    _outcome("displacement_employed_6m", "pp", "net", "higher",
             "Displacement: non-participants' jobs per participant",
             "Jobs of everyone who is not a participant (other jobseekers here and the reference group), "
             "programme run minus twin, per participant served so far, at the months participants are measured "
             "6 months after leaving (negative: jobs mentees took from other jobseekers because openings are "
             "finite).",
             f"{OUTCOMES_CODE}: displacement, from MentoringModel.displacement_jobs (run minus twin)."),
    _outcome("net_effect_employed_6m_with_displacement", "pp", "net", "higher",
             "Net effect 6 months after leaving, after displacement",
             "net_effect_employed_6m plus displacement_employed_6m: the change in jobs for everyone, per "
             "participant.",
             f"{OUTCOMES_CODE}: net_effect_employed_6m + displacement_employed_6m."),
    _outcome("net_placements_with_displacement", "count", "net", "higher",
             "Net placements after displacement",
             "Net placements counting the jobs mentees took from other jobseekers against the programme: the net "
             "effect after displacement times the participants with a 6-month follow-up.",
             f"{OUTCOMES_CODE}: net_effect_employed_6m_with_displacement x participants who reached "
             "Checkpoints.exit6."),
    _outcome("cost_per_net_placement_with_displacement_eur", "eur", "cost", "lower",
             "Cost per net placement after displacement",
             "Total cost over net placements after displacement (missing when there are none).",
             f"{OUTCOMES_CODE}: cost_total_eur / net_placements_with_displacement when it is > 0."),
    _outcome("reported_share", "share", "gross", "neither", "As the programme would report it",
             "The positive-outcome share counted as the programme counts it (scenario reporting: over all, "
             "started or completed participants, survey respondents or not, at a moment or within a window, "
             "with jobs, jobs at level or training counted): not a measure of success.",
             f"{REPORTING_CODE}: reported_share with the scenario's reporting rule."),
    _outcome("reported_share_all_participants", "share", "gross", "higher",
             "The same outcome over all participants",
             "The outcome and moment of reported_share, over all participants and without the survey.",
             f"{REPORTING_CODE}: reported_share with denominator all and no survey."),
    _outcome("reporting_gap", "pp", "gross", "neither", "How much the counting adds",
             "reported_share minus reported_share_all_participants: what counting over completers or survey "
             "respondents adds to the figure (not an effect of the programme).",
             f"{REPORTING_CODE}: reporting_outcomes."),
]  # fmt: skip
_CLIFF_OUTCOMES = [
    _outcome("waiting_list_cliff_max", "count", "operation", "lower", "Largest waiting list after a grant ends",
             "The largest of the waiting_list_cliff_<i> (missing when no grant ends within the run).",
             f"{CLIFFS_CODE}: the largest waiting_list in the CLIFF_MONTHS after each grant's end month.",
             "run_with_cliffs"),
    _outcome("mentors_lost_cliffs", "count", "operation", "lower", "Mentors lost after grants end",
             "The sum of the mentors_lost_cliff_<i> (0 when no grant ends within the run).",
             f"{CLIFFS_CODE}: the fall of mentor_pool after each grant's end month, summed.",
             "run_with_cliffs"),
]  # fmt: skip
OUTCOMES: dict[str, Measure] = {m.name: m for m in (*_RUN_OUTCOMES, *_CLIFF_OUTCOMES)}
RUN_OUTCOMES = tuple(m.name for m in _RUN_OUTCOMES)  # the outcome columns of every run, in their order


def _cliff(kind: str, number: int) -> Measure:
    """``waiting_list_cliff_<i>`` or ``mentors_lost_cliff_<i>`` of grant ``i`` (from 1)."""
    if kind == "waiting_list":
        return _outcome(f"waiting_list_cliff_{number}", "count", "operation", "lower",
                        f"Largest waiting list after grant {number} ends",
                        f"The largest waiting list in the months after grant {number}'s end month.",
                        f"{CLIFFS_CODE}: the largest waiting_list in the CLIFF_MONTHS after the end month.",
                        "run_with_cliffs")  # fmt: skip
    return _outcome(f"mentors_lost_cliff_{number}", "count", "operation", "lower",
                    f"Mentors lost after grant {number} ends",
                    f"The fall of the mentor pool from grant {number}'s end month to its lowest in the months after.",
                    f"{CLIFFS_CODE}: mentor_pool at the end month minus its lowest in the CLIFF_MONTHS after.",
                    "run_with_cliffs")  # fmt: skip


# Records made by rule: a column name that matches gives the record of that grant.
NUMBERED: tuple[tuple[re.Pattern[str], Callable[[int], Measure]], ...] = (
    (re.compile(r"waiting_list_cliff_(\d+)"), lambda i: _cliff("waiting_list", i)),
    (re.compile(r"mentors_lost_cliff_(\d+)"), lambda i: _cliff("mentors_lost", i)),
)

_MONTH = "per month"
_MODEL_SERIES = [
    _series("active_pairs", "count", "operation", "neither", "Active pairs", "pairs",
            "Mentoring pairs meeting at the end of the month."),
    _series("waiting_list", "count", "operation", "lower", "Waiting for a mentor", "people",
            "Participants waiting for a mentor at the end of the month."),
    _series("mentor_pool", "count", "operation", "higher", "Mentors in the pool", "mentors",
            "Volunteer mentors in the pool at the end of the month."),
    _series("mentors_available", "count", "operation", "neither", "Available mentors (without a mentee)", "mentors",
            "Mentors in the pool without a mentee at the end of the month."),
    _series("champions", "count", "operation", "higher", "Champion employers", "employers",
            "Employers engaged as champions (they supply mentors and open doors)."),
    _series("coaches_fte", "fte", "operation", "neither", "Coaches", "full-time equivalents (FTE)",
            "Coaching staff at work this month, following the money (lost at once, rehired slowly)."),
    _series("funding_month_eur", "eur", "cost", "neither", "Funding used", f"EUR {_MONTH}",
            "Grant money the programme can use this month (co-financing caps, renewals and gaps applied), "
            "limited by the cash it holds."),
    _series("budget_remaining_eur", "eur", "cost", "neither", "Money still to come", "EUR",
            "Money still to come from the grants running this month (what staff can see)."),
    _series("intake_open", "share", "operation", "higher", "Intake open", "share of replicates (%)",
            "1 when the programme took applicants this month (coaches paid, and enough funded months left for a "
            "pair to run to term), else 0; averaged over replicates, the share of replicates with intake open."),
    _series("new_participants", "count", "gross", "neither", "New participants", f"people {_MONTH}",
            "People who became participants this month (accepted while funded, or matched after queuing); "
            "over a run they add up to enrolled."),
    _series("new_matches", "count", "operation", "neither", "New matches", f"pairs {_MONTH}",
            "Mentees matched with a mentor this month."),
    _series("pairs_completed", "count", "operation", "neither", "Pairs completed", f"pairs {_MONTH}",
            "Pairs that ran to the agreed term this month."),
    _series("pairs_ended_early", "count", "operation", "lower", "Pairs ended early or never started",
            f"pairs {_MONTH}", "Pairs that ended before the agreed term, or never started, this month."),
    _series("placements", "count", "gross", "higher", "Participants who found a job", f"people {_MONTH}",
            "Participants who started a job this month."),
    _series("employed_share_participants", "share", "gross", "higher", "Participants in work", "share in work (%)",
            "Share of the participants so far who are in work at the end of the month."),
    _series("employed_share_comparison", "share", "gross", "neither", "Comparison group in work",
            "share in work (%)", "Share of the randomised comparison group in work at the end of the month."),
    _series("employed_share_participants_without_programme", "share", "net", "neither",
            "Same people without the programme", "share in work (%)",
            "employed_share_participants of the twin run without the programme, for the same people (NaN "
            "when there is no twin).",
            "run_replicate (sim/replicates.py): the twin's employed_share_participants."),
    _series("economy_index", "index", "context", "higher", "Economy (vacancy index)", "index (1: normal)",
            "Vacancy-weighted index of the economy this month (1 normal; shocks such as a downturn lower it)."),
    _series("vacancies", "count", "context", "neither", "Vacancies", "vacancies",
            "Openings this month, for all candidates (this population and the reference group)."),
    _series("hires", "count", "context", "neither", "Hires from this population", f"people {_MONTH}",
            "People of the simulated population hired this month (hires_sme + hires_large)."),
    _series("hires_sme", "count", "context", "neither", "Hires by small and medium employers", f"people {_MONTH}",
            "Hires from this population by small and medium-sized employers."),
    _series("hires_large", "count", "context", "neither", "Hires by large employers", f"people {_MONTH}",
            "Hires from this population by large employers."),
    _series("hires_from_training", "count", "context", "neither", "Hires straight from training", f"people {_MONTH}",
            "Hires of people who were in training."),
    _series("unemployed", "count", "context", "lower", "Unemployed", "people",
            "Unemployed people of the simulated population at the end of the month."),
    _series("mentor_hours", "hours", "operation", "neither", "Mentor hours in meetings", f"hours {_MONTH}",
            "Meetings held this month times pairs.hours_per_meeting: volunteer hours in meetings."),
    _series("hires_reference", "count", "context", "neither", "Hires from the reference group", f"people {_MONTH}",
            "Expected hires of natives and EU citizens (the reference group, a mean-field stock) this month: "
            "openings they take from the same employers."),
    _series("unemployed_reference", "count", "context", "lower", "Unemployed in the reference group", "people",
            "Unemployed natives and EU citizens competing for the same openings (mean-field stock).",
            "LabourMarket._reference_month (sim/model/labour_market.py)."),
    _series("displacement_jobs", "count", "net", "higher", "Displacement: non-participants' jobs, run minus twin",
            "people",
            "Jobs held by everyone who is not (yet) a participant (the reference group included), programme "
            "run minus the twin without the programme (negative: jobs taken by mentees; NaN when there is no "
            "twin).",
            "run_replicate (sim/replicates.py): MentoringModel.displacement_jobs."),
    _series("cash_balance_eur", "eur", "cost", "neither", "Cash held by the organisation", "EUR",
            "The organisation's cash at the end of the month: reserves, plus pre-financing and reimbursements "
            "of declared costs received, minus what it spent (never negative).",
            "Organisation.pay (sim/model/organisation.py): Organisation.cash."),
    _series("mentors_resting", "count", "operation", "neither", "Mentors resting between pairs", "mentors",
            "Mentors in the pool who rest after a pair before taking a new mentee (not available this month).",
            "MentorSupply.attrition (sim/model/mentors.py), step 4."),
    _series("mentors_left", "count", "operation", "lower", "Mentors who left", f"mentors {_MONTH}",
            "Mentors who left the pool this month (attrition, fatigue, hard pairs, their champion's withdrawal).",
            "MentorSupply.attrition (sim/model/mentors.py), step 4."),
    _series("moves_to_level", "count", "context", "higher", "Moves up to a job at one's level",
            f"people {_MONTH}",
            "People of the simulated population who moved this month from a job below their skill level to one "
            "at their level (job-to-job moves, helped by ties and recognised qualifications).",
            "Careers.month (sim/model/careers.py), step 8."),
    _series("recognitions", "count", "context", "higher", "Diplomas recognised", f"people {_MONTH}",
            "Medium- and highly skilled people whose foreign qualifications were recognised this month (faster "
            "with a mentor).",
            "Careers.month (sim/model/careers.py), step 8."),
    _series("coach_hours_available", "hours", "operation", "neither", "Coaches' casework hours", f"hours {_MONTH}",
            "Coach hours for casework this month: coach FTE x hours per FTE x (1 - share of other duties).",
            _HOURS_CODE),
    *(_series(f"coach_hours_used_{task}", "hours", "operation", "neither", f"Coaches' hours: {label}",
              f"hours {_MONTH}", f"Coach hours spent this month on {what} (within the triage of the hours).",
              _HOURS_CODE) for task, label, what in _HOURS_TASKS),
    _series("handover_queue", "count", "operation", "lower", "Mentees waiting to be taken in", f"people {_MONTH}",
            "Dual model: mentees referred by the referring organisation and not yet taken in by the matching "
            "organisation, at the end of the month's take-in (0 when centralised).",
            "Organisation.take_in (sim/model/organisation.py), step 5."),
    _series("workshop_sessions", "count", "operation", "neither", "Workshop sessions", f"sessions {_MONTH}",
            "Workshop sessions the programme held this month (as many as planned as the coaches' hours allow).",
            f"{_COMPONENTS_CODE}.workshops, step 2b."),
    _series("workshop_attendances", "count", "operation", "neither", "Workshop attendances", f"people {_MONTH}",
            "Participants at this month's workshop sessions (one per session attended).",
            f"{_COMPONENTS_CODE}.workshops, step 2b."),
    _series("events_held", "count", "operation", "neither", "Events held", f"events {_MONTH}",
            "Group and networking events the programme held this month.",
            f"{_COMPONENTS_CODE}.events, step 2b."),
    _series("event_ties", "count", "operation", "higher", "Employer ties gained at events", f"ties {_MONTH}",
            "Ties to employers participants gained at this month's events.",
            f"{_COMPONENTS_CODE}.events, step 2b."),
    _series("programme_internships", "count", "operation", "neither", "Internships arranged", f"people {_MONTH}",
            "Participants who started an internship the programme arranged with a champion employer this month.",
            f"{_COMPONENTS_CODE}.place_interns, step 2b."),
    _series("internship_hires", "count", "gross", "higher", "Interns hired by their host", f"people {_MONTH}",
            "Participants whose internship ended this month in a job with the host employer.",
            f"{_COMPONENTS_CODE}.end_of_month, step 8b."),
    _series("components_eur", "eur", "cost", "lower", "Cost of the components", f"EUR {_MONTH}",
            "EUR this month's workshops, events and new internships cost besides the coaches (paid from the grants "
            "the month after, like mentor training).",
            f"{_COMPONENTS_CODE}.start_of_month, step 2b."),
]  # fmt: skip
_DERIVED = [
    _series("net_effect_employed", "pp", "net", "higher", "Net effect on the share in work", "percentage points (pp)",
            "Participants in work with the programme minus the same people without it, month by month.",
            "DERIVED_SERIES (sim/outputs/vocabulary.py): employed_share_participants - "
            "employed_share_participants_without_programme."),
    _series("in_programme_share", "share", "operation", "neither", "Participants still in the programme",
            "share of participants so far (%)",
            "Participants waiting or paired over all participants so far.",
            "DERIVED_SERIES (sim/outputs/vocabulary.py): (active_pairs + waiting_list) / cumulated "
            "new_participants, per replicate."),
]  # fmt: skip
SERIES: dict[str, Measure] = {m.name: m for m in (*_MODEL_SERIES, *_DERIVED)}
MODEL_SERIES = tuple(m.name for m in _MODEL_SERIES)  # the columns the model records (sim.model.model.SERIES)


def _net_effect_employed(timeseries: pd.DataFrame) -> pd.Series:
    return timeseries["employed_share_participants"] - timeseries["employed_share_participants_without_programme"]


def _in_programme_share(timeseries: pd.DataFrame) -> pd.Series:
    new = timeseries["new_participants"]
    so_far = new.groupby(timeseries["replicate"]).cumsum() if "replicate" in timeseries else new.cumsum()
    return (timeseries["active_pairs"] + timeseries["waiting_list"]) / so_far.replace(0, math.nan)


# Series computed from a run's time series (the model does not record them); a frame of several
# replicates needs its ``replicate`` column.
DERIVED_SERIES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "net_effect_employed": _net_effect_employed,
    "in_programme_share": _in_programme_share,
}

KEY_OUTCOMES = (
    "enrolled", "matched_share", "wait_months_mean", "never_started_share", "dropout_share",
    "network_access_share", "employed_end_share", "employed_6m_share", "employed_at_level_share",
    "positive_outcome_share", "net_effect_employed_6m", "cost_per_participant_eur", "cost_per_net_placement_eur",
)  # fmt: skip
COMPARE_OUTCOMES = (
    "net_placements", "net_effect_employed_6m", "employed_6m_share", "network_access_share", "matched_share",
    "dropout_share", "months_without_intake", "cost_per_net_placement_eur",
)  # fmt: skip  # what ``mentorsim compare`` shows unless told otherwise


# --- looking up --------------------------------------------------------------------------------------


def find(name: str) -> Measure | None:
    """The record of an outcome or a time series (also a numbered cliff column), or None."""
    found = OUTCOMES.get(name) or SERIES.get(name)
    if found is not None:
        return found
    for pattern, make in NUMBERED:
        if match := pattern.fullmatch(name):
            return make(int(match.group(1)))
    return None


def record(name: str) -> Measure:
    """The record of ``name``; KeyError naming the known columns if there is none."""
    found = find(name)
    if found is None:
        raise KeyError(f"{name!r} is not an output: outcomes {', '.join(OUTCOMES)}; series {', '.join(SERIES)}")
    return found


def kind_of(name: str) -> str:
    """The kind of a column (``number`` for a name without a record)."""
    found = find(name)
    return found.kind if found is not None else "number"


def label(name: str) -> str:
    """The label of a column for people (the name itself when it has no record)."""
    found = find(name)
    return found.label if found is not None else name


def is_share(name: str) -> bool:
    """Shares, including breakdowns such as ``employed_6m_share_female`` (not effects in pp)."""
    return kind_of(name) == "share"


def outcome_group(name: str) -> str:
    """The heading an outcome is listed under (see :data:`GROUP_HEADINGS`)."""
    found = find(name)
    return GROUP_HEADINGS[found.group if found is not None else "operation"]


def outcome_order(name: str) -> tuple[int, int]:
    """Groups in order; within a group the key outcomes first (in their order), then the rest."""
    key = KEY_OUTCOMES.index(name) if name in KEY_OUTCOMES else len(KEY_OUTCOMES)
    return list(GROUP_HEADINGS.values()).index(outcome_group(name)), key


# --- formatting --------------------------------------------------------------------------------------


def _difference_kind(kind: str) -> str:
    return FORMATS[kind].difference or kind


def format_as(kind: str, value: float, signed: bool = False) -> str:
    """``value`` read as a number of ``kind`` (the rules of the module docstring)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return NOT_AVAILABLE
    if not math.isfinite(value):
        return NOT_AVAILABLE
    spec = FORMATS[kind]
    scaled = value * spec.scale
    number = _number(abs(scaled) if spec.prefix else scaled, spec, signed and not spec.prefix, kind)
    if spec.prefix:
        sign = "-" if scaled < 0 and float(number.replace(",", "")) > 0 else "+" if signed else ""
        return f"{sign}{spec.unit} {number}"
    return f"{number} {spec.unit}" if spec.unit else number


def _number(value: float, spec: Format, signed: bool, kind: str) -> str:
    sign = "+" if signed else ""
    if kind == "number":
        return f"{value:{sign},.3g}" if abs(value) < 1000 else f"{value:{sign},.0f}"
    decimals = spec.decimals
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or value.is_integer() else 1
    return f"{value:{sign},.{decimals}f}"


def stored_decimals(name: str) -> int | None:
    """Decimals a table file keeps of a column: two more than any face shows (None: 6 significant digits).

    E.g. shares 5 (0.001 pp), money 2 (cents), months 3; so rounding the file never changes a shown number.
    """
    kind = kind_of(name)
    if kind == "number":
        return None
    spec = FORMATS[kind]
    shown = spec.decimals if spec.decimals is not None else 1
    return shown + round(math.log10(spec.scale)) + 2


def rounded(name: str, value: float) -> float:
    """``value`` of column ``name`` rounded to :func:`stored_decimals` (NaN as it is)."""
    if not math.isfinite(value):
        return value
    decimals = stored_decimals(name)
    if decimals is None:
        return float(f"{value:.6g}")
    return round(value, decimals)


def format_value(name: str, value: float) -> str:
    """A value of a column with its unit: shares in %, effects in signed pp, money in EUR (see the module docstring)."""
    kind = kind_of(name)
    return format_as(kind, value, signed=FORMATS[kind].signed)


def format_difference(name: str, value: float, signed: bool = True) -> str:
    """A difference of two values of a column (shares in percentage points), signed unless ``signed`` is False."""
    return format_as(_difference_kind(kind_of(name)), value, signed=signed)


def format_range(name: str, low: float, high: float, difference: bool = False) -> str:
    """An interval, ``low to high`` (of differences when ``difference``)."""
    show = format_difference if difference else format_value
    return f"{show(name, low)} to {show(name, high)}"


def format_estimate(name: str, mean: float, low: float, high: float, difference: bool = False) -> str:
    """A mean with its interval, ``mean (low to high)``."""
    show = format_difference if difference else format_value
    return f"{show(name, mean)} ({format_range(name, low, high, difference)})"


def scale(name: str, difference: bool = False) -> float:
    """The factor from stored values to the numbers shown (100 for shares and percentage points)."""
    kind = kind_of(name)
    return FORMATS[_difference_kind(kind) if difference else kind].scale


def unit(name: str, difference: bool = False) -> str:
    """The unit of the numbers shown (``%``, ``pp``, ``EUR``, ``months`` ...; empty for counts)."""
    kind = kind_of(name)
    return FORMATS[_difference_kind(kind) if difference else kind].unit


def axis_label(name: str, difference: bool = False) -> str:
    """An axis label: the record's axis unit (``people per month``), or for differences ``difference (pp)``."""
    found = find(name)
    if difference:
        shown = unit(name, difference=True)
        return f"difference ({shown})" if shown else "difference"
    return found.axis_unit if found is not None else name


def rough_intervals(replicates: int) -> str:
    """The warning for intervals from fewer than :data:`FEW_REPLICATES` replicates (empty when there are enough)."""
    if replicates >= FEW_REPLICATES:
        return ""
    return (
        f"Intervals from {replicates} replicate{'s' * (replicates != 1)} are rough: run {FEW_REPLICATES} or more "
        "(--replicates) before reading them."
    )
