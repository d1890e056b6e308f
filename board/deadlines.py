"""The board's per-record deadlines for the commissioning calendar, and its links.

Registered with `cycle.generator` (see apps.py):

- each open board action is a deadline for its owner (`board_action:<id>`),
  met when the action is marked done, with reminders until then;
- each scheduled meeting's papers are due with the commissioners a set number
  of working days before it (`board_papers:<meeting id>`), met on publication;
- each fundamental change with the board is due for decision on the day of the
  meeting whose agenda it is on, or by the day it should take effect while it
  is on no agenda (`change_request:<id>`, met by `change_request_decide`).

`links_for_obligations` tells the calendar which meeting a deadline waits for,
and `links_for_minutes` tells the public decisions page which meeting took a
decision (through `lra_commissioning.meetings`).
"""

from django.urls import reverse

from changes.models import ChangeRequest, Status
from lra_commissioning import dates
from lra_commissioning.deadlines import DeadlineKind, PlannedDeadline
from lra_commissioning.meetings import MeetingLink
from lra_commissioning.roles import Role

from .models import (
    ActionStatus,
    AgendaItem,
    BoardAction,
    BoardSettings,
    ItemState,
    Meeting,
    MeetingStatus,
)


def _in_year(day, start_year) -> bool:
    return dates.financial_year_start(start_year) <= day <= dates.financial_year_end(start_year)


def board_deadlines(start_year: int) -> list[PlannedDeadline]:
    planned = []
    first, last = dates.financial_year_start(start_year), dates.financial_year_end(start_year)
    for action in BoardAction.objects.filter(
        status=ActionStatus.OPEN, due_on__range=(first, last)
    ).select_related("item__meeting"):
        planned.append(
            PlannedDeadline(
                key=action.obligation_key,
                kind=DeadlineKind.BOARD_ACTION,
                title=f"Board action ({action.item.minute_reference}): {action.description[:160]}",
                due_on=action.due_on,
                responsible_role=Role.BOARD_MEMBER,
                responsible_person_id=action.owner_id,
            )
        )
    settings = BoardSettings.current()
    for meeting in Meeting.objects.filter(status=MeetingStatus.SCHEDULED):
        due = dates.nth_working_day_before(meeting.date, settings.papers_working_days)
        if _in_year(due, start_year):
            planned.append(
                PlannedDeadline(
                    key=f"board_papers:{meeting.pk}",
                    kind=DeadlineKind.BOARD_PAPERS,
                    title=f"Papers published for the {meeting}",
                    due_on=due,
                    responsible_role=Role.COMMISSIONER,
                )
            )
    on_agenda = {
        i.subject_key: i.meeting
        for i in AgendaItem.objects.filter(
            state=ItemState.OPEN,
            kind="change_request",
            meeting__status=MeetingStatus.SCHEDULED,
        ).select_related("meeting")
    }
    for change in ChangeRequest.objects.filter(status=Status.WITH_BOARD):
        meeting = on_agenda.get(f"change_request:{change.pk}")
        due = meeting.date if meeting else change.effective_on
        if _in_year(due, start_year):
            planned.append(
                PlannedDeadline(
                    key=f"change_request:{change.pk}",
                    kind=DeadlineKind.CHANGE_REQUEST,
                    title=f"Board decision on {change.reference} {change.title}"[:200]
                    + (f", at the meeting on {meeting.date:%-d %B %Y}" if meeting else ""),
                    due_on=due,
                    responsible_role=Role.BOARD_MEMBER,
                )
            )
    return planned


def _link(meeting, anchor="") -> MeetingLink:
    return MeetingLink(str(meeting), reverse("board:meeting", args=[meeting.pk]) + anchor)


def links_for_minutes(references) -> dict:
    """Minute reference -> the meeting that took the decision (one query)."""
    return {
        i.minute_reference: _link(i.meeting, f"#minute-{i.minute_number}")
        for i in AgendaItem.objects.filter(
            minute_reference__in=list(references), state=ItemState.DECIDED
        ).select_related("meeting")
    }


def links_for_obligations(keys) -> dict:
    """Obligation key -> the meeting that will take (or took) its decision (two queries)."""
    keys = list(keys)
    links = {}
    meeting_ids, action_ids = {}, {}
    for key in keys:
        kind, _, pk = key.partition(":")
        if kind == "board_papers" and pk.isdigit():
            meeting_ids[int(pk)] = key
        elif kind == "board_action" and pk.isdigit():
            action_ids[int(pk)] = key
    for meeting in Meeting.objects.filter(pk__in=list(meeting_ids)):
        links[meeting_ids[meeting.pk]] = _link(meeting)
    for action in BoardAction.objects.filter(pk__in=list(action_ids)).select_related(
        "item__meeting"
    ):
        links[action_ids[action.pk]] = _link(
            action.item.meeting, f"#minute-{action.item.minute_number}"
        )
    # Deadlines a decision meets: the meeting that will take it (an open item), else the
    # latest meeting that took it.
    best = {}
    for item in (
        AgendaItem.objects.filter(deadline_key__in=keys)
        .exclude(state=ItemState.NOT_TAKEN)
        .select_related("meeting")
        .order_by("meeting__date", "id")
    ):
        current = best.get(item.deadline_key)
        if current is not None and current.state == ItemState.OPEN and item.state != ItemState.OPEN:
            continue
        best[item.deadline_key] = item
    for key, item in best.items():
        links.setdefault(key, _link(item.meeting))
    return links


def links_for_records(keys) -> dict:
    """Record key -> the scheduled meeting whose agenda it waits on (one query)."""
    return {
        i.subject_key: _link(i.meeting)
        for i in AgendaItem.objects.filter(
            subject_key__in=list(keys),
            state=ItemState.OPEN,
            meeting__status=MeetingStatus.SCHEDULED,
        ).select_related("meeting")
    }
