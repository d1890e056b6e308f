"""What this app asks of a signed-in person: see lra_commissioning.attention.

Commissioner: minor variations waiting for the council's side, agreed changes
to apply. Head of service: minor variations waiting for the service's side.
Board member: fundamental changes and ideas awaiting a decision.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from .models import ChangeRequest, IdeaStatus, Kind, ServiceIdea, Status
from .selectors import idea_due


def _item(group, change, status, due=None, today=None, key=""):
    return AttentionItem(
        group=group,
        title=f"{change.reference} {change.title}",
        url=reverse("changes:detail", args=[change.pk]),
        due=due,
        status=status,
        overdue=bool(due and today and today > due),
        key=key,
    )


def items_for(user):
    today = timezone.localdate()
    items = []
    waiting = ChangeRequest.objects.filter(
        kind=Kind.MINOR, status=Status.AWAITING_AGREEMENT
    ).order_by("effective_on", "id")
    if can(user, Perm.CHANGE_AGREE_FOR_COUNCIL):
        for c in waiting.filter(council_agreed_by__isnull=True).exclude(service_agreed_by=user):
            items.append(
                _item("Minor variations to agree", c, "For the council", c.effective_on, today)
            )
    if can(user, Perm.CHANGE_AGREE_FOR_SERVICE):
        # Minor variations waiting for the service's side, and fundamental changes the
        # board approved, which the service agrees before they are applied: one query.
        for c in (
            ChangeRequest.objects.filter(
                Q(kind=Kind.MINOR, status=Status.AWAITING_AGREEMENT)
                | Q(kind=Kind.FUNDAMENTAL, status=Status.APPROVED),
                service_agreed_by__isnull=True,
            )
            .exclude(council_agreed_by=user)
            .order_by("effective_on", "id")
        ):
            if c.is_fundamental:
                items.append(
                    _item(
                        "Fundamental changes to agree for the service",
                        c,
                        "Approved by the board",
                        c.effective_on,
                        today,
                    )
                )
            else:
                items.append(
                    _item("Minor variations to agree", c, "For the service", c.effective_on, today)
                )
    if can(user, Perm.CHANGE_APPLY):
        for c in ChangeRequest.objects.filter(
            status__in=[Status.AGREED, Status.APPROVED], service_agreed_by__isnull=False
        ):
            items.append(_item("Changes to apply", c, c.get_status_display()))
    if can(user, Perm.CHANGE_DECIDE):
        for c in ChangeRequest.objects.filter(status=Status.WITH_BOARD).order_by("effective_on"):
            items.append(
                _item(
                    "Fundamental changes awaiting a decision",
                    c,
                    "With the board",
                    c.effective_on,
                    today,
                    key=f"change_request:{c.pk}",
                )
            )
    if can(user, Perm.IDEA_DECIDE):
        for i in ServiceIdea.objects.filter(status=IdeaStatus.PROPOSED).order_by("proposed_at"):
            due = idea_due(i)
            items.append(
                AttentionItem(
                    group="Service ideas awaiting the board's view",
                    title=f"{i.reference} {i.title}",
                    url=reverse("changes:idea_detail", args=[i.pk]),
                    due=due,
                    status="With the board",
                    overdue=today > due,
                )
            )
    return items
