"""Security headers on every page: every URL pattern, as every role and as a visitor."""

import re

import pytest
from django.urls import reverse

from lra_commissioning.models import User
from tests.lra_commissioning.test_settings import PRODUCTION, _settings_value

from .pages import every_response

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _csp_directives(header):
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = " ".join(tokens[1:])
    return directives


def test_every_page_sends_the_security_headers(demo_world, client, db):
    failures = []
    pages = 0
    for who, name, url, response in every_response(client):
        pages += 1
        problems = []
        csp = response.get("Content-Security-Policy", "")
        directives = _csp_directives(csp)
        if directives.get("frame-ancestors") != "'none'":
            problems.append("no frame-ancestors 'none'")
        script_src = directives.get("script-src") or directives.get("default-src") or ""
        if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
            problems.append(f"script-src allows inline script: {script_src}")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append("no nosniff")
        if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
            problems.append(f"referrer policy {response.get('Referrer-Policy')!r}")
        if response.get("X-Frame-Options") != "DENY" and "sandbox" not in csp:
            problems.append("no X-Frame-Options DENY")
        if who != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
            problems.append("staff page without Cache-Control: no-store")
        # Inline script runs only by nonce: every <script> without src carries
        # the nonce the header announces.
        if response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            nonce = re.search(r"'nonce-([^']+)'", script_src)
            for attrs in SCRIPT_TAG.findall(body):
                if "src=" in attrs:
                    continue
                if not nonce or f'nonce="{nonce.group(1)}"' not in attrs:
                    problems.append(f"inline <script{attrs}> without the page's nonce")
            if re.search(r"\son[a-z]+\s*=\s*[\"']", body):
                problems.append("inline event handler attribute (blocked by the CSP)")
        if problems:
            failures.append(f"{who} {name} {url}: " + "; ".join(problems))
    assert pages > 50
    assert not failures, "\n".join(failures)


def test_pages_need_no_inline_script_so_script_src_is_self_only(client, db):
    response = client.get(reverse("public_home"))
    script_src = _csp_directives(response["Content-Security-Policy"])["script-src"]
    assert script_src == "'self'"
    assert all("src=" in attrs for attrs in SCRIPT_TAG.findall(response.content.decode()))


def test_a_page_that_uses_a_nonce_gets_a_fresh_one_in_its_header(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    headers = []
    for _ in range(2):
        request = rf.get("/")
        response = CSPMiddleware(page)(request)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in response.content.decode()
        headers.append(nonce)
    assert headers[0] != headers[1]


def test_the_admin_site_sends_the_same_headers(demo_world, client, db):
    from tests.factories import force_login_verified

    force_login_verified(client, User.objects.get(email="admin@example.org"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_https_headers_and_cookies_when_debug_is_off():
    """HSTS for a year with subdomains and preload; session and CSRF cookies secure, HttpOnly."""
    expr = (
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD, settings.SESSION_COOKIE_SECURE, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_CONTENT_TYPE_NOSNIFF"
    )
    assert _settings_value(expr, **PRODUCTION) == "31536000 True True True True True True True"


@pytest.mark.django_db
def test_a_secure_response_carries_hsts_and_secure_httponly_session_cookie(
    client, settings, commissioner
):
    # The production values (see the test above), applied to one live request.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        reverse("login"),
        {"username": "c@example.org", "password": "correct-horse-battery-staple"},
        secure=True,
    )
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
