"""What the board asks of a signed-in person: see lra_commissioning.attention.

Board members: the next meeting (with its papers once published), meetings to
record, and what the board decided recently. Commissioners: papers to produce
and publish, draft minutes to finish. Everyone: the board actions they own.
Administrators: the board's membership and quorum. A fixed number of queries.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from lra_commissioning.attention import AttentionItem
from lra_commissioning.permissions import Perm, can

from . import selectors
from .models import BoardSettings, Meeting, MeetingStatus

RECENT_DAYS = 90


def items_for(user):
    today = timezone.localdate()
    items = []
    for action in selectors.open_actions(user):
        overdue = action.due_on < today
        items.append(
            AttentionItem(
                group="Your board actions",
                title=action.description[:150],
                url=reverse("board:action", args=[action.pk]),
                due=action.due_on,
                status="Overdue" if overdue else "Open",
                overdue=overdue,
            )
        )
    if can(user, Perm.BOARD_VIEW_AGENDA):
        items.extend(_meetings(user, today))
    if can(user, Perm.BOARD_MEETING_RECORD):
        since = today - datetime.timedelta(days=RECENT_DAYS)
        for d in selectors.recent_decisions(limit=8):
            if d.meeting.date < since:
                break
            items.append(
                AttentionItem(
                    group="Decided by the board recently",
                    title=f"{d.title}: {d.outcome_label.lower()} (minute {d.minute_reference})",
                    url=reverse("board:item", args=[d.meeting_id, d.pk]),
                )
            )
    if can(user, Perm.BOARD_MANAGE):
        items.append(
            AttentionItem(
                group="Administration",
                title="The Strategic Board's members and quorum",
                url=reverse("board:members"),
            )
        )
    return items


def _time(t: datetime.time) -> str:
    return t.strftime("%-I:%M%p").lower().replace(":00", "")


def _meetings(user, today):
    items = []
    settings = BoardSettings.current()
    upcoming = selectors.next_meeting(today)
    if upcoming is not None:
        papers = upcoming.papers_published_at is not None
        items.append(
            AttentionItem(
                group="The next board meeting",
                title=f"{upcoming}, {_time(upcoming.starts_at)}",
                url=reverse("board:meeting", args=[upcoming.pk]),
                status="Papers published" if papers else "Papers not yet published",
            )
        )
        if papers and selectors.papers_visible_to(user, upcoming):
            items.append(
                AttentionItem(
                    group="The next board meeting",
                    title=f"Papers for the {upcoming} (PDF)",
                    url=reverse("board:papers_pdf", args=[upcoming.pk]),
                )
            )
    if can(user, Perm.BOARD_MEETING_SCHEDULE):
        for m in Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, papers_published_at__isnull=True, date__gte=today
        ).order_by("date"):
            due = selectors.papers_due_on(m, settings)
            items.append(
                AttentionItem(
                    group="Board papers to publish",
                    title=f"Papers for the {m}",
                    url=reverse("board:meeting", args=[m.pk]),
                    due=due,
                    status="Overdue" if due < today else "",
                    overdue=due < today,
                )
            )
    if can(user, Perm.BOARD_MEETING_RECORD):
        for m in Meeting.objects.filter(status=MeetingStatus.SCHEDULED, date__lte=today).order_by(
            "date"
        ):
            items.append(
                AttentionItem(
                    group="Board meetings to record",
                    title=f"{m}: attendance, decisions, then close it",
                    url=reverse("board:meeting", args=[m.pk]),
                )
            )
    if can(user, Perm.BOARD_MINUTES_EDIT):
        for m in Meeting.objects.filter(status=MeetingStatus.HELD).order_by("date"):
            items.append(
                AttentionItem(
                    group="Draft minutes",
                    title=f"Minutes of the {m}",
                    url=reverse("board:meeting", args=[m.pk]),
                    status="For approval at the next meeting",
                )
            )
    return items
