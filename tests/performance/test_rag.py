"""RAG rating at every boundary (DESIGN.md §4): one pure function, both directions."""

from decimal import Decimal as D

import pytest

from performance import rag


@pytest.mark.parametrize(
    ("value", "higher", "expected"),
    [
        # Higher is better: target 100, floor 90.
        (D("100.01"), True, rag.GREEN),
        (D("100"), True, rag.GREEN),  # at target is green
        (D("99.99"), True, rag.AMBER),  # just below target is amber
        (D("90"), True, rag.AMBER),  # at floor is still amber
        (D("89.99"), True, rag.RED),  # below floor is red
        (D("0"), True, rag.RED),
        # Lower is better: target 3 days, floor 5 days.
        (D("2.99"), False, rag.GREEN),
        (D("3"), False, rag.GREEN),
        (D("3.01"), False, rag.AMBER),
        (D("5"), False, rag.AMBER),
        (D("5.01"), False, rag.RED),
    ],
)
def test_rate_value_boundaries_both_directions(value, higher, expected):
    target, floor = (D(100), D(90)) if higher else (D(3), D(5))
    assert rag.rate_value(value, target=target, floor=floor, higher_is_better=higher) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1099.99"), rag.OUT_OF_RANGE),
        (D("1100"), rag.IN_RANGE),
        (D("1300"), rag.IN_RANGE),
        (D("1300.01"), rag.OUT_OF_RANGE),
    ],
)
def test_activity_kpi_is_in_or_out_of_range_never_a_colour(value, expected):
    rating = rag.rate(
        value=value,
        target=None,
        floor=None,
        is_activity=True,
        expected_low=D(1100),
        expected_high=D(1300),
    )
    assert rating.state == expected


@pytest.mark.parametrize(
    ("ytd", "month_number", "expected"),
    [
        # Annual target 1200, floor 1080: even profile gives 100 and 90 a month.
        (D("300"), 3, rag.GREEN),  # June: profiled target to date 300
        (D("299.99"), 3, rag.AMBER),
        (D("270"), 3, rag.AMBER),  # profiled floor to date 270
        (D("269.99"), 3, rag.RED),
        (D("1200"), 12, rag.GREEN),
        (D("1079.99"), 12, rag.RED),
    ],
)
def test_cumulative_count_is_rated_year_to_date_against_profiled_target(
    ytd, month_number, expected
):
    rating = rag.rate(
        value=D(1),
        ytd_value=ytd,
        target=D(1200),
        floor=D(1080),
        cumulative=True,
        month_number=month_number,
    )
    assert rating.state == expected


def test_monthly_profile_moves_the_target_to_date():
    # Profile front-loads the year: half the target falls due in April.
    profile = ["600"] + ["54.5454"] * 11
    rating = rag.rate(
        value=D(1),
        ytd_value=D(599),
        target=D(1200),
        floor=D(1080),
        cumulative=True,
        month_number=1,
        profile=profile,
    )
    assert rating.state == rag.AMBER
    assert rag.profiled_share(1, None) == D(1) / D(12)


@pytest.mark.parametrize(
    ("due", "late", "expected"),
    [(False, False, rag.NOT_DUE), (True, False, rag.MISSING)],
)
def test_missing_value_is_missing_after_deadline_and_not_due_before(due, late, expected):
    assert rag.rate(value=None, target=D(1), floor=D(1), due=due).state == expected


def test_late_value_is_shown_as_late_with_its_colour_kept():
    rating = rag.rate(value=D(50), target=D(100), floor=D(90), submitted_late=True)
    assert rating.state == rag.LATE
    assert rating.underlying == rag.RED
    assert rating.label == "Late, red"
    assert rating.tag_class == "govuk-tag--red"
    assert rating.needs_attention


@pytest.mark.parametrize(
    ("value", "outside"),
    [(D("95"), False), (D("94.99"), True)],
)
def test_tolerance_defines_the_floor_when_the_kpi_has_none(value, outside):
    rating = rag.rate(value=value, target=D(100), floor=None, tolerance_percent=D(5))
    assert rating.state == (rag.AMBER if not outside else rag.RED)
    assert rating.outside_tolerance is outside


@pytest.mark.parametrize(
    ("current", "previous", "higher", "expected"),
    [
        (D(11), D(10), True, rag.IMPROVING),
        (D(9), D(10), True, rag.WORSENING),
        (D(10), D(10), True, rag.STEADY),
        (D(9), D(10), False, rag.IMPROVING),
        (D(11), D(10), False, rag.WORSENING),
        (None, D(10), True, rag.UNKNOWN),
    ],
)
def test_direction_of_travel_against_previous_period(current, previous, higher, expected):
    assert rag.direction(current, previous, higher) == expected


def test_trend_needs_three_values_and_follows_the_slope():
    assert rag.trend([D(1), D(2)], True) == rag.UNKNOWN
    assert rag.trend([D(100), D(110), D(120)], True) == rag.IMPROVING
    assert rag.trend([D(100), D(110), D(120)], False) == rag.WORSENING
    assert rag.trend([D(100), D("100.1"), D(100)], True) == rag.STEADY
