"""The board's working life in Chromium, with axe on every page along the way.

A commissioner schedules a meeting and publishes its papers; a board member records
who is present and decides two items, one with a condition; the condition's owner
sees the action on their home page and marks it done; a visitor reads the record.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from board.models import BoardAction, ItemState, Meeting
from changes import services as change_services
from tests.changes.factories import in_force, raise_change

from .factories import board_of

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db, commissioner, board_member, head_of_service, administrator):
    board_of(
        cabinet=board_member,
        director=commissioner,
        head=head_of_service,
        administrator=administrator,
    )
    in_force(commissioner, board_member, head_of_service)
    change = raise_change(commissioner, fundamental=True, title="Reduce archive search-room hours")
    change_services.change_request_submit(change=change, by=commissioner)
    idea = change_services.idea_propose(
        title="Wedding fairs in register offices",
        description="Hold two wedding fairs a year.",
        benefits="Ceremony income.",
        costs="Staff time.",
        risks="Low take-up.",
        by=head_of_service,
    )
    return change, idea


def _submit(page, label):
    page.get_by_role("button", name=label).click()


def _date(page, field, day):
    for box, part in enumerate((day.day, day.month, day.year)):
        page.fill(f"#id_{field}_{box}", str(part))


def test_schedule_publish_decide_and_the_owner_sees_the_action(
    page_for, assert_accessible, world, commissioner, board_member, head_of_service
):
    change, idea = world
    today = timezone.localdate()

    # The commissioner schedules a meeting for today; its agenda is what waits.
    staff = page_for(commissioner)
    staff.goto(reverse("board:meetings"))
    assert_accessible(staff)
    staff.get_by_role("link", name="Schedule a meeting").click()
    assert_accessible(staff)
    _submit(staff, "Schedule the meeting")
    assert "Enter the date of the meeting" in staff.content()
    assert_accessible(staff)
    _date(staff, "date", today)
    staff.fill("#id_starts_at", "2:30pm")
    staff.fill("#id_location", "Council Chamber")
    _submit(staff, "Schedule the meeting")
    assert "with 3 items on its agenda" in staff.content()
    assert_accessible(staff)
    meeting = Meeting.objects.get()
    content = staff.content()
    for title in (f"{change.reference} Reduce archive search-room hours", idea.title):
        assert title in content
    staff.get_by_role("link", name="Add an item by hand").click()
    assert_accessible(staff)
    staff.fill("#id_title", "Registration fees for 2027/28")
    staff.fill("#id_what_is_asked", "To agree the discretionary fees.")
    _submit(staff, "Add to the agenda")
    assert "Item 4, Registration fees for 2027/28, is on the agenda." in staff.content()
    staff.get_by_role("button", name=re.compile(r"^Up\b.*Registration fees")).click()
    assert "Registration fees for 2027/28 is now item 3." in staff.content()
    _submit(staff, "Produce the papers")
    # Wait for the answer to the post before reloading (a reload while the post is
    # still navigating detaches the page); the task has run on commit by then.
    expect(staff.get_by_text("The papers are being produced.")).to_be_visible()
    staff.reload()
    _submit(staff, "Publish the papers to the members")
    assert "The papers are published to the members" in staff.content()
    assert_accessible(staff)
    assert staff.get_by_role("link", name="The papers (PDF)").count() == 1

    # A board member: the next meeting on the home page, then the meeting.
    board = page_for(board_member)
    board.goto(reverse("home"))
    assert "The next board meeting" in board.content()
    assert_accessible(board)
    board.get_by_role("link", name=f"{meeting}, 2:30pm").click()
    assert_accessible(board)
    board.get_by_role("link", name="Record who is present").click()
    assert_accessible(board)
    _submit(board, "Save the attendance")
    assert "Select whether Bill Board was present" in board.content()
    assert_accessible(board)
    for radio in board.locator("input[type=radio][value=present]").all():
        radio.check()
    _submit(board, "Save the attendance")
    assert "The meeting is quorate." in board.content()

    # A declaration, then the idea adopted.
    board.get_by_role("link", name=idea.title, exact=False).first.click()
    assert_accessible(board)
    board.get_by_role("link", name="Declare an interest").click()
    assert_accessible(board)
    board.select_option("#id_membership", label="Hana Head, Head of service")
    board.fill("#id_interest", "Her spouse runs a wedding venue.")
    _submit(board, "Record the declaration")
    assert "Hana Head's declaration is recorded." in board.content()
    board.get_by_role("link", name="Record the board's decision").click()
    assert_accessible(board)
    board.check("input[name=outcome][value=adopted]")
    _submit(board, "Record the decision")
    assert f"adopted, minute {meeting.reference}/1" in board.content()

    # The change approved with a condition owned by the head of service.
    board.get_by_role("link", name=f"{change.reference} Reduce archive search-room hours").click()
    board.get_by_role("link", name="Record the board's decision").click()
    board.check("input[name=outcome][value=approved_with_conditions]")
    _submit(board, "Record the decision")
    assert "Enter the condition the board set" in board.content()
    assert_accessible(board)
    board.fill("#id_condition", "Report Saturday demand to the board in six months")
    board.select_option("#id_owner", label="Hana Head")
    due = today.replace(day=1).replace(year=today.year + 1)
    _date(board, "due_on", due)
    _submit(board, "Record the decision")
    assert f"approved with conditions, minute {meeting.reference}/2" in board.content()
    change.refresh_from_db()
    assert change.board_decision.minute_reference == f"{meeting.reference}/2"
    assert meeting.items.filter(state=ItemState.DECIDED).count() == 2

    # The owner sees the action on their home page and marks it done.
    owner = page_for(head_of_service)
    owner.goto(reverse("home"))
    assert "Your board actions" in owner.content()
    owner.get_by_role("link", name="Report Saturday demand to the board in six months").click()
    assert_accessible(owner)
    assert f"minute {meeting.reference}/2" in owner.content()
    owner.fill("#id_note", "Reported in the March return.")
    _submit(owner, "Mark as done")
    assert "The action is marked done" in owner.content()
    assert BoardAction.objects.get().status == "done"

    # The board closes the meeting; a visitor reads the decisions.
    # (Signing the owner in on the shared test client ended the first board session.)
    board = page_for(board_member)
    board.goto(reverse("board:meeting", args=[meeting.pk]))
    _submit(board, "Close the meeting")
    assert "The meeting is closed." in board.content()
    assert_accessible(board)
    visitor = page_for(None)
    visitor.goto(reverse("board:meetings"))
    assert_accessible(visitor)
    visitor.get_by_role("link", name=str(meeting)).click()
    content = visitor.content()
    assert "Approved with conditions" in content and "Adopted" in content
    assert "The minutes will be published once the board approves them" in content
    assert_accessible(visitor)
