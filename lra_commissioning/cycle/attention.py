"""What the calendar asks of a signed-in person: see lra_commissioning.attention."""

import datetime

from django.urls import reverse
from django.utils import timezone

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import can

from .models import Deadline

HORIZON_DAYS = 30


def items_for(user):
    """Own deadlines overdue or due in the next 30 days; commissioners also every
    escalated deadline. One query."""
    if not can(user, "calendar.view_own"):
        return []
    today = timezone.localdate()
    mine = (
        Deadline.objects.open()
        .for_person(user)
        .filter(due_on__lte=today + datetime.timedelta(days=HORIZON_DAYS))
    )
    if can(user, "calendar.view_all"):
        mine = mine | Deadline.objects.open().filter(escalation_level__gt=0)
    items = []
    for d in mine.distinct().order_by("due_on", "id")[:50]:
        overdue = d.due_on < today
        items.append(
            AttentionItem(
                group="Overdue deadlines" if overdue else "Deadlines in the next 30 days",
                title=d.title,
                url=reverse("cycle:deadline", kwargs={"pk": d.pk}),
                due=d.due_on,
                status=(d.escalation_label or "Overdue") if overdue else "",
                overdue=overdue,
            )
        )
    return items
