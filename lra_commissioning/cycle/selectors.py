"""Reads of the commissioning cycle, for the people asking. Fixed query counts."""

import datetime

from django.db.models import Q

from lra_commissioning.permissions import can

from .models import AnnualReport, Deadline, Reminder, ReminderStatus, ReportKind, ReportStatus


def deadlines_visible_to(user):
    qs = Deadline.objects.filter(withdrawn=False).select_related(
        "responsible_person", "financial_year", "met_by"
    )
    if can(user, "calendar.view_all"):
        return qs
    return qs.for_person(user)


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
    overdue = [d for d in deadlines if not d.is_met and d.due_on < today]
    upcoming = [d for d in deadlines if not d.is_met and d.due_on >= today]
    met = sorted((d for d in deadlines if d.is_met), key=lambda d: d.met_on, reverse=True)
    return {"overdue": overdue, "upcoming": upcoming, "met": met}


def deadline_visible(user, pk) -> Deadline | None:
    return deadlines_visible_to(user).filter(pk=pk).first()


def notifications_for(user, limit=200):
    return list(
        Reminder.objects.filter(recipient=user, status=ReminderStatus.SENT)
        .select_related("deadline")
        .order_by("-sent_at", "-id")[:limit]
    )


def unread_count(user) -> int:
    return Reminder.objects.filter(
        recipient=user, status=ReminderStatus.SENT, read_at__isnull=True
    ).count()


def feed_deadlines_for(user):
    """A person's own deadlines for their private feed (open and met)."""
    return list(
        Deadline.objects.filter(withdrawn=False)
        .for_person(user)
        .select_related("financial_year")
        .order_by("due_on")
    )


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
