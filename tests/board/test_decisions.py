"""At the meeting: quorum, minute numbering, decisions recorded once through the owning
app, conditions that become actions with deadlines, minutes approved at the next meeting."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from board import services
from board.models import (
    ActionStatus,
    AgendaItem,
    BoardSettings,
    ItemState,
    Meeting,
    MeetingStatus,
    Membership,
    Position,
)
from board.quorum import quorum
from changes.models import ChangeRequest, Status
from cycle import services as cycle_services
from cycle.models import Deadline, DeadlineKind
from lra_commissioning.workflow import DomainError
from specifications.models import SpecificationVersion, VersionStatus

from .factories import all_present, board_of, member, one_of_each, schedule

pytestmark = pytest.mark.django_db

CM, ED, CD, HS = (
    Position.CABINET_MEMBER,
    Position.ELECTED_MEMBER,
    Position.CORPORATE_DIRECTOR,
    Position.HEAD_OF_SERVICE,
)


# The quorum rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "met"),
    [
        ([CM, CD], True),  # the default: one Cabinet Member and one Corporate Director
        ([CM, CD, HS], True),
        ([CM], False),
        ([CD, CD], False),  # two present, but no Cabinet Member
        ([CM, HS], False),
        ([CM, ED, HS], False),
        ([], False),
    ],
)
def test_the_default_quorum_is_a_cabinet_member_and_a_corporate_director(present, met):
    assert quorum(present, BoardSettings()).met is met


def test_the_quorum_says_what_is_missing():
    q = quorum([CD], BoardSettings())
    assert not q.met
    assert q.explanation == (
        "The meeting is not quorate: it needs a Cabinet Member present and at least 2 "
        "members present."
    )


def test_an_administrator_sets_the_quorum(administrator, commissioner):
    services.settings_update(
        papers_working_days=10,
        quorum_cabinet_members=1,
        quorum_elected_members=0,
        quorum_corporate_directors=2,
        quorum_heads_of_service=1,
        quorum_total=4,
        by=administrator,
    )
    rule = BoardSettings.current()
    assert not quorum([CM, CD, HS], rule).met
    assert quorum([CM, CD, CD, HS], rule).met
    assert "at least 2 Corporate Directors present" in quorum([CM, CD, HS, ED], rule).explanation
    with pytest.raises(DomainError, match="Only an administrator"):
        services.settings_update(
            papers_working_days=5,
            quorum_cabinet_members=1,
            quorum_elected_members=0,
            quorum_corporate_directors=1,
            quorum_heads_of_service=0,
            quorum_total=2,
            by=commissioner,
        )


def test_a_quorum_smaller_than_its_positions_is_refused(administrator):
    with pytest.raises(ValidationError) as exc:
        services.settings_update(
            papers_working_days=5,
            quorum_cabinet_members=1,
            quorum_elected_members=1,
            quorum_corporate_directors=1,
            quorum_heads_of_service=0,
            quorum_total=2,
            by=administrator,
        )
    assert "at least the 3 members" in exc.value.message_dict["quorum_total"][0]


# Recording at the meeting ---------------------------------------------------------------------


@pytest.fixture
def board(commissioner, board_member, head_of_service, administrator):
    return board_of(
        cabinet=board_member,
        director=commissioner,
        head=head_of_service,
        administrator=administrator,
    )


def _hand_items(meeting, commissioner, n):
    return [
        services.agenda_item_add(
            meeting=meeting, title=f"Item {i}", what_is_asked="To agree it.", by=commissioner
        )
        for i in range(1, n + 1)
    ]


def test_no_decision_without_attendance_or_without_a_quorum(board, commissioner, board_member):
    meeting = schedule(commissioner)
    (item,) = _hand_items(meeting, commissioner, 1)
    with pytest.raises(DomainError, match="Record who is present"):
        services.item_decide(item=item, outcome="agreed", by=board_member)
    statuses = {m.pk: "present" for m in board}
    director = next(m for m in board if m.position == CD)
    statuses[director.pk] = "apologies"
    services.attendance_record(meeting=meeting, statuses=statuses, by=board_member)
    with pytest.raises(DomainError, match="not quorate: it needs a Corporate Director present"):
        services.item_decide(item=item, outcome="agreed", by=board_member)
    item.refresh_from_db()
    assert item.state == ItemState.OPEN and item.minute_number is None


def test_no_decision_before_the_meeting_day(board, commissioner, board_member):
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=7))
    (item,) = _hand_items(meeting, commissioner, 1)
    with pytest.raises(DomainError, match="recorded from that day"):
        all_present(meeting, board_member)
    with pytest.raises(DomainError, match="recorded from that day"):
        services.item_decide(item=item, outcome="agreed", by=board_member)


def test_minutes_are_numbered_in_the_order_decided_from_the_meeting(
    board, commissioner, board_member
):
    with time_machine.travel(
        datetime.datetime(2026, 7, 15, 11, 0, tzinfo=datetime.UTC), tick=False
    ):
        meeting = schedule(commissioner)
        assert meeting.reference == "LRA-SB/2026/07"
        first, second, third = _hand_items(meeting, commissioner, 3)
        all_present(meeting, board_member)
        services.item_decide(item=third, outcome="agreed", by=board_member)
        services.item_decide(item=first, outcome="noted", by=board_member)
        services.item_decide(item=second, outcome="not_agreed", by=board_member)
    references = {i.title: i.minute_reference for i in AgendaItem.objects.filter(meeting=meeting)}
    assert references == {
        "Item 3": "LRA-SB/2026/07/1",
        "Item 1": "LRA-SB/2026/07/2",
        "Item 2": "LRA-SB/2026/07/3",
    }


def test_a_second_meeting_in_the_month_has_its_own_reference(board, commissioner):
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        first = schedule(commissioner, on=datetime.date(2026, 7, 8))
        second = schedule(commissioner, on=datetime.date(2026, 7, 29))
    assert (first.reference, second.reference) == ("LRA-SB/2026/07", "LRA-SB/2026/07-2")


def test_a_decision_is_recorded_once(board, commissioner, board_member):
    meeting = schedule(commissioner)
    (item,) = _hand_items(meeting, commissioner, 1)
    all_present(meeting, board_member)
    services.item_decide(item=item, outcome="agreed", by=board_member)
    with pytest.raises(services.AlreadyDecided, match="already recorded by Bill Board: agreed"):
        services.item_decide(item=item, outcome="not_agreed", by=board_member)
    item.refresh_from_db()
    assert (item.outcome, item.minute_number) == ("agreed", 1)


@pytest.mark.django_db(transaction=True)
def test_two_members_deciding_at_once_record_one_decision(board, commissioner, board_member):
    from lra_commissioning.roles import Role
    from tests.factories import make_user

    other = make_user(Role.BOARD_MEMBER, email="b2@example.org", full_name="Beth Board")
    meeting = schedule(commissioner)
    (item,) = _hand_items(meeting, commissioner, 1)
    all_present(meeting, board_member)
    results, barrier = [], threading.Barrier(2)

    def decide(person, outcome):
        try:
            barrier.wait()
            services.item_decide(item=item, outcome=outcome, by=person)
            results.append("recorded")
        except services.AlreadyDecided:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(board_member, "agreed")),
        threading.Thread(target=decide, args=(other, "not_agreed")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["recorded", "refused"]
    assert AgendaItem.objects.filter(meeting=meeting, state=ItemState.DECIDED).count() == 1


def test_decisions_go_through_the_owning_apps_with_the_generated_minute(
    commissioner, service_manager, head_of_service, board_member, administrator, board
):
    waiting = one_of_each(
        commissioner=commissioner,
        service_manager=service_manager,
        head_of_service=head_of_service,
        board_member=board_member,
    )
    meeting = schedule(commissioner)
    all_present(meeting, board_member)
    spec = meeting.items.get(subject_key=waiting["specification_version"])
    services.item_decide(item=spec, outcome="sign_off", by=board_member)
    version = SpecificationVersion.objects.get(
        pk=int(waiting["specification_version"].split(":")[1])
    )
    assert version.status == VersionStatus.SIGNED_OFF
    assert version.board_minute_reference == f"{meeting.reference}/1"
    assert version.board_decided_on == meeting.date
    change_item = meeting.items.get(subject_key=waiting["change_request"])
    services.item_decide(
        item=change_item,
        outcome="approved_with_conditions",
        condition="Review Saturday demand in six months",
        owner=service_manager,
        due_on=meeting.date + datetime.timedelta(days=180),
        by=board_member,
    )
    change = ChangeRequest.objects.get(pk=int(waiting["change_request"].split(":")[1]))
    assert change.status == Status.APPROVED
    assert change.board_decision.minute_reference == f"{meeting.reference}/2"
    assert change.board_decision.conditions == "Review Saturday demand in six months"
    escalation = meeting.items.get(subject_key=waiting["escalation"])
    with pytest.raises(ValidationError) as exc:
        services.item_decide(item=escalation, outcome="responded", by=board_member)
    assert exc.value.message_dict["resolution"] == ["Enter the board's response"]
    services.item_decide(
        item=escalation, outcome="responded", resolution="Monitor monthly.", by=board_member
    )
    escalation.refresh_from_db()
    assert escalation.minute_reference == f"{meeting.reference}/3"
    # A record decided outside the meeting since: the owning app refuses, nothing is kept.
    from changes import services as change_services
    from changes.models import ServiceIdea

    idea = ServiceIdea.objects.get(pk=int(waiting["service_idea"].split(":")[1]))
    change_services.idea_decide(
        idea=idea,
        decision="deferred",
        decided_on=timezone.localdate(),
        minute_reference="Chair's action",
        by=board_member,
    )
    idea_item = meeting.items.get(subject_key=waiting["service_idea"])
    with pytest.raises(DomainError, match="already recorded"):
        services.item_decide(item=idea_item, outcome="adopted", by=board_member)
    idea_item.refresh_from_db()
    assert idea_item.state == ItemState.OPEN
    assert meeting.items.filter(minute_number=4).count() == 0


def test_conditional_approval_needs_a_condition_with_owner_and_date(
    commissioner, service_manager, head_of_service, board_member, board
):
    waiting = one_of_each(
        commissioner=commissioner,
        service_manager=service_manager,
        head_of_service=head_of_service,
        board_member=board_member,
    )
    meeting = schedule(commissioner)
    all_present(meeting, board_member)
    item = meeting.items.get(subject_key=waiting["change_request"])
    with pytest.raises(ValidationError) as exc:
        services.item_decide(item=item, outcome="approved_with_conditions", by=board_member)
    assert "condition" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.item_decide(
            item=item,
            outcome="approved_with_conditions",
            condition="Report back in April",
            by=board_member,
        )
    assert exc.value.message_dict["owner"] == ["Choose who owns the action"]
    assert exc.value.message_dict["due_on"] == ["Enter the date the action is due"]


# Conditions become actions with deadlines ------------------------------------------------------


def test_a_condition_becomes_an_action_in_its_owners_calendar_until_done(
    board, commissioner, board_member, service_manager
):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    for year in {_year(today), _year(due)}:
        cycle_services.deadlines_generate(start_year=year)
    meeting = schedule(commissioner)
    (item,) = _hand_items(meeting, commissioner, 1)
    all_present(meeting, board_member)
    services.item_decide(
        item=item,
        outcome="agreed",
        condition="Report back to the board on opening hours",
        owner=service_manager,
        due_on=due,
        by=board_member,
    )
    action = item.actions.get()
    assert (action.owner, action.due_on, action.status) == (service_manager, due, ActionStatus.OPEN)
    deadline = Deadline.objects.get(key=f"board_action:{action.pk}")
    assert deadline.kind == DeadlineKind.BOARD_ACTION
    assert (deadline.responsible_person, deadline.due_on) == (service_manager, due)
    assert deadline in Deadline.objects.open().for_person(service_manager)
    assert deadline not in Deadline.objects.open().for_person(commissioner)
    # Reminders go to the owner as it falls due, and stop once it is done.
    ids = cycle_services.reminders_sweep(today=due - datetime.timedelta(days=7))
    assert {r.recipient for r in deadline.reminders.all()} == {service_manager}
    assert ids
    with pytest.raises(DomainError, match="Only the action's owner"):
        services.action_complete(action=action, by=make_other_manager())
    services.action_complete(action=action, note="Reported.", by=service_manager)
    deadline.refresh_from_db()
    assert deadline.met_on == today and deadline.met_by == service_manager
    assert set(deadline.reminders.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(DomainError, match="already marked done"):
        services.action_complete(action=action, by=service_manager)


def make_other_manager():
    from lra_commissioning.roles import Role
    from tests.factories import make_user

    return make_user(Role.SERVICE_MANAGER, email="sm9@example.org", full_name="Someone Else")


def _year(day):
    from lra_commissioning import dates

    return dates.financial_year_of(day)


def test_papers_are_a_deadline_for_the_commissioners_a_set_number_of_working_days_before(
    board, commissioner
):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        cycle_services.deadlines_generate(start_year=2026)
        meeting = schedule(commissioner, on=datetime.date(2026, 7, 15))
        deadline = Deadline.objects.get(key=f"board_papers:{meeting.pk}")
    assert deadline.kind == DeadlineKind.BOARD_PAPERS
    assert deadline.due_on == datetime.date(2026, 7, 8)  # five working days before
    assert deadline.responsible_role == "commissioner"


def test_a_change_waiting_for_the_board_is_due_at_the_meeting_that_will_take_it(
    commissioner, service_manager, head_of_service, board_member, board
):
    waiting = one_of_each(
        commissioner=commissioner,
        service_manager=service_manager,
        head_of_service=head_of_service,
        board_member=board_member,
    )
    today = timezone.localdate()
    cycle_services.deadlines_generate(start_year=_year(today))
    meeting = schedule(commissioner, on=today + datetime.timedelta(days=14))
    change_pk = waiting["change_request"].split(":")[1]
    deadline = Deadline.objects.get(key=f"change_request:{change_pk}")
    assert deadline.due_on == meeting.date
    assert f"at the meeting on {meeting.date:%-d %B %Y}" in deadline.title
    from lra_commissioning import meetings

    link = meetings.links_for_obligations([deadline.key])[deadline.key]
    assert link.url == f"/board/meetings/{meeting.pk}/"


# Closing the meeting and the minutes ------------------------------------------------------------


def test_the_next_meeting_approves_the_minutes(board, commissioner, board_member):
    meeting = schedule(commissioner)
    (item,) = _hand_items(meeting, commissioner, 1)
    all_present(meeting, board_member)
    services.item_decide(
        item=item, outcome="agreed", resolution="Agreed as set out.", by=board_member
    )
    item.refresh_from_db()
    assert "The board's decision: Agreed." in item.minute_text
    services.meeting_close(meeting=meeting, by=board_member)
    services.minutes_update(meeting=meeting, texts={item.pk: "Amended minute."}, by=commissioner)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=28), tick=False):
        later = schedule(commissioner)
        minutes_item = later.items.get(subject_key=f"minutes:{meeting.pk}")
        assert minutes_item.position == 1
        all_present(later, board_member)
        services.item_decide(item=minutes_item, outcome="approved", by=board_member)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert meeting.minutes_approved_at == later
    with pytest.raises(DomainError):
        services.minutes_update(meeting=meeting, texts={item.pk: "Too late."}, by=commissioner)


def test_membership_dates_decide_who_is_a_member_on_the_day(
    administrator, board_member, commissioner
):
    old = member(board_member, CM, by=administrator, starts_on=datetime.date(2020, 1, 1))
    services.membership_end(membership=old, ends_on=datetime.date(2024, 5, 1), by=administrator)
    member(commissioner, CD, by=administrator, starts_on=datetime.date(2023, 1, 1))
    on = datetime.date(2025, 1, 1)
    assert list(Membership.objects.active_on(on)) == [Membership.objects.get(user=commissioner)]
    with pytest.raises(ValidationError, match="already a member"):
        member(commissioner, HS, by=administrator, starts_on=datetime.date(2024, 1, 1))
    assert Meeting.objects.count() == 0
