"""The budget's arithmetic: derived totals, income split, variance and tolerance."""

from decimal import Decimal

import pytest

from funding import budget as calc
from funding.models import IncomeRule

D = Decimal


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1250000", D("1250000.00")),
        ("1,250,000.50", D("1250000.50")),
        ("£12.5", D("12.50")),
        ("0", D("0.00")),
        ("999999999.99", D("999999999.99")),
    ],
)
def test_parse_amount_accepts_pounds_and_pence(text, expected):
    assert calc.parse_amount(text, label="Staffing") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter an amount for Staffing"),
        ("lots", "Staffing must be an amount in pounds"),
        ("NaN", "Staffing must be an amount in pounds"),
        ("12.345", "no more than 2 decimal places"),
        ("1000000000", "must be less than £1 billion"),
        ("-5", "Staffing cannot be negative"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_specific_message(text, message):
    with pytest.raises(ValueError, match=message):
        calc.parse_amount(text, label="Staffing", category="staffing")


def test_other_running_costs_may_be_negative_other_categories_may_not():
    assert calc.parse_amount("-500", label="Other", category="other") == D("-500.00")
    with pytest.raises(ValueError, match="cannot be negative"):
        calc.parse_amount("-500", label="Fees", category="fees")


def test_year_totals_are_derived_from_the_lines():
    totals = calc.year_totals(
        {
            "staffing": D("1000"),
            "corporate_recharge:1": D("100"),
            "corporate_recharge:2": D("50"),
            "other": D("-20"),
            "fees": D("300"),
            "grants": D("30"),
            "building_income": D("200"),
        },
        start_year=2016,
        savings=D("7"),
        rule=IncomeRule.PERCENTAGE,
        percent=D("25"),
        threshold=D("0"),
    )
    assert totals.gross_expenditure == D("1130")
    assert totals.corporate_recharges == D("150")
    assert totals.building_income_service == D("50.00")
    assert totals.building_income_property == D("150.00")
    assert totals.service_income == D("380.00")
    assert totals.net == D("750.00")
    assert totals.savings_required == D("7")


@pytest.mark.parametrize(
    "income, percent, service, prop",
    [
        (D("100.01"), D("50"), D("50.01"), D("50.00")),  # half a penny rounds up to the service
        (D("0"), D("50"), D("0.00"), D("0.00")),
        (D("1000"), D("0"), D("0.00"), D("1000.00")),
        (D("1000"), D("100"), D("1000.00"), D("0.00")),
        (D("333.33"), D("33.33"), D("111.10"), D("222.23")),
    ],
)
def test_percentage_income_split_always_adds_up(income, percent, service, prop):
    got = calc.income_split(income, rule=IncomeRule.PERCENTAGE, percent=percent, threshold=D(0))
    assert got == (service, prop)
    assert sum(got) == income


@pytest.mark.parametrize(
    "income, service, prop",
    [
        (D("99999.99"), D("0.00"), D("99999.99")),  # below the threshold: all to Property
        (D("100000"), D("0.00"), D("100000.00")),  # at it: still all to Property
        (D("100000.01"), D("0.01"), D("100000.00")),  # a penny above goes to the service
        (D("250000"), D("150000.00"), D("100000.00")),
    ],
)
def test_threshold_income_split_above_the_threshold_goes_to_the_service(income, service, prop):
    got = calc.income_split(income, rule=IncomeRule.THRESHOLD, percent=D(0), threshold=D("100000"))
    assert got == (service, prop)


# Tolerance: beyond BOTH 2% of the budget and £25,000; exactly at a limit is within.
@pytest.mark.parametrize(
    "budget, variance, outside",
    [
        (D("2000000"), D("40000"), False),  # exactly 2%, beyond £25k
        (D("2000000"), D("40000.01"), True),  # just beyond 2% and £25k
        (D("2000000"), D("-40000.01"), True),  # underspend counts too
        (D("1000000"), D("25000"), False),  # 2.5% but exactly £25k
        (D("1000000"), D("25000.01"), True),
        (D("10000000"), D("150000"), False),  # £150k but only 1.5%
        (D("100000"), D("20000"), False),  # 20% but under £25k
        (D("0"), D("25000.01"), True),  # no budget: beyond the amount is enough
        (D("0"), D("25000"), False),
    ],
)
def test_exception_when_variance_beyond_both_percentage_and_amount(budget, variance, outside):
    assert (
        calc.is_outside_tolerance(
            variance=variance,
            budget=budget,
            tolerance_percent=D("2.00"),
            tolerance_amount=D("25000.00"),
        )
        is outside
    )


def test_variance_percent_has_no_value_for_a_zero_budget():
    assert calc.variance_percent(D("10"), D("0")) is None
    assert calc.variance_percent(D("-5"), D("200")) == D("-2.5")


@pytest.mark.parametrize("months, expected", [(0, D("0.00")), (1, D("100.00")), (12, D("1200"))])
def test_year_to_date_budget_is_spread_evenly(months, expected):
    assert calc.profiled_budget(D("1200"), months) == expected


def test_line_keys_round_trip_and_recharges_name_their_service():
    assert calc.parse_line_key(calc.line_key("corporate_recharge", 7)) == ("corporate_recharge", 7)
    assert calc.parse_line_key("fees") == ("fees", None)
    with pytest.raises(ValueError):
        calc.line_key("corporate_recharge")
    with pytest.raises(ValueError):
        calc.parse_line_key("corporate_recharge")
