"""Working-hours arithmetic for service levels, done once.

Used by `ServiceLevel.within_limit_percent` (slas/models.py) to work out a
result from its cases on the level's clock.

Pure functions: no database, no clock. Service levels such as "P1 incidents
resolved within 4 working hours" count only office hours (09:00 to 17:00 by
default) on working days, so an incident logged at 16:00 on a Friday before a
bank holiday Monday and resolved at 11:00 on the Tuesday took 3 working hours
(91 calendar hours: `calendar_hours_between`, for levels on the calendar clock).
Working days come from `lra_commissioning.dates.is_working_day` (weekends and
England and Wales bank holidays excluded).

Times are wall-clock times in the council's time zone. Aware datetimes are
converted to Europe/London and compared as local times, so the clocks going
forward or back never adds or removes an office hour.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from lra_commissioning.dates import is_working_day, working_days_between

LONDON = ZoneInfo("Europe/London")
OFFICE_OPENS = datetime.time(9, 0)
OFFICE_CLOSES = datetime.time(17, 0)
_ONE_DAY = datetime.timedelta(days=1)
_HOUR = Decimal(3600)


def _local(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(LONDON).replace(tzinfo=None)
    return moment


def _check_hours(opens: datetime.time, closes: datetime.time) -> None:
    if closes <= opens:
        raise ValueError("The office must close after it opens.")


def _window(day: datetime.date, opens, closes):
    return datetime.datetime.combine(day, opens), datetime.datetime.combine(day, closes)


def working_time_between(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    opens: datetime.time = OFFICE_OPENS,
    closes: datetime.time = OFFICE_CLOSES,
) -> datetime.timedelta:
    """Office time on working days from `start` to `end` (zero if end <= start)."""
    _check_hours(opens, closes)
    start, end = _local(start), _local(end)
    total = datetime.timedelta(0)
    if end <= start:
        return total
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            window_start, window_end = _window(day, opens, closes)
            overlap = min(end, window_end) - max(start, window_start)
            if overlap > datetime.timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def working_hours_between(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    opens: datetime.time = OFFICE_OPENS,
    closes: datetime.time = OFFICE_CLOSES,
) -> Decimal:
    """Working hours from `start` to `end`, to two decimal places."""
    seconds = Decimal(
        int(working_time_between(start, end, opens=opens, closes=closes).total_seconds())
    )
    return (seconds / _HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def working_days_taken(opened: datetime.date, closed: datetime.date) -> int:
    """Working days after the day `opened` up to and including `closed`."""
    return working_days_between(opened, closed)


def calendar_hours_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """Hours from `start` to `end` around the clock, to two decimal places (zero if
    end <= start). Aware times count real elapsed time across a change of the clocks."""
    if start.tzinfo is not None and end.tzinfo is not None:
        # In UTC: subtracting two times in the same zone ignores a change of the clocks.
        start, end = start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
    seconds = Decimal(int(max((end - start).total_seconds(), 0)))
    return (seconds / _HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def within_limit(
    opened: datetime.datetime,
    closed: datetime.datetime,
    *,
    limit,
    in_working_days: bool = False,
    calendar_hours: bool = False,
    opens: datetime.time = OFFICE_OPENS,
    closes: datetime.time = OFFICE_CLOSES,
) -> bool:
    """Was a case closed within `limit` working hours (or working days, or hours
    around the clock) of opening?"""
    limit = Decimal(str(limit))
    if in_working_days:
        return working_days_taken(_local(opened).date(), _local(closed).date()) <= limit
    if calendar_hours:
        return calendar_hours_between(opened, closed) <= limit
    return working_hours_between(opened, closed, opens=opens, closes=closes) <= limit


def percent_within(
    cases: Iterable[tuple[datetime.datetime, datetime.datetime]],
    *,
    limit,
    in_working_days: bool = False,
    calendar_hours: bool = False,
) -> Decimal | None:
    """The percentage of (opened, closed) cases closed within the limit, to one place.

    None when there are no cases: no cases is not 100% and not 0%.
    """
    cases = list(cases)
    if not cases:
        return None
    met = sum(
        1
        for opened, closed in cases
        if within_limit(
            opened,
            closed,
            limit=limit,
            in_working_days=in_working_days,
            calendar_hours=calendar_hours,
        )
    )
    return (Decimal(met) * 100 / Decimal(len(cases))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
