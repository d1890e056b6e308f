"""When the records say each performance obligation was met (see
lra_commissioning.obligations). Registered in apps.py.

    kpi_return:<YYYY-MM>         the month's return submitted: its first submission
    management_report:<YYYY-MM>  the month's report submitted
    action:<id>                  an action-plan action done, on the day it was marked done

Each resolver takes many keys and costs one query.
"""

import datetime

from django.utils import timezone

from lra_commissioning import obligations
from lra_commissioning.links import int_part, split_key

from .models import Action, ActionStatus, ManagementReport, MonthlyReturn


def _months(keys) -> dict[str, datetime.date]:
    found = {}
    for key in keys:
        try:
            found[key] = datetime.datetime.strptime(split_key(key)[0], "%Y-%m").date()
        except (IndexError, ValueError):
            continue
    return found


def _submitted(model, keys) -> dict[str, obligations.Met]:
    months = _months(keys)
    if not months:
        return {}
    submitted = {
        month: obligations.Met(timezone.localdate(at), by_id)
        for month, at, by_id in model.objects.filter(
            month__in=set(months.values()), submitted_at__isnull=False
        ).values_list("month", "submitted_at", "submitted_by_id")
    }
    return {key: submitted[month] for key, month in months.items() if month in submitted}


def kpi_returns_met(keys):
    return _submitted(MonthlyReturn, keys)


def management_reports_met(keys):
    return _submitted(ManagementReport, keys)


def actions_met(keys):
    ids = {key: int_part(key, 0) for key in keys}
    ids = {key: pk for key, pk in ids.items() if pk is not None}
    if not ids:
        return {}
    done = dict(
        Action.objects.filter(pk__in=set(ids.values()), status=ActionStatus.DONE).values_list(
            "pk", "done_on"
        )
    )
    return {key: obligations.Met(done[pk]) for key, pk in ids.items() if pk in done}


def register():
    obligations.register_resolver("kpi_return", kpi_returns_met)
    obligations.register_resolver("management_report", management_reports_met)
    obligations.register_resolver("action", actions_met)
