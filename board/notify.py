"""Telling the board's members: the one place the board sends its notices from.

For now an e-mail through Django's mail API, sent by a Celery task queued on
commit; the in-app notifications service can take this over by changing only
these two functions.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse


def papers_published(meeting) -> None:
    """Queue the notice to the members once the publication commits."""
    from . import tasks

    tasks.send_papers_notice.delay_on_commit(meeting.pk)


def send_papers_notice(meeting, *, connection=None) -> int:
    """E-mail each member of the board on the meeting's date. Returns how many were sent."""
    from .models import Membership

    site = settings.SITE_URL.rstrip("/")
    members = list(Membership.objects.active_on(meeting.date).select_related("user"))
    recipients = {m.user.pk: m.user for m in members if m.user.is_active and m.user.email}
    if not recipients:
        return 0
    subject = " ".join(f"Papers published: {meeting}".split())
    connection = connection or get_connection()
    messages = [
        EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(
                "board/email/papers_published.txt",
                {
                    "recipient": user,
                    "meeting": meeting,
                    "meeting_url": site + reverse("board:meeting", args=[meeting.pk]),
                    "papers_url": site + reverse("board:papers_pdf", args=[meeting.pk]),
                    "service_name": settings.SERVICE_NAME,
                },
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            connection=connection,
        )
        for user in recipients.values()
    ]
    return connection.send_messages(messages) or 0
