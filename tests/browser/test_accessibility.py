"""Every page each role can reach, in a real Chromium, checked by axe (WCAG 2.2 A and AA)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from lra_commissioning.models import User
from tests.access.expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages

pytestmark = [pytest.mark.browser]


def _reachable_urls(who):
    urls = []
    for name, page in sorted(all_pages().items()):
        if page.expected_status(who) != 200 or name == "healthz" or not page.html:
            continue
        kwargs = page.kwargs() if page.kwargs else {}
        urls.append(reverse(name, kwargs=kwargs) + (f"?{page.query}" if page.query else ""))
    return urls


def _sign_in(page, email, password):
    page.goto(reverse("login"))
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("#main-content button.govuk-button")
    page.wait_for_load_state()


def test_every_page_each_role_can_reach_passes_axe(demo_copy, page_for, axe):
    from tests.conftest import AXE_TAGS

    failures = []
    visited = 0
    for who in WHO:
        page = page_for(None)
        if who != ANONYMOUS:
            _sign_in(page, DEMO_PERSON[who], "demo-password-for-tests")
            assert page.url.endswith(reverse("home")), f"{who} could not sign in"
        for url in _reachable_urls(who):
            try:
                response = page.goto(url)
            except PlaywrightError as exc:
                # A download (CSV, XLSX, attachment) is not a page for axe.
                if "Download is starting" in str(exc):
                    continue
                raise
            visited += 1
            if response.status != 200:
                failures.append(f"{who} {url}: status {response.status}")
                continue
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            if results.violations_count:
                failures.append(f"{who} {url}:\n{results.generate_report()}")
    print(f"axe: {visited} page visits, {len(failures)} with violations")
    assert not failures, "\n".join(failures)


def test_sign_in_form_in_its_error_state_passes_axe(transactional_db, page_for, assert_accessible):
    page = page_for(None)
    page.goto(reverse("login"))
    page.click("#main-content button.govuk-button")
    page.wait_for_selector(".govuk-error-summary")
    assert "Enter your e-mail address" in page.inner_text(".govuk-error-summary")
    assert page.title().startswith("Sign in (error)")
    assert_accessible(page)


def test_sign_in_works_by_keyboard_alone(transactional_db, page_for):
    User.objects.create_user(
        email="keys@example.org", password="heron-quartz-lantern-47", full_name="Kay Board"
    )
    from lra_commissioning.models import UserRole
    from lra_commissioning.roles import Role

    UserRole.objects.create(user=User.objects.get(email="keys@example.org"), role=Role.BOARD_MEMBER)
    page = page_for(None)
    page.goto(reverse("login"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.focus("#id_username")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("heron-quartz-lantern-47")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("home"))
    assert "What needs your attention" in page.inner_text("h1")
