"""Hostile text comes out inert in every e-mail the system sends.

The system sends these e-mails: the reminders of the commissioning calendar
(before a deadline, on the day, overdue, and escalations to the commissioners
and the board), the notifications of the workflows (a return to review, a
value queried...), the password reset, the invitation to set up an account,
the notice that two-factor sign-in changed, and the notice to the Strategic
Board's members that a meeting's papers are published. Each is triggered here
with every payload of the corpus, plus header-injection payloads, in every
free-text field it shows (the deadline's title, the person's name), and read
back from Django's outbox: the plain text shows the payload as written (not
HTML-escaped, no template evaluated, no SECRET_KEY), any HTML part has it
escaped, and a line break in a field that reaches the Subject never makes a
header of its own. A new way of sending e-mail fails
`test_every_email_the_system_sends_is_covered_here` until it is added here.
"""

import datetime
import email
import email.policy
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from cycle import services, tasks
from cycle.models import Deadline, Reminder, ReminderStatus
from lra_commissioning.roles import Role
from tests.cycle.factories import make_deadline
from tests.factories import make_user

from .hostile import CORPUS, html_problems, template_problems

# A line break in a field that reaches the Subject: each would add a header if
# it went through unchanged (Django refuses such a subject with BadHeaderError).
HEADER = [
    "Overdue return\nBcc: lrahdr1@evil.example",
    "Overdue return\r\nX-Lra-Injected: lrahdr2",
    "Overdue return\rX-Lra-Injected: lrahdr3",
    "Overdue return\u2028X-Lra-Injected: lrahdr4",
]
PAYLOADS = CORPUS + HEADER

# The headers a message of ours has; anything else was injected.
HEADERS = {
    "Content-Type",
    "MIME-Version",
    "Content-Transfer-Encoding",
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
}

# Every place that sends e-mail, with the test below that covers it.
SENDERS = {
    "cycle/services.py": "reminders and escalations (reminder_send)",
    "lra_commissioning/services.py": "password reset, invitation, two-factor changed",
    "board/notify.py": "the board's papers notice to its members (send_papers_notice)",
    "lra_commissioning/notifications.py": "workflow notifications (notification_email_send)",
}
EMAIL_TEMPLATES = {
    "cycle/templates/cycle/email/reminder.txt",
    "templates/notifications/notification_email.txt",
    "templates/registration/password_reset_email.txt",
    "templates/registration/password_reset_subject.txt",
    "board/templates/board/email/papers_published.txt",
    "templates/registration/invitation_email.txt",
    "templates/registration/two_factor_changed_email.txt",
}
SENDING = re.compile(
    r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
    r"EmailMultiAlternatives|send_messages|email_template_name)\b"
)


def one_line(text):
    return " ".join(text.split())


def email_problems(message, *, shown):
    """What is wrong with one sent message, given the payloads it must show as written."""
    problems = []
    # Rendering the message is what the SMTP backend does; it raises on a bad header.
    raw = message.message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    injected = set(parsed.keys()) - HEADERS
    if injected:
        problems.append(f"headers that are not ours: {sorted(injected)}")
    if len(parsed.get_all("To") or []) != 1 or parsed.get_all("Bcc") or parsed.get_all("Cc"):
        problems.append(f"recipients changed: {message.recipients()}")
    subject = str(parsed["Subject"])
    if "\n" in subject or "\r" in subject:
        problems.append(f"a subject of several lines: {subject!r}")
    plain = message.body if message.content_subtype == "plain" else ""
    for payload in shown:
        if payload not in plain:
            problems.append(f"the plain text does not show {payload!r} as written")
    if re.search(r"&(lt|gt|quot|amp|#x27|#39);", plain):
        problems.append("HTML entities in the plain text (escaped twice, unreadable)")
    problems += template_problems(plain + "\n" + subject)
    if settings.SECRET_KEY in raw.decode(errors="replace"):
        problems.append("the SECRET_KEY is in the message")
    # An HTML body or alternative must have the markup escaped.
    html = [content for content, mimetype in message.alternatives if "html" in mimetype]
    if message.content_subtype == "html":
        html.append(message.body)
    for part in html:
        problems += [f"HTML part: {p}" for p in html_problems(part)]
    return problems


def test_every_email_the_system_sends_is_covered_here():
    root = Path(settings.BASE_DIR)
    apps_dirs = sorted(
        {
            Path(a.path).relative_to(root).parts[0]
            for a in apps.get_app_configs()
            if Path(a.path).is_relative_to(root)
            and not Path(a.path).relative_to(root).parts[0].startswith(".")  # .venv
        }
    )
    senders, templates = set(), set()
    for top in [*apps_dirs, "templates"]:
        for path in (root / top).rglob("*"):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or not path.is_file():
                continue
            if path.suffix == ".py" and SENDING.search(path.read_text()):
                senders.add(relative)
            if path.suffix in (".txt", ".html") and (
                "/email/" in relative or re.search(r"_(email|subject)\.(txt|html)$", relative)
            ):
                templates.add(relative)
    assert senders == set(SENDERS), "a new way of sending e-mail: add it to these tests"
    assert templates == EMAIL_TEMPLATES, "a new e-mail template: add it to these tests"
    # Error e-mails to ADMINS/MANAGERS would carry request data: none are configured.
    assert not settings.ADMINS and not settings.MANAGERS


DAY = datetime.date(2016, 7, 14)
# (key, days from DAY to the deadline, named person?): one deadline per kind of reminder.
KINDS = [
    ("before", 7, False),  # 7 days before: "<title> due <date>"
    ("named", 14, True),  # 14 days before, to a named person (their name shown as responsible)
    ("today", 0, False),  # "Due today: <title>"
    ("overdue", -1, False),  # "Overdue:" to the service, "Escalated:" to the commissioners
    ("escalated", -7, False),  # "Overdue:" to the service, "Escalated:" to the board
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reminders_and_escalations_show_hostile_titles_and_names_as_plain_text(db, payload):
    manager = make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name=payload)
    make_user(Role.COMMISSIONER, email="c@example.org", full_name=payload)
    make_user(Role.BOARD_MEMBER, email="b@example.org", full_name=payload)
    for key, days, named in KINDS:
        make_deadline(
            key=f"hostile:{key}",
            title=f"{payload} ({key})",
            due_on=DAY + datetime.timedelta(days=days),
            responsible_person=manager if named else None,
        )

    ids = services.reminders_sweep(today=DAY)
    sent = [tasks.send_reminder(reminder_id) for reminder_id in ids]

    assert sent == [True] * 7
    assert not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()
    assert len(mail.outbox) == 7
    by_key = {}
    for message in mail.outbox:
        key = re.search(r"\((\w+)\)$", message.body, re.MULTILINE).group(1)
        by_key.setdefault(key, []).append(message)
        failures = email_problems(message, shown=[f"Dear {payload},", f"{payload} ({key})"])
        assert failures == [], f"{message.subject!r} to {message.to}"
        # The title is in the subject, on one line, with its words as written.
        assert one_line(f"{payload} ({key})") in message.subject
        to_the_service = message.to == ["sm@example.org"]
        prefix = {"today": "Due today: ", "overdue": "Overdue: ", "escalated": "Overdue: "}
        expected = prefix.get(key, "") if to_the_service else "Escalated: "
        assert message.subject.startswith(expected + one_line(payload))
    assert {k: sorted(m.to[0] for m in ms) for k, ms in by_key.items()} == {
        "before": ["sm@example.org"],
        "named": ["sm@example.org"],
        "today": ["sm@example.org"],
        "overdue": ["c@example.org", "sm@example.org"],
        "escalated": ["b@example.org", "sm@example.org"],
    }
    # The named person's name is shown as who is responsible, as written.
    assert f"Responsible: {payload}\n" in by_key["named"][0].body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_papers_notice_shows_hostile_names_and_places_as_plain_text(db, payload):
    from board import services as board_services
    from board.models import Meeting, Position

    admin = make_user(Role.ADMINISTRATOR, email="a@example.org", full_name="Ada Admin")
    member = make_user(Role.BOARD_MEMBER, email="b@example.org", full_name=payload)
    clerk = make_user(Role.COMMISSIONER, email="c@example.org", full_name="Carol Clerk")
    board_services.membership_add(
        user=member, position=Position.CABINET_MEMBER, starts_on=DAY, by=admin
    )
    meeting = board_services.meeting_schedule(
        date=DAY, starts_at=datetime.time(10), location=payload[:200], by=clerk, today=DAY
    )
    # Published (the papers' own content is checked in test_hostile_pdf.py).
    Meeting.objects.filter(pk=meeting.pk).update(
        papers_status="ready",
        papers_published_at=datetime.datetime(2016, 7, 7, tzinfo=datetime.UTC),
    )
    assert board_services.papers_notice_send(meeting_id=meeting.pk) == 1
    (message,) = mail.outbox
    assert message.to == ["b@example.org"]
    assert email_problems(message, shown=[f"Dear {payload},", payload[:200].strip()]) == []
    assert message.subject == "Papers published: Strategic Board, 14 July 2016"


@pytest.mark.parametrize("payload", HEADER)
def test_a_line_break_in_a_deadline_title_never_stops_its_reminder(db, payload):
    # Before the subject was made one line, Django refused the message
    # (BadHeaderError) inside the send task: the reminder stayed pending and
    # every sweep queued it again, to fail again; the person never heard.
    make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name="Sam Manager")
    deadline = make_deadline(title=payload, due_on=DAY)
    (reminder_id,) = services.reminders_sweep(today=DAY)
    assert tasks.send_reminder(reminder_id) is True
    (message,) = mail.outbox
    assert message.subject == f"Due today: {one_line(payload)}"
    assert message.recipients() == ["sm@example.org"]
    assert email_problems(message, shown=[payload]) == []
    assert Reminder.objects.get(pk=reminder_id).status == ReminderStatus.SENT
    # The title itself is kept as it was written.
    assert Deadline.objects.get(pk=deadline.pk).title == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_workflow_notifications_show_hostile_titles_bodies_and_names_as_plain_text(db, payload):
    from lra_commissioning import notifications

    make_user(Role.COMMISSIONER, email="c@example.org", full_name=payload)
    [pk] = notifications.notify(
        event="hostile:1",
        kind="to_review",
        recipients=[make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name=payload)],
        title=f"{payload} (title)",
        body=f"{payload} (body)",
        url="/home/",
    )
    assert notifications.notification_email_send(notification_id=pk) is True
    (message,) = mail.outbox
    assert message.recipients() == ["sm@example.org"]
    assert message.subject == one_line(f"{payload} (title)")
    assert email_problems(message, shown=[f"Dear {payload},", f"{payload} (body)"]) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_password_reset_email_shows_a_hostile_name_as_plain_text(
    client, db, payload, django_capture_on_commit_callbacks
):
    user = make_user(email="reset@example.org", full_name=payload)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "RESET@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Reset your LRA Commissioning password"
    assert email_problems(message, shown=[f"Hello {payload},"]) == []
    assert re.search(r"https?://[^/\s]+/password-reset/[\w-]+/[\w-]+/", message.body)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_invitation_email_shows_a_hostile_name_as_plain_text(
    db, payload, django_capture_on_commit_callbacks
):
    from lra_commissioning import services as core

    user = make_user(email="new@example.org", full_name=payload)
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = core.invitation_send(user=user, by=None)
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Set up your LRA Commissioning account"
    assert email_problems(message, shown=[f"Hello {payload},"]) == []
    assert f"/invitation/{invitation.pk}/{invitation.token()}/" in message.body


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("change", ["set_up", "replaced", "recovery_codes"])
def test_the_two_factor_changed_email_shows_a_hostile_name_as_plain_text(db, payload, change):
    from lra_commissioning import services as core

    user = make_user(email="changed@example.org", full_name=payload)
    assert core.two_factor_changed_email_send(user_id=user.pk, change=change)
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == f"{core.TWO_FACTOR_CHANGES[change]}: LRA Commissioning"
    assert email_problems(message, shown=[f"Hello {payload},"]) == []


def test_the_check_finds_live_markup_in_an_html_part_and_evaluated_templates():
    # No e-mail has an HTML part yet; when one does, this is what it is held to.
    from django.core.mail import EmailMultiAlternatives

    payload = "<img src=x onerror=alert('lra2')>"
    message = EmailMultiAlternatives("Subject", f"Dear {payload},", to=["a@example.org"])
    message.attach_alternative(f"<p>Dear {payload}, 2016lratpl1</p>", "text/html")
    problems = email_problems(message, shown=[f"Dear {payload},"])
    assert any("onerror" in p for p in problems)
    assert any("lratpl1" in p for p in problems)
    message.alternatives = []
    message.attach_alternative(f"<p>Dear {escape(payload)},</p>", "text/html")
    assert email_problems(message, shown=[f"Dear {payload},"]) == []


def test_a_hostile_host_header_never_puts_its_address_in_the_reset_link(
    client, db, settings, django_capture_on_commit_callbacks
):
    # Only ALLOWED_HOSTS are answered, and the link is built from SITE_URL anyway.
    make_user(email="reset@example.org", full_name="Rita Reset")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": "reset@example.org"}, HTTP_HOST="evil.example"
        )
    assert response.status_code == 400
    assert mail.outbox == []
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://lra.example.gov.uk"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("password_reset"), {"email": "reset@example.org"}, HTTP_HOST="evil.example"
        )
    (message,) = mail.outbox
    assert "evil.example" not in message.body
    assert "https://lra.example.gov.uk/password-reset/" in message.body
