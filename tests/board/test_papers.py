"""The papers pack: a tagged PDF with every item's paper, read back with poppler, and who
may read it (the members once published, the commissioners once produced)."""

import datetime
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from board import services
from board.models import Meeting, PapersStatus
from lra_commissioning.workflow import DomainError

from .factories import board_of, one_of_each, schedule

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


def _info(pdf: bytes) -> str:
    return subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def meeting(
    commissioner,
    service_manager,
    head_of_service,
    board_member,
    administrator,
    django_capture_on_commit_callbacks,
):
    board_of(
        cabinet=board_member,
        director=commissioner,
        head=head_of_service,
        administrator=administrator,
    )
    one_of_each(
        commissioner=commissioner,
        service_manager=service_manager,
        head_of_service=head_of_service,
        board_member=board_member,
    )
    meeting = schedule(commissioner, on=timezone.localdate() + datetime.timedelta(days=21))
    services.agenda_item_add(
        meeting=meeting,
        title="Archive lease",
        what_is_asked="To agree the negotiating position.",
        paper_text="The landlord proposes a ten-year lease.",
        is_confidential=True,
        confidential_reason="Commercially sensitive.",
        by=commissioner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.papers_produce(meeting=meeting, by=commissioner)
    meeting.refresh_from_db()
    return meeting


def test_the_papers_are_a_tagged_pdf_with_every_item(meeting):
    assert meeting.papers_status == PapersStatus.READY
    with meeting.papers_pdf.open("rb") as f:
        pdf = f.read()
    info = _info(pdf)
    assert "Tagged:          yes" in info
    assert f"Title:           Papers: {meeting}" in info
    text = _text(pdf)
    items = list(meeting.items.order_by("position"))
    assert len(items) == 9
    for item in items:
        assert f"Item {item.position}: {item.title}" in text, item.title
    # Each paper comes from its record: what is asked, the options, the figures.
    assert "To decide on the fundamental change CR-" in text
    assert "The impact assessment" in text and "Financial impact" in text
    assert "The five years" in text and "Net budget" in text  # the budget's figures
    assert "The KPIs and their targets" in text  # the specification's
    assert "The year at a glance" in text  # the quarter's performance
    assert "Benefits Income." in text  # the idea's
    assert "Confidential: not for publication. Commercially sensitive." in text
    assert "The landlord proposes a ten-year lease." in text
    assert "Background documents" in text


def test_publishing_tells_the_members_and_meets_the_deadline(
    meeting, commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.papers_publish(meeting=meeting, by=commissioner)
    meeting.refresh_from_db()
    assert meeting.papers_published_at is not None and meeting.papers_notice_sent_at is not None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["b@example.org", "c@example.org", "hos@example.org"]
    assert mail.outbox[0].subject == f"Papers published: {meeting}"
    assert f"/board/meetings/{meeting.pk}/papers.pdf" in mail.outbox[0].body
    # Sent once, however often the task runs.
    assert services.papers_notice_send(meeting_id=meeting.pk) == 0
    assert len(mail.outbox) == 3


def test_papers_older_than_the_agenda_are_not_published(meeting, commissioner):
    services.agenda_item_add(
        meeting=meeting, title="Late item", what_is_asked="To note it.", by=commissioner
    )
    with pytest.raises(DomainError, match="agenda has changed since the papers were produced"):
        services.papers_publish(meeting=meeting, by=commissioner)


def test_unpublished_papers_are_the_commissioners_only(
    meeting, client, commissioner, board_member, head_of_service, service_manager, support_lead
):
    url = reverse("board:papers_pdf", args=[meeting.pk])

    def status(user):
        client.force_login(user)
        return client.get(url).status_code

    assert status(commissioner) == 200
    for user in (board_member, head_of_service, service_manager, support_lead):
        assert status(user) == 404, user
    services.papers_publish(meeting=meeting, by=commissioner)
    response = client.get(url)  # still the support lead
    assert response.status_code == 404
    assert status(board_member) == 200
    assert status(head_of_service) == 200  # a member of the board
    assert status(service_manager) == 404  # not a member
    client.force_login(board_member)
    body = client.get(reverse("board:meeting", args=[meeting.pk])).content.decode()
    assert url in body


def test_a_render_that_fails_is_shown_and_can_be_asked_for_again(
    meeting, commissioner, monkeypatch, django_capture_on_commit_callbacks
):
    from board import papers

    def broken(m):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(papers, "render_papers_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.papers_produce(meeting=meeting, by=commissioner)
    meeting.refresh_from_db()
    assert meeting.papers_status == PapersStatus.FAILED
    assert "no fonts" in meeting.papers_error
    assert services.papers_render(meeting_id=meeting.pk) is False  # not pending: nothing to do
    assert Meeting.objects.get(pk=meeting.pk).papers_status == PapersStatus.FAILED


def test_a_version_back_from_the_service_carries_the_services_reasons_to_the_board(
    commissioner, board_member, head_of_service
):
    from board.sources import SpecificationSource
    from specifications import services as spec_services
    from specifications.models import VersionStatus
    from specifications.selectors import version_with_content
    from tests.specifications.factories import draft_version, take_to

    version = take_to(
        draft_version(commissioner),
        VersionStatus.RETURNED_BY_SERVICE,
        commissioner,
        board_member,
        head_of_service,
    )
    spec_services.version_submit(version=version, by=commissioner)
    paper = SpecificationSource().paper(item=None, record=version_with_content(version.pk))
    [(heading, reasons)] = [(h, t) for h, t in paper.text if "head of service" in h]
    day = f"{timezone.localdate():%-d %B %Y}"
    assert heading == f"Returned by the head of service on {day}, with these reasons"
    assert reasons == "The service cannot staff Sunday opening."
