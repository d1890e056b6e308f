"""Redis down, then back: submitting still works, and the reminders go out once.

The test starts its own redis-server on a free port (never the shared one),
points the cache and the Celery broker at it and starts a real Celery worker
process on it, using the test database and writing e-mails to files. Then it
stops Redis: beat's 07:00 sweep cannot be sent (beat keeps it in the database
outbox), a service manager submits a KPI return through the web, and a
commissioner asks for the annual report (whose rendering cannot be queued: it
waits in the outbox too). Redis starts again on the same port (empty, as
after a crash without persistence); beat's next minutely catch-up job goes
through the broker to the worker, which queues the kept sweep and report: each
reminder due today is sent once, none about the return just submitted, and
the report is rendered, minutes after it was asked for. A second sweep sends
nothing more.
"""

import datetime
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cycle import services as cycle_services
from cycle.models import (
    AnnualReport,
    Deadline,
    Reminder,
    ReminderStatus,
    ReportStatus,
)
from lra_commissioning import dates
from lra_commissioning.celery import BeatScheduler, app
from lra_commissioning.models import FinancialYear, UnqueuedTask
from lra_commissioning.roles import Role
from performance import services as performance_services
from performance.models import MonthlyReturn, ReturnStatus
from tests.brokers import redis_at, wait_for
from tests.cycle.factories import make_deadline
from tests.factories import make_user
from tests.performance.factories import make_version

BASE_DIR = Path(settings.BASE_DIR)


class Worker:
    """`celery worker` in its own process: the test database, the private Redis,
    e-mail written to files."""

    def __init__(self, *, redis_url, queue, workdir):
        self.queue = queue
        self.maildir = workdir / "mail"
        self.maildir.mkdir()
        self.log = workdir / "worker.log"
        db = connection.settings_dict
        env = {
            **os.environ,
            "LRA_TESTING": "true",
            "DEBUG": "true",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"filemail:///{self.maildir}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        env.pop("PYTEST_XDIST_WORKER", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "lra_commissioning",
                    "worker",
                    "--pool=solo",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self):
        return self.log.read_text(errors="replace")

    def answers(self):
        assert self.process.poll() is None, f"the worker died:\n{self.output()[-3000:]}"
        try:
            return bool(app.control.ping(destination=[self._name()], timeout=1))
        except Exception:  # the broker is still coming back
            return False

    def _name(self):
        return f"{self.queue}@{socket.gethostname()}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def emails(self):
        """(to, subject) of every message the worker sent, in order."""
        sent = []
        for path in sorted(self.maildir.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk, policy=email.policy.default)
                    sent.append((str(message["To"]), str(message["Subject"])))
        return sent


def _wait_until_the_queue_is_empty(server, worker):
    """Nothing waiting in the queue and nothing delivered but unacknowledged
    (tasks acknowledge late, after they finish), for a second together."""
    client = server.client()

    def idle():
        waiting = sum(client.llen(key) for key in client.keys(f"{worker.queue}*"))
        return waiting == 0 and client.hlen("unacked") == 0

    def settled():
        assert worker.process.poll() is None, f"the worker died:\n{worker.output()[-3000:]}"
        for _ in range(5):
            if not idle():
                return False
            time.sleep(0.25)
        return True

    wait_for(settled, "the worker to empty the queue", timeout=90)


def _beat_sends(entry_name, workdir):
    """What celery beat (our scheduler) does when an entry of the schedule in settings is due."""
    scheduler = BeatScheduler(app=app, schedule_filename=str(workdir / "celerybeat-schedule"))
    try:
        scheduler.apply_entry(scheduler.schedule[entry_name])
    finally:
        scheduler.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_while_redis_is_down_submitting_works_and_reminders_go_out_once_it_is_back(
    private_redis, client, tmp_path, caplog
):
    started = time.monotonic()
    today = timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    this_year = dates.financial_year_of(today)
    make_version(start_year=dates.financial_year_of(month))
    manager = make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name="Sam Manager")
    commissioner = make_user(Role.COMMISSIONER, email="c@example.org", full_name="Carol C")
    FinancialYear.objects.get_or_create(start_year=this_year - 1)  # finished: reportable
    # Yesterday's sweep made this year's calendar; the return for last month is on it.
    for start_year in sorted({dates.financial_year_of(month), this_year, this_year + 1}):
        cycle_services.deadlines_generate(start_year=start_year)
    return_deadline = Deadline.objects.get(key=f"kpi_return:{month:%Y-%m}")
    # And one obligation of the service due today, whose reminder falls due in the outage.
    due_today = make_deadline(
        key="outage:due-today",
        title="Outage drill: the library stock check",
        due_on=today,
        start_year=this_year,
    )

    queue = f"outage-{uuid.uuid4().hex[:8]}"
    with redis_at(private_redis.url, queue=queue):
        worker = Worker(redis_url=private_redis.url, queue=queue, workdir=tmp_path)
        try:
            wait_for(worker.answers, "the worker to start", timeout=240)

            # Redis goes down. -----------------------------------------------------
            private_redis.stop()
            outage_began = time.monotonic()
            # 07:00: beat cannot send the sweep (it logs the error and carries on).
            _beat_sends("cycle-daily-sweep", tmp_path)
            assert "The Celery broker (Redis) cannot be reached" in caplog.text
            assert UnqueuedTask.objects.filter(task="cycle.daily_sweep").count() == 1
            assert client.get(reverse("healthz")).status_code == 503

            # A service manager submits last month's KPI return through the web.
            client.force_login(manager)
            url = reverse("performance:return", args=[f"{month:%Y-%m}"])
            assert client.get(url).status_code == 200
            values = {"action": "submit", "idempotency_key": uuid.uuid4().hex}
            for kpi, _period in performance_services.kpis_due_in(month):
                values[f"value-{kpi.code}"] = "90"
                values[f"commentary-{kpi.code}"] = "Entered during the outage"
            response = client.post(url, values)
            assert response.status_code == 302, response.content.decode()[:2000]
            monthly_return = MonthlyReturn.objects.get(month=month)
            assert monthly_return.status == ReturnStatus.SUBMITTED
            assert not monthly_return.values.filter(value__isnull=True).exists()
            return_deadline.refresh_from_db()
            assert return_deadline.is_met

            # A commissioner asks for last year's report to the cabinet committee
            # (produced from the records alone): saved, though its rendering
            # cannot be queued.
            client.force_login(commissioner)
            response = client.post(
                reverse("cycle:reports"), {"start_year": this_year - 1, "kind": "cabinet"}
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            report = AnnualReport.objects.get()
            assert report.status == ReportStatus.PENDING
            assert "kept in the database until the broker is back" in caplog.text
            # Nothing has been sent yet.
            assert worker.emails() == []
            assert not Reminder.objects.filter(status=ReminderStatus.SENT).exists()

            # Redis comes back on the same port, empty. --------------------------------
            private_redis.start()
            outage = time.monotonic() - outage_began
            wait_for(worker.answers, "the worker to reconnect", timeout=240)

            # Beat's next minutely catch-up job: the kept sweep and report are queued
            # (the report was asked for a moment ago: its age does not matter).
            assert UnqueuedTask.objects.filter(task="cycle.render_annual_report").exists()
            _beat_sends("catch-up", tmp_path)
            _wait_until_the_queue_is_empty(private_redis, worker)
            first = worker.emails()

            # The sweep again (as beat's next hour, or by hand): nothing more is sent.
            from cycle import tasks

            tasks.daily_sweep.delay()
            _wait_until_the_queue_is_empty(private_redis, worker)
            second = worker.emails()
        finally:
            worker.stop()

    log = worker.output()
    assert "Traceback" not in log, log[-5000:]
    # One worker process lived through the outage: it lost the broker and reconnected.
    assert "Connection to broker lost" in log
    assert log.count(" ready.") == 1
    # The reminder due today went out once, to the service manager.
    ours = [m for m in first if "Outage drill" in m[1]]
    assert ours == [("sm@example.org", "Due today: Outage drill: the library stock check")], first
    assert Reminder.objects.get(deadline=due_today).status == ReminderStatus.SENT
    # Each e-mail once. The return submitted during the outage: the commissioner is
    # told it is their turn to review it, and nobody is reminded of it.
    assert len(first) == len(set(first)), first
    turn = [m for m in first if m[1].startswith(f"{month:%B %Y} KPI return submitted")]
    assert [to for to, _subject in turn] == ["c@example.org"], first
    reminders = [m for m in first if m not in turn]
    assert not any(f"{month:%B %Y} KPI return" in subject for _to, subject in reminders), first
    assert not return_deadline.reminders.filter(status=ReminderStatus.SENT).exists()
    # Every reminder due today is sent (none left pending), and the second sweep sent nothing.
    assert not Reminder.objects.filter(
        status=ReminderStatus.PENDING, deadline__met_on__isnull=True, deadline__withdrawn=False
    ).exists()
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == len(reminders)
    assert second == first
    # The report asked for during the outage was rendered once Redis was back.
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED and report.pdf
    assert not UnqueuedTask.objects.exists()  # nothing left waiting
    print(
        f"Redis was down {outage:.1f} s; {len(first)} e-mail(s) sent once; "
        f"test took {time.monotonic() - started:.1f} s"
    )
