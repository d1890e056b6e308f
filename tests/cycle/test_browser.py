"""The calendar and annual report pages in Chromium: they work and pass axe."""

import datetime

import pytest
from playwright.sync_api import expect

from cycle import services
from cycle.models import ReportStatus
from demo_data.report import sample_report_data

from .factories import make_deadline, make_report_ready_to_produce

pytestmark = [pytest.mark.browser]


@pytest.fixture
def published_report(commissioner, transactional_db):
    from unittest import mock

    from cycle import report as report_module

    make_report_ready_to_produce(2016)
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        report = services.annual_report_request(start_year=2016, kind="annual", by=commissioner)
    with mock.patch.object(
        report_module, "build_report_data", return_value=sample_report_data(kpi_count=6)
    ):
        services.annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED
    report = services.annual_report_approve(report=report, by=commissioner)
    return services.annual_report_publish(report=report, by=commissioner)


def test_service_manager_calendar_and_notifications_pass_axe(
    page_for, assert_accessible, service_manager, transactional_db
):
    make_deadline(due_on=datetime.date(2016, 7, 14))
    for reminder_id in services.reminders_sweep(today=datetime.date(2016, 7, 15)):
        services.reminder_send(reminder_id=reminder_id)
    page = page_for(service_manager)
    page.goto("/calendar/")
    assert page.locator("h1").inner_text() == "Commissioning calendar"
    expect(page.get_by_role("table", name="Overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Your notifications (1 unread)").click()
    expect(page.get_by_text("Overdue: June 2016 KPI return was due 14 July 2016")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("1 notification marked as read.")).to_be_visible()
    page.goto("/calendar/feed/")
    page.get_by_role("button", name="Create a calendar address").click()
    assert "/calendar/feed/" in page.get_by_label("Your secret calendar address").input_value()
    assert_accessible(page)


def test_administrator_rules_page_and_form_errors_pass_axe(
    page_for, assert_accessible, administrator, transactional_db
):
    page = page_for(administrator)
    page.goto("/calendar/rules/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a reminder").click()
    page.get_by_label("Days from the due date").fill("-3")
    page.get_by_label("Escalate to the board").check()
    page.get_by_role("button", name="Save the reminder").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)


def test_annual_report_pages_pass_axe(page_for, assert_accessible, commissioner, published_report):
    page = page_for(commissioner)
    page.goto(f"/annual-reports/manage/{published_report.pk}/")
    assert page.locator("strong.govuk-tag").inner_text() == "Published"
    assert_accessible(page)
    page.goto("/annual-reports/manage/")
    assert_accessible(page)
    public = page_for(None)
    public.goto("/annual-reports/")
    public.get_by_role("link", name="Annual report 2016/17").click()
    expect(public.get_by_role("heading", name="Annual report 2016/17")).to_be_visible()
    assert_accessible(public)
    response = public.request.get("/annual-reports/2016/pdf/")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"


def test_commissioner_records_an_obligation_with_no_record_met_and_the_pages_pass_axe(
    page_for, assert_accessible, commissioner, transactional_db
):
    deadline = make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    page = page_for(commissioner)
    page.goto(f"/calendar/deadlines/{deadline.pk}/")
    expect(page.get_by_role("heading", name="Record it as met")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record as met").click()
    expect(page.get_by_role("link", name="Enter who met it")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2017")
    page.get_by_label("Who met it").fill("The Strategic Board")
    page.get_by_label("Why you are recording it as met here").fill("Minute LRA-SB/2017/4")
    page.get_by_role("button", name="Record as met").click()
    expect(
        page.get_by_text("Review of the commissioning approach recorded as met.")
    ).to_be_visible()
    expect(page.get_by_text("The Strategic Board").first).to_be_visible()
    page.get_by_text("History of changes").click()
    assert_accessible(page)
