"""Meeting an obligation meets its deadline.

The apps say when an obligation has been met (a return submitted, a decision
recorded) by calling `obligation_met(key, by=...)` inside the service that
meets it; the commissioning calendar (cycle) listens and
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
    approach_review:<start year>      the review of the commissioning approach done
    board_papers:<meeting id>         a board meeting's papers published to the members
    board_action:<action id>          a board action (a decision's condition) done
    sla_support:<support service id>:<start year>:<lead id>
                                      a support service's side of the SLA agreed
    sla_results:<SLA id>:<period end>:<lead id>
                                      a period's service-level results reported

The records are the truth. Each app also registers, in its AppConfig.ready(),
a resolver for the key prefixes it owns, which answers from its records
whether and when each obligation was met:

    from lra_commissioning import obligations

    def kpi_returns_met(keys):   # -> {key: Met(on=date, by_id=user id or None)}
        ...                      # (a bare date is taken too; leave out keys not met)
    obligations.register_resolver("kpi_return", kpi_returns_met)

A resolver takes many keys and answers in a fixed number of queries. The
calendar asks them when it generates deadlines and before each reminder, so a
deadline created after its work was done is met on the record's date, and no
reminder goes out for work already done. An obligation with no resolver (no
record kind in the system, like approach_review today) is met through its
listener (a board decision) or recorded met by hand, with who and why.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import NamedTuple

_listeners: list[Callable] = []


class Met(NamedTuple):
    """When an obligation was met, and by whom (a user id, None when unknown)."""

    on: datetime.date
    by_id: int | None = None


Resolver = Callable[[list[str]], dict]

_resolvers: dict[str, Resolver] = {}


def register_resolver(prefix: str, resolver: Resolver) -> None:
    """resolver(keys) -> {key: Met | date} for the keys `prefix:...` its records say are met."""
    _resolvers[prefix] = resolver


def prefix_of(key: str) -> str:
    return key.split(":", 1)[0]


def has_resolver(key: str) -> bool:
    """Does a record in the system say whether this obligation was met?"""
    return prefix_of(key) in _resolvers


def _as_met(value) -> Met | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return Met(timezone.localdate(value))
    if isinstance(value, datetime.date):
        return Met(value)
    on = value.on
    if isinstance(on, datetime.datetime):
        from django.utils import timezone

        on = timezone.localdate(on)
    return Met(on, getattr(value, "by_id", None))


def records_met(keys: Iterable[str]) -> dict[str, Met]:
    """The keys whose records say they are met, with when and by whom.

    One call per key prefix that has a resolver (a fixed number of queries
    however many keys); keys without a resolver, or not met, are left out.
    """
    by_prefix: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        if prefix_of(key) in _resolvers:
            by_prefix.setdefault(prefix_of(key), []).append(key)
    found: dict[str, Met] = {}
    for prefix, group in by_prefix.items():
        wanted = set(group)
        for key, value in _resolvers[prefix](group).items():
            met = _as_met(value)
            if met is not None and key in wanted:
                found[key] = met
    return found


def register(listener: Callable) -> None:
    """listener(key, met_on: date, by) is called for each obligation met."""
    if listener not in _listeners:
        _listeners.append(listener)


def obligation_met(key: str, *, by=None, on: datetime.date | None = None) -> None:
    from django.utils import timezone

    met_on = on or timezone.localdate()
    for listener in _listeners:
        listener(key, met_on, by)
