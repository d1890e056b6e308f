"""Issue 15 in the specification app: a returned business plan's edits stay the
service's draft until resubmitted; KPI figures never shown with an exponent;
the one decimal field takes "1,500" in every form."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from specifications import services
from specifications.models import KPI

from .factories import draft_version, published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(commissioner, board_member, head_of_service):
    return commissioner, board_member, head_of_service


@pytest.fixture
def returned_plan(people, service_manager, commissioner):
    version = published_version(*people)
    plan = services.business_plan_start(
        financial_year=version.specification.financial_year, by=service_manager
    )
    services.business_plan_update(plan=plan, summary="First summary", by=service_manager)
    section = plan.sections.get()
    services.business_plan_section_update(
        section=section, approach="Open more hours", by=service_manager
    )
    services.business_plan_action_create(
        section=section,
        description="Pilot Sunday opening",
        milestone_on=datetime.date(2016, 9, 1),
        by=service_manager,
    )
    services.business_plan_submit(plan=plan, by=service_manager)
    services.business_plan_return(
        plan=plan, section_comments={section.pk: "Say which libraries"}, by=commissioner
    )
    return plan


def test_a_returned_plans_edits_stay_with_the_service_until_resubmitted(
    client, returned_plan, service_manager, commissioner, board_member
):
    plan = returned_plan
    section = plan.sections.get()
    services.business_plan_update(plan=plan, summary="Second summary", by=service_manager)
    services.business_plan_section_update(
        section=section, approach="Open Dover and Deal on Sundays", by=service_manager
    )
    url = reverse("specifications:plan_detail", args=[plan.financial_year.start_year])

    client.force_login(service_manager)
    page = client.get(url).content.decode()
    assert "Open Dover and Deal on Sundays" in page and "Second summary" in page

    for person in (commissioner, board_member):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert "Open more hours" in page and "First summary" in page
        assert "Dover and Deal" not in page and "Second summary" not in page
        assert "Pilot Sunday opening" in page and "Say which libraries" in page

    services.business_plan_submit(plan=plan, by=service_manager)
    client.force_login(commissioner)
    page = client.get(url).content.decode()
    assert "Open Dover and Deal on Sundays" in page and "Second summary" in page


def test_the_kpi_form_shows_a_target_without_an_exponent(client, commissioner):
    version = draft_version(commissioner)
    kpi = version.kpis.get()
    KPI.objects.filter(pk=kpi.pk).update(annual_target=D("1450"), floor=D("1E+3"))
    client.force_login(commissioner)
    page = client.get(reverse("specifications:kpi_edit", args=[kpi.pk])).content.decode()
    assert 'value="1450"' in page and 'value="1000"' in page
    assert "E+" not in page


@pytest.mark.parametrize(
    ("form_path", "field", "typed", "expected"),
    [
        ("specifications.forms.KPIForm", "annual_target", "1,500", D("1500")),
        ("specifications.forms.VersionForm", "budget_tolerance_amount", "£25,000", D("25000")),
        ("specifications.forms.VersionForm", "performance_tolerance_percent", "5%", D("5")),
        ("changes.forms.BudgetLineForm", "amount", "1,250,000", D("1250000")),
        ("changes.forms.ToleranceItemForm", "budget_tolerance_amount", "1,500", D("1500")),
        ("slas.forms.SlaContentForm", "annual_charge", "48,500.00", D("48500")),
        ("slas.forms.ResultForm", "value", "1,500", D("1500")),
    ],
)
def test_every_number_field_takes_thousands_separators(form_path, field, typed, expected):
    from importlib import import_module

    module, name = form_path.rsplit(".", 1)
    form_class = getattr(import_module(module), name)
    assert form_class.base_fields[field].clean(typed) == expected
