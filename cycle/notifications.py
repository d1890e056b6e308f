"""Who is told when work on an annual report or the review moves to them.

One function per transition, called once by its service inside the
transaction (see lra_commissioning.notifications). The event key carries the
transition's time, so a report returned twice tells the service twice.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm


def _stamp(when) -> str:
    return when.isoformat() if when else ""


def report_started(report, *, by, now):
    """The commissioner opened the year's report: the service writes its parts."""
    notify(
        event=f"annual_report:{report.pk}:started:{_stamp(now)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.ANNUAL_REPORT_WRITE, report),
        title=f"{report}: write the service's parts (foreword, outcomes, business plan)",
        url=reverse("cycle:report", args=[report.pk]),
        by=by,
    )


def report_submitted(report, *, by, now):
    """The service sent its draft: the commissioners assess it."""
    notify(
        event=f"annual_report:{report.pk}:submitted:{_stamp(now)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.ANNUAL_REPORT_ASSESS, report),
        title=f"{report} sent by the service: add your assessment",
        url=reverse("cycle:report", args=[report.pk]),
        by=by,
    )


def report_returned(report, *, by, now):
    """The commissioner returned the draft: the service revises it."""
    notify(
        event=f"annual_report:{report.pk}:returned:{_stamp(now)}",
        kind=K.RETURNED,
        recipients=people_who_can(Perm.ANNUAL_REPORT_WRITE, report),
        title=f"{report} returned to the service: revise it",
        body=report.return_comment,
        url=reverse("cycle:report", args=[report.pk]),
        by=by,
    )


def review_needs_service_input(review, *, by, now):
    """The review of the approach was opened: the service gives its input."""
    notify(
        event=f"approach_review:{review.pk}:opened:{_stamp(now)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.APPROACH_REVIEW_CONTRIBUTE, review),
        title=f"{review}: add the service's input",
        url=reverse("cycle:approach_review", args=[review.financial_year.start_year]),
        by=by,
    )
