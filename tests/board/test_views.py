"""The board's pages: the public record withholds confidential items, the working view,
the members' home page, the links from the apps below, and fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from board import services
from board.models import ItemKind
from changes import services as change_services
from cycle import services as cycle_services
from cycle.models import Deadline
from tests.changes.factories import in_force, raise_change

from .factories import all_present, board_of, schedule

pytestmark = pytest.mark.django_db

SECRET = "Archive lease: the landlord offer"
REASON = "Commercially sensitive: the lease is under negotiation."


@pytest.fixture
def board(commissioner, board_member, head_of_service, administrator):
    return board_of(
        cabinet=board_member,
        director=commissioner,
        head=head_of_service,
        administrator=administrator,
    )


def _held(commissioner, board_member, *, on=None, confidential=True, approve=True):
    """A meeting held on `on` with an open item and a confidential one, closed, and (with
    `approve`) its minutes approved by the next meeting."""
    today = timezone.localdate()
    on = on or today - datetime.timedelta(days=30)
    meeting = schedule(commissioner, on=on, today=on)
    public_item = services.agenda_item_add(
        meeting=meeting,
        title="Library opening hours",
        what_is_asked="To choose the option.",
        by=commissioner,
    )
    secret = services.agenda_item_add(
        meeting=meeting,
        title=SECRET,
        what_is_asked="To agree the position.",
        is_confidential=confidential,
        confidential_reason=REASON if confidential else "",
        by=commissioner,
    )
    all_present(meeting, board_member, today=on)
    services.item_decide(
        item=public_item,
        outcome="agreed",
        resolution="Option B for 2027/28.",
        by=board_member,
        today=on,
    )
    services.item_decide(
        item=secret, outcome="agreed", resolution="Offer 5% less.", by=board_member, today=on
    )
    services.meeting_close(meeting=meeting, by=board_member, today=on)
    if approve:
        later = schedule(commissioner, on=today, today=today)
        all_present(later, board_member)
        services.item_decide(
            item=later.items.get(kind=ItemKind.MINUTES), outcome="approved", by=board_member
        )
    meeting.refresh_from_db()
    return meeting


def test_the_public_record_withholds_confidential_items_with_the_reason(
    client, board, commissioner, board_member
):
    meeting = _held(commissioner, board_member)
    body = client.get(reverse("board:meeting", args=[meeting.pk])).content.decode()
    assert "Library opening hours" in body and "Option B for 2027/28." in body
    assert "Bill Board (Cabinet Member)" in body  # attendance
    assert f"Minute {meeting.reference}/2: withheld" in body
    assert REASON in body
    assert SECRET not in body and "Offer 5% less." not in body
    # The board's own view shows it.
    client.force_login(board_member)
    staff = client.get(reverse("board:meeting", args=[meeting.pk])).content.decode()
    assert SECRET in staff and "Offer 5% less." in staff


def test_draft_minutes_are_not_public_but_the_decisions_are(
    client, board, commissioner, board_member
):
    meeting = _held(commissioner, board_member, confidential=False, approve=False)
    item = meeting.items.get(title="Library opening hours")
    services.minutes_update(
        meeting=meeting,
        texts={item.pk: "The board discussed three options at length."},
        by=commissioner,
    )
    body = client.get(reverse("board:meeting", args=[meeting.pk])).content.decode()
    assert "The minutes will be published once the board approves them" in body
    assert "Option B for 2027/28." in body
    assert "discussed three options" not in body


def test_the_public_list_shows_meetings_but_no_cancelled_one(client, board, commissioner):
    today = timezone.localdate()
    kept = schedule(commissioner, on=today + datetime.timedelta(days=10))
    gone = schedule(commissioner, on=today + datetime.timedelta(days=40))
    services.meeting_cancel(meeting=gone, reason="No business.", by=commissioner)
    body = client.get(reverse("board:meetings")).content.decode()
    assert str(kept) in body and str(gone) not in body
    assert client.get(reverse("board:meeting", args=[gone.pk])).status_code == 404
    # A visitor sees when and where, not the agenda.
    services.agenda_item_add(
        meeting=kept, title="Fees for 2027/28", what_is_asked="Agree them.", by=commissioner
    )
    page = client.get(reverse("board:meeting", args=[kept.pk])).content.decode()
    assert kept.location in page and "Fees for 2027/28" not in page


def test_the_public_decisions_page_links_each_decision_to_its_meeting(
    client, board, commissioner, board_member, head_of_service
):
    in_force(commissioner, board_member, head_of_service)
    change = raise_change(commissioner, fundamental=True, title="Reduce archive hours")
    change_services.change_request_submit(change=change, by=commissioner)
    meeting = schedule(commissioner)
    all_present(meeting, board_member)
    services.item_decide(
        item=meeting.items.get(subject_key=f"change_request:{change.pk}"),
        outcome="approved",
        by=board_member,
    )
    change.refresh_from_db()
    change_services.decision_notice_publish(decision=change.board_decision, by=commissioner)
    meeting_url = reverse("board:meeting", args=[meeting.pk])
    body = client.get(reverse("changes:notices")).content.decode()
    assert f'href="{meeting_url}#minute-1"' in body
    assert f"minute {meeting.reference}/1" in body
    notice = client.get(reverse("changes:notice", args=[change.board_decision.pk])).content
    assert meeting_url.encode() in notice


def test_the_old_decision_form_points_at_the_meeting(
    client, board, commissioner, board_member, head_of_service
):
    in_force(commissioner, board_member, head_of_service)
    change = raise_change(commissioner, fundamental=True)
    change_services.change_request_submit(change=change, by=commissioner)
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=7))
    client.force_login(board_member)
    body = client.get(reverse("changes:decide", args=[change.pk])).content.decode()
    assert f'href="{reverse("board:meeting", args=[meeting.pk])}"' in body
    assert "outside a meeting" in body


def test_the_board_members_home_shows_the_next_meeting_their_actions_and_recent_decisions(
    client, board, commissioner, board_member, django_capture_on_commit_callbacks
):
    past = _held(commissioner, board_member, confidential=False, approve=False)
    item = past.items.get(title="Library opening hours")
    action = services.action_add(
        item=item,
        description="Publish the new opening hours",
        owner=board_member,
        due_on=timezone.localdate() + datetime.timedelta(days=5),
        by=commissioner,
    )
    upcoming = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        services.papers_produce(meeting=upcoming, by=commissioner)
    upcoming.refresh_from_db()
    services.papers_publish(meeting=upcoming, by=commissioner)
    client.force_login(board_member)
    body = client.get(reverse("home")).content.decode()
    assert "The next board meeting" in body and str(upcoming) in body
    assert reverse("board:papers_pdf", args=[upcoming.pk]) in body
    assert "Your board actions" in body and reverse("board:action", args=[action.pk]) in body
    assert "Decided by the board recently" in body
    assert f"Library opening hours: agreed (minute {past.reference}/1)" in body


def test_a_deadline_waiting_for_the_board_links_its_meeting(
    client, board, commissioner, board_member, head_of_service
):
    in_force(commissioner, board_member, head_of_service)
    today = timezone.localdate()
    cycle_services.deadlines_generate(start_year=_year(today))
    change = raise_change(commissioner, fundamental=True)
    change_services.change_request_submit(change=change, by=commissioner)
    meeting = schedule(commissioner, on=today + datetime.timedelta(days=7))
    deadline = Deadline.objects.get(key=f"change_request:{change.pk}")
    client.force_login(board_member)
    body = client.get(reverse("cycle:deadline", args=[deadline.pk])).content.decode()
    assert f'href="{reverse("board:meeting", args=[meeting.pk])}"' in body


def _year(day):
    from lra_commissioning import dates

    return dates.financial_year_of(day)


def test_the_decision_form_keeps_what_was_typed_and_says_what_is_wrong(
    client, board, commissioner, board_member
):
    meeting = schedule(commissioner)
    item = services.agenda_item_add(
        meeting=meeting, title="Fees", what_is_asked="Agree them.", by=commissioner
    )
    all_present(meeting, board_member)
    client.force_login(board_member)
    url = reverse("board:item_decide", args=[meeting.pk, item.pk])
    response = client.post(url, {"outcome": "agreed", "condition": "Report back in April"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose who owns the action" in body and "Enter the date the action is due" in body
    assert "Report back in April" in body
    item.refresh_from_db()
    assert item.is_open


@pytest.mark.parametrize("who", ["commissioner", "board_member"])
def test_the_meeting_page_costs_a_fixed_number_of_queries(
    who, request, client, board, commissioner, board_member, django_assert_max_num_queries
):
    meeting = schedule(commissioner)
    all_present(meeting, board_member)

    def grow(n):
        for i in range(n):
            item = services.agenda_item_add(
                meeting=meeting, title=f"Item {i}", what_is_asked="Agree.", by=commissioner
            )
            services.item_decide(
                item=item,
                outcome="agreed",
                condition="Do it",
                owner=commissioner,
                due_on=meeting.date + datetime.timedelta(days=9),
                by=board_member,
            )

    client.force_login(request.getfixturevalue(who))
    url = reverse("board:meeting", args=[meeting.pk])
    grow(2)
    with django_assert_max_num_queries(38) as small:
        assert client.get(url).status_code == 200
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    client.logout()
    with django_assert_max_num_queries(25) as public:
        assert client.get(url).status_code == 200
    grow(3)
    with django_assert_max_num_queries(len(public.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_lists_cost_a_fixed_number_of_queries(
    client, board, commissioner, board_member, django_assert_max_num_queries
):
    today = timezone.localdate()
    client.force_login(board_member)
    for i in range(2):
        schedule(commissioner, on=today + datetime.timedelta(days=40 * (i + 1)))
    counts = {}
    for name in ("board:meetings", "board:index", "home"):
        with django_assert_max_num_queries(58) as q:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(q.captured_queries)
    for i in range(2, 8):
        meeting = schedule(commissioner, on=today + datetime.timedelta(days=40 * (i + 1)))
        services.agenda_item_add(
            meeting=meeting, title="Item", what_is_asked="Agree.", by=commissioner
        )
    for name, n in counts.items():
        with django_assert_max_num_queries(n):
            assert client.get(reverse(name)).status_code == 200, name


def test_the_board_page_lists_what_waits_with_due_dates_and_its_meeting(
    client, board, commissioner, board_member, head_of_service, django_assert_max_num_queries
):
    in_force(commissioner, board_member, head_of_service)
    change = raise_change(commissioner, fundamental=True)
    change_services.change_request_submit(change=change, by=commissioner)
    client.force_login(board_member)
    body = client.get(reverse("board:index")).content.decode()
    assert f"{change.reference} Lower K000" in body
    assert "1 July 2016" in body and "Overdue" in body  # due before it takes effect
    assert "Fundamental change" in body and "Not on an agenda yet" in body
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=7))
    body = client.get(reverse("board:index")).content.decode()
    assert f"{meeting}, item 1" in body
