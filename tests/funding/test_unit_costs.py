"""Unit costs set cost and activity over the same months (issue 16 item 6)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import selectors
from performance.selectors import Activity, annual_activity
from tests.performance.factories import accept_all, make_version, submitted_return

from .factories import agreed

D = Decimal


def test_a_whole_years_activity_is_set_against_the_whole_years_cost():
    assert selectors.unit_cost(D("1200000"), D("600000"), 12) == D("2.00")


def test_three_months_activity_is_set_against_three_months_cost():
    # £1.2m a year is £300,000 for three months; 150,000 visits in them: £2 a visit.
    assert selectors.unit_cost(D("1200000"), D("150000"), 3) == D("2.00")


def test_no_activity_gives_no_unit_cost():
    assert selectors.unit_cost(D("1200000"), D("0"), 3) is None


@pytest.fixture
def part_year(commissioner, board_member, service_manager):
    make_version(2016)
    for month in (4, 5, 6):
        monthly = submitted_return(
            datetime.date(2016, month, 1), service_manager, values={"LIB01": D("1000")}
        )
        accept_all(monthly, commissioner)
    return agreed(commissioner, board_member)


def test_a_part_years_activity_says_how_many_months_it_covers(part_year):
    assert annual_activity(start_year=2016)["LIB01"] == Activity(value=D("3000"), months=3)


def test_a_part_years_unit_cost_divides_the_cost_of_the_same_months(part_year):
    year = next(y for y in selectors.full_cost(part_year) if y.start_year == 2016)
    [(code, _, activity, cost, months)] = [r for r in year.unit_cost_rows if r[0] == "LIB01"]
    assert (activity, months) == (D("3000"), 3)
    # A quarter of the year's full cost over a quarter's visits, not the whole year's cost.
    assert cost == (year.full_cost / 4 / D("3000")).quantize(D("0.01"))
    assert cost != (year.full_cost / D("3000")).quantize(D("0.01"))


def test_the_full_cost_page_says_the_unit_cost_covers_part_of_the_year(
    client, commissioner, part_year
):
    client.force_login(commissioner)
    html = client.get(reverse("funding:full_cost")).content.decode()
    assert "3,000 units in the 3 months with accepted returns, set against 3 months' cost" in html
