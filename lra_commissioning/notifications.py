"""Telling people when it is their turn: in-app notifications and their e-mails.

When a workflow moves work to someone, the app's service calls `notify(...)`
once, inside the transition's transaction, naming the people who now have to
act (usually `people_who_can(permission, record)`, so the link opens for
them). Each recipient gets one `Notification` row per event (a unique
constraint keeps it so whoever calls twice); the actor is never told about
their own act. The row is also the e-mail's outbox: a task queued after commit
sends it under a row lock and marks it sent in the same transaction, so a task
delivered twice sends one e-mail, and `notification_emails_pending()` finds any
whose task was lost (the broker was down) for the periodic job to queue again.
A person who turned e-mail off for a kind still gets the in-app notification.

Feature apps import this module; it imports none of them.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .audit import delete_with_history, save_with_history
from .links import absolute_url
from .models import EmailOptOut, EmailStatus, Notification, NotificationKind, User
from .permissions import can, roles_with
from .roles import Role

# A pending e-mail older than this was not sent by its own task: queue it again.
REQUEUE_AFTER_MINUTES = 10
# Notifications are forgotten this long after they were made (retention job).
RETENTION_DAYS = 730


# Inside `recorded_quietly()`: notifications are kept (read) but never e-mailed.
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("quiet_notifications", default=False)


@contextlib.contextmanager
def recorded_quietly():
    """Record what people would have been told, already read and without e-mail: for
    history built after the fact (the demo), where e-mailing about it would be wrong."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def one_line(text: str, limit: int = 255) -> str:
    """A subject line: one line whatever the text holds (a line break would make
    Django refuse the message as a header injection), at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def people_who_can(permission: str, obj=None) -> list[User]:
    """Active people holding `permission` (for this record, where the rule asks).

    Two queries plus what the record's rule needs (a support service's leads).
    """
    users = list(
        User.objects.filter(is_active=True, role_grants__role__in=sorted(roles_with(permission)))
        .distinct()
        .prefetch_related("role_grants")
    )
    found = []
    for user in users:
        user.roles = frozenset(Role(g.role) for g in user.role_grants.all())
        if can(user, permission, obj):
            found.append(user)
    return found


def wants_email(user, kind: str) -> bool:
    return bool(user.email) and not EmailOptOut.objects.filter(user=user, kind=kind).exists()


def notify(
    *,
    event: str,
    kind: str,
    recipients: Iterable[User],
    title: str,
    url: str,
    body: str = "",
    by=None,
    email_sent: bool = False,
) -> list[int]:
    """Tell each recipient, except the actor `by`, about `event` once.

    Creates the in-app notifications now (in the caller's transaction) and
    queues an e-mail to each person who has not turned this kind off, sent
    after commit. `url` is the item's page on this site. `email_sent=True` is
    for a caller that sent the e-mail itself (the deadline reminders). Safe to
    call twice: a person already told about the event is not told again.
    Returns the ids of the notifications whose e-mail is waiting to be sent.
    """
    kind = NotificationKind(kind)
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if by is not None:
        people.pop(by.pk, None)
    if not people:
        return []
    opted_out = set(
        EmailOptOut.objects.filter(user_id__in=list(people), kind=kind).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    quiet = _quiet.get()
    rows = []
    for pk, person in people.items():
        wanted = bool(person.email) and pk not in opted_out and not quiet
        if email_sent and wanted:
            status = EmailStatus.SENT
        elif wanted:
            status = EmailStatus.PENDING
        else:
            status = EmailStatus.NOT_WANTED
        rows.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                event=event[:200],
                title=one_line(title),
                body=body,
                url=url[:500],
                actor=by,
                created_at=now,
                read_at=now if quiet else None,
                email_status=status,
                emailed_at=now if status == EmailStatus.SENT else None,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = list(
        Notification.objects.filter(
            event=event[:200], recipient_id__in=list(people), email_status=EmailStatus.PENDING
        ).values_list("id", flat=True)
    )
    if pending:
        from . import tasks

        for pk in pending:
            tasks.send_notification_email.delay_on_commit(pk)
    return pending


def notification_email_send(*, notification_id: int, connection=None) -> bool:
    """Send one notification's e-mail, once. True when this call sent it.

    Claims the row under `select_for_update` and marks it sent in the same
    transaction: a second delivery of the task waits for the lock, then finds
    it sent. A person who has turned this kind off since is not sent it.
    """
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if n is None or n.email_status != EmailStatus.PENDING:
            return False
        if not n.recipient.is_active or not wants_email(n.recipient, n.kind):
            n.email_status = EmailStatus.NOT_WANTED
            n.save(update_fields=["email_status"])
            return False
        context = {
            "notification": n,
            "recipient": n.recipient,
            "item_url": absolute_url(n.url),
            "settings_url": absolute_url("/notifications/settings/"),
            "service_name": settings.SERVICE_NAME,
        }
        send_mail(
            subject=n.title,
            message=render_to_string("notifications/notification_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[n.recipient.email],
            connection=connection,
        )
        n.email_status = EmailStatus.SENT
        n.emailed_at = timezone.now()
        n.save(update_fields=["email_status", "emailed_at"])
        return True


def notification_emails_pending(*, older_than_minutes: int = REQUEUE_AFTER_MINUTES) -> list[int]:
    """E-mails still waiting well after they were queued (their task was lost)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return list(
        Notification.objects.filter(
            email_status=EmailStatus.PENDING, created_at__lt=cutoff
        ).values_list("id", flat=True)[:1000]
    )


@transaction.atomic
def notifications_purge(*, today: datetime.date) -> int:
    """Retention: forget notifications made more than RETENTION_DAYS ago whose e-mail
    is not waiting to be sent. Safe to run twice."""
    days = getattr(settings, "NOTIFICATION_RETENTION_DAYS", RETENTION_DAYS)
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time())
    )
    deleted, _ = (
        Notification.objects.filter(created_at__lt=cutoff)
        .exclude(email_status=EmailStatus.PENDING)
        .delete()
    )
    return deleted


# Reading and settings ----------------------------------------------------------------


def notifications_for(user, limit: int = 200) -> list[Notification]:
    """A person's notifications, unread first, newest first within each. One query."""
    from django.db.models import F

    return list(
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")[:limit]
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    """Mark all of a person's notifications read. Safe to call twice (the second marks none)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def email_kinds_for(user) -> set[str]:
    """The kinds this person wants e-mails for."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {k for k in NotificationKind.values if k not in off}


@transaction.atomic
def email_preferences_save(*, user, email_kinds: Iterable[str], by) -> set[str]:
    """Set the kinds a person gets e-mails for; every other kind is in-app only.

    Safe to call twice. Returns the kinds now turned off.
    """
    wanted = {NotificationKind(k) for k in email_kinds}
    off = set(NotificationKind) - wanted
    for opt in EmailOptOut.objects.select_for_update().filter(user=user).exclude(kind__in=off):
        delete_with_history(opt, by)
    held = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    for kind in sorted(off - held):
        opt = EmailOptOut(user=user, kind=kind)
        save_with_history(opt, by)
    return {str(k) for k in off}
