"""Every URL pattern × every role (and anonymous): the status each must get."""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lra_commissioning.models import User
from lra_commissioning.roles import Role

from .expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages, load_demo_world

PAGES = all_pages()


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django's admin: checked in its own test
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_url_pattern_has_an_access_expectation():
    missing = sorted(set(_named_patterns()) - set(PAGES))
    assert not missing, f"URL patterns with no access expectation: {missing}"


def test_no_expectation_for_a_url_that_does_not_exist():
    stale = sorted(set(PAGES) - set(_named_patterns()))
    assert not stale, f"Access expectations for URLs that do not exist: {stale}"


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo council, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_url_answers_each_role_as_expected(url_name, demo_world, client, db):
    page = PAGES[url_name]
    kwargs = page.kwargs() if page.kwargs else {}
    url = reverse(url_name, kwargs=kwargs) + (f"?{page.query}" if page.query else "")
    failures = []
    for who in WHO:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(User.objects.get(email=DEMO_PERSON[who]))
        status = client.get(url).status_code
        expected = page.expected_status(who)
        if status != expected:
            failures.append(f"{who}: got {status}, expected {expected}")
    assert not failures, f"{url_name} ({url}): " + "; ".join(failures)


def test_admin_site_is_for_administrators_only(demo_world, client, db):
    for who in WHO:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(User.objects.get(email=DEMO_PERSON[who]))
        status = client.get(reverse("admin:index")).status_code
        assert status == (200 if who == Role.ADMINISTRATOR else 302), who
