"""Told when it is your turn, in the browser: a return goes to the commissioner, a query
comes back to the service by e-mail, whose link leads to the value to correct."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from performance.models import MonthlyReturn
from tests.performance.factories import make_version

pytestmark = [pytest.mark.browser]


def decide(page, code, choice):
    """Choose Accept or Query for one KPI's value on the review page (its radios are
    grouped under a legend naming the KPI)."""
    group = page.get_by_role("group", name=re.compile(rf"\b{code}\b"))
    group.get_by_label(choice, exact=True).check()


def test_a_return_and_its_query_reach_the_people_who_act_on_them(
    transactional_db,
    page_for,
    assert_accessible,
    live_server,
    settings,
    service_manager,
    commissioner,
):
    settings.SITE_URL = live_server.url  # the address e-mails link to
    make_version()

    manager = page_for(service_manager)
    manager.goto("/performance/returns/2016-06/")
    manager.get_by_label("Value for LIB01").fill("101")
    manager.get_by_label("Value for REG01 (per cent)").fill("91.5")
    manager.get_by_label("Value for REG05").fill("98")
    manager.get_by_role("button", name="Submit the return").click()
    manager.get_by_text("The June 2016 return has been submitted.").wait_for()

    # The commissioner sees it on home and in the notifications the header counts.
    page = page_for(commissioner)
    page.goto("/home/")
    review_group = page.locator("h2", has_text="Returns and reports to review")
    assert review_group.count() == 1
    assert page.get_by_role("link", name="June 2016 KPI return").count() == 1
    page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$")).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^June 2016 KPI return submitted")).click()
    assert page.url.endswith("/performance/returns/2016-06/review/")

    decide(page, "LIB01", "Query")
    decide(page, "REG01", "Accept")
    decide(page, "REG05", "Accept")
    page.get_by_label("Comment on LIB01 (needed to query)").fill("Check the door counters")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Your review of the June 2016 return has been saved.").wait_for()

    # The manager follows the e-mail's link to the queried value and corrects it.
    [email] = [m for m in mail.outbox if m.to == ["sm@example.org"]]
    assert "queried" in email.subject and "LIB01: Check the door counters" in email.body
    link = re.search(r"^Open it: (\S+)$", email.body, re.MULTILINE).group(1)
    assert link.startswith(live_server.url) and link.endswith("#kpi-LIB01")
    manager = page_for(service_manager)  # the e-mail's link opens a new window
    manager.goto(link)
    card = manager.locator("#kpi-LIB01")
    expect(card).to_be_visible()
    card.get_by_label("Value for LIB01").fill("110")
    card.get_by_label("What you changed in LIB01 and why").fill("A counter was double-counting")
    manager.get_by_role("button", name="Resubmit the corrected values").click()
    manager.get_by_text("The June 2016 return has been resubmitted.").wait_for()
    assert MonthlyReturn.objects.get().status == "submitted"
    assert MonthlyReturn.objects.get().values.get(kpi_code="LIB01").value == 110

    # Back with the commissioner: told again, once, never the manager about their own act.
    page.goto("/notifications/")
    page.get_by_role("link", name=re.compile("corrected and resubmitted")).wait_for()
    assert not [m for m in mail.outbox if m.to == ["sm@example.org"] and "resubmitted" in m.subject]


def test_the_notifications_settings_and_calendar_pages_pass_axe(
    transactional_db, page_for, assert_accessible, service_manager
):
    from cycle import services as cycle_services

    make_version()
    cycle_services.deadlines_generate(start_year=2016)
    page = page_for(service_manager)
    page.goto("/calendar/")
    assert page.locator("table").count() >= 1
    assert_accessible(page)
    page.goto("/notifications/settings/")
    assert_accessible(page)
    page.get_by_label("Reminders of your deadlines").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your e-mail choices have been saved.").wait_for()
    assert_accessible(page)
    page.goto("/home/")
    assert_accessible(page)
