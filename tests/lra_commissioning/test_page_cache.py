"""Kept pages: fast on a repeat visit, never older than the last write."""

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
        ('UPDATE "otp_totp_totpdevice" SET "last_t" = %s', False),
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
