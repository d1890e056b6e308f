"""Thin views of the board's meetings: check on the server, call a service, show its refusal.

`/board/meetings/` and each meeting's page answer everyone: the public part
(date, attendance, decisions, approved minutes, confidential items withheld
with the reason) to visitors and staff outside the board, and the working
view (agenda, papers, attendance, decisions, draft minutes) to commissioners
and board members.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lra_commissioning.access import permission_required, require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.forms import attempt_on_form
from lra_commissioning.permissions import Perm, can
from lra_commissioning.workflow import DomainError

from . import forms, selectors, services
from .agenda import pending_items, source_for
from .models import (
    ActionStatus,
    AgendaItem,
    BoardSettings,
    ItemKind,
    ItemState,
    Meeting,
    MeetingStatus,
    Membership,
    PapersStatus,
)
from .papers import item_paper

log = logging.getLogger(__name__)


def _today():
    return timezone.localdate()


def _form_page(request, form, title, back_url, *, caption="", intro="", status=None, extra=None):
    return render(
        request,
        "board/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "caption": caption,
            "intro": intro,
            **(extra or {}),
        },
        status=status or (400 if form.errors else 200),
    )


def _meeting_url(meeting):
    return reverse("board:meeting", args=[meeting.pk])


def _run(request, action, success):
    """A button's service call: its refusal becomes a message on the page it returns to."""
    try:
        done = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success(done) if callable(success) else success)
        return done
    return None


def _agenda_closed(request, meeting):
    """A redirect to the meeting when its agenda can no longer change, with the reason."""
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, f"The meeting is {meeting.get_status_display().lower()}.")
    elif meeting.papers_published:
        messages.error(
            request,
            "The papers have been published, so the agenda, date and place can no longer change.",
        )
    else:
        return None
    return redirect(_meeting_url(meeting))


def _not_the_day(request, meeting):
    """A redirect to the meeting unless the board can record at it today, with the reason."""
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, f"The meeting is {meeting.get_status_display().lower()}.")
    elif meeting.date > _today():
        messages.error(
            request,
            f"The meeting is on {meeting.date:%-d %B %Y}: what happens at it is recorded from "
            "that day.",
        )
    else:
        return None
    return redirect(_meeting_url(meeting))


# What waits for the board ------------------------------------------------------------------


@permission_required(Perm.BOARD_VIEW_AGENDA)
@require_GET
def index(request):
    today = _today()
    on_agenda = selectors.open_items_by_key()
    waiting = sorted(
        pending_items(today=today),
        key=lambda p: (p.due is None, p.due or today, p.title),
    )
    return render(
        request,
        "board/index.html",
        {
            "waiting": [(p, on_agenda.get(p.subject_key), p.overdue_on(today)) for p in waiting],
            "upcoming": list(
                Meeting.objects.filter(status=MeetingStatus.SCHEDULED, date__gte=today).order_by(
                    "date"
                )
            ),
            "decisions": selectors.recent_decisions(limit=20),
            "actions": selectors.open_actions(),
            "today": today,
            "can_schedule": can(request.user, Perm.BOARD_MEETING_SCHEDULE),
        },
    )


# Meetings ----------------------------------------------------------------------------------------


@require_GET
def meetings(request):
    today = _today()
    if can(request.user, Perm.BOARD_VIEW_AGENDA):
        return render(
            request,
            "board/meetings_staff.html",
            {
                "meetings": selectors.meetings_for_staff(),
                "today": today,
                "can_schedule": can(request.user, Perm.BOARD_MEETING_SCHEDULE),
            },
        )
    shown = selectors.meetings_for_public()
    return render(
        request,
        "board/meetings_public.html",
        {
            "upcoming": sorted(
                (m for m in shown if m.status == MeetingStatus.SCHEDULED), key=lambda m: m.date
            ),
            "past": [m for m in shown if m.is_held],
        },
    )


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    form = forms.MeetingForm(request.POST or None, initial={"starts_at": "10am"})
    if request.method == "POST" and form.is_valid():
        meeting = attempt_on_form(
            form, lambda: services.meeting_schedule(by=request.user, **form.cleaned_data)
        )
        if meeting is not None:
            n = meeting.items.count()
            messages.success(
                request,
                f"The meeting on {meeting.date:%-d %B %Y} is scheduled ({meeting.reference}), "
                f"with {n} item{'s' if n != 1 else ''} on its agenda from what waits for "
                "the board.",
            )
            return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form,
        "Schedule a board meeting",
        reverse("board:meetings"),
        intro="Its agenda is assembled from what waits for the board and is on no other "
        "meeting's agenda. You can order it and add items before producing the papers.",
    )


@require_GET
def meeting(request, pk):
    user = request.user
    settings = BoardSettings.current()
    if not can(user, Perm.BOARD_VIEW_AGENDA):
        found = selectors.meeting_with_agenda(pk)
        if found is None or found.status == MeetingStatus.CANCELLED:
            raise Http404
        return render(
            request,
            "board/meeting_public.html",
            {
                "meeting": found,
                "minutes": selectors.minutes_of(found, public=True) if found.is_held else None,
                "can_read_papers": selectors.papers_visible_to(user, found),
            },
        )
    found = selectors.meeting_with_agenda(pk)
    if found is None:
        raise Http404
    today = _today()
    items = list(found.items.all())
    scheduled = found.status == MeetingStatus.SCHEDULED
    agenda_open = scheduled and not found.papers_published
    may_schedule = can(user, Perm.BOARD_MEETING_SCHEDULE)
    may_record = can(user, Perm.BOARD_MEETING_RECORD)
    on_the_day = scheduled and found.date <= today
    waiting_elsewhere = None
    if may_schedule and agenda_open:
        on_agenda = selectors.open_items_by_key()
        waiting_elsewhere = sum(
            1 for p in pending_items(today=today) if p.subject_key not in on_agenda
        )
    return render(
        request,
        "board/meeting.html",
        {
            "meeting": found,
            "items": items,
            "today": today,
            "papers_due_on": selectors.papers_due_on(found, settings),
            "papers_current": found.papers_status == PapersStatus.READY
            and services.papers_are_current(found),
            "quorum": selectors.quorum_for(found, settings),
            "attendance": list(found.attendance.all()),
            "minutes": selectors.minutes_of(found, public=False) if found.is_held else None,
            "waiting_elsewhere": waiting_elsewhere,
            "can_schedule": may_schedule and scheduled,
            "agenda_open": agenda_open and may_schedule,
            "can_read_papers": selectors.papers_visible_to(user, found),
            "can_record": may_record and on_the_day,
            "can_edit_minutes": can(user, Perm.BOARD_MINUTES_EDIT)
            and found.status == MeetingStatus.HELD,
            "history": history_entries(found) if can(user, Perm.RECORDS_VIEW_HISTORY) else None,
        },
    )


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    if closed := _agenda_closed(request, found):
        return closed
    form = forms.MeetingEditForm(
        request.POST or None,
        initial={"date": found.date, "starts_at": found.starts_at, "location": found.location},
    )
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.meeting_update(meeting=found, by=request.user, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"The meeting is now on {done.date:%-d %B %Y}.")
            return redirect(_meeting_url(done))
    return _form_page(
        request, form, "Change the date, time or place", _meeting_url(found), caption=str(found)
    )


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    if found.status != MeetingStatus.SCHEDULED:
        messages.error(request, f"The meeting is {found.get_status_display().lower()}.")
        return redirect(_meeting_url(found))
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.meeting_cancel(
                meeting=found, reason=form.cleaned_data["reason"], by=request.user
            ),
        )
        if done is not None:
            messages.success(
                request, "The meeting is cancelled. Its items wait for the next meeting's agenda."
            )
            return redirect(_meeting_url(done))
    return _form_page(request, form, "Cancel the meeting", _meeting_url(found), caption=str(found))


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_POST
def agenda_assemble(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    _run(
        request,
        lambda: services.agenda_assemble(meeting=found, by=request.user),
        lambda r: f"The agenda is up to date: {r['added']} added, {r['removed']} taken off.",
    )
    return redirect(_meeting_url(found))


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_http_methods(["GET", "POST"])
def item_new(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    if closed := _agenda_closed(request, found):
        return closed
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = attempt_on_form(
            form,
            lambda: services.agenda_item_add(meeting=found, by=request.user, **form.cleaned_data),
        )
        if item is not None:
            messages.success(request, f"Item {item.position}, {item.title}, is on the agenda.")
            return redirect(_meeting_url(found))
    return _form_page(
        request, form, "Add an item to the agenda", _meeting_url(found), caption=str(found)
    )


def _item(request, pk, item_pk) -> AgendaItem:
    require(request.user, Perm.BOARD_VIEW_AGENDA)
    item = selectors.item_in_meeting(pk, item_pk)
    if item is None:
        raise Http404
    return item


@permission_required(Perm.BOARD_VIEW_AGENDA)
@require_GET
def item(request, pk, item_pk):
    found = _item(request, pk, item_pk)
    meeting = found.meeting
    user = request.user
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    on_the_day = scheduled and meeting.date <= _today()
    return render(
        request,
        "board/item.html",
        {
            "item": found,
            "meeting": meeting,
            "paper": item_paper(found),
            "can_edit": can(user, Perm.BOARD_MEETING_SCHEDULE)
            and scheduled
            and not meeting.papers_published
            and found.is_open,
            "can_decide": can(user, Perm.BOARD_MEETING_RECORD) and on_the_day and found.is_open,
            "can_declare": can(user, Perm.BOARD_MEETING_RECORD) and on_the_day,
            "can_add_action": found.is_decided
            and (can(user, Perm.BOARD_MEETING_RECORD) or can(user, Perm.BOARD_MINUTES_EDIT)),
            "today": _today(),
        },
    )


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    found = _item(request, pk, item_pk)
    if closed := _agenda_closed(request, found.meeting):
        return closed
    hand = found.kind == ItemKind.OTHER
    form = forms.ItemForm(
        request.POST or None,
        hand_added=hand,
        submit_label="Save the item",
        initial={
            "title": found.title,
            "what_is_asked": found.what_is_asked,
            "paper_text": found.paper_text,
            "is_confidential": found.is_confidential,
            "confidential_reason": found.confidential_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt_on_form(
            form,
            lambda: services.agenda_item_update(
                item=found,
                title=data.get("title", found.title),
                what_is_asked=data.get("what_is_asked", found.what_is_asked),
                paper_text=data["paper_text"],
                is_confidential=data["is_confidential"],
                confidential_reason=data["confidential_reason"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, f"Item {done.position} is saved.")
            return redirect("board:item", pk=pk, item_pk=item_pk)
    return _form_page(
        request,
        form,
        f"Item {found.position}: {found.title}",
        reverse("board:item", args=[pk, item_pk]),
        caption=str(found.meeting),
    )


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_POST
def item_move(request, pk, item_pk, direction):
    found = _item(request, pk, item_pk)
    if direction not in ("up", "down"):
        raise Http404
    _run(
        request,
        lambda: services.agenda_item_move(item=found, direction=direction, by=request.user),
        lambda i: f"{i.title} is now item {i.position}.",
    )
    return redirect(_meeting_url(found.meeting) + "#agenda")


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_POST
def item_remove(request, pk, item_pk):
    found = _item(request, pk, item_pk)
    _run(
        request,
        lambda: services.agenda_item_remove(item=found, by=request.user),
        f"{found.title} is off the agenda.",
    )
    return redirect(_meeting_url(found.meeting) + "#agenda")


# Papers ----------------------------------------------------------------------------------------


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_POST
def papers_produce(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    _run(
        request,
        lambda: services.papers_produce(meeting=found, by=request.user),
        "The papers are being produced. This page shows them when they are ready.",
    )
    return redirect(_meeting_url(found))


@permission_required(Perm.BOARD_MEETING_SCHEDULE)
@require_POST
def papers_publish(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    _run(
        request,
        lambda: services.papers_publish(meeting=found, by=request.user),
        "The papers are published to the members, who are sent an e-mail.",
    )
    return redirect(_meeting_url(found))


@login_required
@require_GET
def papers_pdf(request, pk):
    """The papers pack: 404 to everyone who may not read it (not yet published to them)."""
    found = Meeting.objects.filter(pk=pk).first()
    if found is None or not found.papers_pdf:
        raise Http404
    require_visible(request.user, Perm.BOARD_PAPERS_VIEW, found)
    try:
        with found.papers_pdf.open("rb") as f:
            body = f.read()
    except FileNotFoundError:
        log.error("The papers of %s are missing from storage (%s)", found, found.papers_pdf.name)
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    name = found.reference.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="{name}-papers.pdf"'
    return response


# At the meeting ------------------------------------------------------------------------------


@permission_required(Perm.BOARD_MEETING_RECORD)
@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    if not_yet := _not_the_day(request, found):
        return not_yet
    members = selectors.members_on(found.date)
    current = {a.membership_id: a.status for a in found.attendance.all()}
    form = forms.AttendanceForm(
        request.POST or None,
        members=members,
        initial_statuses=current,
        initial={"in_attendance": found.in_attendance},
    )
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.attendance_record(
                meeting=found,
                statuses=form.statuses(),
                in_attendance=form.cleaned_data["in_attendance"],
                by=request.user,
            ),
        )
        if done is not None:
            found = selectors.meeting_with_agenda(found.pk)
            messages.success(
                request, "The attendance is recorded. " + selectors.quorum_for(found).explanation
            )
            return redirect(_meeting_url(found))
    return _form_page(
        request,
        form,
        "Who is at the meeting",
        _meeting_url(found),
        caption=str(found),
        intro=""
        if members
        else "The board has no members on this date: an administrator adds "
        "them under the board's membership.",
    )


@permission_required(Perm.BOARD_MEETING_RECORD)
@require_http_methods(["GET", "POST"])
def item_declare(request, pk, item_pk):
    found = _item(request, pk, item_pk)
    if not_yet := _not_the_day(request, found.meeting):
        return not_yet
    form = forms.DeclarationForm(
        request.POST or None, members=selectors.members_on(found.meeting.date)
    )
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.declaration_record(item=found, by=request.user, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"{done.membership.user}'s declaration is recorded.")
            return redirect("board:item", pk=pk, item_pk=item_pk)
    return _form_page(
        request,
        form,
        "Declare an interest",
        reverse("board:item", args=[pk, item_pk]),
        caption=f"Item {found.position}: {found.title}",
    )


@permission_required(Perm.BOARD_MEETING_RECORD)
@require_http_methods(["GET", "POST"])
def item_decide(request, pk, item_pk):
    found = _item(request, pk, item_pk)
    back = reverse("board:item", args=[pk, item_pk])
    if not found.is_decided and (not_yet := _not_the_day(request, found.meeting)):
        return not_yet
    if found.is_decided:
        messages.error(
            request,
            f"The board's decision on item {found.position} was already recorded: "
            f"{found.outcome_label.lower()}, minute {found.minute_reference}.",
        )
        return redirect(back)
    form = forms.DecisionForm(request.POST or None, source=source_for(found.kind))
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form, lambda: services.item_decide(item=found, by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(
                request,
                f"The board's decision on item {done.position} is recorded: "
                f"{done.outcome_label.lower()}, minute {done.minute_reference}.",
            )
            return redirect(_meeting_url(found.meeting) + "#agenda")
        if AgendaItem.objects.filter(pk=found.pk, state=ItemState.DECIDED).exists():
            messages.error(request, form.non_field_errors()[0])
            return redirect(back)
    return _form_page(
        request,
        form,
        "Record the board's decision",
        back,
        caption=f"Item {found.position}: {found.title}",
        extra={"item": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request, pk, item_pk):
    if not (
        can(request.user, Perm.BOARD_MEETING_RECORD) or can(request.user, Perm.BOARD_MINUTES_EDIT)
    ):
        require(request.user, Perm.BOARD_MEETING_RECORD)
    found = _item(request, pk, item_pk)
    form = forms.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form, lambda: services.action_add(item=found, by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"The action is with {done.owner}.")
            return redirect("board:item", pk=pk, item_pk=item_pk)
    return _form_page(
        request,
        form,
        "Add a board action",
        reverse("board:item", args=[pk, item_pk]),
        caption=f"Item {found.position}: {found.title}",
    )


@permission_required(Perm.BOARD_MEETING_RECORD)
@require_POST
def meeting_close(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    _run(
        request,
        lambda: services.meeting_close(meeting=found, by=request.user),
        "The meeting is closed. The draft minutes can be edited until the next meeting "
        "approves them.",
    )
    return redirect(_meeting_url(found))


@permission_required(Perm.BOARD_MINUTES_EDIT)
@require_http_methods(["GET", "POST"])
def minutes_edit(request, pk):
    found = get_object_or_404(Meeting, pk=pk)
    if found.status != MeetingStatus.HELD:
        messages.error(
            request, "Only the draft minutes of a meeting that has closed can be edited."
        )
        return redirect(_meeting_url(found))
    items = list(found.items.filter(state=ItemState.DECIDED).order_by("minute_number"))
    form = forms.MinutesForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.minutes_update(meeting=found, texts=form.texts(), by=request.user),
        )
        if done is not None:
            messages.success(request, "The draft minutes are saved.")
            return redirect(_meeting_url(found))
    return _form_page(
        request,
        form,
        "Edit the draft minutes",
        _meeting_url(found),
        caption=str(found),
        intro="The next meeting approves them as a correct record; after that they are "
        "published and never change.",
    )


# Board actions ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action(request, pk):
    require(request.user, Perm.BOARD_ACTION_VIEW)
    found = require_visible(
        request.user, Perm.BOARD_ACTION_VIEW, selectors.action_visible(request.user, pk)
    )
    may_complete = found.status == ActionStatus.OPEN and can(
        request.user, Perm.BOARD_ACTION_COMPLETE, found
    )
    form = forms.ActionDoneForm(request.POST or None) if may_complete else None
    if request.method == "POST":
        require(request.user, Perm.BOARD_ACTION_COMPLETE, found)
        if form is None:
            messages.error(request, "This action is already done.")
            return redirect("board:action", pk=pk)
        if form.is_valid():
            done = attempt_on_form(
                form,
                lambda: services.action_complete(
                    action=found, note=form.cleaned_data["note"], by=request.user
                ),
            )
            if done is not None:
                messages.success(request, "The action is marked done; its reminders stop.")
                return redirect("board:action", pk=pk)
    return render(
        request,
        "board/action.html",
        {
            "action": found,
            "form": form,
            "today": _today(),
            "can_open_meeting": can(request.user, Perm.BOARD_VIEW_AGENDA),
        },
        status=400 if form is not None and form.errors else 200,
    )


# Membership and settings ---------------------------------------------------------------------


@permission_required(Perm.BOARD_MANAGE)
@require_GET
def members(request):
    today = _today()
    settings = BoardSettings.current()
    return render(
        request,
        "board/members.html",
        {
            "memberships": selectors.memberships_for_list(),
            "settings": settings,
            "today": today,
        },
    )


@permission_required(Perm.BOARD_MANAGE)
@require_http_methods(["GET", "POST"])
def member_new(request):
    form = forms.MembershipForm(request.POST or None, initial={"starts_on": _today()})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form, lambda: services.membership_add(by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"{done.user} is a member of the board.")
            return redirect("board:members")
    return _form_page(request, form, "Add a member of the board", reverse("board:members"))


@permission_required(Perm.BOARD_MANAGE)
@require_http_methods(["GET", "POST"])
def member_end(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = forms.MembershipEndForm(request.POST or None, initial={"ends_on": _today()})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.membership_end(
                membership=membership, ends_on=form.cleaned_data["ends_on"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, f"{done.user}'s membership ends on {done.ends_on:%-d %B %Y}.")
            return redirect("board:members")
    return _form_page(
        request, form, "End a membership", reverse("board:members"), caption=str(membership)
    )


@permission_required(Perm.BOARD_MANAGE)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    current = BoardSettings.current()
    names = [
        "papers_working_days",
        "quorum_cabinet_members",
        "quorum_elected_members",
        "quorum_corporate_directors",
        "quorum_heads_of_service",
        "quorum_total",
    ]
    form = forms.SettingsForm(request.POST or None, initial={n: getattr(current, n) for n in names})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form, lambda: services.settings_update(by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "The board's settings are saved.")
            return redirect("board:members")
    return _form_page(
        request,
        form,
        "The quorum and the papers",
        reverse("board:members"),
        intro="A meeting is quorate when at least these members are present. The board "
        "records no decision without a quorum.",
    )
