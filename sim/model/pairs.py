"""Mentoring pairs: start, meet, open the mentor's network, end early or complete (DOMAIN.md §2.1, 2.3, 2.4).

A pair starts or never starts, meets at a rate that decays without follow-up, may open the mentor's
network, and ends early (mostly for mentor reasons) or completes. The matching criteria a pair missed
(district, language support, availability, preferences) make it likelier never to start, meet less and
end early more often.

The kernel reads its parameters by name from a ``PAIR_PARAMS`` record (float64, built once by
``PairDynamics._fixed_params``, the month's ``follow_up`` set by ``PairDynamics._params``):
``follow_up`` (the month's share of pairs a coach follows up), ``never_start`` (base chance a new
pair never starts) and ``never_start_reduction`` (its cut under full follow-up), ``start_delay``
(chance the first meeting waits a month), ``contact_decay``, ``lapse_rate`` (chance contact halves),
``check_in_restores`` (share of lost contact a check-in restores), ``meetings_per_month`` and
``hours_per_meeting`` (meetings, capped by the mentor's hours), ``knowledge_per_meeting`` (local
knowledge gained), ``network_open_base`` (logit of opening the network, guideline effect included)
with ``network_trust_effect`` (per meeting so far), ``network_sector_effect`` and
``network_willingness_effect``, ``ties_per_opening`` (chance each of the mentor's contacts becomes a
tie), ``cross_sector_tie_relevance`` (chance a tie from another sector counts in the mentee's own),
``early_end_rate`` (mentor reasons, lower after 3 months), ``mentee_end_rate``,
``training_early_end_reduction`` (with a trained mentor), ``silent_threshold`` (contact below which
a pair ends), ``duration_months``, ``sector_knowledge`` (the knowledge factor of a mentor of one's
own sector, ``programme.matching.sector_knowledge_factor``), ``language_support_below`` (proficiency
below which a mentee needs language support) and the ``MISMATCH_FIELDS`` of
``programme.pairs.mismatch``: for each criterion the match missed (``distance``: different districts;
``language``: support needed, mentor cannot give it; ``availability``: daytime only against evenings
only; ``preference``: different preference groups) a factor on never starting, meetings a month and
early ending. Its random streams come by name from the ``PAIR_STREAMS`` record of keys (see
:class:`sim.model.rng.StreamSet`).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model.mentors import MentorPool, MentorStatus
from sim.model.organisation import end_participation
from sim.model.population import Exit, Labour, Population, Status
from sim.model.records import make_records, record_dtype
from sim.model.rng import Streams, StreamSet, uniform_at
from sim.scenario.schema import Programme


def start_pairs(t: int, people: Population, pool: MentorPool, mentees: np.ndarray, mentors: np.ndarray) -> None:
    """Form new pairs (step 6)."""
    people.programme[mentees] = Status.PAIRED
    people.served_month[mentees[~people.served[mentees]]] = t  # queued referrals become participants now
    people.served[mentees] = True
    people.matched_month[mentees] = t
    people.mentor[mentees] = mentors
    people.sector_match[mentees] = people.sector[mentees] == pool.sector[mentors]
    people.pair_started[mentees] = False
    people.contact[mentees] = 1.0
    people.meetings[mentees] = 0
    pool.status[mentors] = MentorStatus.PAIRED
    pool.mentee[mentors] = mentees


def release_mentors(people: Population, pool: MentorPool, mentees: np.ndarray) -> None:
    """Mentors of ending pairs become available again (unless they left the pool)."""
    m = people.mentor[mentees]
    still = m[pool.status[m] == MentorStatus.PAIRED]
    pool.status[still] = MentorStatus.AVAILABLE
    pool.mentee[still] = -1
    pool.pairs_done[m] += 1


PAIR_STREAMS = StreamSet(
    never_start="pairs.never_start",  # a new pair: never starts
    start_delay="pairs.start_delay",  # a new pair: the first meeting waits a month
    lapse="pairs.lapse",  # contact halves
    check_in="pairs.check_in",  # a coach's check-in
    meetings="pairs.meetings",  # rounding of the month's meetings
    network_open="pairs.network_open",  # the mentor opens their network
    early_end="pairs.early_end",  # the pair ends early
    ties="pairs.ties",  # each of the mentor's contacts: becomes a tie (counter per contact)
    tie_relevance="pairs.tie_relevance",  # a cross-sector tie: relevant to the mentee's own sector
)
MISMATCH_FIELDS = tuple(
    f"{criterion}_{effect}"
    for criterion in ("distance", "language", "availability", "preference")
    for effect in ("never_start", "meetings", "early_end")
)  # programme.pairs.mismatch, by name
PAIR_PARAMS = record_dtype(
    (
        "follow_up", "never_start", "never_start_reduction", "start_delay", "contact_decay", "lapse_rate",
        "check_in_restores", "meetings_per_month", "hours_per_meeting", "knowledge_per_meeting",
        "network_open_base", "network_trust_effect", "network_sector_effect", "network_willingness_effect",
        "ties_per_opening", "cross_sector_tie_relevance", "early_end_rate", "mentee_end_rate",
        "training_early_end_reduction", "silent_threshold", "duration_months", "sector_knowledge",
        "language_support_below", *MISMATCH_FIELDS,
    )
)  # fmt: skip
MAX_NETWORK = 1 << 12  # draws per mentee for ties: counter i * MAX_NETWORK + j


class PairDynamics:
    """Monthly life of every running pair (step 7)."""

    def __init__(self, cfg: Programme, streams: Streams, n_sectors: int) -> None:
        self.cfg = cfg
        self.pairs = cfg.pairs
        self.streams = streams
        self.n_sectors = n_sectors
        self.params = self._fixed_params()

    def _fixed_params(self) -> np.ndarray:
        """The kernel's parameters by name (fields in the module docstring); ``follow_up`` is set each month."""
        pc, fu = self.pairs, self.cfg.follow_up
        guideline = pc.network_guideline_effect if self.cfg.guidelines.network_opening else 0.0
        return make_records(
            PAIR_PARAMS,
            {
                "follow_up": np.nan,
                "never_start": pc.never_start_base,
                "never_start_reduction": fu.never_start_reduction,
                "start_delay": pc.start_delay_share,
                "contact_decay": pc.contact_decay,
                "lapse_rate": pc.lapse_rate,
                "check_in_restores": fu.check_in_restores,
                "meetings_per_month": pc.meetings_per_month,
                "hours_per_meeting": pc.hours_per_meeting,
                "knowledge_per_meeting": pc.local_knowledge_per_meeting,
                "network_open_base": pc.network_open_base + guideline,
                "network_trust_effect": pc.network_trust_effect,
                "network_sector_effect": pc.network_sector_effect,
                "network_willingness_effect": pc.network_willingness_effect,
                "ties_per_opening": pc.ties_per_opening,
                "cross_sector_tie_relevance": pc.cross_sector_tie_relevance,
                "early_end_rate": pc.early_end_rate,
                "mentee_end_rate": pc.mentee_end_rate,
                "training_early_end_reduction": pc.training_early_end_reduction,
                "silent_threshold": pc.silent_threshold,
                "duration_months": pc.duration_months,
                "sector_knowledge": self.cfg.matching.sector_knowledge_factor,
                "language_support_below": self.cfg.matching.language_support_below,
            }
            | {name: getattr(pc.mismatch, name) for name in MISMATCH_FIELDS},
        )

    def _params(self, follow_up: float) -> np.ndarray:
        """The kernel's parameters for a month with ``follow_up`` (set in place: copying a record is slower)."""
        self.params["follow_up"] = follow_up
        return self.params

    def step(self, t: int, people: Population, pool: MentorPool, follow_up: float, funded: bool) -> dict[str, int]:
        """Advance every pair by a month; end those that never started, went silent, ended early or completed.

        Returns the counts of endings by reason and the ``meetings`` held this month.
        """
        if not funded and self.cfg.wind_down == "end":
            paired = np.flatnonzero(people.programme == Status.PAIRED)
            self._end(t, people, pool, paired, Exit.PROGRAMME_ENDED)
            return {"ended": len(paired), "completed": 0, "never_started": 0, "meetings": 0}
        keys = PAIR_STREAMS.keys(self.streams, t)
        p = people
        idx, codes, held = _pair_month(
            t, p.programme, p.matched_month, p.pair_started, p.contact, p.meetings, p.local_knowledge,
            p.network_opened, p.sector_match, p.motivation, p.language, p.labour, p.mentor, p.id, p.sector, p.ties,
            p.cross_ties, p.new_ties, pool.hours, pool.willingness, pool.trained, pool.status, pool.network,
            pool.sector, p.district, p.preference, p.availability, pool.district, pool.preference, pool.multilingual,
            pool.availability, self._params(follow_up), keys,
        )  # fmt: skip
        counts = {"meetings": int(held)}
        for reason, name in (
            (Exit.NEVER_STARTED, "never_started"),
            (Exit.ENDED_EARLY, "ended"),
            (Exit.COMPLETED, "completed"),
        ):
            ending = idx[codes == reason]
            self._end(t, people, pool, ending, reason)
            counts[name] = len(ending)
        return counts

    def _end(self, t: int, people: Population, pool: MentorPool, mentees: np.ndarray, reason: Exit) -> None:
        release_mentors(people, pool, mentees)
        end_participation(people, mentees, t, reason)


PAIRED, INACTIVE, LEFT = int(Status.PAIRED), int(Labour.INACTIVE), int(MentorStatus.LEFT)
NEVER_STARTED, ENDED_EARLY, COMPLETED = int(Exit.NEVER_STARTED), int(Exit.ENDED_EARLY), int(Exit.COMPLETED)


@numba.njit(cache=True)
def _give_ties(i, m, t, sector, ties, cross_ties, new_ties, sector_match, network, mentor_sector, q, keys):  # noqa: ANN001, ANN202
    """An opened network gives ties in the mentor's sector; across sectors few are relevant to the mentee."""
    pid = i * MAX_NETWORK
    for j in range(min(network[m], MAX_NETWORK)):
        if uniform_at(keys.ties, pid + j) < q.ties_per_opening:
            new_ties[i] += 1
            if sector_match[i] or uniform_at(keys.tie_relevance, pid + j) < q.cross_sector_tie_relevance:
                ties[i, sector[i]] += 1
            else:
                ties[i, mentor_sector[m]] += 1
                cross_ties[i] = True


@numba.njit(cache=True)
def _mismatch(far, no_language_support, availability_clash, other_preferences, q):  # noqa: ANN001, ANN202
    """Factors on never starting, meetings a month and early ending for the criteria a pair missed."""
    never_start, meetings, early_end = 1.0, 1.0, 1.0
    if far:
        never_start *= q.distance_never_start
        meetings *= q.distance_meetings
        early_end *= q.distance_early_end
    if no_language_support:
        never_start *= q.language_never_start
        meetings *= q.language_meetings
        early_end *= q.language_early_end
    if availability_clash:
        never_start *= q.availability_never_start
        meetings *= q.availability_meetings
        early_end *= q.availability_early_end
    if other_preferences:
        never_start *= q.preference_never_start
        meetings *= q.preference_meetings
        early_end *= q.preference_early_end
    return never_start, meetings, early_end


@numba.njit(cache=True)
def _pair_month(
    t, programme, matched_month, pair_started, contact, meetings, knowledge, network_opened, sector_match,
    motivation, language, labour, mentor, ids, sector, ties, cross_ties, new_ties, hours, willingness, trained,
    mentor_status, network, mentor_sector, district, preference, availability, mentor_district, mentor_preference,
    mentor_language_support, mentor_availability, params, stream_keys,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One month of every pair, in place; returns (mentees whose pair ends, exit code of each, meetings held).

    ``params`` is a ``PAIR_PARAMS`` record, ``stream_keys`` the month's ``PAIR_STREAMS`` keys.
    """
    q, keys = params[0], stream_keys[0]
    ending, codes = [], []
    held_total = 0
    for i in range(len(programme)):
        if programme[i] != PAIRED:
            continue
        pid, m = ids[i], mentor[i]
        never_start_factor, meetings_factor, early_end_factor = _mismatch(
            district[i] != mentor_district[m],
            language[i] < q.language_support_below and not mentor_language_support[m],
            availability[i] * mentor_availability[m] == 2,  # daytime only (1) with evenings only (2)
            preference[i] != mentor_preference[m],
            q,
        )
        if matched_month[i] == t:  # a new pair: it may never really start; the first meeting may wait a month
            if (
                uniform_at(keys.never_start, pid)
                < q.never_start
                * (1 - q.never_start_reduction * q.follow_up)
                * (1.5 - motivation[i])
                * never_start_factor
            ):
                ending.append(i)
                codes.append(NEVER_STARTED)
                continue
            pair_started[i] = uniform_at(keys.start_delay, pid) >= q.start_delay
        else:
            pair_started[i] = True
        if not pair_started[i]:
            continue
        # contact decays and lapses; a coach's check-in restores part of it
        c = contact[i] * (1 - q.contact_decay)
        if uniform_at(keys.lapse, pid) < q.lapse_rate:
            c *= 0.5
        if uniform_at(keys.check_in, pid) < q.follow_up:
            c += q.check_in_restores * (1 - c)
        contact[i] = c
        # meetings, as far as the mentor's hours allow, build local knowledge and trust
        hours_cap = min(1.0, hours[m] / (q.hours_per_meeting * max(q.meetings_per_month, 1e-9)))
        held = int(np.floor(q.meetings_per_month * meetings_factor * c * hours_cap + uniform_at(keys.meetings, pid)))
        meetings[i] += held
        held_total += held
        need = 2 * (1 - language[i])  # those furthest from the local codes gain most
        knowledge[i] = min(
            1.0, knowledge[i] + q.knowledge_per_meeting * held * need * (q.sector_knowledge if sector_match[i] else 1.0)
        )
        if not network_opened[i]:
            logit = (
                q.network_open_base
                + q.network_trust_effect * meetings[i]
                + q.network_sector_effect * sector_match[i]
                + q.network_willingness_effect * (willingness[m] - 0.5)
            )
            if uniform_at(keys.network_open, pid) < 1 / (1 + np.exp(-logit)):
                network_opened[i] = True
                _give_ties(i, m, t, sector, ties, cross_ties, new_ties, sector_match, network, mentor_sector, q, keys)
        # silent pairs, early endings (mostly mentor reasons, fewer with trained mentors), completion
        months = t - matched_month[i]
        mentor_rate = (
            q.early_end_rate
            * (1.0 if months <= 3 else 1 / 3)
            * ((1 - q.training_early_end_reduction) if trained[m] else 1.0)
        )
        gone = mentor_status[m] == LEFT or labour[i] == INACTIVE or c < q.silent_threshold
        if gone or uniform_at(keys.early_end, pid) < (mentor_rate + q.mentee_end_rate) * early_end_factor:
            ending.append(i)
            codes.append(ENDED_EARLY)
        elif months >= q.duration_months:
            ending.append(i)
            codes.append(COMPLETED)
    return np.array(ending, dtype=np.int64), np.array(codes, dtype=np.int64), held_total
