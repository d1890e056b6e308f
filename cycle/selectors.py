"""Reads of the commissioning cycle, for the people asking. Fixed query counts."""

import datetime

from django.db.models import Q

from lra_commissioning.permissions import Perm, can

from .links import record_urls
from .models import AnnualReport, Deadline, Reminder, ReportKind, ReportStatus


def deadlines_visible_to(user):
    """Every deadline for those who see the whole calendar; otherwise one's own, and
    those one has been reminded of or had escalated to one (a board member opens
    the deadline their escalation was about)."""
    qs = Deadline.objects.filter(withdrawn=False).select_related(
        "responsible_person", "financial_year", "met_by"
    )
    if can(user, Perm.CALENDAR_VIEW_ALL):
        return qs
    reminded = Reminder.objects.filter(recipient=user).values("deadline_id")
    return qs.filter(Q(pk__in=Deadline.objects.for_person(user).values("pk")) | Q(pk__in=reminded))


def calendar_for(user, *, today: datetime.date, show_all: bool, start_year: int | None):
    qs = (
        deadlines_visible_to(user)
        if show_all
        else (
            Deadline.objects.filter(withdrawn=False)
            .select_related("responsible_person", "financial_year", "met_by")
            .for_person(user)
        )
    )
    if start_year is not None:
        qs = qs.filter(financial_year__start_year=start_year)
    deadlines = list(qs.order_by("due_on", "id"))
    urls = record_urls(user, deadlines)
    for d in deadlines:
        d.record_url = urls[d.pk]
    overdue = [d for d in deadlines if not d.is_met and d.due_on < today]
    upcoming = [d for d in deadlines if not d.is_met and d.due_on >= today]
    met = sorted((d for d in deadlines if d.is_met), key=lambda d: d.met_on, reverse=True)
    return {"overdue": overdue, "upcoming": upcoming, "met": met}


def deadline_visible(user, pk) -> Deadline | None:
    return deadlines_visible_to(user).filter(pk=pk).first()


def feed_deadlines_for(user):
    """A person's own deadlines for their private feed (open and met), each with
    `record_url`: the page of its record this person can open."""
    deadlines = list(
        Deadline.objects.filter(withdrawn=False)
        .for_person(user)
        .select_related("financial_year")
        .order_by("due_on")
    )
    urls = record_urls(user, deadlines)
    for d in deadlines:
        d.record_url = urls[d.pk]
    return deadlines


def public_feed_deadlines():
    from .models import PUBLIC_KINDS

    return list(
        Deadline.objects.filter(withdrawn=False, kind__in=PUBLIC_KINDS)
        .select_related("financial_year")
        .order_by("due_on")
    )


def reports_for_staff():
    return list(
        AnnualReport.objects.select_related(
            "financial_year", "requested_by", "approved_by", "published_by"
        ).order_by("-financial_year__start_year", "kind")
    )


def public_home_facts() -> dict:
    """For the public home page (registered in apps.py): is any annual report published?"""
    return {"annual_reports_published": bool(published_annual_reports())}


def published_annual_reports():
    return list(
        AnnualReport.objects.filter(kind=ReportKind.ANNUAL, status=ReportStatus.PUBLISHED)
        .select_related("financial_year")
        .order_by("-financial_year__start_year")
    )


def published_annual_report(start_year: int) -> AnnualReport | None:
    return (
        AnnualReport.objects.filter(
            Q(kind=ReportKind.ANNUAL, status=ReportStatus.PUBLISHED),
            financial_year__start_year=start_year,
        )
        .select_related("financial_year")
        .first()
    )


def approach_reviews():
    from .models import ApproachReview

    return list(ApproachReview.objects.select_related("financial_year"))


def approach_review_for(start_year: int):
    from .models import ApproachReview

    return (
        ApproachReview.objects.select_related("financial_year", "created_by", "completed_by")
        .filter(financial_year__start_year=start_year)
        .first()
    )


def approach_review_years() -> list[int]:
    """The years the review of the approach is due for (its deadlines), and any reviewed."""
    from .models import ApproachReview, DeadlineKind

    keyed = set(
        Deadline.objects.filter(kind=DeadlineKind.APPROACH_REVIEW).values_list(
            "financial_year__start_year", flat=True
        )
    )
    keyed |= set(ApproachReview.objects.values_list("financial_year__start_year", flat=True))
    return sorted(keyed)


def published_cabinet_report(start_year: int):
    """The cabinet committee report for a year once its resolution is recorded."""
    return (
        AnnualReport.objects.filter(
            kind=ReportKind.CABINET,
            financial_year__start_year=start_year,
            status=ReportStatus.APPROVED,
        )
        .exclude(resolution="")
        .exclude(committee_meeting_on__isnull=True)
        .select_related("financial_year")
        .first()
    )
