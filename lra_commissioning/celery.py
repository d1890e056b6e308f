"""The Celery app, its task base class and the outbox of work that could not be queued.

Settings come from Django's settings (CELERY_* names).

The database is the outbox. Queueing a task needs the broker (Redis); when it
cannot be reached, the work is written to `UnqueuedTask` instead and the
request that asked for it carries on (its write is already committed). The
catch-up job, sent by beat every minute (`lra_commissioning.tasks.catch_up`),
queues every such row again as soon as the broker answers, whatever its age.
Beat's own runs that could not be sent are kept the same way
(`BeatScheduler`), so a daily sweep lost to an outage runs within a minute or
two of the broker's return rather than at the next scheduled hour.

The broker going away and coming back is logged once each per process (a
warning, no traceback), not once per request.
"""

import functools
import json
import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler
from celery.contrib.django.task import DjangoTask
from django.db import DatabaseError, transaction
from kombu.exceptions import OperationalError

from .cache import Outage

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lra_commissioning.settings")

log = logging.getLogger(__name__)

broker_outage = Outage(
    "The Celery broker (Redis)",
    "background work is kept in the database and queued within two minutes of its return",
    logging.getLogger("lra_commissioning.broker"),
)

# Tasks that are never kept in the outbox: the catch-up job runs every minute anyway.
NOT_KEPT = {"lra_commissioning.catch_up"}


def _arguments(args) -> str:
    return json.dumps(list(args), separators=(",", ":"), sort_keys=True)


def keep_unqueued(task_name: str, args=()) -> bool:
    """Write the work to the outbox (once per task and arguments). False if that failed too."""
    from .models import UnqueuedTask

    if task_name in NOT_KEPT:
        return True
    try:
        with transaction.atomic():
            UnqueuedTask.objects.bulk_create(
                [UnqueuedTask(task=task_name, arguments=_arguments(args))], ignore_conflicts=True
            )
    except DatabaseError:
        log.exception("%s%r could not be queued nor kept in the database", task_name, tuple(args))
        return False
    log.info("%s%r kept in the database until the broker is back", task_name, tuple(args))
    return True


def is_waiting_to_be_queued(task_name: str, *args) -> bool:
    """Whether this work is in the outbox (it could not be queued)."""
    from .models import UnqueuedTask

    return UnqueuedTask.objects.filter(task=task_name, arguments=_arguments(args)).exists()


def requeue_unqueued() -> tuple[int, int]:
    """Queue every row of the outbox, oldest first; (queued, still waiting).

    Safe to run twice and in two processes at once: each row is deleted as it
    is queued, and every task of ours is safe to run twice.
    """
    from .models import UnqueuedTask

    queued = 0
    for row in UnqueuedTask.objects.order_by("id"):
        task = app.tasks.get(row.task)
        args = json.loads(row.arguments)
        try:
            if task is not None:
                task.apply_async(args)
            else:  # a task of a newer release than this process knows
                app.send_task(row.task, args=args)
        except OperationalError as exc:
            broker_outage.down(exc)
            break
        broker_outage.up()
        UnqueuedTask.objects.filter(pk=row.pk).delete()
        queued += 1
    return queued, UnqueuedTask.objects.count()


class Task(DjangoTask):
    """Every task of ours: queued after commit, and never failing what queued it."""

    def delay_on_commit(self, *args) -> None:
        transaction.on_commit(functools.partial(self.enqueue, *args))

    def enqueue(self, *args, remember=None) -> bool:
        """Queue now: True if queued. When the broker cannot be reached, the work
        goes to the outbox instead (this task with these arguments, or the
        signature `remember`, such as the job that would queue it again) and
        this answers False."""
        try:
            self.delay(*args)
        except OperationalError as exc:
            broker_outage.down(exc)
            kept = remember if remember is not None else self.s(*args)
            keep_unqueued(kept.task, kept.args)
            return False
        broker_outage.up()
        return True

    def enqueue_or_run_on_commit(self, *args) -> None:
        """Queue after commit; when the broker cannot be reached, do the work here.

        For e-mails someone is waiting for (an invitation, a password reset
        link): the person is at the screen now, so the work is done in-process
        rather than kept for the catch-up job. A failure of the work itself is
        logged, never raised into the request whose write has already committed.
        """
        transaction.on_commit(functools.partial(self.enqueue_or_run, *args))

    def enqueue_or_run(self, *args) -> None:
        try:
            self.delay(*args)
        except OperationalError as exc:
            broker_outage.down(exc)
        else:
            broker_outage.up()
            return
        try:
            self(*args)
        except Exception:
            log.exception("%s%r failed in-process", self.name, args)


class BeatScheduler(PersistentScheduler):
    """Beat, keeping a run it could not send in the outbox instead of losing it.

    Celery's own scheduler logs a failed send with two tracebacks and forgets
    it: a 07:00 sweep lost to an outage would wait for the next hour.
    """

    def apply_entry(self, entry, producer=None):
        log.info("Sending %s (%s)", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # noqa: BLE001 - SchedulingError wraps the broker's error
            broker_outage.down(exc.__cause__ or exc.__context__ or exc)
            keep_unqueued(entry.task, entry.args or ())
        else:
            broker_outage.up()


app = Celery("lra_commissioning", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
