"""Writes of the board's meetings: the one write path. Keyword-only, the actor as `by=`.

Every function runs in one transaction and refuses with `DomainError` (a
message for the user) or `ValidationError` (a message per field). Decisions
lock the meeting, then the item, then (through the owning app's service) the
record: a decision is recorded once, even when two members press the button
at the same moment; the second is told who decided and how.
"""

import datetime
import hashlib
import logging
import time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cycle.models import Deadline
from cycle.services import deadlines_generate
from lra_commissioning import dates, obligations
from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.permissions import Perm, can, ensure_can
from lra_commissioning.workflow import DomainError, TransitionNotAllowed, Workflow, t

from . import notify
from .agenda import pending_items, source_for
from .models import (
    MINUTE_PREFIX,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardAction,
    BoardSettings,
    Declaration,
    ItemKind,
    ItemState,
    Meeting,
    MeetingStatus,
    Membership,
    PapersStatus,
    Position,
)
from .quorum import quorum

log = logging.getLogger(__name__)

M = MeetingStatus
MEETING_WORKFLOW = Workflow(
    "meeting",
    {
        "change": t({M.SCHEDULED}, M.SCHEDULED, "changed"),
        "cancel": t({M.SCHEDULED}, M.CANCELLED, "cancelled"),
        "record": t({M.SCHEDULED}, M.SCHEDULED, "recorded at"),
        "close": t({M.SCHEDULED}, M.HELD, "closed"),
        "edit_minutes": t({M.HELD}, M.HELD, "given new minutes"),
        "approve_minutes": t({M.HELD}, M.MINUTES_APPROVED, "given approved minutes"),
    },
)


class AlreadyDecided(DomainError):
    """A second decision on the same item: refused, saying what was decided."""


def _today(today):
    return today or timezone.localdate()


def _d(day) -> str:
    return day.strftime("%-d %B %Y")


def _refresh_calendar(*, years):
    """Per-record deadlines (actions, papers, decisions) follow the meeting at once
    rather than at the next daily sweep, in the years whose calendar exists (the
    sweep makes this year's and next year's; this never makes a year's calendar).
    It is the sweep's work done early, so the system does it (`by=None`): generating
    deadlines is otherwise the administrator's."""
    for start_year in sorted(set(years)):
        if Deadline.objects.filter(financial_year__start_year=start_year).exists():
            deadlines_generate(start_year=start_year, by=None)


# Settings and membership ----------------------------------------------------------------


@transaction.atomic
def settings_update(
    *,
    papers_working_days: int,
    quorum_cabinet_members: int,
    quorum_elected_members: int,
    quorum_corporate_directors: int,
    quorum_heads_of_service: int,
    quorum_total: int,
    by,
) -> BoardSettings:
    """The administrator sets the quorum rule and when papers are due."""
    ensure_can(
        by, Perm.BOARD_MANAGE, message="Only an administrator can change the board's settings."
    )
    errors = {}
    if not 1 <= papers_working_days <= 20:
        errors["papers_working_days"] = "Enter a number of working days from 1 to 20"
    per_position = (
        quorum_cabinet_members
        + quorum_elected_members
        + quorum_corporate_directors
        + quorum_heads_of_service
    )
    if quorum_total < 1:
        errors["quorum_total"] = "The quorum must be at least one member"
    elif quorum_total < per_position:
        errors["quorum_total"] = (
            f"The quorum in all must be at least the {per_position} members the positions need"
        )
    if errors:
        raise ValidationError(errors)
    settings = BoardSettings.objects.select_for_update().filter(pk=1).first() or BoardSettings(pk=1)
    settings.papers_working_days = papers_working_days
    settings.quorum_cabinet_members = quorum_cabinet_members
    settings.quorum_elected_members = quorum_elected_members
    settings.quorum_corporate_directors = quorum_corporate_directors
    settings.quorum_heads_of_service = quorum_heads_of_service
    settings.quorum_total = quorum_total
    return save_with_history(settings, by)


@transaction.atomic
def membership_add(*, user, position: str, title: str = "", starts_on, by) -> Membership:
    ensure_can(
        by, Perm.BOARD_MANAGE, message="Only an administrator can change the board's membership."
    )
    if position not in Position.values:
        raise ValidationError({"position": "Choose the member's position"})
    if not user.is_active:
        raise ValidationError({"user": "Choose a person whose account is open"})
    current = Membership.objects.active_on(starts_on).filter(user=user).first()
    if current is not None:
        raise ValidationError(
            {
                "user": f"{user} is already a member from {_d(current.starts_on)} "
                f"({current.get_position_display()}): end that membership first"
            }
        )
    later = (
        Membership.objects.filter(user=user, starts_on__gt=starts_on).order_by("starts_on").first()
    )
    if later is not None:
        raise ValidationError(
            {
                "starts_on": f"{user} has a membership starting {_d(later.starts_on)}: "
                "choose a later date"
            }
        )
    return save_with_history(
        Membership(user=user, position=position, title=(title or "").strip(), starts_on=starts_on),
        by,
    )


@transaction.atomic
def membership_end(*, membership: Membership, ends_on, by) -> Membership:
    ensure_can(
        by, Perm.BOARD_MANAGE, message="Only an administrator can change the board's membership."
    )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ends_on is not None:
        raise DomainError(f"This membership already ended on {_d(membership.ends_on)}.")
    if ends_on < membership.starts_on:
        raise ValidationError(
            {"ends_on": f"The end date must be on or after the start, {_d(membership.starts_on)}"}
        )
    membership.ends_on = ends_on
    return save_with_history(membership, by)


# Meetings ---------------------------------------------------------------------------------


def _reference_for(day: datetime.date, *, exclude_pk=None) -> str:
    """LRA-SB/2026/07; a second meeting in the same month is LRA-SB/2026/07-2."""
    base = f"{MINUTE_PREFIX}/{day:%Y/%m}"
    taken = set(
        Meeting.objects.filter(reference__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("reference", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _validate_meeting(*, date, starts_at, location, today):
    errors = {}
    if date is None:
        errors["date"] = "Enter the date of the meeting"
    elif date < today:
        errors["date"] = "The meeting must be today or in the future"
    if starts_at is None:
        errors["starts_at"] = "Enter the time the meeting starts"
    if not (location or "").strip():
        errors["location"] = "Enter where the meeting is held"
    if errors:
        raise ValidationError(errors)


def _lock(meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def meeting_schedule(*, date, starts_at, location, by, today=None) -> Meeting:
    """A commissioner schedules a meeting; its agenda is assembled at once from what
    waits for the board and is not on another meeting's agenda."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can schedule a board meeting."
    )
    today = _today(today)
    _validate_meeting(date=date, starts_at=starts_at, location=location, today=today)
    meeting = Meeting(
        reference=_reference_for(date),
        date=date,
        starts_at=starts_at,
        location=location.strip(),
        scheduled_by=by,
        scheduled_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            save_with_history(meeting, by)
    except IntegrityError as exc:
        raise DomainError(
            "Another meeting was scheduled for that month at the same moment: try again."
        ) from exc
    changed = agenda_assemble(meeting=meeting, by=by, today=today)
    if not (changed["added"] or changed["removed"]):
        # Its papers are due in the commissioners' calendar all the same.
        _refresh_calendar(years=[dates.financial_year_of(date)])
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, date, starts_at, location, by, today=None) -> Meeting:
    """Move a meeting or change its place. Fixed once its papers are published."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can change a board meeting."
    )
    meeting = _lock(meeting)
    MEETING_WORKFLOW.target(meeting.status, "change")
    if meeting.papers_published:
        raise DomainError(
            "The papers have been published for this date, time and place, so they can no longer "
            "change. Cancel the meeting and schedule another."
        )
    _validate_meeting(date=date, starts_at=starts_at, location=location, today=_today(today))
    old_year = dates.financial_year_of(meeting.date)
    if date != meeting.date:
        meeting.reference = _reference_for(date, exclude_pk=meeting.pk)
    meeting.date, meeting.starts_at, meeting.location = date, starts_at, location.strip()
    save_with_history(meeting, by)
    _refresh_calendar(years=[old_year, dates.financial_year_of(date)])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by) -> Meeting:
    """Cancel a meeting before any decision: its items wait for the next agenda."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can cancel a board meeting."
    )
    meeting = _lock(meeting)
    meeting.status = MEETING_WORKFLOW.target(meeting.status, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    if meeting.items.filter(state=ItemState.DECIDED).exists():
        raise DomainError("The board has recorded decisions at this meeting: close it instead.")
    for item in meeting.items.filter(state=ItemState.OPEN):
        item.state = ItemState.NOT_TAKEN
        save_with_history(item, by)
    meeting.cancelled_reason = reason.strip()
    save_with_history(meeting, by)
    _refresh_calendar(years=[dates.financial_year_of(meeting.date)])
    return meeting


# The agenda ---------------------------------------------------------------------------------


def _agenda_open(meeting: Meeting):
    MEETING_WORKFLOW.target(meeting.status, "change")
    if meeting.papers_published:
        raise DomainError(
            "The papers have been published, so the agenda can no longer change: the board "
            "takes the agenda its members were sent."
        )


def _renumber(meeting: Meeting, by):
    for position, item in enumerate(meeting.items.order_by("position", "id"), start=1):
        if item.position != position:
            item.position = position
            save_with_history(item, by)


@transaction.atomic
def agenda_assemble(*, meeting: Meeting, by, today=None) -> dict:
    """Bring the agenda up to date with what waits for the board.

    Adds each waiting record that is on no open agenda (each record appears
    once, on one meeting), and takes off items whose record no longer waits
    (decided elsewhere, withdrawn). Items added by hand stay. Safe to call twice.
    """
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can assemble the agenda."
    )
    meeting = _lock(meeting)
    _agenda_open(meeting)
    today = _today(today)
    pending = pending_items(today=today)
    # Minutes go to a later meeting than the one they record.
    pending = [
        p
        for p in pending
        if p.kind != ItemKind.MINUTES
        or Meeting.objects.filter(
            pk=source_for(p.kind)._pk(p.subject_key), date__lt=meeting.date
        ).exists()
    ]
    waiting = {p.subject_key for p in pending}
    removed = 0
    for item in meeting.items.filter(state=ItemState.OPEN).exclude(kind=ItemKind.OTHER):
        if item.subject_key not in waiting:
            delete_with_history(item, by)
            removed += 1
    on_an_agenda = set(
        AgendaItem.objects.filter(state=ItemState.OPEN)
        .exclude(subject_key="")
        .values_list("subject_key", flat=True)
    )
    top = meeting.items.aggregate(top=Max("position"))["top"] or 0
    added = 0
    now = timezone.now()
    for p in pending:
        if p.subject_key in on_an_agenda:
            continue
        top += 1
        # Minutes come first, whatever else is on the agenda.
        save_with_history(
            AgendaItem(
                meeting=meeting,
                position=0 if p.kind == ItemKind.MINUTES else top,
                kind=p.kind,
                subject_key=p.subject_key,
                deadline_key=p.deadline_key,
                title=p.title[:255],
                due_on=p.due,
                added_by=by,
                added_at=now,
            ),
            by,
        )
        added += 1
    _renumber(meeting, by)
    if added or removed:
        _refresh_calendar(years=[dates.financial_year_of(meeting.date)])
    return {"added": added, "removed": removed}


def _item_fields(*, title, what_is_asked, is_confidential, confidential_reason, hand_added):
    errors = {}
    if hand_added and not (title or "").strip():
        errors["title"] = "Enter the item's title"
    if hand_added and not (what_is_asked or "").strip():
        errors["what_is_asked"] = "Enter what the board is asked to do"
    if is_confidential and not (confidential_reason or "").strip():
        errors["confidential_reason"] = (
            "Enter why the item is confidential: the public page shows the reason"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    what_is_asked: str,
    paper_text: str = "",
    is_confidential: bool = False,
    confidential_reason: str = "",
    by,
) -> AgendaItem:
    """Add business by hand, at the end of the agenda."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can add to the agenda."
    )
    meeting = _lock(meeting)
    _agenda_open(meeting)
    _item_fields(
        title=title,
        what_is_asked=what_is_asked,
        is_confidential=is_confidential,
        confidential_reason=confidential_reason,
        hand_added=True,
    )
    top = meeting.items.aggregate(top=Max("position"))["top"] or 0
    return save_with_history(
        AgendaItem(
            meeting=meeting,
            position=top + 1,
            kind=ItemKind.OTHER,
            title=title.strip(),
            what_is_asked=what_is_asked.strip(),
            paper_text=(paper_text or "").strip(),
            is_confidential=is_confidential,
            confidential_reason=(confidential_reason or "").strip() if is_confidential else "",
            added_by=by,
            added_at=timezone.now(),
        ),
        by,
    )


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    title: str,
    what_is_asked: str,
    paper_text: str,
    is_confidential: bool,
    confidential_reason: str,
    by,
) -> AgendaItem:
    """Change an item: its confidentiality and covering note; for business added by
    hand also its title and what is asked. Titles of records come from the records."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can change the agenda."
    )
    meeting = _lock(item.meeting)
    _agenda_open(meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_open:
        raise DomainError("This item has been decided: it can no longer change.")
    hand = item.kind == ItemKind.OTHER
    _item_fields(
        title=title,
        what_is_asked=what_is_asked,
        is_confidential=is_confidential,
        confidential_reason=confidential_reason,
        hand_added=hand,
    )
    if hand:
        item.title = title.strip()
        item.what_is_asked = what_is_asked.strip()
    item.paper_text = (paper_text or "").strip()
    item.is_confidential = is_confidential
    item.confidential_reason = (confidential_reason or "").strip() if is_confidential else ""
    return save_with_history(item, by)


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, by) -> AgendaItem:
    """Move an item one place up or down the agenda."""
    ensure_can(by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can order the agenda.")
    if direction not in ("up", "down"):
        raise DomainError("Move an item up or down.")
    meeting = _lock(item.meeting)
    _agenda_open(meeting)
    items = list(meeting.items.order_by("position", "id"))
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, x in enumerate(items, start=1):
        if x.position != position:
            x.position = position
            save_with_history(x, by)
    return next(x for x in items if x.pk == item.pk)


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by) -> None:
    """Take an item off the agenda. A record's item goes back to wait for the board
    (bringing this or another agenda up to date adds it again)."""
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can change the agenda."
    )
    meeting = _lock(item.meeting)
    _agenda_open(meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_open:
        raise DomainError("This item has been decided: it stays on the agenda.")
    delete_with_history(item, by)
    _renumber(meeting, by)
    _refresh_calendar(years=[dates.financial_year_of(meeting.date)])


# Papers ---------------------------------------------------------------------------------------


def agenda_signature(meeting: Meeting) -> str:
    """A fingerprint of the agenda as the papers show it: new papers are needed when it changes."""
    h = hashlib.sha256()
    h.update(f"{meeting.reference}|{meeting.date}|{meeting.starts_at}|{meeting.location}".encode())
    for i in meeting.items.order_by("position", "id"):
        h.update(
            "|".join(
                str(x)
                for x in (
                    i.pk,
                    i.position,
                    i.kind,
                    i.subject_key,
                    i.title,
                    i.what_is_asked,
                    i.paper_text,
                    i.is_confidential,
                    i.confidential_reason,
                )
            ).encode()
        )
    return h.hexdigest()


@transaction.atomic
def papers_produce(*, meeting: Meeting, by) -> Meeting:
    """Ask for the papers pack; a Celery task renders it after commit."""
    from . import tasks

    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can produce the papers."
    )
    meeting = _lock(meeting)
    _agenda_open(meeting)
    if meeting.papers_status == PapersStatus.PENDING:
        raise DomainError("The papers are already being produced.")
    if not meeting.items.exists():
        raise DomainError("The agenda is empty: add what the board is to consider first.")
    meeting.papers_status = PapersStatus.PENDING
    meeting.papers_requested_at = timezone.now()
    meeting.papers_error = ""
    save_with_history(meeting, by)
    tasks.render_papers.delay_on_commit(meeting.pk)
    return meeting


def papers_render(*, meeting_id: int) -> bool:
    """Render a pending papers pack to PDF and keep it. Safe to run twice.

    The rendering takes seconds, so it happens outside any lock; the result is
    kept only if the meeting still waits for that request.
    """
    from .papers import render_papers_pdf

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or meeting.papers_status != PapersStatus.PENDING:
        return False
    requested_at = meeting.papers_requested_at
    started = time.perf_counter()
    try:
        signature = agenda_signature(meeting)
        pdf = render_papers_pdf(meeting)
    except Exception as exc:
        log.exception("Rendering the papers of %s failed", meeting)
        with transaction.atomic():
            locked = _lock(meeting)
            if (
                locked.papers_status == PapersStatus.PENDING
                and locked.papers_requested_at == requested_at
            ):
                locked.papers_status = PapersStatus.FAILED
                locked.papers_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                locked.save()
        return False
    with transaction.atomic():
        locked = _lock(meeting)
        if (
            locked.papers_status != PapersStatus.PENDING
            or locked.papers_requested_at != requested_at
        ):
            return False
        old_name = locked.papers_pdf.name
        locked.papers_pdf.save(
            f"{locked.reference.replace('/', '-')}-papers.pdf", ContentFile(pdf), save=False
        )
        locked.papers_status = PapersStatus.READY
        locked.papers_signature = signature
        locked.papers_generated_at = timezone.now()
        locked.save()
        if old_name and old_name != locked.papers_pdf.name:
            transaction.on_commit(lambda: locked.papers_pdf.storage.delete(old_name))
    log.info("Papers of %s rendered in %.2f s", meeting, time.perf_counter() - started)
    return True


def papers_are_current(meeting: Meeting) -> bool:
    return (
        meeting.papers_status == PapersStatus.READY
        and meeting.papers_signature == agenda_signature(meeting)
    )


@transaction.atomic
def papers_publish(*, meeting: Meeting, by, today=None) -> Meeting:
    """Publish the papers to the members, who are told by e-mail; meets the papers deadline.

    Refused while the papers are missing or older than the agenda. Publishing
    after the due date is allowed (the page says it was late).
    """
    ensure_can(
        by, Perm.BOARD_MEETING_SCHEDULE, message="Only a commissioner can publish the papers."
    )
    meeting = _lock(meeting)
    _agenda_open(meeting)
    if meeting.papers_status != PapersStatus.READY:
        raise DomainError("Produce the papers before publishing them.")
    if not papers_are_current(meeting):
        raise DomainError(
            "The agenda has changed since the papers were produced: produce them again."
        )
    meeting.papers_published_at = timezone.now()
    meeting.papers_published_by = by
    save_with_history(meeting, by)
    obligations.obligation_met(f"board_papers:{meeting.pk}", by=by, on=_today(today))
    notify.papers_published(meeting)
    return meeting


# At the meeting ---------------------------------------------------------------------------


def _at_the_meeting(meeting: Meeting, today) -> None:
    MEETING_WORKFLOW.target(meeting.status, "record")
    if meeting.date > today:
        raise DomainError(
            f"The meeting is on {_d(meeting.date)}: what happens at it is recorded from that day."
        )


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, statuses: dict, in_attendance: str = "", by, today=None
) -> list[Attendance]:
    """Record who was present and who sent apologies (membership id -> status).

    Every member on the meeting's date must be given a status. Recording
    again replaces the earlier record.
    """
    ensure_can(by, Perm.BOARD_MEETING_RECORD, message="Only a board member can record attendance.")
    meeting = _lock(meeting)
    _at_the_meeting(meeting, _today(today))
    members = {m.pk: m for m in Membership.objects.active_on(meeting.date).select_related("user")}
    if not members:
        raise DomainError(
            "The board has no members on the day of the meeting: an administrator adds them."
        )
    errors = {}
    for pk, member in members.items():
        if statuses.get(pk) not in AttendanceStatus.values:
            errors[f"member_{pk}"] = f"Select whether {member.user} was present"
    if errors:
        raise ValidationError(errors)
    existing = {a.membership_id: a for a in meeting.attendance.all()}
    for pk in set(existing) - set(members):
        delete_with_history(existing[pk], by)
    records = []
    for pk in members:
        record = existing.get(pk) or Attendance(meeting=meeting, membership_id=pk)
        record.status = statuses[pk]
        record.recorded_by = by
        records.append(save_with_history(record, by))
    meeting.in_attendance = (in_attendance or "").strip()
    save_with_history(meeting, by)
    return records


@transaction.atomic
def declaration_record(*, item: AgendaItem, membership: Membership, interest: str, by, today=None):
    """A member declares an interest in an item (once per member and item)."""
    ensure_can(
        by, Perm.BOARD_MEETING_RECORD, message="Only a board member can record declarations."
    )
    meeting = _lock(item.meeting)
    _at_the_meeting(meeting, _today(today))
    if not (interest or "").strip():
        raise ValidationError({"interest": "Enter the interest the member declared"})
    if not membership.is_active_on(meeting.date):
        raise ValidationError(
            {"membership": "Choose a member of the board on the day of the meeting"}
        )
    if Declaration.objects.filter(item=item, membership=membership).exists():
        raise ValidationError(
            {"membership": f"{membership.user} has already declared an interest in this item"}
        )
    return save_with_history(
        Declaration(item=item, membership=membership, interest=interest.strip(), recorded_by=by), by
    )


def _validate_condition(*, description, owner, due_on, meeting, errors, prefix=""):
    if not (description or "").strip():
        errors[f"{prefix}condition"] = "Enter the condition or action"
    if owner is None:
        errors[f"{prefix}owner"] = "Choose who owns the action"
    elif not owner.is_active:
        errors[f"{prefix}owner"] = "Choose a person whose account is open"
    if due_on is None:
        errors[f"{prefix}due_on"] = "Enter the date the action is due"
    elif due_on < meeting.date:
        errors[f"{prefix}due_on"] = "The action's due date must be on or after the meeting"


def _draft_minute(*, item, label, resolution, action) -> str:
    lines = [f"{item.title}. The board's decision: {label}."]
    if resolution.strip():
        lines.append(resolution.strip())
    if action is not None:
        lines.append(f"Action: {action.description} ({action.owner}, by {_d(action.due_on)}).")
    return "\n\n".join(lines)


# The owning apps' field names, as the meeting's decision form calls them.
_FIELD_NAMES = {"decision": "outcome", "comments": "resolution", "conditions": "condition"}


def _on_the_decision_form(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    errors = {}
    for name, messages in exc.error_dict.items():
        errors.setdefault(_FIELD_NAMES.get(name, "__all__"), []).extend(messages)
    return ValidationError(errors)


@transaction.atomic
def item_decide(
    *,
    item: AgendaItem,
    outcome: str,
    resolution: str = "",
    condition: str = "",
    owner=None,
    due_on: datetime.date | None = None,
    by,
    today=None,
) -> AgendaItem:
    """Record the board's decision on an item at its meeting. Final.

    The minute reference is generated from the meeting (LRA-SB/2026/07/3: the
    third decision minuted at the July 2026 meeting) and the decision is
    recorded through the service of the app that owns the record, dated the
    day of the meeting. A condition becomes a board action with an owner and a
    due date. Refused: before the meeting day, without a quorum, or when the
    item (or its record) has been decided already. Not safe to call twice: the
    second call is refused with `AlreadyDecided`.
    """
    ensure_can(
        by,
        Perm.BOARD_MEETING_RECORD,
        message="Only a board member can record the board's decision.",
    )
    today = _today(today)
    meeting = _lock(item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.state == ItemState.DECIDED:
        raise AlreadyDecided(
            f"The board's decision on item {item.position} was already recorded by "
            f"{item.decided_by}: {item.outcome_label.lower()}, minute {item.minute_reference}. "
            "A recorded decision is never changed."
        )
    if item.state != ItemState.OPEN:
        raise TransitionNotAllowed("This item was not taken at the meeting.")
    _at_the_meeting(meeting, today)
    if not meeting.attendance.exists():
        raise DomainError("Record who is present before recording decisions.")
    present = list(
        Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).values_list(
            "membership__position", flat=True
        )
    )
    q = quorum(present, BoardSettings.current())
    if not q.met:
        raise DomainError(q.explanation + " No decision can be recorded.")
    source = source_for(item.kind)
    chosen = source.outcome(outcome)
    errors = {}
    if chosen is None:
        errors["outcome"] = "Choose the board's decision"
    elif chosen.needs_resolution and not (resolution or "").strip():
        errors["resolution"] = chosen.needs_resolution
    has_condition = bool((condition or "").strip()) or owner is not None or due_on is not None
    if chosen is not None and chosen.needs_condition and not has_condition:
        errors["condition"] = "Enter the condition the board set, with its owner and due date"
    if has_condition:
        _validate_condition(
            description=condition, owner=owner, due_on=due_on, meeting=meeting, errors=errors
        )
    if errors:
        raise ValidationError(errors)
    number = (meeting.items.aggregate(top=Max("minute_number"))["top"] or 0) + 1
    minute = f"{meeting.reference}/{number}"
    record = source.record(item.subject_key) if item.subject_key else None
    if item.subject_key and record is None:
        raise DomainError("The record this item is about no longer exists: take the item off.")
    try:
        source.decide(
            item=item,
            record=record,
            outcome=chosen.value,
            resolution=(resolution or "").strip(),
            conditions=(condition or "").strip(),
            decided_on=meeting.date,
            minute=minute,
            by=by,
        )
    except ValidationError as exc:
        raise _on_the_decision_form(exc) from exc
    action = None
    if has_condition:
        action = save_with_history(
            BoardAction(
                item=item,
                description=condition.strip(),
                owner=owner,
                due_on=due_on,
                created_by=by,
                created_at=timezone.now(),
            ),
            by,
        )
    item.state = ItemState.DECIDED
    item.outcome = chosen.value
    item.outcome_label = chosen.label
    item.resolution = (resolution or "").strip()
    item.minute_number = number
    item.minute_reference = minute
    item.decided_by = by
    item.decided_at = timezone.now()
    item.minute_text = _draft_minute(
        item=item, label=chosen.label, resolution=item.resolution, action=action
    )
    try:
        with transaction.atomic():
            save_with_history(item, by)
    except IntegrityError as exc:  # unreachable behind the locks; the constraints are the last word
        raise AlreadyDecided("The board's decision on this item was already recorded.") from exc
    if action is not None:
        _refresh_calendar(years=[dates.financial_year_of(due_on)])
    return item


@transaction.atomic
def action_add(*, item: AgendaItem, description: str, owner, due_on, by) -> BoardAction:
    """Another action the board set on a decided item."""
    if not (can(by, Perm.BOARD_MEETING_RECORD) or can(by, Perm.BOARD_MINUTES_EDIT)):
        raise DomainError("Only a board member or a commissioner can add a board action.")
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if not item.is_decided:
        raise DomainError("Record the board's decision first: an action follows from a decision.")
    errors = {}
    _validate_condition(
        description=description, owner=owner, due_on=due_on, meeting=item.meeting, errors=errors
    )
    if errors:
        raise ValidationError(
            {("description" if k == "condition" else k): v for k, v in errors.items()}
        )
    action = save_with_history(
        BoardAction(
            item=item,
            description=description.strip(),
            owner=owner,
            due_on=due_on,
            created_by=by,
            created_at=timezone.now(),
        ),
        by,
    )
    _refresh_calendar(years=[dates.financial_year_of(due_on)])
    return action


@transaction.atomic
def action_complete(*, action: BoardAction, note: str = "", by, today=None) -> BoardAction:
    """Its owner (or a commissioner or board member) marks an action done: its deadline
    is met and the reminders stop. A second call is refused."""
    if not can(by, Perm.BOARD_ACTION_COMPLETE, action):
        raise DomainError(
            "Only the action's owner, a commissioner or a board member can mark it done."
        )
    action = BoardAction.objects.select_for_update().get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise DomainError(
            f"This action was already marked done on {_d(action.done_on)} by {action.done_by}."
        )
    today = _today(today)
    action.status = ActionStatus.DONE
    action.done_on = today
    action.done_by = by
    action.done_note = (note or "").strip()
    save_with_history(action, by)
    obligations.obligation_met(action.obligation_key, by=by, on=today)
    return action


@transaction.atomic
def meeting_close(*, meeting: Meeting, by, today=None) -> Meeting:
    """Close the meeting after it: items not decided go back to wait for the next
    agenda, and the draft minutes (drafted with each decision) may be edited."""
    ensure_can(by, Perm.BOARD_MEETING_RECORD, message="Only a board member can close the meeting.")
    meeting = _lock(meeting)
    _at_the_meeting(meeting, _today(today))
    if not meeting.attendance.exists():
        raise DomainError("Record who was present before closing the meeting: the minutes need it.")
    for item in meeting.items.filter(state=ItemState.OPEN):
        item.state = ItemState.NOT_TAKEN
        save_with_history(item, by)
    meeting.status = MEETING_WORKFLOW.target(meeting.status, "close")
    meeting.closed_by = by
    meeting.closed_at = timezone.now()
    return save_with_history(meeting, by)


@transaction.atomic
def minutes_update(*, meeting: Meeting, texts: dict, by) -> Meeting:
    """Edit the draft minutes (item id -> minute text) before the board approves them."""
    ensure_can(
        by,
        Perm.BOARD_MINUTES_EDIT,
        message="Only a commissioner or a board member can edit the minutes.",
    )
    meeting = _lock(meeting)
    MEETING_WORKFLOW.target(meeting.status, "edit_minutes")
    items = {i.pk: i for i in meeting.items.filter(state=ItemState.DECIDED)}
    errors = {}
    for pk, text in texts.items():
        if pk not in items:
            continue
        if not (text or "").strip():
            errors[f"minute_{pk}"] = f"Enter the minute of item {items[pk].position}"
    if errors:
        raise ValidationError(errors)
    for pk, text in texts.items():
        item = items.get(pk)
        if item is not None and item.minute_text != text.strip():
            item.minute_text = text.strip()
            save_with_history(item, by)
    return meeting


def minutes_approve(*, meeting: Meeting, at_meeting: Meeting, by) -> Meeting:
    """The next meeting approves the minutes (called when it decides that item)."""
    meeting = _lock(meeting)
    meeting.status = MEETING_WORKFLOW.target(meeting.status, "approve_minutes")
    if at_meeting.date <= meeting.date:
        raise DomainError("Minutes are approved at a later meeting.")
    meeting.minutes_approved_at = at_meeting
    return save_with_history(meeting, by)


# Background jobs ------------------------------------------------------------------------------


def papers_notice_send(*, meeting_id: int, connection=None) -> int:
    """Tell each member that the papers are published, once. Returns e-mails sent."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or meeting.papers_published_at is None or meeting.papers_notice_sent_at:
            return 0
        sent = notify.send_papers_notice(meeting, connection=connection)
        meeting.papers_notice_sent_at = timezone.now()
        meeting.save(update_fields=["papers_notice_sent_at"])
        return sent


def work_to_queue_again(*, older_than_minutes: int = 30) -> dict:
    """Papers still being produced long after they were asked for (a worker died), and
    notices of published papers not yet sent (the broker was down)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return {
        "papers": list(
            Meeting.objects.filter(
                papers_status=PapersStatus.PENDING, papers_requested_at__lt=cutoff
            ).values_list("id", flat=True)
        ),
        "notices": list(
            Meeting.objects.filter(
                papers_published_at__lt=cutoff, papers_notice_sent_at__isnull=True
            ).values_list("id", flat=True)
        ),
    }
