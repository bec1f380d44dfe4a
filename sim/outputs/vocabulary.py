"""The outputs vocabulary: how every outcome is named, grouped, ordered and formatted on every face."""

from __future__ import annotations

import math

KEY_OUTCOMES = (
    "enrolled", "matched_share", "wait_months_mean", "never_started_share", "dropout_share",
    "network_access_share", "employed_end_share", "employed_6m_share", "employed_at_level_share",
    "positive_outcome_share", "net_effect_employed_6m", "cost_per_participant_eur", "cost_per_net_placement_eur",
)  # fmt: skip
GROUPS = ("Gross outcomes", "Net effects", "Costs", "Programme operation")


def outcome_group(outcome: str) -> str:
    """The heading an outcome is listed under."""
    if outcome.startswith(("net_", "rct_")):
        return GROUPS[1]
    if outcome.startswith("cost_"):
        return GROUPS[2]
    if is_share(outcome) or outcome in ("enrolled", "wait_months_mean"):
        return GROUPS[0]
    return GROUPS[3]


def is_share(outcome: str) -> bool:
    """Shares, including breakdowns such as ``employed_6m_share_female``."""
    return outcome.endswith("_share") or "_share_" in outcome


def outcome_order(outcome: str) -> tuple[int, int]:
    """Groups in order; within a group the key outcomes first (in their order), then the rest."""
    key = KEY_OUTCOMES.index(outcome) if outcome in KEY_OUTCOMES else len(KEY_OUTCOMES)
    return GROUPS.index(outcome_group(outcome)), key


def format_value(outcome: str, value: float) -> str:
    """A value with its unit: shares in %, effects in percentage points, money in EUR."""
    if math.isnan(value):
        return "n/a"
    if outcome.startswith(("net_effect", "rct_effect")):
        return f"{value * 100:+.1f} pp"
    if is_share(outcome):
        return f"{value * 100:.1f} %"
    if outcome.endswith("_eur"):
        return f"{value:,.0f} EUR"
    if outcome.endswith("_months_mean"):
        return f"{value:.1f} months"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
