"""Monthly actuals, variance, exceptions and the contracts other apps read."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding import budget as calc
from funding import selectors, services
from funding.attention import items_for
from funding.models import Category, MonitoringMonth

from .factories import agreed, support_services

D = Decimal
APRIL = datetime.date(2016, 4, 1)


@pytest.fixture
def budget(commissioner, board_member):
    support_services(commissioner)
    # Staffing £1,200,000 a year: 2% is £24,000, so the £25,000 amount decides.
    return agreed(commissioner, board_member, staffing=D("1200000"))


STAFFING_BUDGET = D("1200000")


def lines(staffing_forecast=STAFFING_BUDGET, **overrides):
    result = {c.value: (D("0"), D("0")) for c in calc.CATEGORY_ORDER}
    result["staffing"] = (D("100000"), staffing_forecast)
    result["corporate_recharge"] = (D("16666.67"), D("200000"))
    result["fees"] = (D("4166.67"), D("50000"))
    result["building_income"] = (D("16666.67"), D("200000"))
    result.update(overrides)
    return result


def test_actuals_for_a_month_not_yet_ended_are_refused(budget, service_manager):
    with pytest.raises(services.DomainError, match="April 2016 has not ended yet"):
        services.monitoring_month_save(
            month=APRIL, lines=lines(), by=service_manager, today=datetime.date(2016, 4, 30)
        )
    services.monitoring_month_save(
        month=APRIL, lines=lines(), by=service_manager, today=datetime.date(2016, 5, 1)
    )
    assert MonitoringMonth.objects.filter(month=APRIL).exists()


def test_negative_actual_refused_where_category_does_not_allow_it(budget, service_manager):
    with pytest.raises(services.DomainError, match="Staffing actual cannot be negative"):
        services.monitoring_month_save(
            month=APRIL, lines=lines(staffing=(D("-1"), D("0"))), by=service_manager
        )
    services.monitoring_month_save(
        month=APRIL, lines=lines(other=(D("-250"), D("0"))), by=service_manager
    )
    assert not MonitoringMonth.objects.filter(lines__actual=D("-1")).exists()


@pytest.mark.parametrize(
    "forecast, exception",
    [(D("1225000"), False), (D("1225000.01"), True), (D("1174999.99"), True)],
)
def test_exception_at_the_tolerance_boundary(forecast, exception, budget, service_manager):
    services.monitoring_month_save(
        month=APRIL, lines=lines(staffing_forecast=forecast), by=service_manager
    )
    found = selectors.budget_exceptions(month=APRIL)
    assert [e.category for e in found] == (["Staffing"] if exception else [])
    if exception:
        e = found[0]
        assert e.annual_budget == D("1200000")
        assert e.variance == forecast - D("1200000")
        assert e.budget_ytd == D("100000.00")
        assert e.actual_ytd == D("100000")
        assert not e.explained
        assert e.url == reverse("funding:monitoring_month", kwargs={"year": 2016, "month": 4})


def test_the_commissioners_dashboard_lists_the_months_budget_exceptions(
    budget, service_manager, commissioner, client
):
    """performance's dashboard reads funding through lra_commissioning.dashboard."""
    services.monitoring_month_save(
        month=APRIL, lines=lines(staffing_forecast=D("1300000")), by=service_manager
    )
    client.force_login(commissioner)
    page = client.get(reverse("performance:dashboard") + "?month=2016-04").content.decode()
    assert "Budget categories outside tolerance" in page
    assert reverse("funding:monitoring_month", kwargs={"year": 2016, "month": 4}) in page


def test_variance_year_to_date_in_pounds_and_per_cent(budget, service_manager):
    services.monitoring_month_save(month=APRIL, lines=lines(), by=service_manager)
    may = datetime.date(2016, 5, 1)
    services.monitoring_month_save(
        month=may, lines=lines(staffing=(D("103000"), D("1200000"))), by=service_manager
    )
    row = next(r for r in selectors.monitoring_report(month=may).rows if r.category == "staffing")
    assert row.budget_ytd == D("200000.00")
    assert row.actual_ytd == D("203000")
    assert row.variance_ytd == D("3000.00")
    assert row.variance_ytd_percent == D("1.5")


def test_explanation_only_for_an_exception_and_it_clears_the_attention(
    budget, service_manager, commissioner
):
    services.monitoring_month_save(
        month=APRIL, lines=lines(staffing_forecast=D("1300000")), by=service_manager
    )
    with pytest.raises(services.DomainError, match="within tolerance"):
        services.exception_explain(month=APRIL, category="ict", text="x", by=service_manager)
    assert [i.group for i in items_for(service_manager)] == [
        "Budget exceptions needing your explanation"
    ]
    assert "Budget exceptions not yet explained" in [i.group for i in items_for(commissioner)]
    services.exception_explain(
        month=APRIL, category="staffing", text="Agency cover", by=service_manager
    )
    assert selectors.budget_exceptions(month=APRIL)[0].explained
    assert items_for(service_manager) == []


def test_budget_outturn_is_forecast_in_year_and_actuals_once_closed(budget, service_manager):
    services.monitoring_month_save(
        month=APRIL, lines=lines(staffing_forecast=D("1210000")), by=service_manager
    )
    with time_machine.travel(datetime.date(2016, 6, 1)):
        staffing = next(
            o for o in selectors.budget_outturn(start_year=2016) if o.category == "Staffing"
        )
        assert (staffing.budget, staffing.outturn) == (D("1200000"), D("1210000"))
    with time_machine.travel(datetime.date(2017, 6, 1)):
        staffing = next(
            o for o in selectors.budget_outturn(start_year=2016) if o.category == "Staffing"
        )
        assert staffing.outturn == D("100000")
    assert selectors.budget_outturn(start_year=2030) == []


def _csv(text):
    return SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")


def _csv_text(staffing="100000", extra=""):
    rows = ["category,actual,forecast", f"Staffing,{staffing},1200000"]
    rows += [f"{Category(c).label},0,0" for c in calc.CATEGORY_ORDER if c != "staffing"]
    return "\n".join(rows) + extra + "\n"


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(budget, service_manager, client):
    client.force_login(service_manager)
    url = reverse("funding:monitoring_upload", kwargs={"year": 2016, "month": 4})
    response = client.post(url, {"file": _csv(_csv_text())})
    assert response.status_code == 200
    assert b"Check the figures before saving" in response.content
    assert not MonitoringMonth.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"confirm": token})
    assert response.status_code == 302
    assert MonitoringMonth.objects.get(month=APRIL).lines.get(category="staffing").actual == D(
        "100000"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (_csv_text(staffing="12.345"), "no more than 2 decimal places"),
        (_csv_text(staffing="lots"), "must be an amount in pounds"),
        (_csv_text(staffing="-4"), "cannot be negative"),
        (_csv_text(extra="\nStafing,1,1"), "is not a budget category"),
        ("category,actual,forecast\nStaffing,1,1\n", "The file has no row for Premises"),
        ("category,actual\nStaffing,1\n", "missing the column(s) forecast"),
    ],
)
def test_upload_with_problems_is_refused_with_a_message_and_nothing_saved(
    text, message, budget, service_manager, client
):
    client.force_login(service_manager)
    url = reverse("funding:monitoring_upload", kwargs={"year": 2016, "month": 4})
    response = client.post(url, {"file": _csv(text)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"Save these figures" not in response.content
    assert not MonitoringMonth.objects.exists()


def test_entering_actuals_for_a_month_not_ended_shows_why(budget, service_manager, client):
    client.force_login(service_manager)
    with time_machine.travel(datetime.date(2016, 4, 20)):
        response = client.get(
            reverse("funding:monitoring_enter", kwargs={"year": 2016, "month": 4})
        )
    assert "April 2016 has not ended yet" in response.content.decode()


def test_upload_template_lists_every_category(budget, service_manager, client):
    client.force_login(service_manager)
    url = reverse("funding:monitoring_upload", kwargs={"year": 2016, "month": 4})
    response = client.get(url + "?template=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert rows[0] == "category,actual,forecast"
    assert [r.split(",")[0] for r in rows[1:]] == [Category(c).label for c in calc.CATEGORY_ORDER]
