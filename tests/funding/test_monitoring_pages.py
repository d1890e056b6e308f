"""Budget monitoring pages as people read them (issue 15): years to move between,
months out of range not found, money formatted, labels in sentence case."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from funding import services

from .factories import agreed, support_services
from .test_monitoring import lines

pytestmark = pytest.mark.django_db
APRIL = datetime.date(2016, 4, 1)


@pytest.fixture
def monitored(commissioner, board_member, service_manager):
    support_services(commissioner)
    agreed(commissioner, board_member)
    services.monitoring_month_save(
        month=APRIL, lines=lines(staffing_forecast=D("1300000")), by=service_manager
    )


def test_monitoring_links_to_the_years_before_and_after(client, monitored, commissioner):
    client.force_login(commissioner)
    page = client.get(reverse("funding:monitoring") + "?year=2017").content.decode()
    assert 'href="?year=2016"' in page and 'href="?year=2018"' in page
    assert "Budget monitoring 2017/18" in page
    first = client.get(reverse("funding:monitoring") + "?year=2016").content.decode()
    assert 'href="?year=2015"' not in first and 'href="?year=2017"' in first


@pytest.mark.parametrize("query", ["year=9999", "year=1999", "year=abc", "year=２０１６"])
def test_a_year_out_of_range_is_not_found(client, monitored, commissioner, query):
    client.force_login(commissioner)
    assert client.get(reverse("funding:monitoring") + f"?{query}").status_code == 404


@pytest.mark.parametrize(("year", "month"), [(9999, 12), (2100, 1), (1999, 4), (2016, 13)])
@pytest.mark.parametrize("name", ["monitoring_month", "monitoring_enter", "monitoring_upload"])
def test_a_month_out_of_range_is_not_found_never_an_error(
    client, monitored, service_manager, name, year, month
):
    client.force_login(service_manager)
    assert client.get(reverse(f"funding:{name}", args=[year, month])).status_code == 404


def test_money_has_separators_and_no_pence_on_large_sums(client, monitored, commissioner):
    client.force_login(commissioner)
    page = client.get(reverse("funding:monitoring_month", args=[2016, 4])).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "£1,300,000" in text and "£1,300,000.00" not in text
    assert not re.search(r"£\d{4,}", text)


def test_an_abbreviation_keeps_its_capitals_in_a_heading(client, monitored, service_manager):
    client.force_login(service_manager)
    url = reverse("funding:exception_explain", args=[2016, 4, "ict"])
    page = client.get(url).content.decode()
    assert "Explain ICT and systems</h1>" in page


def test_the_amount_fields_take_thousands_separators_and_pounds_signs():
    from funding.forms import AmountField

    field = AmountField(label="Staffing", category="staffing")
    assert field.clean("1,500") == D("1500.00")
    assert field.clean("£1,250,000.50") == D("1250000.50")
    assert field.prepare_value(D("1.45E+3")) == "1450"
