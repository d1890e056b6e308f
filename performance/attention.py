"""What this app asks of a signed-in person: see lra_commissioning.attention.

A fixed number of queries per role, whatever the data.
"""

from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from . import periods, selectors
from .models import (
    Action,
    ActionStatus,
    Escalation,
    EscalationStatus,
    KpiReturn,
    ManagementReport,
    MonthlyReturn,
    PlanStatus,
    ReportStatus,
    ReturnStatus,
    ValueStatus,
)


def _commissioner(today):
    items = []
    for r in MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).order_by("month")[:12]:
        items.append(
            AttentionItem(
                "Returns and reports to review",
                str(r),
                reverse("performance:review", args=[r.key]),
                r.due_on,
                "Late" if r.is_late else "Submitted",
                r.is_late,
                key=f"kpi_return:{r.key}",
            )
        )
    for r in ManagementReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("month")[:12]:
        items.append(
            AttentionItem(
                "Returns and reports to review",
                str(r),
                reverse("performance:report", args=[r.key]),
                r.due_on,
                "Submitted",
                key=f"management_report:{r.key}",
            )
        )
    month = selectors.default_month(today)
    _version, rows = selectors.kpi_rows(month=month, today=today)
    for row in rows:
        if row.rating.colour in ("red", "out_of_range") or row.rating.outside_tolerance:
            items.append(
                AttentionItem(
                    f"KPIs out of tolerance in {month:%B %Y}",
                    f"{row.kpi.code} {row.kpi.title}",
                    reverse("performance:kpi", args=[row.kpi.code]) + f"?month={month:%Y-%m}",
                    status=row.rating.label,
                )
            )
    items.extend(_overdue(today))
    return items


def _overdue(today):
    """Months whose return is past due and not submitted (this year and last): the
    commissioners chase them.

    An unsubmitted return is still the service's, so the item leads to the
    status board of its year ("who owes what"), not to the return itself.
    """
    start = dates.financial_year_start(dates.financial_year_of(today) - 1)
    submitted = set(
        MonthlyReturn.objects.filter(month__gte=start)
        .exclude(status=ReturnStatus.DRAFT)
        .values_list("month", flat=True)
    )
    first = selectors.month_choices(today)
    n = periods.due_working_days()
    items = []
    for month in first[:24]:
        if month < start or month in submitted:
            continue
        due = periods.due_date(month, n)
        if due < today:
            items.append(
                AttentionItem(
                    "Overdue returns to chase",
                    f"{month:%B %Y} KPI return",
                    reverse("performance:status") + f"?year={dates.financial_year_of(month)}",
                    due,
                    "Overdue",
                    True,
                    key=f"kpi_return:{month:%Y-%m}",
                )
            )
    return items


def _service_manager(today):
    items = []
    month = dates.add_months(today, -1)
    n = periods.due_working_days()
    key = f"{month:%Y-%m}"
    ret = MonthlyReturn.objects.filter(month=month).first()
    report = ManagementReport.objects.filter(month=month).first()
    due = periods.due_date(month, n)
    items.append(
        AttentionItem(
            "This month's return and report",
            f"{month:%B %Y} KPI return",
            reverse("performance:return", args=[key]),
            due,
            ret.get_status_display() if ret else "Not started",
            due < today and (not ret or ret.status == ReturnStatus.DRAFT),
            key=f"kpi_return:{key}",
        )
    )
    items.append(
        AttentionItem(
            "This month's return and report",
            f"{month:%B %Y} management report",
            reverse("performance:report", args=[key]),
            due,
            report.get_status_display() if report else "Not started",
            due < today and (not report or report.status == ReportStatus.DRAFT),
            key=f"management_report:{key}",
        )
    )
    for v in KpiReturn.objects.filter(status=ValueStatus.QUERIED).select_related(
        "monthly_return", "kpi"
    )[:50]:
        items.append(
            AttentionItem(
                "Queried values to correct",
                f"{v.kpi_code} {v.kpi.title}, {v.monthly_return.month:%B %Y}",
                reverse("performance:return", args=[v.monthly_return.key]) + f"#kpi-{v.kpi_code}",
                status="Queried",
            )
        )
    for a in (
        Action.objects.filter(plan__status=PlanStatus.OPEN, due_on__lt=today)
        .exclude(status=ActionStatus.DONE)
        .select_related("plan")[:50]
    ):
        items.append(
            AttentionItem(
                "Action plans with overdue actions",
                f"{a.plan.kpi_code}: {a.description[:80]}",
                reverse("performance:plan", args=[a.plan_id]),
                a.due_on,
                "Overdue",
                True,
                key=f"action:{a.pk}",
            )
        )
    return items


def _board():
    return [
        AttentionItem(
            "Escalations to answer",
            e.title,
            reverse("performance:escalation", args=[e.pk]),
            status="Open",
        )
        for e in Escalation.objects.filter(status=EscalationStatus.OPEN)[:50]
    ]


def items_for(user):
    today = timezone.localdate()
    items = []
    if can(user, Perm.KPI_RETURN_REVIEW):
        items.extend(_commissioner(today))
    if can(user, Perm.KPI_RETURN_ENTER):
        items.extend(_service_manager(today))
    if can(user, Perm.ESCALATION_RESPOND):
        items.extend(_board())
    return items
