"""Who may open each page of the board's meetings, on the demo data.

The demo has two held meetings (the first with approved minutes, the second
with draft minutes), the next meeting (papers published to the members) and
one after it (its agenda still open). `/board/meetings/` and a meeting's page
answer everyone: the working view to commissioners and board members, the
public part to the rest. Pages that record at the meeting send a board member
back to it (302) before the meeting day; pages that change the agenda send a
commissioner back once the papers are published. POST-only actions answer a
GET with 405 for the role that may use them.
"""

from .expectations import SM, A, B, C, Page, public, staff


def _meeting(which):
    def kwargs():
        from django.utils import timezone

        from board.models import Meeting

        # The story holds meetings up to today and plans the next two.
        today = timezone.localdate()
        meetings = list(Meeting.objects.order_by("date"))
        held = [m for m in meetings if m.date < today]
        coming = [m for m in meetings if m.date >= today]
        return {
            "pk": {
                "first": held[0],
                "last": held[-1],
                "second": held[1],
                "next": coming[0],
                "after": coming[1],
            }[which].pk
        }

    return kwargs


def _item(which, **extra):
    def kwargs():
        from board.models import AgendaItem, Meeting

        meeting = Meeting.objects.get(pk=_meeting(which)()["pk"])
        item = AgendaItem.objects.filter(meeting=meeting, **extra).order_by("position").first()
        return {"pk": meeting.pk, "item_pk": item.pk}

    return kwargs


def _next_with_papers():
    """The next meeting, its papers put into this test's media folder (each test has its own)."""
    from django.core.files.base import ContentFile

    from board.models import Meeting

    meeting = Meeting.objects.get(pk=NEXT()["pk"])
    storage = meeting.papers_pdf.storage
    if not storage.exists(meeting.papers_pdf.name):
        storage.save(meeting.papers_pdf.name, ContentFile(b"%PDF-1.7 demo"))
    return {"pk": meeting.pk}


def _open_action():
    from board.models import BoardAction

    return {"pk": BoardAction.objects.filter(status="open").order_by("pk").first().pk}


def _membership():
    from board.models import Membership

    return {"pk": Membership.objects.order_by("pk").first().pk}


NEXT = _meeting("next")
AFTER = _meeting("after")
SECOND = _meeting("second")

PAGES: dict[str, Page] = {
    "board:index": staff(C, B),
    "board:meetings": public(),
    "board:meeting_new": staff(C),
    "board:meeting": public(kwargs=NEXT),
    # The next meeting's papers are published: its date and agenda are fixed.
    "board:meeting_edit": staff(C, kwargs=AFTER),
    "board:meeting_cancel": staff(C, kwargs=AFTER),
    "board:agenda_assemble": staff(C, kwargs=AFTER, ok=405),
    "board:item_new": staff(C, kwargs=AFTER),
    "board:papers_produce": staff(C, kwargs=AFTER, ok=405),
    "board:papers_publish": staff(C, kwargs=AFTER, ok=405),
    # Published to the members: the head of service sits on the board.
    "board:papers_pdf": staff(C, B, SM, kwargs=_next_with_papers, denied=404, html=False),
    # Before the meeting day the board member is sent back to the meeting.
    "board:attendance": staff(B, kwargs=NEXT, ok=302),
    "board:meeting_close": staff(B, kwargs=NEXT, ok=405),
    # The last meeting's minutes wait for approval at the next: they can be edited.
    "board:minutes_edit": staff(C, B, kwargs=_meeting("last")),
    "board:item": staff(C, B, kwargs=_item("next")),
    "board:item_edit": staff(C, kwargs=_item("after")),
    "board:item_move": staff(C, kwargs=lambda: {**_item("after")(), "direction": "up"}, ok=405),
    "board:item_remove": staff(C, kwargs=_item("after"), ok=405),
    "board:item_decide": staff(B, kwargs=_item("next"), ok=302),
    "board:item_declare": staff(B, kwargs=_item("next"), ok=302),
    "board:action_new": staff(C, B, kwargs=_item("second", state="decided")),
    # The open action is the head of service's: others outside the board get 404.
    "board:action": staff(C, B, SM, kwargs=_open_action, denied=404),
    "board:members": staff(A),
    "board:member_new": staff(A),
    "board:member_end": staff(A, kwargs=_membership),
    "board:settings": staff(A),
}
