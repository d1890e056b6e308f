"""Reads of change requests, decisions and ideas, at a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from lra_commissioning import dates
from lra_commissioning.permissions import can, visible_q

from .models import BoardDecision, ChangeItem, ChangeRequest, IdeaStatus, ServiceIdea, Status

# A fundamental change is due for decision before it takes effect; an idea at
# the board meeting after next (eight weeks); an escalation within 20 working days.
IDEA_DECISION_WEEKS = 8
ESCALATION_WORKING_DAYS = 20


def change_requests_for(user, *, status: str | None = None):
    """The change requests this person may open: a draft only its raiser's."""
    if not can(user, "change.view"):
        return ChangeRequest.objects.none()
    qs = ChangeRequest.objects.filter(visible_q(user, "change_request.view")).select_related(
        "version__specification__financial_year", "raised_by", "applied_version"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_at", "-id")


def change_request_detail(pk) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.select_related(
            "version__specification__financial_year",
            "raised_by",
            "council_agreed_by",
            "service_agreed_by",
            "decided_by",
            "applied_by",
            "applied_version__specification__financial_year",
            "budget_version",
            "board_decision",
            "idea",
        )
        .prefetch_related("items", "budget_lines")
        .filter(pk=pk)
        .first()
    )


def change_log_for_versions(versions) -> dict[int, list[ChangeRequest]]:
    """Version id -> the changes applied to make it (one query, however many versions)."""
    ids = [v.pk for v in versions]
    log: dict[int, list[ChangeRequest]] = {pk: [] for pk in ids}
    if not ids:
        return log
    for change in (
        ChangeRequest.objects.filter(applied_version_id__in=ids, status=Status.APPLIED)
        .select_related("board_decision")
        .prefetch_related(Prefetch("items", queryset=ChangeItem.objects.order_by("id")))
        .order_by("applied_at", "id")
    ):
        log[change.applied_version_id].append(change)
    return log


def published_decisions():
    return BoardDecision.objects.filter(published_at__isnull=False).select_related(
        "change__applied_version__specification__financial_year", "idea"
    )


def ideas_for(user):
    if not can(user, "change.view"):
        return ServiceIdea.objects.none()
    return ServiceIdea.objects.select_related("proposed_by", "decided_by").order_by(
        "-proposed_at", "-id"
    )


@dataclass(frozen=True)
class AgendaItem:
    kind: str
    title: str
    url: str
    due: datetime.date | None
    status: str

    def overdue_on(self, today) -> bool:
        return self.due is not None and today > self.due


def idea_due(idea) -> datetime.date:
    return idea.proposed_at.date() + datetime.timedelta(weeks=IDEA_DECISION_WEEKS)


def board_agenda() -> list[AgendaItem]:
    """Everything awaiting the Strategic Board, soonest due first (five queries)."""
    from funding.models import BudgetVersion, VersionKind
    from funding.models import VersionStatus as BudgetStatus
    from performance.models import Escalation, EscalationStatus
    from specifications.models import SpecificationVersion, VersionStatus

    items = []
    for v in SpecificationVersion.objects.filter(status=VersionStatus.WITH_BOARD).select_related(
        "specification__financial_year"
    ):
        items.append(
            AgendaItem(
                "Specification to sign off",
                f"{v.specification.financial_year.label} specification, version {v.number}",
                reverse("specifications:version_detail", args=[v.pk]),
                v.starts_on,
                "With the board",
            )
        )
    for b in BudgetVersion.objects.filter(status=BudgetStatus.PROPOSED):
        items.append(
            AgendaItem(
                "Budget to agree",
                f"Budget version {b.number}, {b.years_label}",
                reverse("funding:version_decide", kwargs={"number": b.number}),
                datetime.date(b.start_year - 1, 12, 31) if b.kind == VersionKind.ANNUAL else None,
                "With the board",
            )
        )
    for c in ChangeRequest.objects.filter(status=Status.WITH_BOARD):
        items.append(
            AgendaItem(
                "Fundamental change",
                f"{c.reference} {c.title}",
                reverse("changes:detail", args=[c.pk]),
                c.effective_on,
                "With the board",
            )
        )
    for e in Escalation.objects.filter(status=EscalationStatus.OPEN):
        items.append(
            AgendaItem(
                "Escalation",
                e.title,
                reverse("performance:escalation", args=[e.pk]),
                dates.nth_working_day_after(e.raised_at.date(), ESCALATION_WORKING_DAYS),
                "Open",
            )
        )
    for i in ServiceIdea.objects.filter(status=IdeaStatus.PROPOSED):
        items.append(
            AgendaItem(
                "Service idea",
                f"{i.reference} {i.title}",
                reverse("changes:idea_detail", args=[i.pk]),
                idea_due(i),
                "With the board",
            )
        )
    items.sort(key=lambda a: (a.due is None, a.due or datetime.date.max, a.kind, a.title))
    return items


def recent_decisions(limit=20):
    return list(
        BoardDecision.objects.select_related("change", "idea", "decided_by").order_by(
            "-decided_on", "-id"
        )[:limit]
    )
