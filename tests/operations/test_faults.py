"""Faults: PostgreSQL restarting under a stream of retried writes; Redis down.

The restart test stops and starts the local PostgreSQL cluster, so it is
marked slow (run by `.ci/run`, where PostgreSQL is local). Redis down and back
with a real worker, on a private redis-server: `test_redis_outage.py`.
"""

import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from lra_commissioning.idempotency import idempotent
from lra_commissioning.models import IdempotencyKey
from tests.factories import make_user

WRITES = 40


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


def _pg_cluster():
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, name = out.stdout.split()[:2]
    return version, name


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="tests.operations.fault_urls")
def test_every_write_is_stored_exactly_once_across_a_postgresql_restart(live_server):
    writer = make_user(email="writer@example.org")
    url = f"{live_server.url}/fault-test/write/"
    version, name = _pg_cluster()
    restarted = threading.Event()

    def pg_ctl(action):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
            if action == "stop"
            else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start_again():
        time.sleep(1.5)  # PostgreSQL stays down while the next writes are tried
        pg_ctl("start")
        restarted.set()

    failures_seen, restart_thread = 0, None
    for n in range(WRITES):
        if n == 10:
            # A restart in two halves, so the stream is certainly interrupted:
            # stopped now, started again in the background a moment later.
            pg_ctl("stop")
            restart_thread = threading.Thread(target=start_again)
            restart_thread.start()
        key = uuid.uuid4().hex
        deadline = time.monotonic() + 90
        attempts = 0
        while True:
            attempts += 1
            status = _post(url, {"n": n, "user": writer.pk}, key)
            if status == 302:
                break
            failures_seen += 1
            assert time.monotonic() < deadline, f"write {n} never succeeded (last {status})"
            time.sleep(0.2)
        # Half the writes are also retried after they succeeded (a lost response).
        if n % 2:
            assert _post(url, {"n": n, "user": writer.pk}, key) == 302
    restart_thread.join()
    assert restarted.is_set()
    connection.close()  # the test's own connection died with the restart

    stored = list(LogEntry.objects.filter(change_message="fault test").values_list("object_repr"))
    counts = {f"write {n}": stored.count((f"write {n}",)) for n in range(WRITES)}
    assert counts == {f"write {n}": 1 for n in range(WRITES)}
    assert IdempotencyKey.objects.count() == WRITES
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
    # Publishing a specification queues its PDF; asking for an annual report queues
    # its rendering. Both are queued after the write commits: with the broker down
    # that used to raise (kombu OperationalError) from the commit hook, so the
    # person got an error page for a write that was saved, and the task was lost.
    import datetime

    from lra_commissioning.cycle import services as cycle_services
    from lra_commissioning.cycle.models import AnnualReport, ReportStatus
    from specifications.models import VersionStatus
    from tests.brokers import DEAD_REDIS, redis_at
    from tests.specifications.factories import draft_version, take_to

    version = draft_version(commissioner)
    take_to(version, VersionStatus.AGREED, commissioner, board_member, head_of_service)
    client.force_login(commissioner)
    with redis_at(DEAD_REDIS):
        response = client.post(reverse("specifications:version_publish", args=[version.pk]))
        assert response.status_code == 302
        response = client.post(reverse("cycle:reports"), {"start_year": "2016", "kind": "annual"})
        assert response.status_code == 302
    assert "was not queued" in caplog.text
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.PENDING

    # Recovered from the database: the half-hourly job finds the report still
    # pending and queues it again; the PDF is rendered on its first download.
    AnnualReport.objects.filter(pk=report.pk).update(
        requested_at=report.requested_at - datetime.timedelta(minutes=31)
    )
    assert cycle_services.requeue_stuck_reports() == [report.pk]
    response = client.get(reverse("specifications:version_pdf", args=[version.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


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
def test_a_sweep_that_cannot_queue_its_emails_leaves_them_to_the_next_run(service_manager, caplog):
    # The reminder rows are the outbox: a sweep run with the broker gone queues
    # nothing (trying once, not once per reminder) and fails nothing; the next run
    # queues every pending reminder again, and each is sent once.
    from django.core import mail
    from django.utils import timezone

    from lra_commissioning import dates
    from lra_commissioning.cycle import tasks
    from lra_commissioning.cycle.models import Reminder, ReminderStatus
    from tests.brokers import DEAD_REDIS, celery_broker
    from tests.cycle.factories import make_deadline

    today = timezone.localdate()
    deadline = make_deadline(
        key="outage:today", due_on=today, start_year=dates.financial_year_of(today)
    )
    with celery_broker(DEAD_REDIS):
        queued = tasks.daily_sweep()
    assert queued >= 1
    assert caplog.text.count("was not queued") == 1
    assert mail.outbox == []
    reminder = Reminder.objects.get(deadline=deadline)
    assert reminder.status == ReminderStatus.PENDING

    tasks.daily_sweep()  # the broker is back (here: tasks run in-process)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert sent.count(("sm@example.org", f"Due today: {deadline.title}")) == 1
    assert len(sent) == len(set(sent))
    tasks.daily_sweep()
    assert len(mail.outbox) == len(sent)


def test_the_sweep_runs_again_each_hour_of_the_day_so_a_missed_run_is_made_good(settings):
    # Beat does not retry a run it could not send (Redis down at 07:00): the next
    # run does. Hourly from 07:00 to 19:00; later runs create nothing twice.
    entry = settings.CELERY_BEAT_SCHEDULE["cycle-daily-sweep"]
    assert entry["task"] == "cycle.daily_sweep"
    assert entry["schedule"].hour == set(range(7, 20))
    assert entry["schedule"].minute == {0}
