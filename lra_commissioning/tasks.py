"""Celery tasks of the core: thin, taking ids and calling services. Each is safe to run twice.

The account e-mails (invitation, password reset, two-factor changed) are queued
with `enqueue_or_run_on_commit`: after the transaction commits, and sent
in-process when the broker is down, because nobody would send them later.
Notification e-mails wait in their own rows and are queued again by
`send_pending_notification_emails` when their task was lost; `catch_up` makes
good whatever else an outage of Redis left undone.
"""

from celery import shared_task
from django.utils import timezone

from . import notifications, page_cache, services
from .celery import requeue_unqueued


@shared_task(name="lra_commissioning.catch_up")
def catch_up() -> dict:
    """Every minute: make good what an outage of Redis left undone.

    Moves the page cache's generation if a write could not (so kept pages are
    served again), and queues the work that could not be queued, whatever its
    age. Cheap when there is nothing to do: two queries.
    """
    settled = page_cache.settle_pending_invalidations()
    queued, waiting = requeue_unqueued()
    return {"pages_settled": settled, "queued": queued, "waiting": waiting}


@shared_task(name="lra_commissioning.send_invitation")
def send_invitation(invitation_id: int) -> bool:
    return services.invitation_email_send(invitation_id=invitation_id)


@shared_task(name="lra_commissioning.send_password_reset")
def send_password_reset(user_id: int) -> bool:
    return services.password_reset_email_send(user_id=user_id)


@shared_task(name="lra_commissioning.send_two_factor_changed")
def send_two_factor_changed(user_id: int, change: str) -> bool:
    return services.two_factor_changed_email_send(user_id=user_id, change=change)


@shared_task(name="notifications.send_email")
def send_notification_email(notification_id: int) -> bool:
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.send_pending")
def send_pending_notification_emails() -> int:
    """Every ten minutes: queue again the e-mails whose task was lost (the broker
    was down when they were queued). The rows are the outbox; sending is once."""
    ids = notifications.notification_emails_pending()
    for notification_id in ids:
        if not send_notification_email.enqueue(notification_id):
            break  # the broker is still down: the next run queues the rest
    return len(ids)


@shared_task(name="notifications.retention")
def notification_retention() -> int:
    return notifications.notifications_purge(today=timezone.localdate())
