"""Financial years and working days, done once.

Pure functions: no database, no clock. The financial year runs 1 April to
31 March and is named by its starting calendar year (2016 is "2016/17").
Working days skip weekends and England and Wales bank holidays.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays

FINANCIAL_YEAR_START_MONTH = 4


def financial_year_of(day: datetime.date) -> int:
    """The starting year of the financial year that `day` falls in."""
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_start(start_year: int) -> datetime.date:
    return datetime.date(start_year, 4, 1)


def financial_year_end(start_year: int) -> datetime.date:
    return datetime.date(start_year + 1, 3, 31)


def month_end(month_start: datetime.date) -> datetime.date:
    first_of_next = (month_start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_of_next - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def financial_year_months(start_year: int) -> list[datetime.date]:
    """The first day of each month of the year, April first."""
    start = financial_year_start(start_year)
    return [add_months(start, i) for i in range(12)]


def month_number_in_year(day: datetime.date) -> int:
    """1 for April ... 12 for March."""
    return (day.month - FINANCIAL_YEAR_START_MONTH) % 12 + 1


@dataclass(frozen=True)
class Period:
    """A reporting period: a month, a quarter or a whole financial year."""

    start: datetime.date
    end: datetime.date
    label: str


def financial_year_quarters(start_year: int) -> list[Period]:
    quarters = []
    for q in range(4):
        start = add_months(financial_year_start(start_year), 3 * q)
        end = month_end(add_months(start, 2))
        quarters.append(Period(start, end, f"Q{q + 1} {financial_year_label(start_year)}"))
    return quarters


def quarter_of(day: datetime.date) -> Period:
    return financial_year_quarters(financial_year_of(day))[(month_number_in_year(day) - 1) // 3]


def month_period(day: datetime.date) -> Period:
    start = day.replace(day=1)
    return Period(start, month_end(start), start.strftime("%B %Y"))


def year_period(start_year: int) -> Period:
    return Period(
        financial_year_start(start_year),
        financial_year_end(start_year),
        financial_year_label(start_year),
    )


@lru_cache(maxsize=256)
def _bank_holidays_for(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays_for(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def nth_working_day_after(day: datetime.date, n: int) -> datetime.date:
    """The Nth working day after `day` (n=1 is the first working day after it).

    `day` itself never counts, whether or not it is a working day.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    current = day
    counted = 0
    while counted < n:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def nth_working_day_before(day: datetime.date, n: int) -> datetime.date:
    """The Nth working day before `day` (n=1 is the last working day before it).

    `day` itself never counts. Board papers due "five working days before" a
    meeting on a Wednesday are due on the Wednesday before (no bank holiday).
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    current = day
    counted = 0
    while counted < n:
        current -= datetime.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def return_due_date(period_end: datetime.date, working_days: int) -> datetime.date:
    """When a return for a period is due: the Nth working day after it ends."""
    return nth_working_day_after(period_end, working_days)
