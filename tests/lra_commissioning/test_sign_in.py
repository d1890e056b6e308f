"""Signing in by e-mail, throttling, password rules, resets and idle sessions."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_people_sign_in_with_their_email_address(client, commissioner):
    response = _sign_in(client, "C@Example.org".lower(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_shows_a_specific_error_and_keeps_the_email(client, commissioner):
    response = _sign_in(client, "c@example.org", "not-the-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a correct e-mail address and password" in body
    assert "There is a problem" in body
    assert 'value="c@example.org"' in body


def test_empty_form_names_each_missing_field(client):
    body = client.post(reverse("login"), {}).content.decode()
    assert "Enter your e-mail address" in body
    assert "Enter your password" in body


def test_ten_failures_lock_the_username_at_that_address_only(client, commissioner):
    for _ in range(10):
        _sign_in(client, "c@example.org", "wrong-password-xx")
    locked = _sign_in(client, "c@example.org", TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Your account is locked for now" in locked.content.decode()
    # The same person from another address is not locked out.
    elsewhere = _sign_in(client, "c@example.org", TEST_PASSWORD, address="10.0.0.2")
    assert elsewhere.status_code == 302


def test_nine_failures_do_not_lock(client, commissioner):
    for _ in range(9):
        _sign_in(client, "c@example.org", "wrong-password-xx")
    assert _sign_in(client, "c@example.org", TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError, match=message):
        validate_password(password)


def test_a_strong_password_is_accepted():
    validate_password("heron-quartz-lantern-47")


def test_password_reset_by_email_sets_a_new_password(
    client, commissioner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "c@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": "heron-quartz-lantern-47", "new_password2": "heron-quartz-lantern-47"},
    )
    assert response.status_code == 302
    client.logout()
    assert _sign_in(client, "c@example.org", "heron-quartz-lantern-47").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_sessions_end_after_thirty_idle_minutes(client, commissioner, settings):
    import time_machine

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # A cache on the travelled clock (Redis keeps its own): the session's copy in
    # the cache expires with it, as it does in Redis in real time.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    home = reverse("home")
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False) as traveller:
        client.force_login(commissioner)
        assert client.get(home).status_code == 200
        # Busy for an hour, a page every 20 minutes: still signed in.
        for _ in range(3):
            traveller.shift(20 * 60)
            assert client.get(home).status_code == 200
        # 29 idle minutes: still signed in.
        traveller.shift(29 * 60)
        assert client.get(home).status_code == 200
        # 30 idle minutes: signed out.
        traveller.shift(30 * 60 + 1)
        response = client.get(home)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_page_does_not_save_the_session_again_within_a_minute(client, commissioner):
    home = reverse("home")
    client.force_login(commissioner)
    client.get(home)  # moves the expiry on
    from django.contrib.sessions.models import Session

    before = Session.objects.get().expire_date
    client.get(home)
    assert Session.objects.get().expire_date == before


def test_sign_out_takes_a_post(client, commissioner):
    client.force_login(commissioner)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_person_and_their_roles_are_read_in_one_query_and_a_removed_role_counts_at_once(
    client, commissioner, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lra_commissioning.models import UserRole

    # With nothing kept in the cache (it is down here), one query reads both.
    settings.CACHES = {
        "default": {
            "BACKEND": "lra_commissioning.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
        }
    }
    client.force_login(commissioner)
    url = reverse("specifications:staff_index")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    person = [q["sql"] for q in queries if '"lra_commissioning_user"' in q["sql"]]
    roles = [q["sql"] for q in queries if '"lra_commissioning_userrole"' in q["sql"]]
    assert len(person) == 1 and roles == person  # one query: the person with their roles
    UserRole.objects.filter(user=commissioner).delete()
    assert client.get(url).status_code == 403
