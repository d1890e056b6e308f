"""What this app asks of a signed-in person: see lra_commissioning.attention.

Head of service: notices to acknowledge. Board: budgets to agree.
Commissioner: next year's funding confirmation when due (from 1 October) or
overdue, agreed budgets to confirm, unexplained exceptions. Service manager:
exceptions needing explanation. Each at a fixed number of queries.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates
from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from . import selectors
from .models import BudgetNotice, BudgetVersion, FundingConfirmation, VersionStatus
from .templatetags.funding_tags import signed_pounds

CONFIRMATION_SHOWN_FROM_MONTH = 10  # 1 October before the 31 December deadline


def _latest_exceptions():
    month = selectors.latest_monitored_month()
    if month is None:
        return None, []
    report = selectors.monitoring_report(month=month)
    return month, report.unexplained if report else []


def items_for(user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    items = []
    if can(user, Perm.BUDGET_NOTICE_ACKNOWLEDGE):
        for notice in BudgetNotice.objects.filter(acknowledged_at__isnull=True).select_related(
            "version"
        ):
            items.append(
                AttentionItem(
                    group="Budget notices to acknowledge",
                    title=f"{notice.get_kind_display()}: budget version {notice.version.number}",
                    url=reverse("funding:notice_detail", kwargs={"pk": notice.pk}),
                    status="To acknowledge",
                )
            )
    if can(user, Perm.BUDGET_AGREE):
        for version in BudgetVersion.objects.filter(status=VersionStatus.PROPOSED):
            items.append(
                AttentionItem(
                    group="Budgets to agree",
                    title=f"Budget version {version.number}, {version.years_label}",
                    url=reverse("funding:version_decide", kwargs={"number": version.number}),
                    status="With the board",
                )
            )
    if can(user, Perm.BUDGET_DRAFT):
        next_year = dates.financial_year_of(today) + 1
        due = selectors.confirmation_due(next_year)
        shown_from = datetime.date(next_year - 1, CONFIRMATION_SHOWN_FROM_MONTH, 1)
        if (
            today >= shown_from
            and not FundingConfirmation.objects.filter(start_year=next_year).exists()
        ):
            items.append(
                AttentionItem(
                    group="Funding to confirm",
                    title=f"Confirm {dates.financial_year_label(next_year)} funding to the service",
                    url=reverse("funding:index"),
                    due=due,
                    status="Overdue" if today > due else "Due",
                    overdue=today > due,
                    key=f"funding_confirmation:{next_year}",
                )
            )
        for version in BudgetVersion.objects.filter(status=VersionStatus.AGREED):
            items.append(
                AttentionItem(
                    group="Funding to confirm",
                    title=f"Budget version {version.number} agreed: confirm it to the service",
                    url=reverse("funding:version_detail", kwargs={"number": version.number}),
                    status="Agreed",
                )
            )
    if can(user, Perm.BUDGET_DRAFT) or can(user, Perm.BUDGET_MONITOR):
        month, unexplained = _latest_exceptions()
        group = (
            "Budget exceptions needing your explanation"
            if can(user, Perm.BUDGET_MONITOR)
            else "Budget exceptions not yet explained"
        )
        for row in unexplained:
            items.append(
                AttentionItem(
                    group=group,
                    title=f"{row.label}, {month:%B %Y}: forecast variance "
                    f"{signed_pounds(row.forecast_variance)}",
                    url=reverse(
                        "funding:exception_explain"
                        if can(user, Perm.BUDGET_MONITOR)
                        else "funding:monitoring_month",
                        kwargs={"year": month.year, "month": month.month}
                        | ({"category": row.category} if can(user, Perm.BUDGET_MONITOR) else {}),
                    ),
                    status="Outside tolerance",
                )
            )
    return items
