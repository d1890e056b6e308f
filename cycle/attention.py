"""What the calendar asks of a signed-in person: see lra_commissioning.attention.

Each item carries its deadline's obligation key, so the home page shows one
line per obligation when an app lists the same work (the month's return, an
SLA to agree), and leads to the record itself.
"""

import datetime

from django.utils import timezone

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from .links import record_urls
from .models import Deadline

HORIZON_DAYS = 30
MINE = "Deadlines to meet"
ESCALATED = "Escalated deadlines to follow up"


def items_for(user):
    """Own deadlines overdue or due in the next 30 days; commissioners also every
    escalated deadline. Two queries plus the record links (one per kind of record)."""
    if not can(user, Perm.CALENDAR_VIEW_OWN):
        return []
    today = timezone.localdate()
    mine = (
        Deadline.objects.open()
        .for_person(user)
        .filter(due_on__lte=today + datetime.timedelta(days=HORIZON_DAYS))
    )
    if can(user, Perm.CALENDAR_VIEW_ALL):
        mine = mine | Deadline.objects.open().filter(escalation_level__gt=0)
    deadlines = list(mine.distinct().order_by("due_on", "id")[:50])
    urls = record_urls(user, deadlines)
    own = {d.pk for d in Deadline.objects.open().for_person(user).filter(pk__in=urls)}
    items = []
    for d in deadlines:
        overdue = d.due_on < today
        if overdue:
            status = d.escalation_label or "Overdue"
        else:
            status = "Due today" if d.due_on == today else ""
        items.append(
            AttentionItem(
                group=MINE if d.pk in own else ESCALATED,
                title=d.title,
                url=urls[d.pk],
                due=d.due_on,
                status=status,
                overdue=overdue,
                key=d.key,
            )
        )
    return items
