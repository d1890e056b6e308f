"""In the browser: the support lead and a service manager agree an SLA; every page passes axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from slas.models import SLA, SlaStatus

from .factories import sla_in, support_service


@pytest.mark.browser
def test_support_lead_and_service_manager_agree_an_sla(
    transactional_db, page_for, assert_accessible, service_manager, support_lead
):
    ict = support_service("ICT", leads=[support_lead])
    sla = sla_in(SlaStatus.DRAFTING, service=ict, manager=service_manager, lead=support_lead)

    lead = page_for(support_lead)
    lead.goto(reverse("slas:index") + "?year=2016")
    assert_accessible(lead)
    lead.get_by_role("link", name="ICT").click()
    assert_accessible(lead)

    # The lead adds an escalation contact, with a mistake first.
    lead.get_by_role("link", name="Add an escalation contact").click()
    lead.get_by_label("Name").fill("")
    lead.get_by_role("button", name="Add the contact").click()
    expect(lead.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("The support service").check()
    lead.get_by_label("Name").fill("ICT Service Desk")
    lead.get_by_role("button", name="Add the contact").click()
    expect(lead.get_by_text("You added the escalation contact.")).to_be_visible()

    # The lead proposes it: proposing does not agree.
    lead.get_by_role("button", name="Propose the SLA to both parties").click()
    expect(lead.get_by_text("You proposed the SLA")).to_be_visible()
    lead.get_by_role("button", name="Agree the SLA for the support service").click()
    expect(lead.get_by_text("You agreed the SLA for the support service.")).to_be_visible()
    assert_accessible(lead)
    sla.refresh_from_db()
    assert sla.status == SlaStatus.PROPOSED

    manager = page_for(service_manager)
    manager.goto(reverse("home"))
    manager.get_by_role("link", name="ICT SLA 2016/17").click()
    manager.get_by_role("button", name="Agree the SLA for the LRA service").click()
    expect(manager.get_by_text("Both sides have agreed the SLA.")).to_be_visible()
    assert_accessible(manager)
    sla.refresh_from_db()
    assert sla.status == SlaStatus.AGREED
    assert (sla.service_agreed_by, sla.support_agreed_by) == (service_manager, support_lead)

    manager.get_by_role("button", name="Put the SLA in force").click()
    expect(manager.get_by_text("The SLA is in force.")).to_be_visible()

    # The lead reports a breach and explains it; the chart and table show it.
    # page_for signs the shared test client in afresh, which ends the other session.
    lead = page_for(support_lead)
    lead.goto(reverse("slas:performance", args=[sla.pk]))
    assert_accessible(lead)
    lead.get_by_role(
        "link", name="Report a result for P1 incidents resolved within 4 working hours"
    ).click()
    lead.get_by_label("Reporting period").select_option(label="Q1 2016/17")
    lead.get_by_label("Result").fill("91.5")
    lead.get_by_role("button", name="Report the result").click()
    expect(lead.get_by_text("add a commentary")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("Commentary on the breach").fill("A switch failed at the Central Library.")
    lead.get_by_role("button", name="Save the result").click()
    assert lead.locator("svg[role=img]").count() == 1
    expect(lead.get_by_role("cell", name="Breached")).to_be_visible()
    assert_accessible(lead)

    manager = page_for(service_manager)
    manager.goto(reverse("slas:overview") + "?year=2016")
    assert_accessible(manager)
    # Drafting forms: start next year's SLA and open its service-level form.
    manager.goto(reverse("slas:detail", args=[sla.pk]))
    manager.get_by_role("button", name="Start next year's SLA as a copy").click()
    expect(manager.get_by_text("You started the ICT SLA 2017/18")).to_be_visible()
    manager.get_by_role("link", name="Add a service level").click()
    manager.get_by_role("button", name="Save the service level").click()
    expect(manager.get_by_text("Enter what is measured").first).to_be_visible()
    assert_accessible(manager)
    manager.goto(reverse("slas:edit", args=[SLA.objects.get(financial_year__start_year=2017).pk]))
    assert_accessible(manager)
    manager.goto(
        reverse(
            "slas:responsibility_add", args=[SLA.objects.get(financial_year__start_year=2017).pk]
        )
    )
    assert_accessible(manager)
