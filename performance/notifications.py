"""Who is told when performance work moves to them (see lra_commissioning.notifications).

One function per transition, called once by its service inside the
transaction; each names the people who now have to act and the page where
they do it. The event key carries the transition's time, so a return queried
twice tells the service twice, and a repeated call tells nobody twice.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm


def _stamp(when) -> str:
    return when.isoformat() if when else ""


def return_submitted(monthly_return, *, by, resubmitted=False, now=None):
    """Submitted or corrected: the commissioners review it."""
    what = "corrected and resubmitted" if resubmitted else "submitted"
    late = " (late)" if monthly_return.is_late and not resubmitted else ""
    notify(
        event=f"kpi_return:{monthly_return.key}:{'resubmitted' if resubmitted else 'submitted'}:"
        f"{_stamp(now or monthly_return.submitted_at)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.KPI_RETURN_REVIEW),
        title=f"{monthly_return} {what}{late}: review it",
        url=reverse("performance:review", args=[monthly_return.key]),
        by=by,
    )


def value_revised(kpi_return, monthly_return, *, by, now):
    """An accepted value changed with a reason: the commissioners review it again."""
    notify(
        event=f"kpi_value:{kpi_return.pk}:revised:{_stamp(now)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.KPI_RETURN_REVIEW),
        title=f"{kpi_return.kpi_code} revised in the {monthly_return}: review it again",
        url=reverse("performance:review", args=[monthly_return.key]),
        by=by,
    )


def values_queried(monthly_return, queried, *, by, now):
    """The review queried values: the service corrects them (the link opens the first)."""
    codes = [v.kpi_code for v in queried]
    count = len(codes)
    notify(
        event=f"kpi_return:{monthly_return.key}:queried:{_stamp(now)}",
        kind=K.RETURNED,
        recipients=people_who_can(Perm.KPI_RETURN_ENTER),
        title=f"{monthly_return}: {count} value{'s' if count != 1 else ''} queried "
        f"({', '.join(codes)}): correct and resubmit",
        body="\n".join(f"{v.kpi_code}: {v.review_comment}" for v in queried),
        url=reverse("performance:return", args=[monthly_return.key]) + f"#kpi-{codes[0]}",
        by=by,
    )


def report_submitted(report, *, by):
    notify(
        event=f"management_report:{report.key}:submitted:{_stamp(report.submitted_at)}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.MANAGEMENT_REPORT_REVIEW),
        title=f"{report} submitted{' (late)' if report.is_late else ''}: review it",
        url=reverse("performance:report", args=[report.key]),
        by=by,
    )


def escalation_raised(escalation, *, by):
    """A risk escalated to the board: the board members respond."""
    notify(
        event=f"escalation:{escalation.pk}:raised",
        kind=K.RISK_ESCALATION,
        recipients=people_who_can(Perm.ESCALATION_RESPOND),
        title=f"Escalated to the board: {escalation.title}",
        body=escalation.description,
        url=reverse("performance:escalation", args=[escalation.pk]),
        by=by,
    )


def escalation_answered(escalation, *, by):
    """The board's response goes back to whoever raised the risk."""
    notify(
        event=f"escalation:{escalation.pk}:responded",
        kind=K.RISK_ESCALATION,
        recipients=[escalation.raised_by] if escalation.raised_by_id else [],
        title=f"The board has responded to your escalation: {escalation.title}",
        body=escalation.board_response,
        url=reverse("performance:escalation", args=[escalation.pk]),
        by=by,
    )
