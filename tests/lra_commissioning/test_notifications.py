"""Notifications: told once, e-mailed once after commit, e-mail off per kind, the page."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lra_commissioning import notifications, tasks
from lra_commissioning.models import EmailOptOut, EmailStatus, Notification, NotificationKind

K = NotificationKind


def tell(*people, event="thing:1:happened", kind=K.TO_REVIEW, by=None, title="Review it"):
    return notifications.notify(
        event=event, kind=kind, recipients=people, title=title, url="/home/", by=by
    )


def test_the_email_goes_out_after_commit_with_an_absolute_link(
    commissioner, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://lra.example.gov.uk/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(commissioner)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["c@example.org"] and message.subject == "Review it"
    assert "Open it: https://lra.example.gov.uk/home/" in message.body
    assert "https://lra.example.gov.uk/notifications/settings/" in message.body
    n = Notification.objects.get()
    assert n.email_status == EmailStatus.SENT and n.emailed_at is not None


def test_a_task_delivered_twice_sends_one_email(commissioner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [pk] = tell(commissioner)
    assert tasks.send_notification_email(pk) is True
    assert tasks.send_notification_email(pk) is False
    assert len(mail.outbox) == 1


def test_the_same_event_tells_a_person_once(commissioner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(commissioner)
        tell(commissioner)
    assert Notification.objects.filter(recipient=commissioner).count() == 1
    assert len(mail.outbox) == 1


def test_the_actor_is_never_told(commissioner, service_manager):
    tell(commissioner, service_manager, by=commissioner)
    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
        "sm@example.org"
    ]


def test_email_turned_off_for_a_kind_keeps_the_notification_in_the_app(
    commissioner, django_capture_on_commit_callbacks
):
    notifications.email_preferences_save(
        user=commissioner,
        email_kinds=[k for k in K.values if k != K.TO_REVIEW],
        by=commissioner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        tell(commissioner, kind=K.TO_REVIEW)
        tell(commissioner, kind=K.TO_DECIDE, event="other:1")
    assert [m.subject for m in mail.outbox] == ["Review it"]
    statuses = dict(Notification.objects.values_list("kind", "email_status"))
    assert statuses == {K.TO_REVIEW: EmailStatus.NOT_WANTED, K.TO_DECIDE: EmailStatus.SENT}


def test_email_turned_off_after_it_was_queued_is_not_sent(
    commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [pk] = tell(commissioner)
    EmailOptOut.objects.create(user=commissioner, kind=K.TO_REVIEW)
    assert notifications.notification_email_send(notification_id=pk) is False
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.NOT_WANTED


def test_a_subject_with_a_line_break_is_sent_on_one_line(commissioner):
    [pk] = tell(commissioner, title="Line one\nBcc: someone@example.org")
    assert notifications.notification_email_send(notification_id=pk) is True
    assert mail.outbox[0].subject == "Line one Bcc: someone@example.org"


def test_emails_whose_task_was_lost_are_queued_again(commissioner):
    [pk] = tell(commissioner)  # its on-commit task never ran (no commit in this test)
    Notification.objects.filter(pk=pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert tasks.send_pending_notification_emails() == 1
    assert len(mail.outbox) == 1
    assert tasks.send_pending_notification_emails() == 0


def test_the_resend_job_is_in_the_beat_schedule(settings):
    assert "notifications.send_pending" in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }


# The pages ------------------------------------------------------------------------------


def test_the_page_lists_unread_first_and_marks_all_read(client, commissioner):
    tell(commissioner, event="a", title="Older, read")
    tell(commissioner, event="b", title="Newer, unread")
    Notification.objects.filter(event="a").update(read_at=timezone.now())
    Notification.objects.filter(event="b").update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    client.force_login(commissioner)
    page = client.get(reverse("notifications")).content.decode()
    assert page.index("Newer, unread") < page.index("Older, read")
    assert 'Notifications <span class="lra-count">1<' in page
    response = client.post(reverse("notifications"), follow=True)
    assert "1 notification marked as read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "lra-count" not in client.get(reverse("home")).content.decode()


def test_the_page_costs_a_fixed_number_of_queries(
    client, commissioner, service_manager, django_assert_max_num_queries
):
    for i in range(30):
        tell(commissioner, event=f"e{i}", by=service_manager)
    client.force_login(commissioner)
    # (7 counts the session's question whether a write waits for its move, which on
    # PostgreSQL in production is the connection's health check.)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("notifications")).status_code == 200


def test_a_person_sees_only_their_own_notifications(client, commissioner, service_manager):
    tell(service_manager, title="For the manager only")
    client.force_login(commissioner)
    assert "For the manager only" not in client.get(reverse("notifications")).content.decode()


def test_choosing_emails_per_kind(client, commissioner):
    client.force_login(commissioner)
    page = client.get(reverse("notification_settings")).content.decode()
    boxes = re.findall(r"<input[^>]*type=\"checkbox\"[^>]*>", page)
    assert len(boxes) == len(K) and all("checked" in box for box in boxes)
    wanted = [K.TO_REVIEW, K.DEADLINE_ESCALATION]
    response = client.post(reverse("notification_settings"), {"email_kinds": wanted})
    assert response.status_code == 302
    assert notifications.email_kinds_for(commissioner) == set(wanted)
    assert EmailOptOut.objects.filter(user=commissioner).count() == len(K) - 2
    client.post(reverse("notification_settings"), {"email_kinds": K.values})
    assert not EmailOptOut.objects.filter(user=commissioner).exists()


def test_an_unknown_kind_is_refused_beside_the_field(client, commissioner):
    client.force_login(commissioner)
    response = client.post(reverse("notification_settings"), {"email_kinds": ["nonsense"]})
    assert response.status_code == 200
    assert "Select from the kinds of notification listed" in response.content.decode()
    assert not EmailOptOut.objects.exists()


@pytest.mark.parametrize("name", ["notifications", "notification_settings"])
def test_the_pages_need_a_role(client, name, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="nobody@example.org"))
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_history_recorded_quietly_is_read_and_never_emailed(
    commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with notifications.recorded_quietly():
            assert tell(commissioner) == []
        tell(commissioner, event="after")
    quiet = Notification.objects.get(event="thing:1:happened")
    assert quiet.read_at is not None and quiet.email_status == EmailStatus.NOT_WANTED
    assert [m.subject for m in mail.outbox] == ["Review it"]  # only the one after


def test_notifications_are_forgotten_after_two_years_unless_their_email_waits(commissioner):
    tell(commissioner, event="old")
    tell(commissioner, event="old-unsent")
    tell(commissioner, event="recent")
    long_ago = timezone.now() - datetime.timedelta(days=800)
    Notification.objects.filter(event__startswith="old").update(created_at=long_ago)
    Notification.objects.filter(event="old").update(
        email_status=EmailStatus.SENT, emailed_at=long_ago
    )
    assert tasks.notification_retention() == 1
    assert set(Notification.objects.values_list("event", flat=True)) == {"old-unsent", "recent"}
    assert tasks.notification_retention() == 0
