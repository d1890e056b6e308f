"""The board's records for tests, built through the services as people build them."""

import datetime

from django.utils import timezone

from board import services
from board.models import Membership, Position
from changes import services as change_services
from cycle.models import (
    AnnualReport,
    Deadline,
    DeadlineKind,
    ReportKind,
    ReportStatus,
)
from funding import services as funding_services
from lra_commissioning import dates
from lra_commissioning.models import FinancialYear
from lra_commissioning.roles import Role
from performance import services as performance_services
from specifications import services as spec_services
from tests.changes.factories import in_force, raise_change
from tests.funding.factories import draft as budget_draft
from tests.specifications.factories import draft_version

START = datetime.date(2016, 4, 1)


def member(user, position, *, by, starts_on=START, title=""):
    return services.membership_add(
        user=user, position=position, title=title, starts_on=starts_on, by=by
    )


def board_of(*, cabinet, director, administrator, head=None):
    """The default board: a Cabinet Member, a Corporate Director (and the head of service)."""
    members = [
        member(cabinet, Position.CABINET_MEMBER, by=administrator),
        member(director, Position.CORPORATE_DIRECTOR, by=administrator),
    ]
    if head is not None:
        members.append(member(head, Position.HEAD_OF_SERVICE, by=administrator))
    return members


def schedule(commissioner, *, on=None, today=None, location="Sessions House"):
    on = on or timezone.localdate()
    return services.meeting_schedule(
        date=on,
        starts_at=datetime.time(10, 0),
        location=location,
        by=commissioner,
        today=today or min(on, timezone.localdate()),
    )


def all_present(meeting, board_member, *, today=None):
    return services.attendance_record(
        meeting=meeting,
        statuses={m.pk: "present" for m in Membership.objects.active_on(meeting.date)},
        by=board_member,
        today=today,
    )


def one_of_each(*, commissioner, service_manager, head_of_service, board_member, today=None):
    """One record of every kind that waits for the board. Returns their subject keys."""
    today = today or timezone.localdate()
    in_force(commissioner, board_member, head_of_service)  # 2016/17 version 1.0
    next_year = draft_version(commissioner, start_year=2027)
    spec_services.version_submit(version=next_year, by=commissioner)
    budget = budget_draft(commissioner)
    funding_services.budget_version_propose(version=budget, by=commissioner)
    change = raise_change(commissioner, fundamental=True, title="Reduce archive hours")
    change_services.change_request_submit(change=change, by=commissioner)
    idea = change_services.idea_propose(
        title="Wedding fairs",
        description="Hold wedding fairs in register offices.",
        benefits="Income.",
        costs="Staff time.",
        risks="Low take-up.",
        by=service_manager,
    )
    escalation = performance_services.escalation_raise(
        title="Fee income forecast below budget",
        kind="financial",
        description="Ceremony bookings are down.",
        by=service_manager,
    )
    last_year = FinancialYear.objects.get_or_create(start_year=dates.financial_year_of(today) - 1)[
        0
    ]
    report = AnnualReport.objects.create(
        financial_year=last_year, kind=ReportKind.ANNUAL, status=ReportStatus.GENERATED
    )
    review = Deadline.objects.create(
        key=f"approach_review:{last_year.start_year}",
        kind=DeadlineKind.APPROACH_REVIEW,
        title="Review of the commissioning approach",
        financial_year=last_year,
        due_on=today + datetime.timedelta(days=30),
        responsible_role=Role.COMMISSIONER,
    )
    quarter_end = _last_quarter_start(today)
    return {
        "specification_version": f"specification_version:{next_year.pk}",
        "budget_version": f"budget_version:{budget.pk}",
        "change_request": f"change_request:{change.pk}",
        "service_idea": f"service_idea:{idea.pk}",
        "escalation": f"escalation:{escalation.pk}",
        "performance_quarter": f"performance_quarter:{quarter_end:%Y-%m}",
        "annual_report": f"annual_report:{report.pk}",
        "approach_review": f"approach_review:{review.pk}",
    }


def _last_quarter_start(today):
    this = dates.quarter_of(today)
    return dates.quarter_of(this.start - datetime.timedelta(days=1)).start
