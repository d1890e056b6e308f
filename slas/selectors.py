"""Reads of support services and SLAs, for the people asking.

The functions below are contracts other apps rely on (funding's full cost,
the annual report): keep their signatures and return types.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SlaYearSummary:
    support_service: str
    status: str  # the SLA's status label, or "Missing"
    agreed_on: datetime.date | None
    agreed_by_deadline: bool  # agreed on or before 1 April of the year
    annual_charge: Decimal
    results_met: int
    results_breached: int


def annual_charges(*, start_year: int) -> dict[int, Decimal]:
    """Annual charge or recharge of each agreed SLA, by support service id."""
    return {}


def sla_year_summary(*, start_year: int) -> list[SlaYearSummary]:
    """One line per support service for a financial year."""
    return []
