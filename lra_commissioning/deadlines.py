"""The calendar's vocabulary, shared by the apps below it: kinds of deadline,
planned deadlines, and the registry of per-record sources.

The commissioning calendar (`cycle`, on top) plans each
financial year's deadlines from its rules and from sources that the apps
below register here in their AppConfig.ready(), so that no app imports the
calendar:

    from lra_commissioning import deadlines

    def action_deadlines(start_year):  # -> list[PlannedDeadline]
        ...
    deadlines.register_source(action_deadlines)

A source returns PlannedDeadline values whose `key` is the obligation key its
service passes to `obligation_met` (for example `action:<id>`). A source that
needs the date a rule gives a kind of deadline (the SLA agreement date) asks
`rule_due_on(kind, start_year)`, which the calendar answers (nothing when it is
not installed or the rule is switched off).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


class DeadlineKind(models.TextChoices):
    KPI_RETURN = "kpi_return", "Monthly KPI return"
    MANAGEMENT_REPORT = "management_report", "Monthly management report"
    BUSINESS_PLAN = "business_plan", "Business plan"
    SPECIFICATION_DRAFT = "specification_draft", "Specification draft"
    SPECIFICATION_SIGN_OFF = "specification_sign_off", "Specification board sign-off"
    SPECIFICATION_PUBLISH = "specification_publish", "Specification publication"
    FUNDING_CONFIRMATION = "funding_confirmation", "Funding confirmation"
    SLA_AGREEMENT = "sla_agreement", "SLA agreement"
    ANNUAL_REPORT = "annual_report", "Annual report"
    CABINET_REPORT = "cabinet_report", "Annual performance report to the cabinet committee"
    APPROACH_REVIEW = "approach_review", "Review of the commissioning approach"
    # Per-record deadlines, added by their apps through register_source.
    ACTION = "action", "Action-plan action"
    CHANGE_REQUEST = "change_request", "Change request decision"
    BOARD_ACTION = "board_action", "Strategic Board action"
    BOARD_PAPERS = "board_papers", "Strategic Board papers"
    # A support service's own obligations, one deadline per lead (slas.support_deadlines).
    SLA_SUPPORT_AGREEMENT = "sla_support_agreement", "SLA agreement by the support service"
    SLA_RESULTS = "sla_results", "Service-level results"


@dataclass(frozen=True)
class PlannedDeadline:
    key: str
    kind: str
    title: str
    due_on: datetime.date
    responsible_role: str
    responsible_person_id: int | None = None


Source = Callable[[int], list[PlannedDeadline]]

_sources: list[Source] = []
_rule_dates: list[Callable[[str, int], datetime.date | None]] = []


def register_source(source: Source) -> None:
    """Add per-record deadlines (source(start_year) -> list[PlannedDeadline])."""
    if source not in _sources:
        _sources.append(source)


def sources() -> list[Source]:
    return list(_sources)


def register_rule_dates(due_on: Callable[[str, int], datetime.date | None]) -> None:
    """The calendar's answer to `rule_due_on` (registered once, by the calendar)."""
    _rule_dates[:] = [due_on]


def rule_due_on(kind: str, start_year: int) -> datetime.date | None:
    """When the rule for `kind` puts that deadline in the year (None: no active rule)."""
    return _rule_dates[0](kind, start_year) if _rule_dates else None
