"""Every URL pattern × every role (and anonymous): the status each must get."""

import re
from html import unescape

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lra_commissioning.models import User
from lra_commissioning.roles import Role
from tests.factories import force_login_verified

from .expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages

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
            # Everyone has passed two-factor sign-in: the admin still wants the role.
            force_login_verified(client, User.objects.get(email=DEMO_PERSON[who]))
        status = client.get(reverse("admin:index")).status_code
        assert status == (200 if who == Role.ADMINISTRATOR else 302), who


# What a page shows: never an exponent, "None" or pounds without separators (issue 15).
_EXPONENT = re.compile(r"\b\d+(?:\.\d+)?E[+-]?\d+\b")
_NONE = re.compile(r"\bNone\b")
_BARE_POUNDS = re.compile(r"£\d{4,}")


def _visible_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.DOTALL)
    html = main.group() if main else html
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    # A two-factor setup key is random letters and digits ("34E7" in one is not a number).
    html = re.sub(r'<p[^>]*id="secret-key"[^>]*>.*?</p>', " ", html, flags=re.DOTALL)
    html = re.sub(r"<[^>]+>", " ", html)
    return unescape(re.sub(r"\s+", " ", html))


def test_no_page_shows_an_exponent_none_or_unformatted_pounds(demo_world, client, db):
    failures = []
    for url_name, page in sorted(PAGES.items()):
        if not page.html:
            continue
        kwargs = page.kwargs() if page.kwargs else {}
        url = reverse(url_name, kwargs=kwargs) + (f"?{page.query}" if page.query else "")
        for who in WHO:
            if page.expected_status(who) != 200:
                continue
            client.logout()
            if who != ANONYMOUS:
                client.force_login(User.objects.get(email=DEMO_PERSON[who]))
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            text = _visible_text(response.content.decode())
            for pattern in (_EXPONENT, _NONE, _BARE_POUNDS):
                for found in pattern.finditer(text):
                    around = text[max(0, found.start() - 40) : found.end() + 40]
                    failures.append(f"{who} {url}: …{around}…")
    assert not failures, "\n".join(sorted(set(failures)))
