"""Where each performance obligation's work is, for the person asking (see
lra_commissioning.links). Registered in apps.py.

A return or report opens for the service managers in every state and for the
others once submitted; until then they are led to "who owes what" for its year,
which shows the month as due or missing. A month still to come has nothing to
enter yet: its return and report lead to that board too.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates, links
from lra_commissioning.permissions import Perm, can

from .models import Action, ManagementReport, MonthlyReturn, ReturnStatus


def _months(keys) -> dict[str, datetime.date]:
    found = {}
    for key in keys:
        try:
            found[key] = datetime.datetime.strptime(links.split_key(key)[0], "%Y-%m").date()
        except (IndexError, ValueError):
            continue
    return found


def _begun(month) -> bool:
    """A month's return and report pages open from the month itself on."""
    return month <= timezone.localdate().replace(day=1)


def _status_board(month) -> str:
    return reverse("performance:status") + f"?year={dates.financial_year_of(month)}"


def kpi_return_links(user, keys):
    """kpi_return:<YYYY-MM>: the return (its review for a commissioner while it waits)."""
    if not can(user, Perm.PERFORMANCE_VIEW):
        return {}
    months = _months(keys)
    returns = {r.month: r for r in MonthlyReturn.objects.filter(month__in=set(months.values()))}
    found = {}
    for key, month in months.items():
        r = returns.get(month)
        if r is not None and can(user, Perm.KPI_RETURN_VIEW, r):
            name = (
                "performance:review"
                if r.status == ReturnStatus.SUBMITTED and can(user, Perm.KPI_RETURN_REVIEW)
                else "performance:return"
            )
            found[key] = reverse(name, args=[r.key])
        elif r is None and can(user, Perm.KPI_RETURN_ENTER) and _begun(month):
            found[key] = reverse("performance:return", args=[f"{month:%Y-%m}"])
        else:
            found[key] = _status_board(month)
    return found


def management_report_links(user, keys):
    """management_report:<YYYY-MM>: the report."""
    if not can(user, Perm.PERFORMANCE_VIEW):
        return {}
    months = _months(keys)
    reports = {r.month: r for r in ManagementReport.objects.filter(month__in=set(months.values()))}
    found = {}
    for key, month in months.items():
        r = reports.get(month)
        if (r is not None and can(user, Perm.MANAGEMENT_REPORT_VIEW, r)) or (
            r is None and can(user, Perm.MANAGEMENT_REPORT_WRITE) and _begun(month)
        ):
            found[key] = reverse("performance:report", args=[f"{month:%Y-%m}"])
        else:
            found[key] = _status_board(month)
    return found


def action_links(user, keys):
    """action:<id>: the action plan the action belongs to."""
    if not can(user, Perm.PERFORMANCE_VIEW):
        return {}
    ids = {key: links.int_part(key, 0) for key in keys}
    plans = dict(
        Action.objects.filter(pk__in=[i for i in ids.values() if i]).values_list("pk", "plan_id")
    )
    return {
        key: reverse("performance:plan", args=[plans[i]]) for key, i in ids.items() if i in plans
    }


def register():
    links.register("kpi_return", kpi_return_links)
    links.register("management_report", management_report_links)
    links.register("action", action_links)
