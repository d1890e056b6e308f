"""Reads of the board's meetings, for the person asking. Fixed query counts."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from lra_commissioning import dates
from lra_commissioning.permissions import Perm, can, visible_q

from .models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardAction,
    BoardSettings,
    Declaration,
    ItemState,
    Meeting,
    MeetingStatus,
    Membership,
)
from .quorum import Quorum, quorum


def papers_due_on(meeting: Meeting, settings: BoardSettings | None = None) -> datetime.date:
    """The papers go to the members this many working days before the meeting."""
    settings = settings or BoardSettings.current()
    return dates.nth_working_day_before(meeting.date, settings.papers_working_days)


def members_on(day: datetime.date) -> list[Membership]:
    return list(Membership.objects.active_on(day).select_related("user"))


def memberships_for_list():
    return list(Membership.objects.select_related("user").order_by("-ends_on", "position"))


def meetings_for_public():
    """What anyone may see: every meeting but the cancelled ones, newest first."""
    return list(Meeting.objects.exclude(status=MeetingStatus.CANCELLED).order_by("-date", "-id"))


def meetings_for_staff():
    return list(
        Meeting.objects.prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.only("id", "meeting_id", "state"))
        ).order_by("-date", "-id")
    )


def meeting_with_agenda(pk) -> Meeting | None:
    return (
        Meeting.objects.select_related("papers_published_by", "closed_by", "minutes_approved_at")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AgendaItem.objects.select_related("decided_by").prefetch_related(
                    Prefetch(
                        "declarations",
                        queryset=Declaration.objects.select_related("membership__user"),
                    ),
                    Prefetch("actions", queryset=BoardAction.objects.select_related("owner")),
                ),
            ),
            Prefetch("attendance", queryset=Attendance.objects.select_related("membership__user")),
        )
        .filter(pk=pk)
        .first()
    )


def item_in_meeting(meeting_pk, item_pk) -> AgendaItem | None:
    return (
        AgendaItem.objects.select_related("meeting", "decided_by")
        .prefetch_related(
            Prefetch(
                "declarations", queryset=Declaration.objects.select_related("membership__user")
            ),
            Prefetch("actions", queryset=BoardAction.objects.select_related("owner")),
        )
        .filter(meeting_id=meeting_pk, pk=item_pk)
        .first()
    )


def quorum_for(meeting: Meeting, settings: BoardSettings | None = None) -> Quorum:
    """From the meeting's attendance as prefetched (`meeting_with_agenda`)."""
    settings = settings or BoardSettings.current()
    present = [
        a.membership.position
        for a in meeting.attendance.all()
        if a.status == AttendanceStatus.PRESENT
    ]
    return quorum(present, settings)


@dataclass
class Minutes:
    """What the minutes say: attendance, declarations, and the decided items."""

    meeting: Meeting
    present: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    decided: list[AgendaItem] = field(default_factory=list)
    withheld: list[AgendaItem] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)


def _member_label(membership: Membership) -> str:
    title = membership.title or membership.get_position_display()
    return f"{membership.user} ({title})"


def minutes_of(meeting: Meeting, *, public: bool) -> Minutes:
    """The minutes of a meeting; for the public, confidential items are withheld (their
    number and the reason only). Uses the meeting's prefetched items and attendance when
    present (`meeting_with_agenda`), otherwise three queries."""
    attendance = (
        list(meeting.attendance.all())
        if _prefetched(meeting, "attendance")
        else list(meeting.attendance.select_related("membership__user"))
    )
    items = (
        list(meeting.items.all())
        if _prefetched(meeting, "items")
        else list(
            meeting.items.prefetch_related(
                Prefetch(
                    "declarations", queryset=Declaration.objects.select_related("membership__user")
                ),
                Prefetch("actions", queryset=BoardAction.objects.select_related("owner")),
            )
        )
    )
    minutes = Minutes(meeting=meeting)
    for a in attendance:
        {
            AttendanceStatus.PRESENT: minutes.present,
            AttendanceStatus.APOLOGIES: minutes.apologies,
            AttendanceStatus.ABSENT: minutes.absent,
        }[a.status].append(_member_label(a.membership))
    decided = sorted((i for i in items if i.is_decided), key=lambda i: i.minute_number)
    for item in decided:
        if public and item.is_confidential:
            minutes.withheld.append(item)
            continue
        minutes.decided.append(item)
        minutes.declarations.extend(item.declarations.all())
    return minutes


def _prefetched(obj, name) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def next_meeting(today: datetime.date) -> Meeting | None:
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, date__gte=today)
        .order_by("date", "starts_at", "id")
        .first()
    )


def open_items_by_key() -> dict[str, AgendaItem]:
    """The agenda item each waiting record is on (one query)."""
    return {
        i.subject_key: i
        for i in AgendaItem.objects.filter(state=ItemState.OPEN)
        .exclude(subject_key="")
        .select_related("meeting")
    }


def recent_decisions(*, limit: int = 10, public: bool = False):
    qs = AgendaItem.objects.filter(state=ItemState.DECIDED).select_related("meeting")
    if public:
        qs = qs.filter(is_confidential=False)
    return list(qs.order_by("-meeting__date", "-minute_number")[:limit])


def open_actions(user=None):
    """Open board actions (this person's own when given), soonest due first."""
    qs = BoardAction.objects.filter(status=ActionStatus.OPEN).select_related(
        "owner", "item__meeting"
    )
    if user is not None:
        qs = qs.filter(owner=user)
    return list(qs.order_by("due_on", "id"))


def action_visible(user, pk) -> BoardAction | None:
    return (
        BoardAction.objects.filter(visible_q(user, Perm.BOARD_ACTION_VIEW))
        .select_related("owner", "done_by", "created_by", "item__meeting")
        .filter(pk=pk)
        .first()
    )


def papers_visible_to(user, meeting: Meeting) -> bool:
    return bool(meeting.papers_pdf) and can(user, Perm.BOARD_PAPERS_VIEW, meeting)
