"""Redis going away and coming back: work resumes within two minutes, logs stay quiet.

The cache and the Celery broker are both Redis. While it cannot be reached,
pages are rendered without kept copies and work that cannot be queued waits
in the database outbox (`UnqueuedTask`); the catch-up job, which beat sends
every minute, queues it as soon as the broker answers, whatever its age.
Each process logs the outage once when it begins and once when it ends.
"""

import datetime
import io
import logging
from unittest import mock

import pytest
from celery.beat import ScheduleEntry
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cycle import services as cycle_services
from cycle import tasks as cycle_tasks
from cycle.models import AnnualReport, Reminder, ReminderStatus, ReportStatus
from lra_commissioning import dates
from lra_commissioning.celery import BeatScheduler, app
from lra_commissioning.models import UnqueuedTask
from lra_commissioning.tasks import catch_up
from tests.brokers import DEAD_REDIS, celery_broker, redis_at
from tests.cycle.factories import make_deadline, make_report_ready_to_produce
from tests.specifications.factories import published_version


def test_beat_sends_the_catch_up_job_at_least_every_two_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["catch-up"]
    assert entry["task"] == "lra_commissioning.catch_up"
    assert entry["schedule"] <= 120
    assert settings.CELERY_BEAT_SCHEDULER == "lra_commissioning.celery:BeatScheduler"


@pytest.mark.django_db
def test_a_run_beat_could_not_send_is_kept_and_runs_once_the_broker_is_back(
    tmp_path, service_manager, caplog
):
    # 07:00 in an outage: Celery's own beat logged two tracebacks and forgot the
    # sweep until the next hour. Ours keeps it, once however many runs fail.
    today = timezone.localdate()
    deadline = make_deadline(
        key="outage:today", due_on=today, start_year=dates.financial_year_of(today)
    )
    scheduler = BeatScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    entry = ScheduleEntry(name="cycle-daily-sweep", task="cycle.daily_sweep", app=app)
    with celery_broker(DEAD_REDIS):
        scheduler.apply_entry(entry)
        scheduler.apply_entry(entry)
    assert list(UnqueuedTask.objects.values_list("task", "arguments")) == [
        ("cycle.daily_sweep", "[]")
    ]
    assert not any(r.exc_info for r in caplog.records)
    assert mail.outbox == []
    # A minute after the broker is back (tasks run in-process here): the sweep runs.
    assert catch_up() == {"pages_settled": 0, "queued": 1, "waiting": 0}
    assert Reminder.objects.get(deadline=deadline).status == ReminderStatus.SENT
    assert ("sm@example.org", f"Due today: {deadline.title}") in [
        (m.to[0], m.subject) for m in mail.outbox
    ]
    assert not UnqueuedTask.objects.exists()


@pytest.fixture
def finished_year(db):
    return make_report_ready_to_produce(2016).financial_year


def _ask_for_the_report(client):
    return client.post(reverse("cycle:reports"), {"start_year": "2016", "kind": "annual"})


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_in_an_outage_is_produced_a_minute_after_the_broker_returns(
    client, commissioner, finished_year
):
    client.force_login(commissioner)
    with redis_at(DEAD_REDIS):
        assert _ask_for_the_report(client).status_code == 302
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.PENDING
    # One minute later, not half an hour: the catch-up job, whatever the report's age.
    catch_up()
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED and report.pdf


@pytest.mark.django_db(transaction=True)
def test_a_stuck_report_can_be_produced_again_by_hand(client, commissioner, finished_year):
    client.force_login(commissioner)
    with redis_at(DEAD_REDIS):
        _ask_for_the_report(client)
    report = AnnualReport.objects.get()
    page = client.get(reverse("cycle:report", args=[report.pk])).content.decode()
    assert "The report has not been produced yet" in page and "Produce it again" in page

    # The broker is back (tasks run in-process here): "Produce it again" produces it.
    response = client.post(reverse("cycle:report_action", args=[report.pk, "generate"]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "already being produced" not in page
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED


@pytest.mark.django_db
def test_a_report_being_produced_right_now_is_not_asked_for_twice(
    commissioner, finished_year, django_capture_on_commit_callbacks
):
    from lra_commissioning.workflow import DomainError

    today = datetime.date(2017, 5, 2)
    with mock.patch.object(cycle_tasks.render_annual_report, "delay"):  # queued, not yet run
        with django_capture_on_commit_callbacks(execute=True):
            report = cycle_services.annual_report_request(
                start_year=2016, kind="annual", by=commissioner, today=today
            )
        assert cycle_services.report_actions(report) == []
        with pytest.raises(DomainError, match="already being produced"):
            cycle_services.annual_report_request(
                start_year=2016, kind="annual", by=commissioner, today=today
            )
        # Ten minutes on, still pending: its task was lost. It may be asked for again.
        AnnualReport.objects.filter(pk=report.pk).update(
            requested_at=timezone.now() - datetime.timedelta(minutes=11)
        )
        report.refresh_from_db()
        assert cycle_services.annual_report_is_stuck(report)
        assert cycle_services.report_actions(report) == ["generate"]
        again = cycle_services.annual_report_request(
            start_year=2016, kind="annual", by=commissioner, today=today
        )
    assert again.status == ReportStatus.PENDING
    assert not cycle_services.annual_report_is_stuck(again)


@pytest.mark.django_db
def test_the_sweep_command_says_when_reminders_could_not_be_queued(service_manager):
    today = timezone.localdate()
    make_deadline(key="outage:today", due_on=today, start_year=dates.financial_year_of(today))
    with celery_broker(DEAD_REDIS), pytest.raises(CommandError) as refused:
        call_command("run_reminder_sweep", stdout=io.StringIO())
    waiting = Reminder.objects.filter(status=ReminderStatus.PENDING).count()
    assert waiting >= 1
    assert f"only 0 of the {waiting} reminder(s)" in str(refused.value)
    assert "cannot be reached" in str(refused.value)
    assert mail.outbox == []

    out = io.StringIO()
    call_command("run_reminder_sweep", stdout=out)  # the broker is back (in-process here)
    assert f"{waiting} reminder(s) queued and sent in this process" in out.getvalue()
    assert len(mail.outbox) == waiting


@pytest.mark.django_db(transaction=True)
def test_an_outage_is_logged_once_when_it_begins_and_once_when_it_ends(
    client, commissioner, board_member, head_of_service, finished_year, caplog
):
    published_version(commissioner, board_member, head_of_service, kpis=2)
    pages = [
        reverse("public_home"),
        reverse("specifications:public_current"),
        reverse("cycle:public_annual_reports"),
    ]
    caplog.set_level(logging.INFO)
    with redis_at(DEAD_REDIS):
        for _ in range(10):
            for url in pages:
                assert client.get(url).status_code == 200
        client.force_login(commissioner)
        assert _ask_for_the_report(client).status_code == 302  # queues work: the broker
        assert client.get(reverse("performance:dashboard")).status_code == 200
        assert client.get(reverse("healthz")).status_code == 503
        client.logout()
    during = [r for r in caplog.records if r.levelno >= logging.WARNING]
    # 33 requests: the outage once per service, and the health check's own 503.
    assert [(r.name, r.getMessage().split(" (")[0]) for r in during] == [
        ("lra_commissioning.cache", "The cache"),
        ("lra_commissioning.broker", "The Celery broker"),
        ("django.request", "Service Unavailable: /healthz"),
    ], [r.getMessage() for r in during]
    assert all("cannot be reached" in r.getMessage() for r in during[:2])

    caplog.clear()
    for url in pages:  # Redis is back
        assert client.get(url).status_code == 200
    catch_up()
    back = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(back) == 2, back
    assert back[0].startswith("The cache (Redis) is back after ")
    assert back[1].startswith("The Celery broker (Redis) is back after ")
    assert not any(r.exc_info for r in caplog.records)


def test_what_a_task_prints_is_not_logged_as_a_warning():
    # The console e-mail backend prints each message; a worker logs what its tasks
    # print, at WARNING by default.
    assert app.conf.worker_redirect_stdouts_level == "INFO"
