"""The Strategic Board's chapter of the demo story (see lra_commissioning.story).

The board's members (the Cabinet Member, the Corporate Director, the head of
service) from April 2016, and its meetings on the second Wednesday of June,
September, December and February each year (`board_day`): the specification
is signed off at February's, the budget agreed at December's, fundamental
changes decided when they come (each by its own app's chapter, on the
meeting's day). The last two meetings before today take business of their
own; the next meeting has its agenda and papers published, and the one after
is scheduled with its agenda open. Dates follow today, never fixed.

`hold_meeting(ctx, on=..., ...)` holds one meeting on a given date with what
waits for the board then.
"""

import datetime

from django.core.mail import get_connection
from django.utils import timezone

from lra_commissioning import dates

from . import services
from .models import ActionStatus, BoardAction, ItemKind, Meeting, Membership, PapersStatus, Position

LOCATION = "Council Chamber, Sessions House, Maidstone"

MEMBERS = [
    # (demo person, position, title)
    ("board", Position.CABINET_MEMBER, "Cabinet Member for Community Services"),
    (
        "commissioner",
        Position.CORPORATE_DIRECTOR,
        "Corporate Director, Growth, Environment and Transport",
    ),
    ("manager", Position.HEAD_OF_SERVICE, "Head of Libraries, Registration and Archives"),
]


def _wednesday(day: datetime.date) -> datetime.date:
    """The Wednesday of the week of `day`, or the next working day after it."""
    wednesday = day + datetime.timedelta(days=2 - day.weekday())
    if dates.is_working_day(wednesday):
        return wednesday
    return dates.nth_working_day_after(wednesday, 1)


def members(ctx) -> None:
    if Membership.objects.exists():
        return
    for who, position, title in MEMBERS:
        services.membership_add(
            user=getattr(ctx, who),
            position=position,
            title=title,
            starts_on=datetime.date(2016, 4, 1),
            by=ctx.admin,
        )


def _papers(ctx, meeting, *, publish: bool) -> None:
    """Produce the papers (the task's body, run here so the demo needs no worker)."""
    services.papers_produce(meeting=meeting, by=ctx.commissioner)
    services.papers_render(meeting_id=meeting.pk)
    meeting.refresh_from_db()
    if publish and meeting.papers_status == PapersStatus.READY:
        services.papers_publish(
            meeting=meeting, by=ctx.commissioner, today=min(meeting.date, timezone.localdate())
        )
        quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
        services.papers_notice_send(meeting_id=meeting.pk, connection=quiet)


def hold_meeting(
    ctx,
    *,
    on: datetime.date,
    business=(),
    decisions=None,
    absent=(),
    leave_for_later=(),
    papers: bool = False,
    close: bool = True,
) -> Meeting:
    """Hold a board meeting on `on` with what waits for the board then.

    business: items added by hand, dicts of `services.agenda_item_add` fields
      plus "decision": (outcome, resolution[, (condition, owner, due_on)]).
    decisions: {kind or subject key: (outcome, resolution[, (condition, owner, due_on)])}
      for the records on the agenda; the minutes of the previous meeting are
      approved and the quarter's performance noted unless said otherwise.
      Records with no decision are not taken: they wait for the next meeting.
    absent: demo people ("manager") who sent apologies.
    leave_for_later: kinds of record taken off this agenda, to wait for a later meeting.
    """
    decisions = {
        ItemKind.MINUTES: ("approved", ""),
        ItemKind.PERFORMANCE: ("noted", ""),
        **(decisions or {}),
    }
    meeting = services.meeting_schedule(
        date=on, starts_at=datetime.time(10, 0), location=LOCATION, by=ctx.commissioner, today=on
    )
    for item in meeting.items.filter(kind__in=list(leave_for_later)):
        services.agenda_item_remove(item=item, by=ctx.commissioner)
    for fields in business:
        fields = dict(fields)
        decision = fields.pop("decision", None)
        item = services.agenda_item_add(meeting=meeting, by=ctx.commissioner, **fields)
        if decision:
            decisions[f"hand:{item.pk}"] = decision
    if papers:
        _papers(ctx, meeting, publish=True)
    away = {getattr(ctx, who).pk for who in absent}
    services.attendance_record(
        meeting=meeting,
        statuses={
            m.pk: "apologies" if m.user_id in away else "present"
            for m in Membership.objects.active_on(on)
        },
        in_attendance="Clerk to the board, Democratic Services",
        by=ctx.board,
        today=on,
    )
    for item in meeting.items.order_by("position"):
        key = f"hand:{item.pk}" if item.kind == ItemKind.OTHER else item.subject_key
        decision = decisions.get(key) or decisions.get(item.kind)
        if decision is None:
            continue
        outcome, resolution, *condition = decision
        action = condition[0] if condition else None
        services.item_decide(
            item=item,
            outcome=outcome,
            resolution=resolution,
            condition=action[0] if action else "",
            owner=action[1] if action else None,
            due_on=action[2] if action else None,
            by=ctx.board,
            today=on,
        )
    if close:
        services.meeting_close(meeting=meeting, by=ctx.board, today=on)
    meeting.refresh_from_db()
    return meeting


MEETING_MONTHS = (6, 9, 12, 2)


def board_day(start_year: int, month: int) -> datetime.date:
    """The board's meeting day in `month` of the financial year `start_year`: the second
    Wednesday (or the next working day)."""
    year = start_year if month >= 4 else start_year + 1
    first = datetime.date(year, month, 1)
    first_wednesday = first + datetime.timedelta(days=(2 - first.weekday()) % 7)
    return _wednesday(first_wednesday + datetime.timedelta(days=7))


# What waits for the board is decided by each app's chapter on the meeting's day.
LATER = (
    ItemKind.SPECIFICATION,
    ItemKind.BUDGET,
    ItemKind.CHANGE,
    ItemKind.IDEA,
    ItemKind.ESCALATION,
)


def _meeting_days(story) -> list[datetime.date]:
    days = []
    for start_year in [*story.years, story.current_year + 1]:
        for month in MEETING_MONTHS:
            days.append(board_day(start_year, month))
    return sorted(days)


def chapter(story):
    ctx = story.ctx
    story.on(datetime.date(2016, 3, 1), lambda: members(ctx), hour=9, label="board members")
    days = _meeting_days(story)
    # The board's meetings are kept in the system from last year on (before that, its
    # decisions are recorded with each record, with their dates and minute references).
    since = datetime.date(story.current_year - 1, 4, 1)
    past = [d for d in days if since <= d < story.today]
    upcoming = [d for d in days if d > story.today + datetime.timedelta(days=7)]
    for on in past[:-2]:
        story.on(
            on,
            lambda on=on: hold_meeting(ctx, on=on, leave_for_later=LATER),
            hour=10,
            label=f"board meeting {on}",
        )
    if len(past) >= 2:
        first_on, second_on = past[-2], past[-1]
        story.on(first_on, lambda: _first(ctx, first_on, second_on), hour=10)
        later = story.today + datetime.timedelta(days=21)
        story.on(second_on, lambda: _second(ctx, second_on, later), hour=10)
    for on in past:
        # That night's calendar: the meeting's papers deadline leaves it (held without
        # papers in the system: they went out by e-mail then).
        story.on(on, lambda on=on: _calendar(ctx, on), hour=22)
    next_on, after_on = upcoming[0], upcoming[1]
    story.on(
        story.before_now(story.moment(story.today, 9), margin_minutes=120),
        lambda: _ahead(ctx, next_on, after_on),
        label="next board meetings",
    )


def _first(ctx, first_on, second_on):
    hold_meeting(
        ctx,
        on=first_on,
        leave_for_later=LATER,
        absent=("manager",),
        business=[
            {
                "title": "Library opening hours: results of the public consultation",
                "what_is_asked": "To note the results of the consultation on library opening "
                "hours and agree what happens next.",
                "paper_text": "1,912 residents answered. Most asked for later opening on one "
                "weekday evening and were content with shorter Saturday afternoons in the "
                "smallest libraries.",
                "decision": (
                    "agreed",
                    "The board agreed to publish the results and asked the service for options.",
                    (
                        "Bring options for library opening hours to the board",
                        ctx.manager,
                        second_on,
                    ),
                ),
            }
        ],
    )


def _calendar(ctx, on):
    from cycle.services import deadlines_generate

    deadlines_generate(start_year=dates.financial_year_of(on), by=None)


def _second(ctx, second_on, action_due):
    for action in BoardAction.objects.filter(status=ActionStatus.OPEN, owner=ctx.manager):
        services.action_complete(
            action=action, note="Options brought to the board.", by=ctx.manager, today=second_on
        )
    hold_meeting(
        ctx,
        on=second_on,
        leave_for_later=LATER,
        decisions={
            ItemKind.PERFORMANCE: (
                "noted",
                "The board noted the exceptions and asked for a report on the amber KPI.",
                (
                    "Report how the amber KPI will be brought back to target",
                    ctx.manager,
                    action_due,
                ),
            ),
        },
        business=[
            {
                "title": "Library opening hours: options for next year",
                "what_is_asked": "To choose the option for library opening hours to go into "
                "next year's specification.",
                "paper_text": "Option A keeps today's hours. Option B opens the ten largest "
                "libraries until 7pm on Thursdays within the same budget, by closing the "
                "smallest libraries at 1pm on Saturdays.",
                "decision": (
                    "agreed",
                    "The board chose option B for next year's specification.",
                ),
            },
            {
                "title": "Archive building: renegotiation of the lease",
                "what_is_asked": "To agree the council's negotiating position on the archive "
                "building lease.",
                "is_confidential": True,
                "confidential_reason": "Commercially sensitive: the lease is under "
                "negotiation (Local Government Act 1972, Schedule 12A, paragraph 3).",
                "decision": ("agreed", "The board agreed the negotiating position."),
            },
        ],
    )


def _ahead(ctx, next_on, later_on):
    today = timezone.localdate()
    upcoming = services.meeting_schedule(
        date=next_on,
        starts_at=datetime.time(10, 0),
        location=LOCATION,
        by=ctx.commissioner,
        today=today,
    )
    services.agenda_item_add(
        meeting=upcoming,
        title="Registration service: fees for next year",
        what_is_asked="To agree the discretionary fees for ceremonies and nationality "
        "checking next year.",
        paper_text="The fees rise by 3.5% in line with the council's fees and charges policy; "
        "the statutory fees are set nationally and are not for the board.",
        by=ctx.commissioner,
    )
    if dates.working_days_between(today, next_on) <= 15:
        _papers(ctx, upcoming, publish=True)
    after = services.meeting_schedule(
        date=later_on,
        starts_at=datetime.time(14, 0),
        location=LOCATION,
        by=ctx.commissioner,
        today=today,
    )
    services.agenda_item_add(
        meeting=after,
        title="Archives: digitisation programme, first-year review",
        what_is_asked="To review the first year of the parish registers digitisation programme.",
        by=ctx.commissioner,
    )
