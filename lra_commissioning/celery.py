"""The Celery app. Settings come from Django's settings (CELERY_* names)."""

import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lra_commissioning.settings")

log = logging.getLogger(__name__)


class Task(DjangoTask):
    """Every task of ours: queued after commit, and never failing what queued it.

    The database is the outbox. Whatever a task does is also found from the
    database by a periodic job: the reminder sweep queues every pending
    reminder again, `requeue_stuck_reports` every report left pending, and a
    published version's PDF is rendered on its first download. So when the
    broker (Redis) cannot be reached, queueing logs a warning and leaves the
    work to that job, rather than turning a write that is already committed
    into an error page (the exception would come from the commit hook).
    """

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.enqueue, *args, **kwargs))

    def enqueue(self, *args, **kwargs) -> bool:
        """Queue now. False, with a warning, when the broker cannot be reached."""
        try:
            self.delay(*args, **kwargs)
        except OperationalError:
            log.warning(
                "The broker is unreachable: %s%r was not queued (its periodic job will "
                "queue it again)",
                self.name,
                args,
                exc_info=True,
            )
            return False
        return True


app = Celery("lra_commissioning", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
