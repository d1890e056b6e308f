"""Meeting an obligation meets its deadline.

The apps say when an obligation has been met (a return submitted, a decision
recorded) by calling `obligation_met(key, by=...)` inside the service that
meets it; the commissioning calendar (lra_commissioning.cycle) listens and
marks the matching deadlines met, in the same transaction, so reminders stop.

Keys name the obligation, not the deadline:
    kpi_return:<YYYY-MM>              the monthly KPI return for a month
    management_report:<YYYY-MM>       the monthly management report
    business_plan:<start year>        the business plan for a financial year
    specification:<start year>:<step> draft | sign_off | publish
    funding_confirmation:<start year> funding confirmed for that year
    sla:<support service id>:<start year>
    action:<action id>                an action-plan action done
    change_request:<id>               the board's decision recorded
    annual_report:<start year>        published
    cabinet_report:<start year>       produced for the cabinet committee
"""

import datetime
from collections.abc import Callable

_listeners: list[Callable] = []


def register(listener: Callable) -> None:
    """listener(key, met_on: date, by) is called for each obligation met."""
    if listener not in _listeners:
        _listeners.append(listener)


def obligation_met(key: str, *, by=None, on: datetime.date | None = None) -> None:
    from django.utils import timezone

    met_on = on or timezone.localdate()
    for listener in _listeners:
        listener(key, met_on, by)
