"""Careers that move after hiring (step 8, before the labour flows; DOMAIN.md §2.10, §3, §5-6; issue 11 item 4).

Each month, for every person, in one compiled pass (``_careers_month``):

1. **What a pair gave this month, by gender and origin**: the local knowledge and employer ties a
   mentee gained in this month's meetings (step 7) are scaled by the mentee's mentoring factor
   (``female_mentoring_factor`` for women times ``eu_mentoring_factor`` for EU origin; Månsson &
   Delander 2017: men gained, women not): knowledge gained is multiplied by it, each new tie is kept
   with that chance (ties as for men above 1).
2. **Fading**: once a pair has ended (or before one starts), local knowledge falls by
   ``knowledge_decay`` a month and each tie gained through the programme and still held fades with
   chance ``tie_decay`` (from one's own sector first).
3. **Language** closes ``language_growth`` of the gap to fluency a month, ``language_mentor_multiplier``
   times faster in a running pair (scaled by the mentoring factor).
4. **Recognition of a foreign diploma** (medium and high skill): a monthly hazard ``recognition_rate``,
   ``recognition_mentor_multiplier`` times higher in a running pair. Language and recognition change
   one's hiring attractiveness (``LabourMarket.static``) at once.
5. **Job-to-job moves**: a medium- or highly skilled person in a job below their level moves to a job
   at their level with chance ``move_rate`` x economy index x ``exp(move_tie_effect x own-sector ties)``
   (capped at ``referral_cap`` ties) x ``move_recognition_factor`` if recognised. A move keeps the job's
   tenure (it is not a new placement) and uses no opening (on-the-job search, a simplification).
6. **Retention support**: a participant whose job began during their pair or within
   ``retention_window_months`` after it has their job loss cut by ``retention_reduction`` (times the
   mentoring factor) in the job's first ``retention_months``: the factor goes to the labour kernel.

The twin run (programme off) follows the same dynamics without a pair: language, recognition, moves
and fading at their base rates, no mentor's speed-up or support. The kernel reads its parameters by
name from a ``CAREER_PARAMS`` record and its random streams from ``CAREER_STREAMS``.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model.population import NO_MONTH, Labour, Population, Status
from sim.model.records import make_records, record_dtype
from sim.model.rng import Streams, StreamSet, uniform_at
from sim.scenario.schema import LabourMarket

CAREER_STREAMS = StreamSet(
    tie_kept="careers.tie_kept",  # a tie gained this month: kept (mentoring factor below 1)
    tie_decay="careers.tie_decay",  # a programme tie held after the pair: fades
    recognition="careers.recognition",  # an unrecognised diploma: recognised this month
    move="careers.move",  # a job below level: a move to a job at level
)
CAREER_PARAMS = record_dtype(
    (
        "move_rate", "move_tie_effect", "move_recognition_factor", "referral_cap", "economy_index",
        "retention_reduction", "retention_months", "retention_window_months", "knowledge_decay", "tie_decay",
        "language_growth", "language_mentor_multiplier", "recognition_rate", "recognition_mentor_multiplier",
        "female_factor", "eu_factor", "language_effect", "recognition_effect",
    )
)  # fmt: skip
MAX_TIES = 1 << 12  # draws per person for ties: counter id * MAX_TIES + j


class Careers:
    """Monthly career dynamics of the whole population (``LabourMarket`` calls :meth:`month`)."""

    def __init__(self, cfg: LabourMarket, streams: Streams, n: int) -> None:
        self.cfg = cfg
        c = cfg.careers
        self.enabled = c.enabled
        self.streams = streams
        self.values = {
            "move_rate": c.move_rate,
            "move_tie_effect": c.move_tie_effect,
            "move_recognition_factor": c.move_recognition_factor,
            "referral_cap": cfg.referral_cap,
            "economy_index": 1.0,
            "retention_reduction": c.retention_reduction,
            "retention_months": c.retention_months,
            "retention_window_months": c.retention_window_months,
            "knowledge_decay": c.knowledge_decay,
            "tie_decay": c.tie_decay,
            "language_growth": c.language_growth,
            "language_mentor_multiplier": c.language_mentor_multiplier,
            "recognition_rate": c.recognition_rate,
            "recognition_mentor_multiplier": c.recognition_mentor_multiplier,
            "female_factor": c.female_mentoring_factor,
            "eu_factor": c.eu_mentoring_factor,
            "language_effect": cfg.language_effect,
            "recognition_effect": cfg.recognition_effect,
        }
        self.params = make_records(CAREER_PARAMS, self.values)
        self.loss_factor = np.ones(n, dtype=np.float32)  # this month's job-loss multiplier per person
        self.knowledge_seen = np.zeros(n, dtype=np.float32)  # local knowledge after last month's careers step
        self.ties_seen = np.zeros(n, dtype=np.int16)  # programme ties gained up to last month

    def month(self, month: int, people: Population, static: np.ndarray, economy_index: float) -> dict[str, int]:
        """One month of careers for everyone, in place (before the labour flows); returns the month's counts.

        ``static`` is the labour market's fixed attractiveness by person id (updated for language and
        recognition); ``month`` keys the draws (burn-in months are negative).
        """
        if not self.enabled:
            return {"moves_to_level": 0, "recognitions": 0, "ties_faded": 0}
        self.params["economy_index"] = max(economy_index, 0.2)
        p = people
        counts = _careers_month(
            month, p.labour, p.months_in_status, p.skill, p.sector, p.female, p.non_eu, p.language, p.recognised,
            p.local_knowledge, p.ties, p.new_ties, p.ties_lost, p.programme, p.served, p.pair_started,
            p.matched_month, p.exit_month, p.id, static, self.knowledge_seen, self.ties_seen, self.loss_factor,
            self.params, CAREER_STREAMS.keys(self.streams, month),
        )  # fmt: skip
        return {"moves_to_level": int(counts[0]), "recognitions": int(counts[1]), "ties_faded": int(counts[2])}


UNEMPLOYED, AT_LEVEL, BELOW_LEVEL = (
    int(Labour.UNEMPLOYED),
    int(Labour.EMPLOYED_AT_LEVEL),
    int(Labour.EMPLOYED_BELOW_LEVEL),
)
PAIRED, COMPARISON = int(Status.PAIRED), int(Status.COMPARISON)


@numba.njit(cache=True)
def _drop_tie(i, own, ties):  # noqa: ANN001, ANN202
    """Remove one tie of person ``i``: in their own sector if any, else in the sector with most ties."""
    if ties[i, own] > 0:
        ties[i, own] -= 1
        return
    best = -1
    for j in range(ties.shape[1]):
        if ties[i, j] > 0 and (best < 0 or ties[i, j] > ties[i, best]):
            best = j
    if best >= 0:
        ties[i, best] -= 1


@numba.njit(cache=True)
def _careers_month(
    month, labour, months_in_status, skill, sector, female, non_eu, language, recognised, knowledge, ties, new_ties,
    ties_lost, programme, served, pair_started, matched_month, exit_month, ids, static, knowledge_seen, ties_seen,
    loss_factor, params, stream_keys,
):  # noqa: ANN001, ANN202  # fmt: skip
    """One month of careers for every person, in place (steps in the module docstring).

    Steps 1, 2 and 6 concern participants only (``served``: only pairs give knowledge and programme
    ties), so the pass over everyone else is short; ``loss_factor`` stays 1 for them.

    Returns (moves to a job at level, diplomas recognised, programme ties faded).
    """
    q, keys = params[0], stream_keys[0]
    moves = recognitions = faded = 0
    for i in range(len(labour)):
        pid = ids[i]
        status = labour[i]
        factor, mentored = 1.0, False
        if served[i]:  # only pairs give knowledge and programme ties, and only participants get support
            factor = (q.female_factor if female[i] else 1.0) * (1.0 if non_eu[i] else q.eu_factor)
            mentored = programme[i] == PAIRED and pair_started[i]
            # 1. this month's gains of a pair, by gender and origin
            gain = knowledge[i] - knowledge_seen[i]
            if gain > 0:
                knowledge[i] = min(1.0, knowledge_seen[i] + factor * gain)
            for j in range(max(new_ties[i] - ties_seen[i], 0)):
                if uniform_at(keys.tie_kept, pid * MAX_TIES + j) >= factor:
                    _drop_tie(i, sector[i], ties)
                    ties_lost[i] += 1
            if programme[i] != PAIRED:  # 2. fading once the pair has ended
                knowledge[i] *= 1 - q.knowledge_decay
                for j in range(max(new_ties[i] - ties_lost[i], 0)):
                    if uniform_at(keys.tie_decay, pid * MAX_TIES + j) < q.tie_decay:
                        _drop_tie(i, sector[i], ties)
                        ties_lost[i] += 1
                        faded += 1
            knowledge_seen[i] = knowledge[i]
            ties_seen[i] = new_ties[i]
            # 6. retention support in a new job found during the pair or soon after it
            loss_factor[i] = 1.0
            if AT_LEVEL <= status <= BELOW_LEVEL and programme[i] != COMPARISON:
                tenure = months_in_status[i] + 1  # as the labour kernel counts it this month
                start = month - tenure  # the month the job began
                paired_then = matched_month[i] != NO_MONTH and matched_month[i] <= start
                ended = exit_month[i] != NO_MONTH
                in_window = (not ended) or start <= exit_month[i] + q.retention_window_months
                if paired_then and in_window and tenure <= q.retention_months:
                    loss_factor[i] = 1.0 - min(1.0, factor * q.retention_reduction)
        # 3. language, faster with a mentor
        speed = 1.0 + factor * (q.language_mentor_multiplier - 1.0) if mentored else 1.0
        step = min(1.0, q.language_growth * speed) * (1.0 - language[i])
        if step > 0:
            language[i] += step
            x = q.language_effect * step  # small: exp(x) to within float32 by its series (exp costs here)
            static[pid] *= 1.0 + x * (1.0 + x * (0.5 + x / 6.0)) if abs(x) < 0.05 else np.exp(x)
        # 4. recognition of a foreign diploma, faster with a mentor
        if skill[i] > 0 and not recognised[i]:
            speed = 1.0 + factor * (q.recognition_mentor_multiplier - 1.0) if mentored else 1.0
            if uniform_at(keys.recognition, pid) < q.recognition_rate * speed:
                recognised[i] = True
                static[pid] *= np.exp(q.recognition_effect)
                recognitions += 1
        # 5. job-to-job moves from below level to a job at level
        if status == BELOW_LEVEL and skill[i] > 0:
            own = min(ties[i, sector[i]], q.referral_cap)
            hazard = q.move_rate * q.economy_index * np.exp(q.move_tie_effect * own)
            if recognised[i]:
                hazard *= q.move_recognition_factor
            if uniform_at(keys.move, pid) < hazard:
                labour[i] = AT_LEVEL
                moves += 1
    return np.array([moves, recognitions, faded])
