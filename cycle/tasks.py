"""Celery tasks of the commissioning cycle: thin, taking ids, calling services.

Every task is safe to run twice (late acknowledgement may redeliver it).
"""

from celery import shared_task
from django.utils import timezone

from lra_commissioning import dates

from . import services


@shared_task(name="cycle.daily_sweep")
def daily_sweep() -> dict:
    """07:00 each day, then hourly until 19:00: make sure this year's and next
    year's deadlines exist, create the reminders due today, escalate, and queue
    one send task per reminder waiting to be sent.

    The reminder rows are the outbox: a run that could not queue its sends (the
    broker went down) keeps itself in the database outbox, and the catch-up job
    runs it again within a minute or two of the broker's return; it queues every
    pending reminder again. Later runs in a day create nothing new (one reminder
    per deadline, person and offset).

    Returns how many reminders are waiting to be sent and how many were queued.
    """
    today = timezone.localdate()
    current = dates.financial_year_of(today)
    for start_year in (current, current + 1):
        services.deadlines_generate(start_year=start_year)
    ids = services.reminders_sweep(today=today)
    queued = 0
    for reminder_id in ids:
        if not send_reminder.enqueue(reminder_id, remember=daily_sweep.s()):
            break  # the broker is down: the sweep runs again once it is back
        queued += 1
    return {"waiting": len(ids), "queued": queued}


@shared_task(name="cycle.send_reminder")
def send_reminder(reminder_id: int) -> bool:
    return services.reminder_send(reminder_id=reminder_id)


@shared_task(name="cycle.render_annual_report")
def render_annual_report(report_id: int) -> bool:
    return services.annual_report_render(report_id=report_id)


@shared_task(name="cycle.retention")
def retention() -> int:
    return services.reminders_purge(today=timezone.localdate())


@shared_task(name="cycle.requeue_stuck_reports")
def requeue_stuck_reports() -> int:
    """Every ten minutes: render again any report whose task was lost (its worker
    died, or Redis restarted empty). Work that could not be queued at all is the
    catch-up job's (lra_commissioning.tasks.catch_up), every minute."""
    ids = services.requeue_stuck_reports()
    for report_id in ids:
        if not render_annual_report.enqueue(report_id):
            break  # the broker is down: kept in the outbox
    return len(ids)
