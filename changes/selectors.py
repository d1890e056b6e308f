"""Reads of change requests, decisions and ideas, at a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from lra_commissioning.permissions import Perm, can, visible_q

from .models import BoardDecision, ChangeItem, ChangeRequest, ServiceIdea, Status

# An idea is due for the board's view at the meeting after next (eight weeks).
IDEA_DECISION_WEEKS = 8


def change_requests_for(user, *, status: str | None = None):
    """The change requests this person may open: a draft only its raiser's."""
    if not can(user, Perm.CHANGE_VIEW):
        return ChangeRequest.objects.none()
    qs = ChangeRequest.objects.filter(visible_q(user, Perm.CHANGE_REQUEST_VIEW)).select_related(
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
    if not can(user, Perm.CHANGE_VIEW):
        return ServiceIdea.objects.none()
    return ServiceIdea.objects.select_related("proposed_by", "decided_by").order_by(
        "-proposed_at", "-id"
    )


def idea_due(idea) -> datetime.date:
    return idea.proposed_at.date() + datetime.timedelta(weeks=IDEA_DECISION_WEEKS)


# Contracts other apps rely on (the annual report): keep the signature.


@dataclass(frozen=True)
class AppliedChange:
    reference: str
    title: str
    kind: str  # "Minor variation" | "Fundamental change"
    effective_on: datetime.date
    version: str  # the specification version that carries it, e.g. "1.2"
    effect: str  # what changed
    decision: str  # how it was agreed


def changes_applied_in(*, start_year: int) -> list[AppliedChange]:
    """The changes applied to the specification that took effect in a financial year."""
    from lra_commissioning import dates

    rows = (
        ChangeRequest.objects.filter(
            status=Status.APPLIED,
            effective_on__range=(
                dates.financial_year_start(start_year),
                dates.financial_year_end(start_year),
            ),
        )
        .select_related("applied_version")
        .order_by("effective_on", "id")
    )
    out = []
    for c in rows:
        if c.is_fundamental:
            how = (
                f"Decided by the Strategic Board: {c.get_decision_display()}"
                if c.decision
                else "Decided by the Strategic Board"
            )
        else:
            how = "Agreed by the commissioner and the head of service"
        out.append(
            AppliedChange(
                reference=c.reference,
                title=c.title,
                kind=c.get_kind_display(),
                effective_on=c.effective_on,
                version=c.applied_version.number if c.applied_version else "",
                effect=c.description,
                decision=how,
            )
        )
    return out
