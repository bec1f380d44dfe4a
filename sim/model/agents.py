"""Mesa agents: the inspectable face of the array state.

Each agent holds only its index; its attributes are read from (and written to) the model's arrays,
so the monthly step stays vectorised while ``model.agents_by_type[Jobseeker]`` lets a user look at
any jobseeker, mentor, employer, funder or the coordinating organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from sim.model.funding import Decision, Report
from sim.model.mentors import MentorStatus
from sim.model.population import Exit, Labour, Status
from sim.scenario.schema import SKILLS

if TYPE_CHECKING:
    from sim.model.model import MentoringModel


class ArrayAgent(mesa.Agent):
    """An agent whose state lives in ``model.<store>`` arrays at position ``index``."""

    store: str = ""
    fields: tuple[str, ...] = ()

    def __init__(self, model: MentoringModel, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    def _get(self, name: str) -> Any:
        return getattr(getattr(self.model, self.store), name)[self.index]

    def state(self) -> dict[str, Any]:
        """All attributes of this agent as plain Python values."""
        out = {}
        for name in self.fields:
            value = self._get(name)
            out[name] = value.tolist() if hasattr(value, "tolist") else value
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.index})"


class Jobseeker(ArrayAgent):
    """A jobseeker (mentee when enrolled) with a migrant background."""

    store = "people"
    fields = (
        "age", "female", "non_eu", "skill", "sector", "language", "recognised", "motivation", "ties",
        "labour", "months_unemployed", "employer", "local_knowledge", "programme", "exit_reason",
        "mentor", "meetings", "new_ties", "network_opened",
    )  # fmt: skip

    @property
    def labour_status(self) -> str:
        """Where the person stands in the labour market: ``unemployed``, ``employed_at_level``, ``training`` ..."""
        return Labour(self._get("labour")).name.lower()

    @property
    def programme_status(self) -> str:
        """Where the person stands in the programme: ``not_enrolled``, ``waiting``, ``paired``, ``completed`` ..."""
        return Status(self._get("programme")).name.lower()

    @property
    def exit(self) -> str:
        """Why the person left the programme (``none`` while in it or never in it)."""
        return Exit(self._get("exit_reason")).name.lower()

    @property
    def skill_level(self) -> str:
        """The person's skill level: ``low``, ``medium`` or ``high``."""
        return SKILLS[int(self._get("skill"))]


class Mentor(ArrayAgent):
    """A volunteer mentor."""

    store = "pool"
    fields = (
        "sector", "retired", "via_company", "employer", "network", "willingness", "hours", "trained",
        "pairs_done", "status", "tenure", "mentee",
    )  # fmt: skip

    @property
    def status_name(self) -> str:
        """The mentor's status: ``available``, ``paired`` or ``left``."""
        return MentorStatus(self._get("status")).name.lower()


class Employer(ArrayAgent):
    """An employer: openings, the hiring gap it applies, champion engagement.

    Its openings are drawn each month; among the applicants it hires by openings and its own gap
    (:meth:`hiring_ratio`), so a hire from an origin group needs ``hiring_ratio`` times the
    applications a native's does (DOMAIN.md §5-6).
    """

    store = "employers"
    fields = (
        "sector", "sme", "hard_to_fill", "diversity_plan", "champion", "vacancies", "weight", "hires",
        "mentors_supplied",
    )  # fmt: skip

    def hiring_ratio(self, non_eu: bool = True, skill: str = "medium", downturn: bool = False) -> float:
        """Applications a candidate of the origin group needs per hire, relative to a native (1: no gap).

        The callback gap of its occupations (shortage or not, low skill, an SME in a downturn, less with
        a diversity plan) widened at the offer stage; EU-origin candidates face a share of it.
        """
        inverse = self.model.market.inv_bias[int(downturn), 0 if non_eu else 1, self.index, SKILLS.index(skill)]
        return float(1.0 / inverse)


class Funder(mesa.Agent):
    """A funder and its grants (ESF, regional government, city, foundation, private sponsor).

    Each month of the programme the model asks every funder to :meth:`decide`: at a call's decision
    month the funder renews it or not, on the programme's report against the grant's targets and on
    its own budget (the rule of :mod:`sim.model.funding`).
    """

    def __init__(self, model: MentoringModel, kind: str, grants: list[int]) -> None:
        super().__init__(model)
        self.kind = kind
        self.grants = grants
        self.decisions: list[Decision] = []

    def decide(self, report: Report) -> list[Decision]:
        """Decide this month's renewals of this funder's grants on what the programme reported."""
        decisions = self.model.funding.decide(self.grants, report)
        self.decisions.extend(decisions)
        return decisions

    def money_this_month(self) -> float:
        """What this funder's grants pay in the model's current month (EUR)."""
        t = min(self.model.t, self.model.params.months - 1)
        return float(self.model.funding.monthly[self.grants, t].sum())


class Coordinator(mesa.Agent):
    """The coordinating organisation and its coaches."""

    def __init__(self, model: MentoringModel) -> None:
        super().__init__(model)

    @property
    def coaches(self) -> float:
        """Coaches employed this month (FTE)."""
        return self.model.organisation.coaches

    @property
    def funded(self) -> bool:
        """Whether the programme has money this month (intake open, mentors recruited)."""
        return self.model.organisation.funded
