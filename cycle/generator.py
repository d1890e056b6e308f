"""Which deadlines a financial year has: planned from the rules, and from sources.

`planned_deadlines(start_year)` returns what the calendar should hold for a
year. Rule-based deadlines come from `DeadlineRule`; per-record deadlines
(action-plan actions, change requests awaiting a decision) come from sources
that their apps register in the core, `lra_commissioning.deadlines`, when
they are built (so that they need not import the calendar, which sits above
them). The calendar answers their `deadlines.rule_due_on(kind, start_year)`
with `rule_due_on` here (registered in apps.py).
"""

import datetime

from lra_commissioning import dates
from lra_commissioning import deadlines as registry
from lra_commissioning.deadlines import PlannedDeadline
from lra_commissioning.roles import Role
from slas.models import SupportService

from .models import MONTHLY_KINDS, DeadlineKind, DeadlineRule

# The review of the commissioning approach: twelve months after it starts.
APPROACH_STARTED = datetime.date(2016, 4, 1)


# kind: (role, working_days, month, day, year_offset, only_in_year)
DEFAULT_RULES = {
    DeadlineKind.KPI_RETURN: (Role.SERVICE_MANAGER, 10, None, None, 0, None),
    DeadlineKind.MANAGEMENT_REPORT: (Role.SERVICE_MANAGER, 10, None, None, 0, None),
    DeadlineKind.BUSINESS_PLAN: (Role.SERVICE_MANAGER, None, 3, 31, 0, None),
    DeadlineKind.SPECIFICATION_DRAFT: (Role.COMMISSIONER, None, 1, 6, 0, None),
    DeadlineKind.SPECIFICATION_SIGN_OFF: (Role.BOARD_MEMBER, None, 3, 1, 0, None),
    DeadlineKind.SPECIFICATION_PUBLISH: (Role.COMMISSIONER, None, 4, 1, 0, None),
    DeadlineKind.FUNDING_CONFIRMATION: (Role.COMMISSIONER, None, 12, 31, -1, None),
    DeadlineKind.SLA_AGREEMENT: (Role.SERVICE_MANAGER, None, 4, 1, 0, None),
    DeadlineKind.ANNUAL_REPORT: (Role.COMMISSIONER, None, 7, 31, 1, None),
    DeadlineKind.CABINET_REPORT: (Role.COMMISSIONER, None, 9, 30, 1, None),
    DeadlineKind.APPROACH_REVIEW: (
        Role.COMMISSIONER,
        None,
        APPROACH_STARTED.month,
        APPROACH_STARTED.day,
        1,
        APPROACH_STARTED.year,
    ),
}


def default_rule_fields(kind) -> dict:
    role, working_days, month, day, offset, only = DEFAULT_RULES[kind]
    return {
        "responsible_role": role,
        "working_days": working_days,
        "month": month,
        "day": day,
        "year_offset": offset,
        "only_in_year": only,
    }


def _due_on(rule: DeadlineRule, start_year: int) -> datetime.date:
    try:
        return rule.due_date(start_year)
    except ValueError:  # 29 February in a year that has none
        return datetime.date(start_year + rule.year_offset, rule.month, 28)


def rule_due_on(kind: str, start_year: int) -> datetime.date | None:
    """The date the active rule for a dated `kind` gives it in the year (None: no active rule)."""
    rule = DeadlineRule.objects.filter(kind=kind, is_active=True).first()
    if rule is None or rule.is_monthly:
        return None
    return _due_on(rule, start_year)


def _from_rule(rule: DeadlineRule, start_year: int, support_services) -> list[PlannedDeadline]:
    label = dates.financial_year_label(start_year)
    kind = DeadlineKind(rule.kind)
    role = rule.responsible_role
    if kind in MONTHLY_KINDS:
        prefix = "kpi_return" if kind == DeadlineKind.KPI_RETURN else "management_report"
        what = "KPI return" if kind == DeadlineKind.KPI_RETURN else "management report"
        return [
            PlannedDeadline(
                key=f"{prefix}:{month:%Y-%m}",
                kind=kind,
                title=f"{month:%B %Y} {what}",
                due_on=dates.nth_working_day_after(dates.month_end(month), rule.working_days),
                responsible_role=role,
            )
            for month in dates.financial_year_months(start_year)
        ]
    if rule.only_in_year is not None and rule.only_in_year != start_year:
        return []
    due = _due_on(rule, start_year)
    simple = {
        DeadlineKind.BUSINESS_PLAN: (f"business_plan:{start_year}", f"Business plan {label}"),
        DeadlineKind.SPECIFICATION_DRAFT: (
            f"specification:{start_year}:draft",
            f"Draft specification {label}",
        ),
        DeadlineKind.SPECIFICATION_SIGN_OFF: (
            f"specification:{start_year}:sign_off",
            f"Board sign-off of the specification {label}",
        ),
        DeadlineKind.SPECIFICATION_PUBLISH: (
            f"specification:{start_year}:publish",
            f"Publication of the specification {label}",
        ),
        DeadlineKind.FUNDING_CONFIRMATION: (
            f"funding_confirmation:{start_year}",
            f"Funding confirmation for {label}",
        ),
        DeadlineKind.ANNUAL_REPORT: (f"annual_report:{start_year}", f"Annual report {label}"),
        DeadlineKind.CABINET_REPORT: (
            f"cabinet_report:{start_year}",
            f"Annual performance report {label} to the cabinet committee",
        ),
        DeadlineKind.APPROACH_REVIEW: (
            f"approach_review:{start_year}",
            "Review of the commissioning approach",
        ),
    }
    if kind == DeadlineKind.SLA_AGREEMENT:
        return [
            PlannedDeadline(
                key=f"sla:{service.pk}:{start_year}",
                kind=kind,
                title=f"{service.name} SLA for {label} agreed",
                due_on=due,
                responsible_role=role,
            )
            for service in support_services
        ]
    if kind in simple:
        key, title = simple[kind]
        return [PlannedDeadline(key=key, kind=kind, title=title, due_on=due, responsible_role=role)]
    return []


def planned_deadlines(start_year: int) -> tuple[list[PlannedDeadline], set[str]]:
    """(deadlines the year should have, kinds whose rule is switched off)."""
    rules = list(DeadlineRule.objects.all())
    support_services = list(SupportService.objects.only("id", "name"))
    planned: list[PlannedDeadline] = []
    inactive = set()
    for rule in rules:
        if not rule.is_active:
            inactive.add(rule.kind)
            continue
        planned.extend(_from_rule(rule, start_year, support_services))
    for source in registry.sources():
        planned.extend(source(start_year))
    return planned, inactive
