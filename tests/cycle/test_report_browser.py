"""The annual report in Chromium: the service drafts it, the commissioner assesses,
produces, approves and publishes it, and a visitor reads it. Every page passes axe."""

from unittest import mock

import pytest
from playwright.sync_api import expect

from cycle import services
from cycle.models import AnnualReport

from .report_scenario import build_year

pytestmark = [pytest.mark.browser]


def test_the_service_drafts_the_commissioner_publishes_and_a_visitor_reads_it(
    page_for,
    assert_accessible,
    commissioner,
    service_manager,
    head_of_service,
    board_member,
    transactional_db,
):
    build_year(
        commissioner=commissioner, manager=service_manager, head=head_of_service, board=board_member
    )
    # The commissioner opens the year's report for the service.
    c = page_for(commissioner)
    c.goto("/annual-reports/manage/")
    assert_accessible(c)
    c.get_by_label("Financial year of the annual report to start").select_option(label="2016/17")
    c.get_by_role("button", name="Start the annual report").click()
    expect(c.get_by_text("started: the service writes its parts")).to_be_visible()

    # The head of service writes the foreword, the outcome and the report back.
    s = page_for(head_of_service)
    s.goto("/annual-reports/manage/")
    s.get_by_role("link", name="Annual report 2016/17").click()
    report_url = s.url
    assert_accessible(s)
    s.get_by_role("link", name="Write the foreword").click()
    s.get_by_role("button", name="Save the foreword").click()
    expect(s.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(s)
    s.get_by_label("Foreword").fill("A year of new beginnings for our libraries.")
    s.get_by_role("button", name="Save the foreword").click()
    s.get_by_role("link", name="Write the account of O1").click()
    s.get_by_label("What the service did for this outcome").fill(
        "Visits grew in every library after the reading programme began."
    )
    s.get_by_label("Highlights (optional)").fill("Ashford library opened")
    s.get_by_role("button", name="Save this outcome").click()
    s.get_by_role("link", name="Report back on Open the new library in Ashford").click()
    s.get_by_label("Partly delivered").check()
    s.get_by_role("button", name="Save the report back").click()
    expect(s.get_by_text("Say what was not delivered and why").first).to_be_visible()
    assert_accessible(s)
    s.get_by_label("Comment").fill("Opened in March, two months late.")
    s.get_by_role("button", name="Save the report back").click()
    s.get_by_role("button", name="Send to the commissioner").click()
    expect(s.get_by_text("sent to the commissioner")).to_be_visible()

    # The commissioner assesses, produces, approves and publishes it.
    c.goto(report_url)
    c.get_by_role("link", name="Assess O1").click()
    c.get_by_label("Your assessment").fill("Visits are ahead of the part-year target.")
    c.get_by_role("button", name="Save the assessment").click()
    c.get_by_role("link", name="Write the overall assessment").click()
    c.get_by_label("Your overall assessment of the year").fill("A promising first half year.")
    c.get_by_role("button", name="Save the assessment").click()
    assert_accessible(c)
    c.goto("/annual-reports/manage/")
    c.locator("#id_start_year").select_option(label="2016/17")
    c.get_by_label("Annual report", exact=True).check()
    # Rendered in the background: here, by the test once the page has queued it.
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        c.get_by_role("button", name="Produce the report").click()
        expect(c.get_by_text("Annual report 2016/17 is being produced.")).to_be_visible()
    report = AnnualReport.objects.get(kind="annual", financial_year__start_year=2016)
    assert services.annual_report_render(report_id=report.pk) is True
    c.goto(report_url)
    c.get_by_role("button", name="Approve the report").click()
    c.get_by_role("button", name="Publish on the public site").click()
    assert c.locator("strong.govuk-tag").first.inner_text() == "Published"

    # A visitor reads it.
    v = page_for(None)
    v.goto("/annual-reports/2016/")
    expect(v.get_by_text("A year of new beginnings for our libraries.")).to_be_visible()
    expect(v.get_by_text("A promising first half year.")).to_be_visible()
    expect(v.get_by_role("heading", name="Escalations to the board")).to_be_visible()
    expect(v.get_by_role("table", name="Budget against outturn, 2016/17")).to_be_visible()
    assert_accessible(v)
