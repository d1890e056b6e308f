"""Financial years and working days, at their boundaries."""

import datetime as dt

import pytest

from lra_commissioning import dates

D = dt.date


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (D(2016, 3, 31), 2015),
        (D(2016, 4, 1), 2016),
        (D(2016, 12, 31), 2016),
        (D(2017, 1, 1), 2016),
        (D(2017, 3, 31), 2016),
        (D(2017, 4, 1), 2017),
        (D(2020, 2, 29), 2019),  # leap day belongs to the year that started the April before
    ],
)
def test_financial_year_of_a_date(day, start_year):
    assert dates.financial_year_of(day) == start_year


def test_financial_year_label_and_bounds():
    assert dates.financial_year_label(2016) == "2016/17"
    assert dates.financial_year_label(2099) == "2099/00"
    assert dates.financial_year_start(2016) == D(2016, 4, 1)
    assert dates.financial_year_end(2016) == D(2017, 3, 31)


def test_financial_year_months_run_april_to_march():
    months = dates.financial_year_months(2016)
    assert months[0] == D(2016, 4, 1)
    assert months[-1] == D(2017, 3, 1)
    assert len(months) == 12


def test_financial_year_quarters():
    quarters = dates.financial_year_quarters(2019)
    assert [(q.start, q.end) for q in quarters] == [
        (D(2019, 4, 1), D(2019, 6, 30)),
        (D(2019, 7, 1), D(2019, 9, 30)),
        (D(2019, 10, 1), D(2019, 12, 31)),
        (D(2020, 1, 1), D(2020, 3, 31)),  # leap year: March still ends on the 31st
    ]
    assert quarters[3].label == "Q4 2019/20"
    assert dates.quarter_of(D(2020, 2, 29)) == quarters[3]


@pytest.mark.parametrize(
    ("month_start", "end"),
    [
        (D(2016, 2, 1), D(2016, 2, 29)),
        (D(2017, 2, 1), D(2017, 2, 28)),
        (D(2016, 12, 1), D(2016, 12, 31)),
    ],
)
def test_month_end_knows_leap_years(month_start, end):
    assert dates.month_end(month_start) == end


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2016, 3, 25), False),  # Good Friday 2016
        (D(2016, 3, 28), False),  # Easter Monday 2016
        (D(2016, 3, 29), True),
        (D(2016, 12, 26), False),  # Boxing Day
        (D(2016, 12, 27), False),  # substitute day for Christmas on a Sunday
        (D(2016, 12, 28), True),
        (D(2022, 9, 19), False),  # one-off: the State Funeral of Queen Elizabeth II
        (D(2022, 6, 3), False),  # one-off: Platinum Jubilee
        (D(2023, 5, 8), False),  # one-off: Coronation of King Charles III
        (D(2020, 5, 8), False),  # VE Day 75: early May bank holiday moved
        (D(2020, 5, 4), True),
        (D(2016, 4, 2), False),  # a Saturday
        (D(2016, 4, 4), True),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(day, working):
    assert dates.is_working_day(day) is working


@pytest.mark.parametrize(
    ("after", "n", "expected"),
    [
        (D(2016, 3, 31), 10, D(2016, 4, 14)),  # year end: no bank holidays in early April 2016
        (D(2017, 3, 31), 10, D(2017, 4, 18)),  # Easter 2017: Good Friday 14 and Monday 17 April
        (D(2016, 12, 31), 10, D(2017, 1, 16)),  # New Year's Day on Sunday: Monday 2 January off
        (D(2016, 12, 23), 1, D(2016, 12, 28)),  # over Christmas and Boxing Day substitutes
        (D(2016, 4, 30), 10, D(2016, 5, 16)),  # early May bank holiday, 2 May 2016
        (D(2016, 2, 26), 2, D(2016, 3, 1)),  # across a leap day (29 Feb 2016 was a Monday)
        (D(2016, 4, 1), 1, D(2016, 4, 4)),  # the day itself never counts; the weekend is skipped
    ],
)
def test_nth_working_day_after(after, n, expected):
    assert dates.nth_working_day_after(after, n) == expected


def test_nth_working_day_needs_a_positive_n():
    with pytest.raises(ValueError):
        dates.nth_working_day_after(D(2016, 4, 1), 0)


@pytest.mark.parametrize(
    ("before", "n", "expected"),
    [
        (D(2026, 7, 15), 5, D(2026, 7, 8)),  # a Wednesday: the Wednesday before
        (D(2017, 4, 19), 5, D(2017, 4, 10)),  # Easter 2017: Good Friday and Monday skipped
        (D(2017, 1, 3), 1, D(2016, 12, 30)),  # New Year's Day substitute, 2 January, skipped
        (D(2016, 12, 29), 2, D(2016, 12, 23)),  # Christmas and Boxing Day substitutes
        (D(2016, 3, 1), 1, D(2016, 2, 29)),  # the leap day was a Monday
        (D(2016, 4, 4), 1, D(2016, 4, 1)),  # the day itself never counts; the weekend is skipped
    ],
)
def test_nth_working_day_before(before, n, expected):
    assert dates.nth_working_day_before(before, n) == expected


def test_nth_working_day_before_needs_a_positive_n():
    with pytest.raises(ValueError):
        dates.nth_working_day_before(D(2016, 4, 1), 0)


def test_working_days_between_counts_after_start_up_to_end():
    assert dates.working_days_between(D(2016, 3, 24), D(2016, 3, 29)) == 1  # Easter 2016
    assert dates.working_days_between(D(2016, 4, 4), D(2016, 4, 4)) == 0
    assert dates.working_days_between(D(2016, 4, 8), D(2016, 4, 1)) == 0


def test_return_due_date_is_the_nth_working_day_after_the_period():
    june = dates.month_period(D(2016, 6, 15))
    assert june.end == D(2016, 6, 30)
    assert dates.return_due_date(june.end, 10) == D(2016, 7, 14)
