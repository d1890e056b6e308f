"""Return periods and deadlines: which KPI periods end in a month, and when they are due."""

import datetime
import re

from django.conf import settings

from lra_commissioning import dates


def period_ending_in(frequency: str, month: datetime.date) -> dates.Period | None:
    """The KPI period of this frequency that ends in `month` (first of month), if any."""
    month = month.replace(day=1)
    if frequency == "monthly":
        return dates.month_period(month)
    if frequency == "quarterly":
        quarter = dates.quarter_of(month)
        return quarter if quarter.end == dates.month_end(month) else None
    if frequency == "annual":
        year = dates.year_period(dates.financial_year_of(month))
        return year if year.end == dates.month_end(month) else None
    raise ValueError(f"Unknown frequency {frequency!r}")


def latest_period_by(frequency: str, month: datetime.date) -> dates.Period | None:
    """The latest period of this frequency ending in or before `month`, within its year."""
    start_year = dates.financial_year_of(month)
    candidate = month.replace(day=1)
    while dates.financial_year_of(candidate) == start_year:
        period = period_ending_in(frequency, candidate)
        if period is not None:
            return period
        candidate = dates.add_months(candidate, -1)
    return None


def due_working_days() -> int:
    from .models import PerformanceSettings

    row = PerformanceSettings.objects.filter(pk=1).first()
    return row.return_due_working_days if row else settings.RETURN_DUE_WORKING_DAYS


def due_date(month: datetime.date, working_days: int | None = None) -> datetime.date:
    """When the return (and report) for a month is due."""
    n = due_working_days() if working_days is None else working_days
    return dates.return_due_date(dates.month_end(month.replace(day=1)), n)


_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def parse_month(text: str) -> datetime.date | None:
    """'2016-06' -> 1 June 2016; None when it is not a month written that way
    (a real month, a four-digit year from 1900 to 2200, ASCII digits only)."""
    match = _MONTH.fullmatch(text or "") if isinstance(text, str) else None
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)
