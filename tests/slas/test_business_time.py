"""Working hours count office hours on working days: nights, weekends, bank holidays excluded."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from slas.business_time import (
    calendar_hours_between,
    percent_within,
    within_limit,
    working_days_taken,
    working_hours_between,
)


def dt(text):
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Within one working day.
        ("2016-06-01 09:00", "2016-06-01 17:00", "8.00"),
        ("2016-06-01 10:15", "2016-06-01 11:45", "1.50"),
        # Before opening and after closing count nothing.
        ("2016-06-01 06:00", "2016-06-01 09:00", "0.00"),
        ("2016-06-01 17:00", "2016-06-01 23:59", "0.00"),
        # Overnight: only office hours either side.
        ("2016-06-01 16:00", "2016-06-02 10:00", "2.00"),
        ("2016-06-01 20:00", "2016-06-02 08:00", "0.00"),
        # Over a weekend (Friday 3 June to Monday 6 June 2016).
        ("2016-06-03 16:00", "2016-06-06 10:00", "2.00"),
        ("2016-06-04 10:00", "2016-06-05 16:00", "0.00"),
        # Over the spring bank holiday (Monday 30 May 2016).
        ("2016-05-27 16:00", "2016-05-31 10:00", "2.00"),
        ("2016-05-30 09:00", "2016-05-30 17:00", "0.00"),
        # Over Easter 2016 (Good Friday 25 March, Easter Monday 28 March).
        ("2016-03-24 16:00", "2016-03-29 10:00", "2.00"),
        # Christmas 2016: Monday 26 and the substitute Tuesday 27 December are holidays.
        ("2016-12-23 16:00", "2016-12-28 10:00", "2.00"),
        # A whole working week.
        ("2016-06-06 00:00", "2016-06-11 00:00", "40.00"),
        # End before start, or equal: nothing.
        ("2016-06-02 10:00", "2016-06-01 10:00", "0.00"),
        ("2016-06-01 10:00", "2016-06-01 10:00", "0.00"),
    ],
)
def test_working_hours_between_counts_only_office_hours_on_working_days(start, end, hours):
    assert working_hours_between(dt(start), dt(end)) == Decimal(hours)


def test_clock_change_neither_adds_nor_removes_office_hours():
    london = ZoneInfo("Europe/London")
    # Clocks went back at 02:00 on Sunday 30 October 2016.
    start = datetime.datetime(2016, 10, 28, 16, 0, tzinfo=london)
    end = datetime.datetime(2016, 10, 31, 10, 0, tzinfo=london)
    assert working_hours_between(start, end) == Decimal("2.00")
    utc_start = start.astimezone(datetime.UTC)
    assert working_hours_between(utc_start, end) == Decimal("2.00")


def test_other_office_hours_are_respected():
    start, end = dt("2016-06-01 07:00"), dt("2016-06-01 20:00")
    hours = working_hours_between(start, end, opens=datetime.time(8), closes=datetime.time(18))
    assert hours == Decimal("10.00")


def test_an_office_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError, match="close after it opens"):
        working_hours_between(
            dt("2016-06-01 07:00"),
            dt("2016-06-02 07:00"),
            opens=datetime.time(17),
            closes=datetime.time(9),
        )


@pytest.mark.parametrize(
    ("opened", "closed", "days"),
    [
        ("2016-06-01", "2016-06-01", 0),
        ("2016-06-01", "2016-06-02", 1),
        ("2016-06-03", "2016-06-06", 1),  # Friday to Monday
        ("2016-05-27", "2016-05-31", 1),  # over the spring bank holiday
        ("2016-12-23", "2017-01-03", 4),  # 28, 29, 30 Dec and 3 Jan
    ],
)
def test_working_days_taken(opened, closed, days):
    assert (
        working_days_taken(datetime.date.fromisoformat(opened), datetime.date.fromisoformat(closed))
        == days
    )


def test_within_limit_at_the_boundary_is_within():
    assert within_limit(dt("2016-06-03 16:00"), dt("2016-06-06 12:00"), limit=4)
    assert not within_limit(dt("2016-06-03 16:00"), dt("2016-06-06 12:01"), limit=4)
    assert within_limit(
        dt("2016-05-27 10:00"), dt("2016-05-31 17:00"), limit=1, in_working_days=True
    )
    assert not within_limit(
        dt("2016-05-27 10:00"), dt("2016-06-01 09:00"), limit=1, in_working_days=True
    )


def test_percent_within_counts_cases_and_has_no_answer_for_no_cases():
    cases = [
        (dt("2016-06-03 16:00"), dt("2016-06-06 11:00")),  # 3 working hours
        (dt("2016-06-03 16:00"), dt("2016-06-06 14:00")),  # 5 working hours
        (dt("2016-06-01 09:00"), dt("2016-06-01 09:30")),
    ]
    assert percent_within(cases, limit=4) == Decimal("66.7")
    assert percent_within([], limit=4) is None


def test_calendar_hours_count_nights_weekends_and_bank_holidays_and_real_time():
    # Friday 16:00 before the Spring bank holiday to Tuesday 11:00.
    start, end = dt("2016-05-27 16:00"), dt("2016-05-31 11:00")
    assert working_hours_between(start, end) == Decimal("3.00")
    assert calendar_hours_between(start, end) == Decimal("91.00")
    assert within_limit(start, end, limit=4) and not within_limit(
        start, end, limit=4, calendar_hours=True
    )
    # The night the clocks went back (30 October 2016) had 25 hours.
    london = ZoneInfo("Europe/London")
    assert calendar_hours_between(
        datetime.datetime(2016, 10, 29, 12, tzinfo=london),
        datetime.datetime(2016, 10, 30, 12, tzinfo=london),
    ) == Decimal("25.00")
