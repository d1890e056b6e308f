"""Comparisons with other authorities: counts per 1,000 residents, rates as they are."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from lra_commissioning.models import FinancialYear
from lra_commissioning.services import financial_year_set_population
from lra_commissioning.workflow import DomainError
from performance import selectors, services
from performance.models import ComparatorValue
from specifications.models import KPI

from .factories import accept_all, make_version, submitted_return

APRIL = datetime.date(2016, 4, 1)


def _others(code, pairs, source="Illustrative"):
    return [
        ComparatorValue(
            kpi_code=code, start_year=2016, authority=a, value=Decimal(v), source=source
        )
        for a, v in pairs
    ]


@pytest.fixture
def kpis(db):
    version = make_version()
    return {k.code: k for k in KPI.objects.filter(version=version)}


def test_a_count_is_compared_per_1000_residents(kpis):
    # 1,540 visits for 1,540,000 residents is 1 per 1,000: between Essex and Surrey.
    compared = selectors.compare_with_other_authorities(
        kpis["LIB01"],
        2016,
        Decimal(1540),
        _others("LIB01", [("Essex", "2.5"), ("Surrey", "0.5")]),
        1_540_000,
    )
    assert compared.ours == Decimal("1.00")
    assert compared.position == "2nd of 3 (third quartile)"
    assert compared.basis == "per 1,000 residents"
    assert compared.basis_text == (
        "per 1,000 residents, against 2 other authorities' figures for 2016/17 (Illustrative)"
    )


def test_a_count_with_no_population_recorded_has_no_position(kpis):
    compared = selectors.compare_with_other_authorities(
        kpis["LIB01"], 2016, Decimal(1540), _others("LIB01", [("Essex", "2.5")]), None
    )
    assert compared.position == ""
    assert compared.ours is None
    assert compared.missing == "the council's resident population for 2016/17 is not recorded"


def test_a_percentage_is_compared_as_it_is(kpis):
    compared = selectors.compare_with_other_authorities(
        kpis["REG01"],
        2016,
        Decimal(95),
        _others("REG01", [("Essex", "97"), ("Surrey", "90")]),
        1_540_000,
    )
    assert compared.ours == Decimal(95)
    assert compared.basis == ""
    assert compared.position == "2nd of 3 (third quartile)"


def test_the_kpi_page_shows_the_comparison_per_1000_residents_and_its_source(
    client, kpis, service_manager, commissioner, administrator
):
    accept_all(submitted_return(APRIL, service_manager, {"LIB01": Decimal(3080)}), commissioner)
    ComparatorValue.objects.create(
        kpi_code="LIB01", start_year=2016, authority="Essex", value=Decimal("2.5"), source="CIPFA"
    )
    client.force_login(commissioner)
    url = reverse("performance:kpi", args=["LIB01"]) + "?month=2016-04"

    page = client.get(url).content.decode()
    assert "no position: the council&#x27;s resident population for 2016/17 is not recorded" in page

    financial_year_set_population(start_year=2016, residents=1_540_000, by=administrator)
    page = client.get(url).content.decode()
    assert "this council is 2nd of 2 (bottom quartile), per 1,000 residents" in page
    assert "Source of the other authorities' figures: CIPFA." in page
    assert "<strong>2</strong>" in page  # 3,080 visits for 1,540,000 residents


def test_the_comparator_file_may_say_where_its_figures_come_from(kpis, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = services.comparators_upload_parse(
        uploaded=SimpleUploadedFile(
            "c.csv",
            b"kpi_code,year,authority,value,source\nLIB01,2016/17,Essex,2.5,CIPFA 2016/17\n",
            content_type="text/csv",
        ),
        by=administrator,
    )
    services.comparators_upload_confirm(upload=upload, by=administrator)
    assert ComparatorValue.objects.get().source == "CIPFA 2016/17"


def test_an_administrator_records_the_resident_population(client, administrator):
    FinancialYear.objects.create(start_year=2016)
    client.force_login(administrator)
    url = reverse("administration:financial_years")

    response = client.post(
        url, {"form": "population", "population-start_year": "2016", "population-residents": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the resident population as a whole number" in page
    assert 'value="x"' in page  # what was typed is kept
    assert FinancialYear.objects.get().resident_population is None

    response = client.post(
        url,
        {"form": "population", "population-start_year": "2016", "population-residents": "1540400"},
    )
    assert response.status_code == 302
    assert FinancialYear.objects.get().resident_population == 1_540_400
    assert "1,540,400" in client.get(url).content.decode()


def test_the_population_is_a_positive_number_of_a_year_held(administrator, db):
    with pytest.raises(DomainError, match="Add the financial year 2030/31 first"):
        financial_year_set_population(start_year=2030, residents=10, by=administrator)
    FinancialYear.objects.create(start_year=2030)
    with pytest.raises(DomainError, match="whole number of people"):
        financial_year_set_population(start_year=2030, residents=0, by=administrator)
