"""The cabinet committee's record, the 12-month review of the approach, and the demo's fill."""

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest

from cycle import demo_reports, services
from cycle.models import (
    AnnualReport,
    ApproachReviewStatus,
    Deadline,
    ReportStatus,
)
from lra_commissioning.models import Notification
from lra_commissioning.workflow import DomainError

from .factories import make_deadline
from .report_scenario import build_year


@pytest.fixture
def year(commissioner, service_manager, head_of_service, board_member):
    return build_year(
        commissioner=commissioner, manager=service_manager, head=head_of_service, board=board_member
    )


@pytest.fixture
def ctx(commissioner, service_manager, head_of_service, board_member):
    people = [commissioner, service_manager, head_of_service, board_member]
    return SimpleNamespace(
        users={p.email: p for p in people},
        commissioner=commissioner,
        manager=service_manager,
        board=board_member,
    )


# The 12-month review ------------------------------------------------------------------


def test_the_review_is_a_record_and_completing_it_meets_its_deadline(
    year, commissioner, service_manager, board_member
):
    make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    review = services.approach_review_save(
        start_year=2016, scope="The first twelve months.", by=commissioner
    )
    # The service is asked for its input.
    asked = Notification.objects.get(recipient=service_manager, title__contains="Review")
    assert asked.url == "/commissioning-approach/reviews/2016/"
    with pytest.raises(DomainError, match="the service's input; the findings; the recommend"):
        services.approach_review_complete(review=review, by=commissioner)
    services.approach_review_add_service_input(
        review=review, service_input="Returns take two days.", by=service_manager
    )
    review = services.approach_review_save(
        start_year=2016,
        scope="The first twelve months.",
        findings="It works.",
        recommendations="Fewer activity KPIs.",
        by=commissioner,
    )
    with pytest.raises(DomainError, match="cannot have considered it in the future"):
        services.approach_review_record_consideration(
            review=review,
            board_considered_on=datetime.date(2017, 3, 10),
            board_conclusion="Endorsed.",
            committee="Cabinet committee",
            committee_considered_on=datetime.date(2017, 3, 20),
            committee_conclusion="Noted.",
            by=commissioner,
            today=datetime.date(2017, 3, 15),
        )
    services.approach_review_record_consideration(
        review=review,
        board_considered_on=datetime.date(2017, 3, 10),
        board_conclusion="Endorsed.",
        committee="Cabinet committee",
        committee_considered_on=datetime.date(2017, 3, 20),
        committee_conclusion="Noted.",
        by=commissioner,
    )
    assert Deadline.objects.get(key="approach_review:2016").met_on is None
    review = services.approach_review_complete(review=review, by=commissioner)
    assert review.status == ApproachReviewStatus.COMPLETED
    deadline = Deadline.objects.get(key="approach_review:2016")
    assert deadline.met_on == datetime.date(2017, 3, 20) and deadline.met_by == commissioner
    with pytest.raises(DomainError, match="completed"):
        services.approach_review_add_service_input(
            review=review, service_input="More.", by=service_manager
        )


def test_the_review_page_shows_the_record_to_the_service_and_its_link_from_the_calendar(
    year, client, commissioner, service_manager, support_lead
):
    services.approach_review_save(
        start_year=2016, scope="The first twelve months.", by=commissioner
    )
    client.force_login(service_manager)
    page = client.get("/commissioning-approach/reviews/2016/").content.decode()
    assert "The first twelve months." in page
    assert "Add the service's input" in page
    response = client.post(
        "/commissioning-approach/reviews/2016/service-input/", {"service_input": ""}
    )
    assert "Enter the service&#x27;s input" in response.content.decode()
    client.force_login(support_lead)
    assert client.get("/commissioning-approach/reviews/2016/").status_code == 403


# The cabinet committee report -------------------------------------------------------


def _produce_cabinet(commissioner):
    with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
        report = services.annual_report_request(
            start_year=2016, kind="cabinet", by=commissioner, today=datetime.date(2017, 5, 1)
        )
    services.annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    return services.annual_report_approve(report=report, by=commissioner)


def test_the_committee_record_is_published_with_the_annual_report(year, ctx, client, commissioner):
    cabinet = _produce_cabinet(commissioner)
    with pytest.raises(DomainError, match="once the meeting has taken place"):
        services.cabinet_report_record_committee(
            report=cabinet,
            committee="Cabinet committee",
            meeting_on=datetime.date(2017, 7, 12),
            recommendation="Note the report.",
            resolution="Noted.",
            by=commissioner,
            today=datetime.date(2017, 7, 1),
        )
    annual = demo_reports.demo_fill_annual_report(ctx, 2016)
    assert annual.status == ReportStatus.PUBLISHED
    page = client.get("/annual-reports/2016/").content.decode()
    assert "Considered by the" not in page
    services.cabinet_report_record_committee(
        report=cabinet,
        committee="Communities Cabinet Committee",
        meeting_on=datetime.date(2017, 7, 12),
        recommendation="Note the report.",
        resolution="The committee noted the report and asked for an update.",
        by=commissioner,
    )
    page = client.get("/annual-reports/2016/").content.decode()
    assert "Considered by the Communities Cabinet Committee on 12 July 2017" in page
    assert "The committee noted the report and asked for an update." in page
    pdf = client.get("/annual-reports/2016/committee-report/pdf/")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


# The demo's fill -------------------------------------------------------------------


def test_the_demo_fills_a_finished_year_through_the_services_and_twice_is_once(year, ctx, client):
    make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    report = demo_reports.demo_fill_annual_report(ctx, 2016)
    again = demo_reports.demo_fill_annual_report(ctx, 2016)
    assert report.pk == again.pk and again.status == ReportStatus.PUBLISHED
    assert AnnualReport.objects.count() == 1
    chapter = report.outcomes.get()
    assert chapter.narrative and chapter.assessment and chapter.case_study
    assert all(a.delivery for a in report.action_returns.all())
    page = client.get("/annual-reports/2016/").content.decode()
    assert "thank our staff and our volunteers" in page
    cabinet = demo_reports.demo_fill_cabinet_report(ctx, 2016)
    assert cabinet.resolution and cabinet.committee_meeting_on
    review = demo_reports.demo_fill_approach_review(ctx, 2016)
    assert demo_reports.demo_fill_approach_review(ctx, 2016).pk == review.pk
    assert review.status == ApproachReviewStatus.COMPLETED
    assert Deadline.objects.get(key="approach_review:2016").met_on == datetime.date(2017, 3, 25)
