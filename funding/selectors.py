"""Reads of budgets and monitoring, for the people asking.

The functions below are contracts other apps rely on (the commissioner's
dashboard, the annual report): keep their signatures and return types.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BudgetException:
    """A budget category outside the specification's tolerance in a month."""

    category: str  # the category's label
    budget_ytd: Decimal
    actual_ytd: Decimal
    forecast_outturn: Decimal
    annual_budget: Decimal
    variance: Decimal  # forecast outturn - annual budget (pounds)
    variance_percent: Decimal
    explained: bool
    url: str  # where the service explains it / the commissioner reads it


@dataclass(frozen=True)
class OutturnLine:
    category: str
    budget: Decimal
    outturn: Decimal  # actual for a closed year, forecast otherwise


def budget_exceptions(*, month: datetime.date) -> list[BudgetException]:
    """Categories outside tolerance in the month's monitoring (first day of month)."""
    return []


def budget_outturn(*, start_year: int) -> list[OutturnLine]:
    """Budget against outturn per category for a financial year."""
    return []
