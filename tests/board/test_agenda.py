"""Agenda assembly: what waits for the board appears once, on one agenda, and leaves
when decided."""

import datetime

import pytest
from django.utils import timezone

from board import services
from board.agenda import pending_items
from board.models import AgendaItem, ItemKind, ItemState
from changes import services as change_services
from lra_commissioning.workflow import DomainError

from .factories import all_present, board_of, one_of_each, schedule

pytestmark = pytest.mark.django_db

KINDS = [
    "specification_version",
    "budget_version",
    "change_request",
    "service_idea",
    "escalation",
    "performance_quarter",
    "annual_report",
    "approach_review",
]


@pytest.fixture
def waiting(commissioner, service_manager, head_of_service, board_member, administrator):
    board_of(cabinet=board_member, director=commissioner, administrator=administrator)
    return one_of_each(
        commissioner=commissioner,
        service_manager=service_manager,
        head_of_service=head_of_service,
        board_member=board_member,
    )


def test_every_kind_of_waiting_record_is_pending_once(waiting):
    pending = pending_items(today=timezone.localdate())
    keys = [p.subject_key for p in pending]
    assert sorted(keys) == sorted(waiting.values())
    assert {p.kind for p in pending} == set(KINDS)


def test_scheduling_puts_each_waiting_record_on_the_agenda_once(waiting, commissioner):
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=21))
    items = list(meeting.items.order_by("position"))
    assert [i.subject_key for i in items].count(waiting["change_request"]) == 1
    assert sorted(i.subject_key for i in items) == sorted(waiting.values())
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    # Bringing it up to date again adds nothing; a second meeting gets none of them.
    assert services.agenda_assemble(meeting=meeting, by=commissioner) == {"added": 0, "removed": 0}
    later = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=60))
    assert later.items.count() == 0
    assert AgendaItem.objects.filter(subject_key=waiting["service_idea"]).count() == 1


def test_an_item_decided_at_the_meeting_leaves_what_waits(waiting, commissioner, board_member):
    meeting = schedule(commissioner)
    all_present(meeting, board_member)
    item = meeting.items.get(subject_key=waiting["service_idea"])
    services.item_decide(item=item, outcome="adopted", by=board_member)
    keys = {p.subject_key for p in pending_items(today=timezone.localdate())}
    assert waiting["service_idea"] not in keys
    quarter = meeting.items.get(kind=ItemKind.PERFORMANCE)
    services.item_decide(item=quarter, outcome="noted", by=board_member)
    keys = {p.subject_key for p in pending_items(today=timezone.localdate())}
    assert waiting["performance_quarter"] not in keys
    # The next meeting's agenda does not take them again.
    later = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=30))
    assert not later.items.filter(
        subject_key__in=[waiting["service_idea"], waiting["performance_quarter"]]
    ).exists()


def test_a_record_decided_outside_the_meeting_leaves_its_agenda(
    waiting, commissioner, board_member
):
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=14))
    from changes.models import ServiceIdea

    idea = ServiceIdea.objects.get(pk=int(waiting["service_idea"].split(":")[1]))
    change_services.idea_decide(
        idea=idea,
        decision="declined",
        decided_on=timezone.localdate(),
        minute_reference="Chair's action 4/2026",
        by=board_member,
    )
    assert services.agenda_assemble(meeting=meeting, by=commissioner) == {"added": 0, "removed": 1}
    assert not meeting.items.filter(subject_key=waiting["service_idea"]).exists()


def test_items_not_taken_wait_for_the_next_agenda(waiting, commissioner, board_member):
    meeting = schedule(commissioner)
    all_present(meeting, board_member)
    services.meeting_close(meeting=meeting, by=board_member)
    assert set(meeting.items.values_list("state", flat=True)) == {ItemState.NOT_TAKEN}
    later = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=30))
    keys = set(later.items.values_list("subject_key", flat=True))
    assert set(waiting.values()) <= keys
    # The minutes of the closed meeting come first.
    first = later.items.order_by("position").first()
    assert first.kind == ItemKind.MINUTES and first.subject_key == f"minutes:{meeting.pk}"


def test_items_added_by_hand_stay_and_the_agenda_can_be_reordered(waiting, commissioner):
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=14))
    extra = services.agenda_item_add(
        meeting=meeting,
        title="Library strategy: verbal update",
        what_is_asked="To note the update.",
        by=commissioner,
    )
    assert extra.position == len(waiting) + 1
    services.agenda_item_move(item=extra, direction="up", by=commissioner)
    extra.refresh_from_db()
    assert extra.position == len(waiting)
    services.agenda_assemble(meeting=meeting, by=commissioner)
    assert meeting.items.filter(pk=extra.pk).exists()
    positions = list(meeting.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(waiting) + 2))
    services.agenda_item_remove(item=extra, by=commissioner)
    assert list(meeting.items.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(waiting) + 1)
    )


def test_a_published_agenda_no_longer_changes(
    waiting, commissioner, django_capture_on_commit_callbacks
):
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        services.papers_produce(meeting=meeting, by=commissioner)  # rendered after commit
    meeting.refresh_from_db()
    services.papers_publish(meeting=meeting, by=commissioner)
    with pytest.raises(DomainError, match="papers have been published"):
        services.agenda_item_add(
            meeting=meeting, title="Late item", what_is_asked="Note.", by=commissioner
        )
    with pytest.raises(DomainError, match="papers have been published"):
        services.agenda_assemble(meeting=meeting, by=commissioner)


def test_only_a_commissioner_schedules_and_assembles(waiting, board_member, service_manager):
    for person in (board_member, service_manager):
        with pytest.raises(DomainError, match="Only a commissioner"):
            schedule(person)
