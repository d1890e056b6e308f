"""Faults: PostgreSQL restarting under a stream of retried writes; Redis down.

The restart test starts a PostgreSQL cluster of its own (initdb into a
temporary folder, a free port) and a gunicorn on it, and stops and starts only
that cluster: other test runs and sessions on the machine, which share the
machine's PostgreSQL, never notice. It is marked slow for its length. Redis
down and back with a real worker, on a private redis-server:
`test_redis_outage.py`.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import override_settings
from django.urls import reverse

from lra_commissioning.idempotency import idempotent
from lra_commissioning.models import IdempotencyKey
from tests.brokers import free_port, wait_for

from .private_postgres import PrivatePostgres

WRITES = 40
BASE_DIR = Path(settings.BASE_DIR)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url, data, key):
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers={"Idempotency-Key": key}
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


def _env(database_url):
    """The product's environment against the private cluster: nothing shared."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        LRA_TESTING="true",
        DEBUG="true",
        DATABASE_URL=database_url,
        CONN_MAX_AGE="60",  # persistent connections, as in production: they must recover
        DJANGO_SETTINGS_MODULE="tests.operations.fault_settings",
    )
    return env


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_every_write_is_stored_exactly_once_across_a_postgresql_restart(private_postgres, tmp_path):
    private_postgres.create_database("lra_faults")
    env = _env(private_postgres.url("lra_faults"))
    _manage(env, "migrate", "--no-input", "-v", "0")
    writer = _manage(
        env,
        "shell",
        "-c",
        "from lra_commissioning.models import User; "
        "print(User.objects.create_user('writer@example.org', full_name='Writer').pk)",
    ).split()[-1]
    port = free_port()
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lra_commissioning.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/fault-test/write/"
    restarted = threading.Event()

    def start_again():
        time.sleep(1.5)  # PostgreSQL stays down while the next writes are tried
        private_postgres.start()
        restarted.set()

    failures_seen, restart_thread = 0, None
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), "gunicorn", timeout=60)
        for n in range(WRITES):
            if n == 10:
                # A restart in two halves, so the stream is certainly interrupted:
                # stopped now, started again in the background a moment later.
                private_postgres.stop()
                restart_thread = threading.Thread(target=start_again)
                restart_thread.start()
            key = uuid.uuid4().hex
            deadline = time.monotonic() + 90
            while True:
                status = _post(url, {"n": n, "user": writer}, key)
                if status == 302:
                    break
                failures_seen += 1
                assert time.monotonic() < deadline, f"write {n} never succeeded (last {status})"
                time.sleep(0.2)
            # Half the writes are also retried after they succeeded (a lost response).
            if n % 2:
                assert _post(url, {"n": n, "user": writer}, key) == 302
        restart_thread.join()
        assert restarted.is_set()
    finally:
        server.terminate()
        server.wait(timeout=30)

    conn = private_postgres.connect("lra_faults")
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT object_repr FROM django_admin_log WHERE change_message = 'fault test'"
        )
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM lra_commissioning_idempotencykey")
        keys = cursor.fetchone()[0]
    conn.close()
    counts = {f"write {n}": stored.count(f"write {n}") for n in range(WRITES)}
    assert counts == {f"write {n}": 1 for n in range(WRITES)}
    assert keys == WRITES
    # The restart did interrupt the stream (otherwise this test proves nothing).
    assert failures_seen > 0


@pytest.mark.django_db
def test_a_retry_with_the_same_key_replays_the_first_outcome(rf, commissioner):
    calls = []

    @idempotent
    def view(request):
        calls.append(1)
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect("/done/")

    def request():
        r = rf.post("/x/", {"idempotency_key": "key-12345678"})
        r.user = commissioner
        return r

    first, second = view(request()), view(request())
    assert len(calls) == 1
    assert second.status_code == 302 and second["Location"] == "/done/"
    assert second["Idempotent-Replayed"] == "true"
    assert first.status_code == 302


@pytest.mark.django_db
def test_a_failed_write_does_not_store_its_key(rf, commissioner):
    @idempotent
    def view(request):
        LogEntry.objects.create(user=commissioner, action_flag=1, object_repr="half")
        raise RuntimeError("database went away")

    r = rf.post("/x/", {"idempotency_key": "key-abcdefgh"})
    r.user = commissioner
    with pytest.raises(RuntimeError):
        view(r)
    assert not IdempotencyKey.objects.exists()
    assert not LogEntry.objects.filter(object_repr="half").exists()


@pytest.mark.django_db
def test_the_same_key_from_another_person_is_a_different_write(rf, commissioner, board_member):
    calls = []

    @idempotent
    def view(request):
        calls.append(request.user)
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect("/done/")

    for user in (commissioner, board_member):
        r = rf.post("/x/", {"idempotency_key": "shared-key-1"})
        r.user = user
        view(r)
    assert calls == [commissioner, board_member]


@pytest.mark.django_db
def test_while_redis_is_down_writes_still_work(client, administrator, settings):
    # Nothing listens on this port: every cache call fails as with Redis stopped.
    down = {
        "default": {
            "BACKEND": "lra_commissioning.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
        }
    }
    with override_settings(CACHES=down, REDIS_URL="redis://127.0.0.1:6390/0"):
        health = client.get(reverse("healthz"))
        assert health.status_code == 503
        assert health.json()["checks"]["database"] == "ok"
        assert health.json()["checks"]["redis"].startswith("down")
        # Signing in (sessions and throttling live in the database) and a write.
        response = client.post(
            reverse("login"),
            {"username": "a@example.org", "password": "correct-horse-battery-staple"},
        )
        assert response.status_code == 302
        response = client.post(reverse("administration:financial_years"), {"start_year": "2031"})
        assert response.status_code == 302
        from lra_commissioning.models import FinancialYear

        assert FinancialYear.objects.filter(start_year=2031).exists()


@pytest.mark.django_db(transaction=True)
def test_while_redis_is_down_requests_that_queue_work_succeed_and_the_work_is_recovered(
    client, commissioner, board_member, head_of_service, caplog
):
    # Publishing a specification queues its PDF; asking for the report to the
    # cabinet committee (made from the records alone) queues its rendering. Both are
    # queued after the write commits: with the broker down
    # the request still succeeds (the write is saved) and the work waits in the
    # database outbox. The catch-up job, a minute later, queues it: however
    # recently it was asked for.
    from django.core.files.storage import default_storage

    from cycle.models import AnnualReport, ReportStatus
    from lra_commissioning.models import UnqueuedTask
    from lra_commissioning.tasks import catch_up
    from specifications.models import VersionStatus
    from specifications.pdf import pdf_path
    from tests.brokers import DEAD_REDIS, redis_at
    from tests.specifications.factories import draft_version, take_to

    version = draft_version(commissioner)
    take_to(version, VersionStatus.AGREED, commissioner, board_member, head_of_service)
    client.force_login(commissioner)
    with redis_at(DEAD_REDIS):
        response = client.post(reverse("specifications:version_publish", args=[version.pk]))
        assert response.status_code == 302
        response = client.post(reverse("cycle:reports"), {"start_year": "2016", "kind": "cabinet"})
        assert response.status_code == 302, response.content.decode()[:2000]
        # Still down a minute later: the catch-up job queues nothing and loses nothing.
        assert catch_up()["queued"] == 0
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.PENDING
    assert sorted(UnqueuedTask.objects.values_list("task", flat=True)) == [
        "cycle.render_annual_report",
        "specifications.tasks.render_version_pdf",
    ]
    assert not default_storage.exists(pdf_path(version))

    # The broker is back (here: tasks run in-process): the next catch-up queues both.
    assert catch_up()["queued"] == 2
    report.refresh_from_db()
    assert report.status == ReportStatus.GENERATED
    assert default_storage.exists(pdf_path(version))
    assert not UnqueuedTask.objects.exists()
    # The outage was logged once and its end once, without a traceback.
    broker = [r.getMessage() for r in caplog.records if r.name == "lra_commissioning.broker"]
    assert len(broker) == 2, broker
    assert broker[0].startswith("The Celery broker (Redis) cannot be reached (")
    assert broker[1].startswith("The Celery broker (Redis) is back after ")
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_while_redis_is_down_the_public_can_still_comment(
    client, commissioner, board_member, head_of_service
):
    # The comment rate limit lives in the cache: with Redis down it is not applied
    # (comments are held for moderation anyway) rather than refusing every comment.
    from specifications.models import PublicComment
    from tests.brokers import DEAD_REDIS, redis_at
    from tests.specifications.factories import published_version

    published_version(commissioner, board_member, head_of_service)
    with redis_at(DEAD_REDIS):
        response = client.post(
            reverse("specifications:public_comment"),
            {"section": "0", "body": "Please open on Sundays."},
            REMOTE_ADDR="203.0.113.9",
        )
    assert response.status_code == 302
    assert PublicComment.objects.get().body == "Please open on Sundays."


@pytest.mark.django_db
def test_a_sweep_that_cannot_queue_its_emails_runs_again_once_the_broker_is_back(
    service_manager, caplog
):
    # The reminder rows are the outbox: a sweep run with the broker gone queues
    # nothing (trying once, not once per reminder), fails nothing, says so, and
    # keeps itself in the database outbox; the catch-up job runs it again once the
    # broker is back, which queues every pending reminder, each sent once.
    from django.core import mail
    from django.utils import timezone

    from cycle import tasks
    from cycle.models import Reminder, ReminderStatus
    from lra_commissioning import dates
    from lra_commissioning.models import UnqueuedTask
    from lra_commissioning.tasks import catch_up
    from tests.brokers import DEAD_REDIS, celery_broker
    from tests.cycle.factories import make_deadline

    today = timezone.localdate()
    deadline = make_deadline(
        key="outage:today", due_on=today, start_year=dates.financial_year_of(today)
    )
    with celery_broker(DEAD_REDIS):
        outcome = tasks.daily_sweep()
        tasks.daily_sweep()  # beat's next run, still in the outage: kept once
    assert outcome["waiting"] >= 1 and outcome["queued"] == 0
    assert list(UnqueuedTask.objects.values_list("task", "arguments")) == [
        ("cycle.daily_sweep", "[]")
    ]
    assert mail.outbox == []
    reminder = Reminder.objects.get(deadline=deadline)
    assert reminder.status == ReminderStatus.PENDING

    catch_up()  # the broker is back (here: tasks run in-process)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert sent.count(("sm@example.org", f"Due today: {deadline.title}")) == 1
    assert len(sent) == len(set(sent))
    assert not UnqueuedTask.objects.exists()
    tasks.daily_sweep()
    assert len(mail.outbox) == len(sent)


def test_the_sweep_runs_again_each_hour_of_the_day_so_a_missed_run_is_made_good(settings):
    # Beat does not retry a run it could not send (Redis down at 07:00): the next
    # run does. Hourly from 07:00 to 19:00; later runs create nothing twice.
    entry = settings.CELERY_BEAT_SCHEDULE["cycle-daily-sweep"]
    assert entry["task"] == "cycle.daily_sweep"
    assert entry["schedule"].hour == set(range(7, 20))
    assert entry["schedule"].minute == {0}
