"""A plain per-agent Mesa twin of the monthly jobseeker and pair dynamics: the docking reference.

Written from the model's description (steps 7-8 of ``sim/model/model.py``, ``sim/model/labour_market.py``,
``sim/model/pairs.py``) as ordinary per-agent Python: no arrays, its own random numbers (``model.random``
and ``model.rng``), per-agent steps scheduled with ``shuffle_do``.

The labour market: every employer posts a Poisson number of openings (its weight times the month's
economy factor for its size); a jobseeker of origin group non-EU / EU gets, in each sector, the
opening-weighted share of a native's chance the employers there give their group (the callback ratio
widened by ``offer_gap_multiplier``, a share ``eu_origin_bias_share`` of it for EU origin). Openings
are finite: in each sector the applications ``A`` (the hiring intensities every unemployed jobseeker
directs there, plus the reference group of natives and EU citizens, a mean-field stock without bias)
meet the openings ``V``, and each applicant's chance is their intensity times ``V / (A + V)``. The
reference stock then loses its expected hires and gains its expected job losses.

It starts from the state of a built array model (``MentoringModel(..., agents=False)``, after its
burn-in): the people, the employers' weights, and the market's hiring scale and reference stock, so
that a docking comparison is about the dynamics, not the set-up. :meth:`TwinModel.calibrate` sets the
scale, the openings and the reference stock from the state, as ``LabourMarket.calibrate`` does (checked
exactly in ``tests/test_docking.py``). Pairs are formed once, at month 0, with mentors drawn here
(``PairSetup``) when it runs alone; intake, screening, matching and the coaches' hours are in
``programme.py`` and run with this twin in ``month.py`` (there is no funding or mentor supply here),
and the employer a hire goes to is not drawn (it does not feed back into the flows).

Careers (``sim/model/careers.py``), after the pair month and turnover, before the labour month: what a
pair gave this month scaled by the mentee's mentoring factor (gender, origin), fading of knowledge and
programme ties once the pair has ended, language growth and diploma recognition (faster in a running
pair), moves from below-level to at-level jobs (ties, recognition, economy), and the retention support
that cuts a mentee's job loss in a job begun during the pair or soon after it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import mesa

from sim.model.population import Labour
from sim.scenario.schema import AGE_BANDS, AVAILABILITY, SKILLS, Scenario, month_index

UNEMPLOYED, AT_LEVEL, BELOW_LEVEL, TRAINING, INACTIVE = (int(code) for code in Labour)
EMPLOYED = (AT_LEVEL, BELOW_LEVEL)
COMPLETED, ENDED_EARLY, NEVER_STARTED = "completed", "ended_early", "never_started"


@dataclass(frozen=True)
class PairSetup:
    """A fixed set of pairs formed at month 0 (the first ``n_pairs`` unemployed jobseekers by index)."""

    n_pairs: int = 2000
    sector_match_share: float = 0.6  # chance the mentor is from the mentee's sector
    follow_up: float = 0.5  # share of pairs checked in on each month (fixed)
    trained_share: float = 0.5  # share of mentors who took the training course


def vacancy_factors(params: Scenario, t: int) -> tuple[float, float]:
    """Vacancy factor of large firms and of SMEs in month ``t`` (product of the shocks covering it)."""
    large = sme = 1.0
    month = params.start_index + t
    for shock in params.economy.shocks:
        if month_index(shock.start) <= month <= month_index(shock.end):
            large *= shock.vacancy_factor
            sme *= shock.sme_vacancy_factor
    return large, sme


def pick(u: float, shares: list[float]) -> int:
    """The category of uniform ``u`` given category shares."""
    total = 0.0
    for category, share in enumerate(shares[:-1]):
        total += share
        if u < total:
            return category
    return len(shares) - 1


def beta(rng: random.Random, mean: float, strength: float = 6.0) -> float:
    """A Beta draw with the given mean (as the population's language and motivation)."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    return rng.betavariate(mean * strength, (1 - mean) * strength)


class Employer(mesa.Agent):
    """An employer: draws its vacancies each month and discounts migrant candidates by its bias."""

    def __init__(
        self, model: TwinModel, sector: int, sme: bool, weight: float, hard_to_fill: bool, diversity_plan: bool
    ) -> None:
        super().__init__(model)
        self.sector = sector
        self.sme = sme
        self.weight = weight
        self.hard_to_fill = hard_to_fill
        self.diversity_plan = diversity_plan
        self.vacancies = 0

    def expected_vacancies(self) -> float:
        """Mean vacancies this month (weight x the economy's factor for this firm size)."""
        large, sme = self.model.factors
        return self.weight * (sme if self.sme else large)

    def post_vacancies(self) -> None:
        self.vacancies = int(self.model.rng.poisson(self.expected_vacancies()))

    def inverse_bias(self, non_eu: bool, skill: int, downturn: bool) -> float:
        """The share of a native's chance a migrant-background candidate of this origin and ``skill`` gets here.

        The callback ratio (shortage occupations or not, extra for the low-skilled, SMEs in a downturn,
        less with a diversity plan) widens at the offer stage; EU origin faces part of the gap.
        """
        cfg = self.model.params.labour_market
        callback = cfg.bias_shortage if self.hard_to_fill else cfg.bias_non_shortage
        if skill == 0:
            callback *= cfg.bias_low_skill_extra
        if self.sme and downturn:
            callback *= cfg.sme_downturn_bias
        excess = callback - 1
        if self.diversity_plan:
            excess *= 1 - cfg.diversity_plan_bias_reduction
        share_of_gap = 1.0 if non_eu else cfg.eu_origin_bias_share
        return 1.0 / (1 + excess * cfg.offer_gap_multiplier * share_of_gap)


class Mentor(mesa.Agent):
    """A mentor of one of the fixed pairs."""

    def __init__(
        self,
        model: TwinModel,
        sector: int,
        network: int,
        willingness: float,
        hours: float,
        trained: bool,
        criteria: tuple[int, int, bool, int] = (0, 0, False, 0),
    ) -> None:
        super().__init__(model)
        self.sector = sector
        self.network = network
        self.willingness = willingness
        self.hours = hours
        self.trained = trained
        # matching criteria: district, preference group, can give language support, availability (0/1/2)
        self.district, self.preference, self.language_support, self.availability = criteria


class Jobseeker(mesa.Agent):
    """A jobseeker: one month of its pair (if any), then one month of its labour-market status."""

    def __init__(self, model: TwinModel, **state: object) -> None:
        super().__init__(model)
        self.non_eu: bool = state["non_eu"]  # origin group: non-EU or EU
        self.female: bool = state["female"]
        self.skill: int = state["skill"]
        self.sector: int = state["sector"]
        self.language: float = state["language"]
        self.recognised: bool = state["recognised"]
        self.motivation: float = state["motivation"]
        self.ties: list[int] = state["ties"]
        self.labour: int = state["labour"]
        self.months_unemployed: int = state["months_unemployed"]
        self.months_in_status: int = state["months_in_status"]
        self.local_knowledge: float = state["local_knowledge"]
        self.district: int = state.get("district", 0)
        self.preference: int = state.get("preference", 0)
        self.availability: int = state.get("availability", 0)  # 0 any time, 1 daytime only, 2 evenings only
        self.age: int = state.get("age", 30)
        self.refugee: bool = state.get("refugee", False)
        self.work_permit: bool = state.get("work_permit", True)
        # careers state
        self.ties_lost = 0  # programme ties lost since they were gained
        self.knowledge_seen = self.local_knowledge  # after last month's careers step
        self.ties_seen = 0  # programme ties gained up to last month
        self.loss_factor = 1.0  # this month's job-loss multiplier (retention support)
        self.exit_month: int | None = None  # month the pair ended
        # pair state
        self.mentor: Mentor | None = None
        self.in_pair = False
        self.matched_month = -1
        self.started = False
        self.sector_match = False
        self.contact = 0.0
        self.meetings = 0
        self.network_opened = False
        self.new_ties = 0
        self.pair_end: str | None = None
        self.enrolled = False  # applicants (here: mentees) never leave the region

    def prepare(self) -> None:
        """The first part of the month: one month of the pair (if any), then perhaps leaving the region."""
        self.mentoring_month(self.model.t)
        self.maybe_leave_region()
        if self.model.params.labour_market.careers.enabled:
            self.careers_month(self.model.t)

    def maybe_leave_region(self) -> None:
        """Turnover: someone not in the programme may leave for good; an unemployed newcomer takes the place."""
        if not self.enrolled and self.model.random.random() < self.model.params.population.turnover_rate:
            for name, value in self.model.newcomer_state().items():
                setattr(self, name, value)
            self.ties_lost = self.ties_seen = 0
            self.knowledge_seen = 0.0

    # -- hiring --------------------------------------------------------------------------------
    def attractiveness(self) -> float:
        """Relative hiring chance from one's own characteristics."""
        cfg = self.model.params.labour_market
        log = (
            cfg.language_effect * (self.language - 0.5)
            + cfg.local_knowledge_effect * self.local_knowledge
            + (cfg.recognition_effect if self.recognised and self.skill > 0 else 0.0)
            + cfg.motivation_effect * (self.motivation - 0.5)
        )
        scarring = max(0.4, 1 - cfg.duration_dependence * self.months_unemployed)
        return cfg.skill_effect[SKILLS[self.skill]] * math.exp(log) * scarring

    def referral_boost(self, sector: int) -> float:
        cfg = self.model.params.labour_market
        return math.exp(cfg.referral_per_tie * min(self.ties[sector], cfg.referral_cap))

    def offer(self, sector: int, crowded: bool) -> float:
        """What ``sector`` offers this person: the share of a native's chance there, crowded or not."""
        model = self.model
        value = model.offers[0 if self.non_eu else 1][sector][self.skill]
        return value * model.crowding[sector] if crowded else value

    def channels(self) -> tuple[float, float]:
        """Unscaled intensity through one's own sector and through any sector (by vacancy share), crowded."""
        model = self.model
        own_share = model.params.labour_market.own_sector_share
        own = own_share * self.offer(self.sector, True) * self.referral_boost(self.sector)
        other = 0.0
        for sector, share in enumerate(model.vacancy_share):
            other += self.referral_boost(sector) * share * self.offer(sector, True)
        return own, (1 - own_share) * other

    def applications(self) -> list[float]:
        """Hiring intensity this unemployed person directs at each sector if openings were unlimited."""
        model = self.model
        own_share = model.params.labour_market.own_sector_share
        intensity = model.scale * self.attractiveness()
        out = [0.0] * len(model.vacancy_share)
        out[self.sector] += intensity * own_share * self.offer(self.sector, False) * self.referral_boost(self.sector)
        for sector, share in enumerate(model.vacancy_share):
            out[sector] += intensity * (1 - own_share) * share * self.offer(sector, False) * self.referral_boost(sector)
        return out

    def placement(self, own: float, other: float) -> int:
        """At or below level: the own-sector channel gives a job at level unless 'brain waste'."""
        cfg = self.model.params.labour_market
        rnd = self.model.random.random
        if rnd() < own / max(own + other, 1e-12):
            below = cfg.below_level_share[SKILLS[self.skill]]
            if self.recognised or self.ties[self.sector] > 0:
                below *= 1 - cfg.recognition_or_referral_level_gain
            return AT_LEVEL if rnd() >= below else BELOW_LEVEL
        return AT_LEVEL if self.skill == 0 else BELOW_LEVEL

    # -- the labour month ----------------------------------------------------------------------
    def labour_month(self) -> None:
        """Job loss, competing exits from unemployment, training exit, return from inactivity."""
        model = self.model
        cfg = model.params.labour_market
        rnd = model.random.random
        was = self.labour
        self.months_in_status += 1
        new = was
        if was in EMPLOYED:
            loss = cfg.job_loss_rate * (cfg.probation_multiplier if self.months_in_status <= 6 else 1.0)
            if rnd() < loss * self.loss_factor / max(model.economy, 0.2):
                new = UNEMPLOYED
        elif was == UNEMPLOYED:
            own, other = self.channels()  # crowded: the openings this month shared by all applicants
            hazard = min(0.9, model.scale * self.attractiveness() * (own + other))
            pairs = model.params.programme.pairs
            train = cfg.training_entry_rate
            if self.in_pair and self.started:
                train = train * pairs.training_entry_multiplier + pairs.internship_rate
            u = rnd()
            if u < hazard:
                new = self.placement(own, other)
            elif u < hazard + cfg.inactivity_rate:
                new = INACTIVE
            elif u < hazard + cfg.inactivity_rate + train:
                new = TRAINING
        elif was == TRAINING:
            if self.months_in_status >= cfg.training_months:
                if rnd() < cfg.training_to_job:
                    new = AT_LEVEL if self.skill == 0 or self.recognised else BELOW_LEVEL
                else:
                    new = UNEMPLOYED
        elif was == INACTIVE and rnd() < cfg.return_rate:
            new = UNEMPLOYED
        if new != was:
            self.labour = new
            self.months_in_status = 0
        self.months_unemployed = self.months_unemployed + 1 if self.labour == UNEMPLOYED else 0

    # -- the pair month ------------------------------------------------------------------------
    def mentoring_month(self, t: int) -> None:
        """Start (or never start), contact, meetings, network opening, early ending or completion."""
        if not self.in_pair:
            return
        model = self.model
        pc = model.params.programme.pairs
        fu = model.params.programme.follow_up
        rnd = model.random.random
        if self.matched_month == t:
            p_never = pc.never_start_base * (1 - fu.never_start_reduction * model.follow_up) * (1.5 - self.motivation)
            p_never *= self.mismatch("never_start")
            if rnd() < p_never:
                self.end_pair(NEVER_STARTED)
                return
            self.started = rnd() >= pc.start_delay_share
        else:
            self.started = True  # a delayed first meeting happens a month later
        if not self.started:
            return
        # contact decays and lapses; a check-in restores part of it
        self.contact *= 1 - pc.contact_decay
        if rnd() < pc.lapse_rate:
            self.contact *= 0.5
        if rnd() < model.follow_up:
            self.contact += fu.check_in_restores * (1 - self.contact)
        # meetings build local knowledge and trust; a mentor short of hours meets less
        hours_cap = self.mentor.hours / (pc.hours_per_meeting * max(pc.meetings_per_month, 1e-9))
        meetings = pc.meetings_per_month * self.mismatch("meetings")
        held = math.floor(meetings * self.contact * min(1.0, hours_cap) + rnd())
        self.meetings += held
        need = 2 * (1 - self.language)  # those furthest from the local codes gain most
        gain = (
            pc.local_knowledge_per_meeting
            * held
            * need
            * (model.params.programme.matching.sector_knowledge_factor if self.sector_match else 1.0)
        )
        self.local_knowledge = min(1.0, self.local_knowledge + gain)
        if not self.network_opened:
            self.maybe_open_network()
        # endings
        months = t - self.matched_month
        mentor_rate = pc.early_end_rate * (1.0 if months <= 3 else 1 / 3)
        if self.mentor.trained:
            mentor_rate *= 1 - pc.training_early_end_reduction
        silent = self.contact < pc.silent_threshold
        if silent or self.labour == INACTIVE or rnd() < (mentor_rate + pc.mentee_end_rate) * self.mismatch("early_end"):
            self.end_pair(ENDED_EARLY)
        elif months >= pc.duration_months:
            self.end_pair(COMPLETED)

    def mismatch(self, effect: str) -> float:
        """The product of ``programme.pairs.mismatch`` factors ``<criterion>_<effect>`` over the criteria missed."""
        params = self.model.params
        mismatch, mentor = params.programme.pairs.mismatch, self.mentor
        missed = {
            "distance": self.district != mentor.district,
            "language": self.language < params.programme.matching.language_support_below
            and not mentor.language_support,
            "availability": {self.availability, mentor.availability} == {1, 2},
            "preference": self.preference != mentor.preference,
        }
        return math.prod(getattr(mismatch, f"{name}_{effect}") for name, miss in missed.items() if miss)

    def maybe_open_network(self) -> None:
        """A trusting, willing mentor opens the network with a logistic chance; ties follow."""
        model = self.model
        pc = model.params.programme.pairs
        logit = (
            pc.network_open_base
            + pc.network_guideline_effect * model.params.programme.guidelines.network_opening
            + pc.network_trust_effect * self.meetings
            + pc.network_sector_effect * self.sector_match
            + pc.network_willingness_effect * (self.mentor.willingness - 0.5)
        )
        if model.random.random() >= 1 / (1 + math.exp(-logit)):
            return
        rnd = model.random.random
        ties = sum(rnd() < pc.ties_per_opening for _ in range(self.mentor.network))
        relevant = ties if self.sector_match else sum(rnd() < pc.cross_sector_tie_relevance for _ in range(ties))
        self.ties[self.sector] += relevant
        self.ties[self.mentor.sector] += ties - relevant
        self.network_opened = True
        self.new_ties += ties

    def end_pair(self, how: str) -> None:
        self.in_pair = False
        self.pair_end = how
        self.exit_month = self.model.t

    # -- careers ---------------------------------------------------------------------------------------
    def mentoring_factor(self) -> float:
        """Share of mentoring's effects this person gets: the gender factor times the origin factor."""
        c = self.model.params.labour_market.careers
        return (c.female_mentoring_factor if self.female else 1.0) * (1.0 if self.non_eu else c.eu_mentoring_factor)

    def drop_tie(self) -> None:
        """One tie less: in one's own sector if any, else in the sector with most ties."""
        if self.ties[self.sector] > 0:
            self.ties[self.sector] -= 1
        elif max(self.ties) > 0:
            self.ties[self.ties.index(max(self.ties))] -= 1

    def careers_month(self, t: int) -> None:
        """A pair's gains by gender and origin; fading; language; recognition; moves up; retention support."""
        model = self.model
        c = model.params.labour_market.careers
        rnd = model.random.random
        factor = self.mentoring_factor()
        mentored = self.in_pair and self.started
        if self.local_knowledge > self.knowledge_seen:  # what this month's meetings gave
            gained = factor * (self.local_knowledge - self.knowledge_seen)
            self.local_knowledge = min(1.0, self.knowledge_seen + gained)
        for _ in range(max(self.new_ties - self.ties_seen, 0)):
            if rnd() >= factor:
                self.drop_tie()
                self.ties_lost += 1
        if not self.in_pair:  # fading once the pair has ended
            self.local_knowledge *= 1 - c.knowledge_decay
            for _ in range(max(self.new_ties - self.ties_lost, 0)):
                if rnd() < c.tie_decay:
                    self.drop_tie()
                    self.ties_lost += 1
        self.knowledge_seen = self.local_knowledge
        self.ties_seen = self.new_ties
        speed = 1 + factor * (c.language_mentor_multiplier - 1) if mentored else 1.0
        self.language += min(1.0, c.language_growth * speed) * (1 - self.language)
        if self.skill > 0 and not self.recognised:
            speed = 1 + factor * (c.recognition_mentor_multiplier - 1) if mentored else 1.0
            self.recognised = rnd() < c.recognition_rate * speed
        was = self.labour
        if was == BELOW_LEVEL and self.skill > 0:
            referral = math.exp(
                c.move_tie_effect * min(self.ties[self.sector], model.params.labour_market.referral_cap)
            )
            hazard = c.move_rate * max(model.economy, 0.2) * referral
            if rnd() < hazard * (c.move_recognition_factor if self.recognised else 1.0):
                self.labour = AT_LEVEL  # tenure kept
        self.loss_factor = 1.0
        if was in EMPLOYED and self.enrolled and self.mentor is not None:  # support: only those who had a pair
            tenure = self.months_in_status + 1
            start = t - tenure
            in_window = self.in_pair or self.exit_month is None or start <= self.exit_month + c.retention_window_months
            if self.matched_month <= start and in_window and tenure <= c.retention_months:
                self.loss_factor = 1 - min(1.0, factor * c.retention_reduction)


class TwinModel(mesa.Model):
    """Jobseekers, employers and fixed pairs; one step is one month (pairs, then labour market)."""

    def __init__(self, source: mesa.Model, seed: int, pairs: PairSetup | None = None) -> None:
        """``source``: a built ``MentoringModel`` whose state is copied, agent by agent, with its market's state.

        The market's state is the employers' weights (expected openings a month), the hiring scale and
        the reference group's unemployed stock and labour force, as the array model's burn-in left them.
        """
        super().__init__(rng=seed)
        self.params: Scenario = source.params
        self.t = 0
        self.vacancy_share = [s.vacancy_share for s in self.params.sectors]
        self.factors = vacancy_factors(self.params, 0)
        self.economy = 1.0
        self.downturn = False
        self.employer_list = self._copy_employers(source.employers)
        self.jobseekers = self._copy_people(source.people)
        self.offers = self.offer_table([e.weight for e in self.employer_list], downturn=False)
        self.crowding = [1.0] * len(self.vacancy_share)
        market = source.market
        self.scale = float(market.scale)
        self.reference_unemployed = float(market.reference_unemployed)
        self.reference_labour_force = float(market.reference_labour_force)
        self.follow_up = pairs.follow_up if pairs else 0.0
        self.mentees: list[Jobseeker] = self._form_pairs(pairs) if pairs else []

    def calibrate(self) -> None:
        """Set the hiring scale, the openings and the reference stock from this state (normal times).

        The reference group (no bias, average attractiveness) is to find work at ``job_finding_rate``;
        openings are ``vacancy_tightness`` times the applications (hires if openings were unlimited),
        spread over sectors by vacancy share; each employer keeps its share of its sector's openings.
        """
        cfg = self.params.labour_market
        unemployed = [js for js in self.jobseekers if js.labour == UNEMPLOYED]
        self.reference_unemployed = cfg.reference_unemployed_ratio * max(len(unemployed), 1)
        self.scale = 1.0
        self.offers = self.offer_table([e.weight for e in self.employer_list], downturn=False)
        applications = [self.reference_unemployed * share for share in self.vacancy_share]
        for js in unemployed:
            for sector, value in enumerate(js.applications()):
                applications[sector] += value
        total = sum(applications)
        openings = [cfg.vacancy_tightness * total * share for share in self.vacancy_share]
        crowding = [v / max(a + v, 1e-12) for a, v in zip(applications, openings, strict=True)]
        reference_rate = sum(share * c for share, c in zip(self.vacancy_share, crowding, strict=True))
        self.scale = cfg.job_finding_rate / max(reference_rate, 1e-12)
        in_sector = [0.0] * len(self.vacancy_share)
        for e in self.employer_list:
            in_sector[e.sector] += e.weight
        for e in self.employer_list:
            e.weight *= self.scale * openings[e.sector] / max(in_sector[e.sector], 1e-12)
        hazard = min(cfg.job_finding_rate, 0.9)
        self.reference_labour_force = self.reference_unemployed * (1 + hazard / max(cfg.job_loss_rate, 1e-12))

    def _copy_employers(self, e: object) -> list[Employer]:
        rows = zip(
            e.sector.tolist(),
            e.sme.tolist(),
            e.weight.tolist(),
            e.hard_to_fill.tolist(),
            e.diversity_plan.tolist(),
            strict=True,
        )
        return [Employer(self, *row) for row in rows]

    def _copy_people(self, p: object) -> list[Jobseeker]:
        names = (
            "non_eu",
            "female",
            "skill",
            "sector",
            "language",
            "recognised",
            "motivation",
            "ties",
            "labour",
            "months_unemployed",
            "months_in_status",
            "local_knowledge",
            "district",
            "preference",
            "availability",
            "age",
            "refugee",
            "work_permit",
        )
        columns = {name: getattr(p, name).tolist() for name in names}
        return [Jobseeker(self, **{name: columns[name][i] for name in names}) for i in range(len(columns["skill"]))]

    def _form_pairs(self, setup: PairSetup) -> list[Jobseeker]:
        """Pair the first ``n_pairs`` unemployed with mentors drawn for them (month 0)."""
        mentees = [js for js in self.jobseekers if js.labour == UNEMPLOYED][: setup.n_pairs]
        for js in mentees:
            js.mentor = self._draw_mentor(js.sector, setup)
            js.in_pair = True
            js.enrolled = True
            js.matched_month = 0
            js.sector_match = js.mentor.sector == js.sector
            js.contact = 1.0
        return mentees

    def _draw_mentor(self, mentee_sector: int, setup: PairSetup) -> Mentor:
        cfg = self.params.mentors
        rnd = self.random.random
        sector = mentee_sector
        if rnd() >= setup.sector_match_share:
            sector = self.random.choice([s for s in range(len(self.params.sectors)) if s != mentee_sector])
        retired = rnd() < cfg.retired_share
        network_mean = cfg.network_size_retired if retired else cfg.network_size_active
        w = min(max(cfg.willingness_mean, 1e-3), 1 - 1e-3)
        willingness = self.random.betavariate(w * 6, (1 - w) * 6)
        hours = self.random.gammavariate(4.0, cfg.hours_mean / 4.0)
        trained = rnd() < setup.trained_share
        m = self.params.programme.matching
        shares = m.mentor_availability_retired if retired else m.mentor_availability_active
        criteria = (
            self.random.randrange(m.districts),
            self.random.randrange(m.preference_groups),
            rnd() < m.mentor_language_support_share,
            pick(rnd(), [shares[a] for a in AVAILABILITY]),
        )
        return Mentor(self, sector, int(self.rng.poisson(network_mean)), willingness, hours, trained, criteria)

    def newcomer_state(self) -> dict[str, object]:
        """Attributes of an unemployed newcomer, drawn from the scenario's population shares."""
        pop = self.params.population
        rnd = self.random.random
        skill = pick(rnd(), [pop.skill_shares[s] for s in SKILLS])
        sector = pick(rnd(), [s.jobseeker_share for s in self.params.sectors])
        ties = [0] * len(self.params.sectors)
        ties[sector] = int(self.rng.poisson(pop.initial_ties_mean))
        band = AGE_BANDS[pick(rnd(), [pop.age_bands[b] for b in AGE_BANDS])]
        low, high = (int(x) for x in band.split("-"))
        non_eu = rnd() < pop.non_eu_share
        m = self.params.programme.matching
        return {
            "age": self.random.randint(low, high),
            "district": self.random.randrange(m.districts),
            "preference": self.random.randrange(m.preference_groups),
            "availability": pick(rnd(), [m.mentee_availability[a] for a in AVAILABILITY]),
            "refugee": rnd() < pop.refugee_share["non_eu" if non_eu else "eu"],
            "work_permit": not non_eu or rnd() < pop.work_permit_share,
            "non_eu": non_eu,
            "female": rnd() < pop.female_share,
            "skill": skill,
            "sector": sector,
            "language": beta(self.random, pop.language_mean),
            "recognised": rnd() < pop.recognised_qualifications[SKILLS[skill]],
            "motivation": beta(self.random, pop.motivation_mean),
            "ties": ties,
            "labour": UNEMPLOYED,
            "months_unemployed": 0,
            "months_in_status": 0,
            "local_knowledge": 0.0,
        }

    # -- economy and offers --------------------------------------------------------------------
    def economy_index(self) -> float:
        """Vacancy-weighted mean of this month's factors (1 in normal times)."""
        return sum(e.expected_vacancies() for e in self.employer_list) / sum(e.weight for e in self.employer_list)

    def offer_table(self, openings: list[float], downturn: bool) -> list[list[list[float]]]:
        """(origin group non-EU / EU, sector, skill): the opening-weighted share of a native's chance.

        ``openings``: per employer (this month's draws, or the expected openings at calibration).
        """
        n_sectors = len(self.vacancy_share)
        total = [0.0] * n_sectors
        table = [[[0.0] * len(SKILLS) for _ in range(n_sectors)] for _ in range(2)]
        for e, v in zip(self.employer_list, openings, strict=True):
            total[e.sector] += v
            for group, non_eu in enumerate((True, False)):
                for skill in range(len(SKILLS)):
                    table[group][e.sector][skill] += v * e.inverse_bias(non_eu, skill, downturn)
        return [[[value / max(total[s], 1e-12) for value in row] for s, row in enumerate(group)] for group in table]

    def crowding_factors(self) -> list[float]:
        """Per sector ``V / (A + V)``: this month's openings against every applicant's intensity there.

        ``A`` sums the applications of the unemployed here and of the reference stock (no bias, average
        attractiveness, spread over sectors by vacancy share).
        """
        openings = [0.0] * len(self.vacancy_share)
        for e in self.employer_list:
            openings[e.sector] += e.vacancies
        applications = [self.scale * self.reference_unemployed * share for share in self.vacancy_share]
        for js in self.jobseekers:
            if js.labour == UNEMPLOYED:
                for sector, value in enumerate(js.applications()):
                    applications[sector] += value
        return [v / max(a + v, 1e-12) for a, v in zip(applications, openings, strict=True)]

    def reference_month(self) -> None:
        """The reference group's unemployed stock: expected hires out, expected job losses in."""
        cfg = self.params.labour_market
        rate = min(0.9, self.scale * sum(s * c for s, c in zip(self.vacancy_share, self.crowding, strict=True)))
        hires = rate * self.reference_unemployed
        employed = self.reference_labour_force - self.reference_unemployed
        losses = cfg.job_loss_rate / max(self.economy, 0.2) * employed
        self.reference_unemployed = max(self.reference_unemployed + losses - hires, 0.0)

    # -- the month -----------------------------------------------------------------------------
    def step(self) -> None:
        """Openings; pairs and turnover; crowding from everyone's applications; labour flows; the reference stock."""
        self.factors = vacancy_factors(self.params, self.t)
        self.economy = self.economy_index()
        self.downturn = self.economy < self.params.economy.downturn_threshold
        self.agents_by_type[Employer].do("post_vacancies")
        jobseekers = self.agents_by_type[Jobseeker]
        jobseekers.shuffle_do("prepare")
        self.offers = self.offer_table([e.vacancies for e in self.employer_list], self.downturn)
        self.crowding = self.crowding_factors()
        jobseekers.shuffle_do("labour_month")
        self.reference_month()
        self.t += 1

    # -- results -------------------------------------------------------------------------------
    def labour_shares(self) -> dict[int, float]:
        """Share of jobseekers in each labour status code."""
        counts = dict.fromkeys(range(len(Labour)), 0)
        for js in self.jobseekers:
            counts[js.labour] += 1
        return {code: count / len(self.jobseekers) for code, count in counts.items()}

    def employed_share(self, non_eu: bool) -> float:
        """Share employed (at or below level) of the jobseekers of one origin group."""
        group = [js for js in self.jobseekers if js.non_eu == non_eu]
        return sum(js.labour in EMPLOYED for js in group) / max(len(group), 1)

    def mean_months_unemployed(self) -> float:
        """Mean months unemployed of those unemployed now."""
        months = [js.months_unemployed for js in self.jobseekers if js.labour == UNEMPLOYED]
        return sum(months) / max(len(months), 1)

    def pair_outcomes(self) -> dict[str, float]:
        """Shares of the month-0 pairs that completed, ended early, never started, opened the network; means."""
        n = max(len(self.mentees), 1)
        return {
            "completed": sum(js.pair_end == COMPLETED for js in self.mentees) / n,
            "ended_early": sum(js.pair_end == ENDED_EARLY for js in self.mentees) / n,
            "never_started": sum(js.pair_end == NEVER_STARTED for js in self.mentees) / n,
            "network_opened": sum(js.network_opened for js in self.mentees) / n,
            "meetings": sum(js.meetings for js in self.mentees) / n,
            "new_ties": sum(js.new_ties for js in self.mentees) / n,
            "local_knowledge": sum(js.local_knowledge for js in self.mentees) / n,
            "employed": sum(js.labour in EMPLOYED for js in self.mentees) / n,
        }
