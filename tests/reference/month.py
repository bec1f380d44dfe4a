"""The whole month per agent: the programme twin (``programme.py``) and the labour twin (``twin.py``) run together.

One month, in the order of ``sim/model/model.py``: the coaches' hours, intake, screening, the dual
hand-over, matching and the follow-up hours (``ProgrammeTwin``, on its ``Candidate`` agents); then
the pairs' month, turnover, careers and the labour month (``TwinModel``, on its ``Jobseeker`` agents,
pairs included). The two Mesa models hold the same people under the same index and hand each other,
person by person, what the other needs: the labour side's status and attributes (turnover's
newcomers included) before the programme steps, the programme's acceptances (exempt from turnover
from then on) and new pairs (with the mentor's agent) after them, and the pairs that ended in the
pairs' month back to the programme (its mentor free again).

Unlike the month-by-month exact docking, this twin carries its own state for the whole run and draws
its own random numbers (``TwinModel``'s ``random`` / ``rng`` and, for the programme's decisions, the
named draws under another seed), so it is docked statistically. What it takes from the array model
and does not simulate: the state after the burn-in and the initial mentor pool (as ``twin.py``), and
the organisation's month (coach FTE after pay, intake open or closing, the grants active), which is
the same in every seed of a scenario without renewal draws. Mentor supply is not simulated: the docking
scenarios freeze it (no recruitment, no attrition, every mentor re-enlists).
"""

from __future__ import annotations

import mesa

from reference.programme import (
    COMPARISON,
    COMPLETED,
    DROPPED_OUT,
    MENTOR_FIELDS,
    NOT_ENROLLED,
    PAIRED,
    WAITING,
    MonthInput,
    ProgrammeTwin,
)
from reference.twin import COMPLETED as PAIR_COMPLETED
from reference.twin import EMPLOYED, Jobseeker, Mentor, TwinModel
from reference.twin import ENDED_EARLY as PAIR_ENDED_EARLY

EXIT_CODES = {PAIR_COMPLETED: 1, PAIR_ENDED_EARLY: 2}  # else never started: 3 (sim/model/population.py Exit)
SHARED = (
    "age", "female", "non_eu", "skill", "sector", "language", "recognised", "motivation", "district",
    "preference", "availability", "refugee", "work_permit", "labour", "months_unemployed",
)  # fmt: skip


class MonthTwin:
    """The two per-agent twins of one run, stepped month by month (see the module docstring)."""

    def __init__(self, source: mesa.Model, months: list[MonthInput], seed: int) -> None:
        """``source``: a built array model (state after the burn-in, initial mentors); ``months``: the organisation's."""
        self.months = months
        self.labour = TwinModel(source, seed=seed)
        self.programme = ProgrammeTwin(source.params, seed=1_000_003 * seed + 11)
        pool = source.pool
        self.mentors = [
            Mentor(
                self.labour,
                int(pool.sector[i]),
                int(pool.network[i]),
                float(pool.willingness[i]),
                float(pool.hours[i]),
                bool(pool.trained[i]),
                criteria=(
                    int(pool.district[i]),
                    int(pool.preference[i]),
                    bool(pool.multilingual[i]),
                    int(pool.availability[i]),
                ),
            )
            for i in range(pool.count)
        ]
        self.programme.load(
            {name: [getattr(js, name) for js in self.labour.jobseekers] for name in SHARED}
            | {
                "programme": [NOT_ENROLLED] * len(self.labour.jobseekers),
                "ready_month": [-(10**6)] * len(self.labour.jobseekers),
                "accepted_month": [-(10**6)] * len(self.labour.jobseekers),
            },
            {name: getattr(pool, name)[: pool.count].tolist() for name in MENTOR_FIELDS},
        )
        self.series: dict[str, list[float]] = {}

    def step(self) -> None:
        t = self.labour.t
        prog, people = self.programme, self.programme.people
        for js, p in zip(self.labour.jobseekers, people, strict=True):  # labour side -> programme
            for name in SHARED:
                setattr(p, name, getattr(js, name))
        prog.plan(t, self.months[t])
        prog.programme_month()
        for js, p in zip(self.labour.jobseekers, people, strict=True):  # programme -> labour side
            if p.programme != NOT_ENROLLED:
                js.enrolled = True  # applicants never leave the region
        for mentee, mentor in prog.new_pairs:
            js = self.labour.jobseekers[mentee]
            js.mentor = self.mentors[mentor]
            js.in_pair, js.matched_month, js.started = True, t, False
            js.sector_match = js.mentor.sector == js.sector
            js.contact, js.meetings, js.pair_end = 1.0, 0, None
        self.labour.follow_up = prog.follow_up
        self.labour.step()  # pairs, turnover, careers, labour month
        for js, p in zip(self.labour.jobseekers, people, strict=True):  # pairs that ended -> programme
            if p.programme == PAIRED and not js.in_pair:
                p.programme = COMPLETED if js.pair_end == PAIR_COMPLETED else DROPPED_OUT
                p.exit_reason = EXIT_CODES.get(js.pair_end or "", 3)
                p.exit_month = t
                prog.mentors[p.mentor].status = 0  # available again (every mentor re-enlists)
        self._record(prog.record)

    def _record(self, row: dict[str, float]) -> None:
        jobseekers = self.labour.jobseekers
        people = self.programme.people
        participants = [js for js, p in zip(jobseekers, people, strict=True) if p.served and p.programme != COMPARISON]
        row = row | {
            "active_pairs": sum(p.programme == PAIRED for p in people),
            "waiting_list": sum(p.programme == WAITING for p in people),
            "employed": sum(js.labour in EMPLOYED for js in jobseekers) / len(jobseekers),
            "employed_participants": sum(js.labour in EMPLOYED for js in participants) / max(len(participants), 1),
        }
        for name, value in row.items():
            self.series.setdefault(name, []).append(float(value))


__all__ = ["Jobseeker", "MonthTwin"]
