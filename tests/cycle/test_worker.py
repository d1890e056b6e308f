"""A real Celery worker on Redis and PostgreSQL: the same reminder task delivered twice
(as after a redelivery, or two beat processes) sends one e-mail."""

import datetime
import os
import threading
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from cycle import services, tasks
from cycle.models import Reminder, ReminderStatus
from lra_commissioning.celery import app
from tests.brokers import reset_connections as _reset_connections

from .factories import make_deadline

# The worker's broker: its own Redis database, so no other test run shares the queue.
BROKER = os.environ.get("CYCLE_WORKER_BROKER_URL", "redis://127.0.0.1:6379/4")


@pytest.fixture
def real_worker():
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
        "task_default_queue": app.conf.task_default_queue,
    }
    queue = f"cycle-test-{uuid.uuid4().hex[:8]}"
    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    _reset_connections()
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ):
            yield app
    finally:
        app.conf.update(**saved)
        _reset_connections()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_same_reminder_delivered_twice_to_a_real_worker_sends_one_email(
    real_worker, service_manager
):
    make_deadline(due_on=datetime.date(2016, 7, 14))
    (reminder_id,) = services.reminders_sweep(today=datetime.date(2016, 7, 14))
    done = threading.Event()
    runs = []

    def finished(sender=None, args=None, **kwargs):
        if sender is not None and sender.name == tasks.send_reminder.name:
            runs.append(kwargs.get("retval"))
            if len(runs) == 2:
                done.set()

    task_postrun.connect(finished, weak=False)
    try:
        # The same task, the same id, twice: as a redelivered message would be.
        task_id = str(uuid.uuid4())
        tasks.send_reminder.apply_async(args=[reminder_id], task_id=task_id)
        tasks.send_reminder.apply_async(args=[reminder_id], task_id=task_id)
        assert done.wait(timeout=20), f"the worker ran the task {len(runs)} time(s), not twice"
    finally:
        task_postrun.disconnect(finished)

    assert sorted(runs) == [False, True]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sm@example.org"]
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == ReminderStatus.SENT
    assert reminder.sent_at is not None
