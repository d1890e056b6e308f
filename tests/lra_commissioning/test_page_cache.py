"""Kept pages: fast on a repeat visit, never older than the last write."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from lra_commissioning import page_cache
from lra_commissioning.models import FinancialYear
from specifications import services
from tests.specifications.factories import published_version

CURRENT = reverse("specifications:public_current")


@pytest.mark.parametrize(
    ("sql", "changes"),
    [
        ('SELECT "specifications_kpi"."id" FROM "specifications_kpi"', False),
        ('INSERT INTO "specifications_kpi" ("code") VALUES (%s)', True),
        ('UPDATE "performance_kpireturn" SET "value" = %s', True),
        ('DELETE FROM "funding_budgetline" WHERE "id" = %s', True),
        ("TRUNCATE specifications_kpi, performance_kpireturn", True),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "otp_totp_totpdevice" SET "last_t" = %s', True),
        ('DELETE FROM "otp_totp_totpdevice" WHERE "id" = %s', True),
        ('INSERT INTO "lra_commissioning_idempotencykey" ("key") VALUES (%s)', False),
        ('SAVEPOINT "s1"', False),
        ('DECLARE "_django_curs_1" NO SCROLL CURSOR WITH HOLD FOR SELECT 1', False),
        ("WITH moved AS (DELETE FROM x RETURNING *) SELECT 1", True),
    ],
)
def test_which_statements_make_kept_pages_stale(sql, changes):
    assert page_cache._statement_changes_content(sql) is changes


@pytest.mark.django_db
def test_a_write_moves_the_generation_and_a_session_save_does_not(client, commissioner):
    before = page_cache.content_generation()
    FinancialYear.objects.create(start_year=2040)
    after_write = page_cache.content_generation()
    assert after_write != before
    client.force_login(commissioner)  # writes the session row (and last_login)
    settled = page_cache.content_generation()
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=Session.objects.first().expire_date)
    assert page_cache.content_generation() == settled


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_moves_the_generation_when_it_commits():
    before = page_cache.content_generation()
    with transaction.atomic():
        FinancialYear.objects.create(start_year=2041)
        # Another process reads the generation from the cache only: unchanged
        # until the commit, so nobody keeps the old data under a new generation.
        from django.core.cache import cache

        assert cache.get(page_cache.GENERATION_KEY) == before
    assert page_cache.content_generation() != before


@pytest.fixture
def specification(commissioner, board_member, head_of_service):
    return published_version(commissioner, board_member, head_of_service, kpis=3)


@pytest.mark.django_db
def test_a_public_page_is_kept_and_served_again_without_queries(client, specification):
    first = client.get(CURRENT)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(CURRENT)
    assert again.status_code == 200
    assert again.content == first.content
    assert len(queries) == 0
    # The security headers are the middleware's, on the kept copy too.
    assert "frame-ancestors 'none'" in again["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_public_page_shows_a_comment_as_soon_as_it_is_published(
    client, specification, commissioner
):
    assert b"Please keep the mobile library" not in client.get(CURRENT).content
    comment = services.comment_submit(
        version=specification, body="Please keep the mobile library", address="x"
    )
    assert b"Please keep the mobile library" not in client.get(CURRENT).content
    services.comment_publish(comment=comment, by=commissioner)
    assert b"Please keep the mobile library" in client.get(CURRENT).content


@pytest.mark.django_db
def test_signed_in_people_never_get_the_visitors_copy(client, specification, commissioner):
    visitor = client.get(CURRENT).content.decode()
    assert "Sign in" in visitor
    client.force_login(commissioner)
    staff = client.get(CURRENT).content.decode()
    assert "Sign out" in staff and staff != visitor


@pytest.mark.django_db
def test_the_comment_form_is_never_kept(client, specification):
    form = client.get(reverse("specifications:public_comment"))
    again = client.get(reverse("specifications:public_comment"))
    token = 'name="csrfmiddlewaretoken" value="'
    assert token in form.content.decode()
    first = form.content.decode().split(token)[1].split('"')[0]
    second = again.content.decode().split(token)[1].split('"')[0]
    assert first != second  # rendered afresh (each masked token differs)


@pytest.mark.django_db
def test_with_the_cache_down_pages_are_still_served(client, specification):
    down = {
        "default": {
            "BACKEND": "lra_commissioning.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
        }
    }
    with override_settings(CACHES=down):
        assert client.get(CURRENT).status_code == 200
        assert client.get(CURRENT).status_code == 200
        FinancialYear.objects.create(start_year=2042)  # marking pages stale fails quietly
        assert client.get(CURRENT).status_code == 200


@pytest.mark.django_db
def test_a_write_in_another_process_reaches_public_pages_within_a_second(
    client, specification, commissioner, monkeypatch
):
    from django.core.cache import cache

    comment = services.comment_submit(version=specification, body="From elsewhere", address="x")
    first = client.get(CURRENT).content
    assert b"From elsewhere" not in first
    # Another process publishes the comment: the shared generation moves, and
    # this process's connection and its kept copy know nothing of it.
    services.comment_publish(comment=comment, by=commissioner)
    connection.lra_content_written = False
    cache.incr(page_cache.GENERATION_KEY)
    assert client.get(CURRENT).content == first  # within the second: the copy kept here
    later = page_cache.time.monotonic() + page_cache._LocalPages.PUBLIC_STALENESS
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert b"From elsewhere" in client.get(CURRENT).content


@pytest.mark.django_db
def test_signed_in_pages_never_lag_a_write_in_another_process(client, commissioner):
    from django.core.cache import cache

    client.force_login(commissioner)
    url = reverse("performance:dashboard")
    client.get(url)
    kept = client.get(url)
    cache.incr(page_cache.GENERATION_KEY)  # another process wrote
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 6, "rendered afresh, not the kept copy"
    assert kept.status_code == 200


@pytest.mark.django_db
def test_a_kept_staff_page_costs_one_query_and_one_cache_read(client, commissioner):
    from unittest import mock

    from django.core.cache import cache

    client.force_login(commissioner)
    url = reverse("performance:dashboard")
    client.get(url)
    with (
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
        mock.patch.object(cache, "get", side_effect=AssertionError("a cache read of its own")),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(url).status_code == 200
    reads = [list(call.args[0]) for call in get_many.call_args_list]
    # The question whether a write waits for its move, then the session with the
    # generation; the person and the page are this process's copies under it.
    assert [q["sql"] for q in queries] == [page_cache.PENDING_SQL]
    assert len(reads) == 1 and reads[0][-1] == page_cache.GENERATION_KEY


@pytest.mark.django_db
def test_a_signed_in_page_is_not_served_from_the_process_while_a_missed_write_waits(
    client, commissioner
):
    from lra_commissioning.models import PendingPageInvalidation

    client.force_login(commissioner)
    url = reverse("performance:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 1  # kept
    # Another process wrote, and its cache missed the move: only the row says so.
    PendingPageInvalidation.objects.create()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) > 6, "rendered afresh, not this process's copy"
    assert not PendingPageInvalidation.objects.exists()  # settled as the session was read


# A write the cache missed --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_write_made_while_the_cache_stalls_shows_on_the_next_read(
    private_redis, commissioner, board_member, head_of_service
):
    # Redis stops answering for three seconds (CLIENT PAUSE) just as a comment is
    # published: the write commits, but moving the generation times out. Once
    # Redis answers again the kept copy must not come back: the next read, in
    # any process, shows the comment.
    import time

    from django.test import Client

    from tests.brokers import cache_at

    specification = published_version(commissioner, board_member, head_of_service, kpis=2)
    comment = services.comment_submit(version=specification, body="Open on Sundays", address="x")
    with cache_at(private_redis.url):
        visitor = Client()
        assert b"Open on Sundays" not in visitor.get(CURRENT).content
        with CaptureQueriesContext(connection) as queries:
            assert b"Open on Sundays" not in visitor.get(CURRENT).content
        assert len(queries) == 0  # kept

        private_redis.pause(3)
        stalled = time.monotonic()
        services.comment_publish(comment=comment, by=commissioner)
        while time.monotonic() - stalled < 3.2:
            time.sleep(0.1)

        # Another process (nothing of this one's own state) reads the page.
        page_cache.forget_local_pages()
        assert b"Open on Sundays" in Client().get(CURRENT).content
        assert b"Open on Sundays" in visitor.get(CURRENT).content
        with CaptureQueriesContext(connection) as queries:
            assert b"Open on Sundays" in visitor.get(CURRENT).content
        assert len(queries) == 0  # kept again, under the new generation


@pytest.mark.django_db
def test_no_kept_page_is_served_until_a_missed_write_is_settled(
    client, specification, commissioner
):
    from lra_commissioning.models import PendingPageInvalidation
    from lra_commissioning.tasks import catch_up
    from tests.brokers import DEAD_REDIS, cache_at

    kept = client.get(CURRENT).content
    comment = services.comment_submit(version=specification, body="Sundays too", address="x")
    with cache_at(DEAD_REDIS):
        services.comment_publish(comment=comment, by=commissioner)
        assert client.get(CURRENT).status_code == 200  # rendered without the cache
    assert PendingPageInvalidation.objects.count() >= 1
    # The cache is back, but this process has moved on: nothing it holds knows.
    page_cache.forget_local_pages()
    assert client.get(CURRENT).content != kept
    assert b"Sundays too" in client.get(CURRENT).content
    # Or the catch-up job settles it first.
    before = page_cache.content_generation()
    PendingPageInvalidation.objects.create()
    assert catch_up()["pages_settled"] == 1
    assert page_cache.content_generation() != before
    assert not PendingPageInvalidation.objects.exists()


# What a kept page is kept under --------------------------------------------------------


def _kept_page_keys():
    from django.core.cache import cache

    return set(cache._cache.get_client().keys("*:page:*"))


@pytest.mark.django_db
def test_a_cache_busting_query_gets_the_kept_public_page_and_keeps_nothing_new(
    client, specification
):
    first = client.get(CURRENT)
    keys = _kept_page_keys()
    assert keys
    for n in range(5):
        page_cache.forget_local_pages()  # as another process: the shared copy
        with CaptureQueriesContext(connection) as queries:
            again = client.get(f"{CURRENT}?cb={n}")
        assert again.content == first.content
        assert len(queries) <= 1  # whether a missed write waits: no rendering
    assert _kept_page_keys() == keys


@pytest.mark.django_db
def test_the_comparison_is_kept_per_pair_of_versions_whatever_else_the_address_says(
    client, commissioner, board_member, head_of_service
):
    first = published_version(commissioner, board_member, head_of_service, kpis=1)
    second = published_version(commissioner, board_member, head_of_service, start_year=2017, kpis=2)
    url = reverse("specifications:public_compare")
    page = client.get(f"{url}?old={first.pk}&new={second.pk}")
    assert page.status_code == 200
    keys = _kept_page_keys()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"{url}?new={second.pk}&cb=7&old={first.pk}")
    assert again.content == page.content and len(queries) == 0
    assert _kept_page_keys() == keys
    swapped = client.get(f"{url}?old={second.pk}&new={first.pk}")
    assert swapped.content != page.content  # another pair: another page


@pytest.mark.django_db
def test_a_cache_busting_query_gets_the_kept_staff_page_and_keeps_nothing_new(client, commissioner):
    from tests.performance.factories import make_version

    make_version()
    client.force_login(commissioner)
    url = reverse("performance:dashboard") + "?month=2016-06"
    client.get(url)
    keys = _kept_page_keys()
    with CaptureQueriesContext(connection) as rendered:
        client.get(reverse("performance:dashboard") + "?month=2016-07")
    for n in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{url}&cb={n}").status_code == 200
        assert len(queries) < len(rendered) - 3, "rendered again"
    assert len(_kept_page_keys()) == len(keys) + 1  # only July's page was added


@pytest.mark.django_db
def test_a_view_that_reads_an_undeclared_parameter_is_never_kept(rf, settings, caplog):
    from django.core.exceptions import ImproperlyConfigured
    from django.http import HttpResponse

    calls = []

    @page_cache.keep_public_page(query=("year",))
    def view(request):
        calls.append(1)
        return HttpResponse(f"{request.GET.get('year')} {request.GET.get('sort')}")

    with pytest.raises(ImproperlyConfigured, match="read sort from the address"):
        view(rf.get("/x/?year=2016&sort=up"))
    settings.DEBUG = settings.TESTING = False  # in production: served, logged, never kept
    for _ in range(2):
        assert view(rf.get("/x/?year=2016&sort=down")).content == b"2016 down"
    assert len(calls) == 3
    assert "the page was not kept" in caplog.text


# The CSRF token ---------------------------------------------------------------------


@pytest.mark.django_db
def test_text_on_a_kept_page_is_never_taken_for_the_place_of_the_csrf_token(client, commissioner):
    from tests.performance.factories import make_version

    # Whatever stand-in the page cache uses, a KPI's title may contain it: this was
    # the one it used to use, when every copy of it got the viewer's token.
    title = "Visits lra-csrf-token-placeholder-7d1f0c counted"
    make_version(
        kpis=[{"code": "LIB01", "title": title, "unit": "count", "annual_aggregation": "sum"}]
    )
    client.force_login(commissioner)
    url = reverse("performance:kpi", args=["LIB01"])
    for _ in range(2):  # rendered, then the kept copy
        page = client.get(url).content.decode()
        assert title in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert page.count(token) == 1  # in the sign-out form only


def test_the_pending_check_reads_the_pending_invalidations_table():
    from lra_commissioning.models import PendingPageInvalidation

    assert PendingPageInvalidation._meta.db_table == page_cache.PENDING_TABLE


@pytest.mark.django_db
def test_the_connections_health_check_answers_whether_a_move_is_pending(monkeypatch):
    """Before a kept page, one round trip: when Django's health check of the kept
    connection is due, it is the pending question itself (lra_commissioning/postgresql)."""
    from lra_commissioning.models import PendingPageInvalidation

    assert connection.vendor == "postgresql" and connection.health_check_enabled
    checks = []
    checked = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or checked())
    for pending in (False, True):
        if pending:
            PendingPageInvalidation.objects.create()
        connection.health_check_done = False  # as at the start of a request
        with CaptureQueriesContext(connection) as queries:
            assert page_cache._invalidation_pending() is pending
        assert (len(checks), len(queries)) == (1 + pending, 0)  # the check answered it
        with CaptureQueriesContext(connection) as queries:  # checked already: asked itself
            assert page_cache._invalidation_pending() is pending
        assert (len(checks), len(queries)) == (1 + pending, 1)


@pytest.mark.django_db(transaction=True)  # the failed check closes the connection
def test_a_failed_health_check_reconnects_and_the_question_is_still_asked(monkeypatch):
    monkeypatch.setattr(connection, "is_usable", lambda: False)  # as after a database restart
    connection.health_check_done = False
    connection.health_check_answer = ("stale",)
    with CaptureQueriesContext(connection) as queries:
        assert page_cache._invalidation_pending() is False
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)  # autocommit, as at the start of a request
def test_a_health_check_whose_table_is_not_there_yet_still_finds_the_server_answering(
    monkeypatch,
):
    connection.ensure_connection()
    monkeypatch.setattr(connection, "health_check_sql", "SELECT 1 FROM lra_no_such_table")
    assert connection.is_usable()
