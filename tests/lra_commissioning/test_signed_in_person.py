"""The session is kept in the cache and the signed-in person in the process between
requests, yet signing out, a closed account, a removed role and a new password count
at the very next request, in every process; with the cache down everyone carries on
from the database."""

import contextlib
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lra_commissioning import auth, page_cache, services
from lra_commissioning.models import UserRole
from lra_commissioning.roles import Role
from tests.brokers import DEAD_REDIS, redis_at
from tests.factories import TEST_PASSWORD, force_login_verified

STAFF_PAGE = "specifications:staff_index"


def _tables_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tables = {"django_session", "lra_commissioning_user", "lra_commissioning_userrole"}
    read = {table for q in queries for table in tables if f'"{table}"' in q["sql"]}
    return response, read


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and reverse("login") in response["Location"]


def _edit(person, *, by, roles=None, is_active=True):
    return services.user_update(
        user=person,
        by=by,
        email=person.email,
        full_name=person.full_name,
        job_title=person.job_title,
        roles=sorted(person.roles) if roles is None else roles,
        is_head_of_service=person.is_head_of_service,
        is_active=is_active,
    )


@pytest.mark.django_db
def test_a_staff_page_reads_neither_the_session_nor_the_person_from_the_database(
    client, commissioner
):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    response, read = _tables_read(client, url)
    assert response.status_code == 200
    assert "Sign out" in response.content.decode()
    assert read == set()


def _kept(person):
    """The form of `person` this process keeps (None if it keeps none)."""
    entry = auth._people.records.get(person.pk)
    return entry[2] if entry else None


@pytest.mark.django_db
def test_the_kept_person_never_holds_a_password_hash(client, commissioner):
    client.force_login(commissioner)
    client.get(reverse(STAFF_PAGE))
    kept = _kept(commissioner)
    assert kept is not None and kept["roles"] == [Role.COMMISSIONER]
    commissioner.refresh_from_db()
    assert commissioner.password not in repr(kept)


@contextlib.contextmanager
def _written_by_another_process():
    """Writes in here are not noticed by this process, as another process's are not."""
    connection.execute_wrappers.remove(page_cache.notice_writes)
    try:
        yield
    finally:
        connection.execute_wrappers.append(page_cache.notice_writes)


@pytest.mark.django_db
def test_a_role_removed_by_another_process_counts_once_the_generation_moves(client, commissioner):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    with _written_by_another_process():
        UserRole.objects.filter(user=commissioner).delete()
    # The generation has not moved: this process still uses the person it keeps.
    assert client.get(url).status_code == 200
    # The other process's commit moves the shared generation: the next request here
    # reads the person again.
    cache.incr(page_cache.GENERATION_KEY)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_checking_the_kept_person_costs_no_cache_call_of_its_own(client, commissioner):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    with (
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
        mock.patch.object(cache, "get", side_effect=AssertionError("a cache read of its own")),
    ):
        assert client.get(url).status_code == 200
    calls = [list(call.args[0]) for call in get_many.call_args_list]
    # The session's copy and the generation, in one round trip (a kept page adds its own).
    assert calls[0][1] == page_cache.GENERATION_KEY
    assert all(not key.startswith("person") for keys in calls for key in keys)


@pytest.mark.django_db
def test_outside_a_request_the_kept_person_is_checked_against_the_cache(commissioner):
    assert auth.cached_person(commissioner.pk).roles == {Role.COMMISSIONER}
    with _written_by_another_process():
        UserRole.objects.filter(user=commissioner).delete()
    assert auth.cached_person(commissioner.pk).roles == {Role.COMMISSIONER}  # kept
    cache.incr(page_cache.GENERATION_KEY)
    assert auth.cached_person(commissioner.pk).roles == frozenset()


@pytest.mark.django_db(transaction=True)
def test_a_removed_role_counts_at_the_next_request(client, commissioner, administrator):
    # transaction=True: the role is removed in a transaction that commits, as in production.
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # served from the kept person
    _edit(commissioner, by=administrator, roles=[])
    assert client.get(url).status_code == 403
    _edit(commissioner, by=administrator, roles=[Role.COMMISSIONER])
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_closed_account_is_signed_out_at_the_next_request(client, commissioner, administrator):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    _edit(commissioner, by=administrator, is_active=False)
    assert _sent_to_sign_in(client.get(url))


@pytest.mark.django_db
def test_a_new_password_signs_out_every_other_session(client, commissioner):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    commissioner.set_password("a-new-and-long-enough-passphrase")
    commissioner.save()
    assert _sent_to_sign_in(client.get(url))


@pytest.mark.django_db
def test_a_signed_out_session_cannot_be_used_again(client, commissioner):
    client.force_login(commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    stolen = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    client.cookies["sessionid"] = stolen
    assert _sent_to_sign_in(client.get(url))


@pytest.mark.django_db
def test_with_the_cache_down_people_are_read_from_the_database_and_changes_count(
    client, commissioner, administrator, caplog
):
    url = reverse(STAFF_PAGE)
    client.force_login(commissioner)
    assert client.get(url).status_code == 200  # kept in the cache
    with redis_at(DEAD_REDIS):
        response, read = _tables_read(client, url)
        assert response.status_code == 200
        assert read == {"django_session", "lra_commissioning_user", "lra_commissioning_userrole"}
        _edit(commissioner, by=administrator, roles=[])
        assert client.get(url).status_code == 403
    cache_log = [r for r in caplog.records if r.name == "lra_commissioning.cache"]
    assert len(cache_log) == 1 and not cache_log[0].exc_info  # logged once, no traceback
    # The cache is back, and this process still keeps the person read before the
    # outage: the role removed while it was down still counts.
    assert _kept(commissioner)["roles"] == [Role.COMMISSIONER]
    assert client.get(url).status_code == 403
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_with_the_cache_down_people_sign_in_and_out(client, commissioner):
    url = reverse(STAFF_PAGE)
    with redis_at(DEAD_REDIS):
        response = client.post(
            reverse("login"), {"username": commissioner.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(url).status_code == 200
        stolen = client.cookies["sessionid"].value
        assert client.post(reverse("logout")).status_code == 302
        client.cookies["sessionid"] = stolen
        assert _sent_to_sign_in(client.get(url))


# The second factor: the device a session passed its code with is kept as the person is.


@pytest.fixture
def two_factor_on(settings):
    settings.OTP_REQUIRED = True


def _device_tables_read(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries if '"otp_' in q["sql"]]


@pytest.mark.django_db
@pytest.mark.usefixtures("two_factor_on")
def test_with_two_factor_on_a_staff_page_reads_no_device_once_kept(client, commissioner):
    force_login_verified(client, commissioner)
    url = reverse(STAFF_PAGE)
    response, read = _device_tables_read(client, url)
    assert response.status_code == 200 and len(read) == 1  # read once, then kept
    response, read = _device_tables_read(client, url)
    assert response.status_code == 200 and "Sign out" in response.content.decode()
    assert read == []


@pytest.mark.django_db
@pytest.mark.usefixtures("two_factor_on")
def test_the_cached_device_never_holds_the_apps_secret(client, commissioner):
    device = force_login_verified(client, commissioner)
    client.get(reverse(STAFF_PAGE))
    _model, values = auth._devices.records[device.persistent_id][2]
    assert device.key not in repr(values)
    kept = auth.cached_device(device.persistent_id)
    assert kept.pk == device.pk and kept.confirmed
    assert "key" in kept.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert kept.key == device.key  # the secret is read afresh when asked for
    assert len(queries) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("two_factor_on")
def test_a_device_removed_by_another_process_counts_once_the_generation_moves(client, commissioner):
    device = force_login_verified(client, commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    with _written_by_another_process():
        TOTPDevice.objects.filter(pk=device.pk).delete()
    assert client.get(url).status_code == 200  # the generation has not moved: kept
    cache.incr(page_cache.GENERATION_KEY)
    assert _sent_to_sign_in(client.get(url))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("two_factor_on")
def test_a_replaced_app_signs_out_the_sessions_of_the_old_one_at_their_next_request(
    client, commissioner
):
    # transaction=True: the new app is confirmed in a transaction that commits.
    old = force_login_verified(client, commissioner)
    url = reverse(STAFF_PAGE)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # served with the kept device
    new = TOTPDevice.objects.create(user=commissioner, name="New phone", confirmed=False)
    services.authenticator_confirm(user=commissioner, device=new)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert _sent_to_sign_in(client.get(url))


@pytest.mark.django_db
@pytest.mark.usefixtures("two_factor_on")
def test_a_device_of_someone_else_or_unconfirmed_does_not_pass(
    client, commissioner, service_manager
):
    url = reverse(STAFF_PAGE)
    theirs = force_login_verified(Client(), service_manager)
    client.force_login(commissioner)
    session = client.session
    session["otp_device_id"] = theirs.persistent_id
    session.save()
    assert client.get(url).status_code == 302
    assert client.get(url).status_code == 302  # kept or not, not the commissioner's
    own = force_login_verified(client, commissioner)
    assert client.get(url).status_code == 200
    TOTPDevice.objects.filter(pk=own.pk).update(confirmed=False)
    assert client.get(url).status_code == 302
