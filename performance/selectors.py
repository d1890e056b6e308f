"""Reads of performance data, for the people asking.

The functions below the line are contracts other apps rely on (funding's full
cost, the annual report): keep their signatures and return types.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class KpiYearResult:
    """One KPI's result for a financial year, for the annual report."""

    code: str
    title: str
    outcome_code: str
    service_area: str
    unit: str
    higher_is_better: bool
    target: Decimal | None
    floor: Decimal | None
    value: Decimal | None  # the accepted annual figure (by the KPI's aggregation rule)
    rating: str  # green | amber | red | missing | in_range | out_of_range
    previous_value: Decimal | None  # the same KPI's annual figure the year before
    # (first day of month, accepted value or None), April first
    monthly_values: list[tuple[datetime.date, Decimal | None]] = field(default_factory=list)
    comparator_position: str = ""  # e.g. "3rd of 16 (top quartile)", "" when none


def annual_activity(*, start_year: int) -> dict[str, Decimal]:
    """Accepted annual figure per KPI code for a financial year.

    Used by funding for unit costs (cost per library visit, per item issued).
    """
    return {}


def kpi_year_results(*, start_year: int) -> list[KpiYearResult]:
    """Every KPI of the specification in force in that year, with its result."""
    return []
