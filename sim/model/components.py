"""A programme's parts besides mentoring: workshops, group events, internships it arranges (issue 12: 2).

A programme file may state which parts the programme had and their design (``programme.components``:
sessions a month, events a year, who is invited, the internship's length); what a part does and costs
are shared mechanism parameters (schema defaults). None by default: without parts nothing here runs.

Each part **costs** the coaches' hours, booked first each month (:meth:`CoachHours.book`: the sessions,
events and placements are scheduled, so they come out of the casework hours and the caseload is planned
on what is left), and EUR: the organisation budgets what the parts cost a month over the past year
(:meth:`ProgrammeComponents.budget`), keeps it from the month's money before paying the coaches (so with a
binding grant the parts cost coach FTE) and pays their costs from it the month after, with mentor training. Each **acts**
through a channel mentoring uses, so the labour market and the careers step see it as they see a pair's
gains (scaled by the mentoring factor by gender and origin, fading after the programme):

- **Workshops** (step 2b): ``sessions_per_month`` sessions (a fraction: one more by chance), each taking
  ``coach_hours_per_session`` hours and ``cost_per_session_eur``; every invited participant comes with chance
  ``attendance``, up to ``places_per_session``; each attendance adds ``knowledge_per_session`` x need
  2 x (1 - language) to one's local knowledge (as a mentor's meeting does).
- **Events** (step 2b): ``per_year / 12`` events a month (a fraction by chance), each taking
  ``coach_hours_per_event`` and ``cost_per_event_eur``; invited participants come with chance ``attendance``
  up to ``places_per_event``; each attendee gains an employer tie with chance ``tie_chance``: in their own sector
  with chance ``own_sector_share``, else in the sector of a champion employer (any sector by vacancy share when
  the programme has no champion), counted among the ties gained through the programme.
- **Internships** (starts at step 2b, ends at step 8b after the labour flows): an unemployed candidate who
  had fewer than ``per_participant`` internships is placed with chance ``monthly_rate``, as far as the host
  places (``places_per_champion`` per champion employer, less the interns there now) and the coaches' hours
  (``coach_hours_per_internship`` each) allow; ``cost_per_internship_eur`` each. The intern is in training
  (not searching) for ``months`` months, then hired by the host with chance ``job_chance`` (at level after
  low skill or recognised qualifications, as after training) or back to unemployment. The internship is
  shorter than the region's training spell (the schema checks), so the labour kernel never ends it first.

Participants are those served and not in the comparison group, waiting for a mentor or in a pair
(``attendees`` / ``candidates`` says which). Every draw comes from its own named stream, keyed by person
(common random numbers: a part switched on changes nothing else's draws).
"""

from __future__ import annotations

import numpy as np

from sim.model.labour_market import Employers
from sim.model.organisation import CoachHours
from sim.model.population import NO_MONTH, Labour, Population, Status
from sim.model.rng import Streams
from sim.scenario.schema import Components, Scenario

BUDGET_MONTHS = 12  # the parts' budget: their mean monthly cost over this many past months
COMPONENT_SERIES = (
    "workshop_sessions", "workshop_attendances", "events_held", "event_ties", "programme_internships",
    "internship_hires", "components_eur",
)  # fmt: skip


def invited(people: Population, who: str) -> np.ndarray:
    """Participants waiting for a mentor, in a pair, or both (``who``: waiting, paired or all)."""
    statuses = {"waiting": (Status.WAITING,), "paired": (Status.PAIRED,), "all": (Status.WAITING, Status.PAIRED)}
    return np.flatnonzero(people.served & np.isin(people.programme, statuses[who]))


def held_this_month(expected: float, u: float) -> int:
    """Whole sessions or events of a month with ``expected`` of them: the fraction held by chance (``u``)."""
    return int(expected) + int(u < expected % 1)


def attendance(streams: Streams, name: str, t: int, people: Population, idx: np.ndarray, chance: float,
               places: int) -> np.ndarray:  # fmt: skip
    """Who of ``idx`` comes: each with ``chance``, the first ``places`` of them by their own draw."""
    u = streams.uniform(name, t, people.id[idx])
    come = np.flatnonzero(u < chance)
    return idx[come[np.argsort(u[come], kind="stable")[:places]]]


class ProgrammeComponents:
    """The month of a programme's parts: workshops, events and internships (module docstring)."""

    def __init__(self, scenario: Scenario, streams: Streams, n: int) -> None:
        self.cfg: Components = scenario.programme.components
        self.scenario = scenario
        self.streams = streams
        self.internship_end = np.full(n, NO_MONTH, dtype=np.int32)  # last month of a running internship
        self.internships_had = np.zeros(n, dtype=np.int16)
        self.host = np.full(n, -1, dtype=np.int32)  # the champion employer hosting the intern
        self.due_eur = 0.0  # costs of the parts not yet paid (paid with mentor training, Organisation.pay)
        self.costs: list[float] = []  # each month's costs so far (the budget: their mean over the past year)

    def budget(self) -> float:
        """The parts' monthly budget: what they cost a month over the past 12 months (0 before the first)."""
        past = self.costs[-BUDGET_MONTHS:]
        return sum(past) / len(past) if past else 0.0

    def take_due(self) -> float:
        """The EUR the parts cost since the last payment (then 0)."""
        due, self.due_eur = self.due_eur, 0.0
        return due

    def start_of_month(self, t: int, people: Population, employers: Employers, hours: CoachHours) -> dict[str, float]:
        """Step 2b: this month's workshops, events and new internships, their hours booked first."""
        row = dict.fromkeys(COMPONENT_SERIES, 0.0)
        if self.cfg.workshops.enabled:
            row |= self.workshops(t, people, hours)
        if self.cfg.events.enabled:
            row |= self.events(t, people, employers, hours)
        if self.cfg.internships.enabled:
            row |= self.place_interns(t, people, employers, hours)
        row["components_eur"] = (
            row["workshop_sessions"] * self.cfg.workshops.cost_per_session_eur
            + row["events_held"] * self.cfg.events.cost_per_event_eur
            + row["programme_internships"] * self.cfg.internships.cost_per_internship_eur
        )
        self.due_eur += row["components_eur"]
        self.costs.append(row["components_eur"])
        return row

    def workshops(self, t: int, people: Population, hours: CoachHours) -> dict[str, float]:
        """Sessions held as the hours allow; each attendance adds local knowledge (scaled by need)."""
        w = self.cfg.workshops
        planned = held_this_month(w.sessions_per_month, self.streams.uniform("components.workshop_sessions", t, 1)[0])
        sessions = min(planned, int(hours.free() / w.coach_hours_per_session + 1e-9))  # whole sessions
        hours.book("workshops", sessions * w.coach_hours_per_session)
        came = 0
        for s in range(sessions):
            idx = invited(people, w.attendees)
            there = attendance(self.streams, f"components.workshop.{s}", t, people, idx, w.attendance,
                               w.places_per_session)  # fmt: skip
            need = 2 * (1 - people.language[there])
            people.local_knowledge[there] = np.minimum(
                1.0, people.local_knowledge[there] + w.knowledge_per_session * need
            )
            came += len(there)
        return {"workshop_sessions": sessions, "workshop_attendances": came}

    def events(self, t: int, people: Population, employers: Employers, hours: CoachHours) -> dict[str, float]:
        """Events held as the hours allow; attendees gain employer ties, in their sector or a champion's."""
        e = self.cfg.events
        planned = held_this_month(e.per_year / 12, self.streams.uniform("components.events", t, 1)[0])
        held = min(planned, int(hours.free() / e.coach_hours_per_event + 1e-9))
        hours.book("events", held * e.coach_hours_per_event)
        champions = employers.sector[employers.champion]
        shares = np.array([s.vacancy_share for s in self.scenario.sectors])
        ties = 0
        for k in range(held):
            idx = invited(people, e.attendees)
            there = attendance(self.streams, f"components.event.{k}", t, people, idx, e.attendance, e.places_per_event)
            ids = people.id[there]
            got = there[self.streams.uniform(f"components.event_tie.{k}", t, ids) < e.tie_chance]
            own_u, pick = self.streams.uniform_rows(
                (f"components.event_own.{k}", f"components.event_sector.{k}"), t, people.id[got]
            )
            own = own_u < e.own_sector_share
            if len(champions):
                other = champions[np.minimum((pick * len(champions)).astype(np.int64), len(champions) - 1)]
            else:
                other = np.searchsorted(np.cumsum(shares)[:-1], pick, side="right")
            sector = np.where(own, people.sector[got], other)
            people.ties[got, sector] = np.minimum(people.ties[got, sector].astype(np.int32) + 1, 255)
            people.cross_ties[got[sector != people.sector[got]]] = True
            people.new_ties[got] += 1
            ties += len(got)
        return {"events_held": held, "event_ties": ties}

    def place_interns(self, t: int, people: Population, employers: Employers, hours: CoachHours) -> dict[str, float]:
        """New internships: unemployed candidates placed with champion employers, as places and hours allow."""
        cfg = self.cfg.internships
        idx = invited(people, cfg.candidates)
        idx = idx[
            (people.labour[idx] == Labour.UNEMPLOYED)
            & (self.internship_end[idx] == NO_MONTH)
            & (self.internships_had[idx] < cfg.per_participant)
        ]
        u = self.streams.uniform("components.internship", t, people.id[idx])
        drawn = idx[np.argsort(u, kind="stable")][: int(np.count_nonzero(u < cfg.monthly_rate))]
        hosts = np.flatnonzero(employers.champion)
        interns = int(np.count_nonzero(self.internship_end != NO_MONTH))
        places = max(int(len(hosts) * cfg.places_per_champion + 1e-9) - interns, 0)
        n = min(len(drawn), places, int(hours.free() / cfg.coach_hours_per_internship + 1e-9))
        hours.book("internships", n * cfg.coach_hours_per_internship)
        placed = drawn[:n]
        pick = self.streams.uniform("components.internship_host", t, people.id[placed])
        self.host[placed] = hosts[np.minimum((pick * len(hosts)).astype(np.int64), max(len(hosts) - 1, 0))] if n else -1
        self.internship_end[placed] = t + cfg.months - 1
        self.internships_had[placed] += 1
        people.labour[placed] = Labour.TRAINING
        people.months_in_status[placed] = 0
        return {"programme_internships": n}

    def end_of_month(self, t: int, people: Population) -> dict[str, float]:
        """Step 8b: internships ending this month end in a job with the host (``job_chance``) or unemployment."""
        ending = np.flatnonzero(self.internship_end == t)
        if not len(ending):
            return {"internship_hires": 0}
        self.internship_end[ending] = NO_MONTH
        ending = ending[people.labour[ending] == Labour.TRAINING]  # still in it (the schema keeps it short)
        hired = (
            self.streams.uniform("components.internship_job", t, people.id[ending]) < self.cfg.internships.job_chance
        )
        jobs = ending[hired]
        level = (people.skill[jobs] == 0) | people.recognised[jobs]
        people.labour[jobs] = np.where(level, Labour.EMPLOYED_AT_LEVEL, Labour.EMPLOYED_BELOW_LEVEL)
        people.employer[jobs] = self.host[jobs]
        people.labour[ending[~hired]] = Labour.UNEMPLOYED
        people.months_in_status[ending] = 0
        self.host[ending] = -1
        return {"internship_hires": len(jobs)}
