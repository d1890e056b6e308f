"""Two-factor sign-in in a real browser: set up an app, then sign in with its code."""

import base64
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser]


def _code(secret_text, steps_ahead=0):
    key = secret_text.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(base64.b32decode(key))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def _password_step(page):
    page.goto(reverse("login"))
    page.fill("#id_username", "c@example.org")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#main-content button.govuk-button")
    page.wait_for_load_state()


def test_set_up_an_authenticator_app_then_sign_in_with_its_code(
    transactional_db, settings, commissioner, page_for, assert_accessible
):
    settings.OTP_REQUIRED = True
    page = page_for(None)
    _password_step(page)
    assert page.url.endswith(reverse("two_factor_setup"))
    # The script that marks JavaScript as on ran under the CSP.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    assert page.locator("svg[role=img] title").text_content() == (
        "QR code for your authenticator app"
    )
    assert page.locator(".lra-qr svg").bounding_box()["width"] >= 150
    assert_accessible(page)
    page.screenshot(path="/tmp/lra_2fa_setup.png", full_page=True)

    # A wrong code first: the GOV.UK error summary names the field.
    page.fill("#id_code", "000000")
    page.click("#main-content button.govuk-button")
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Set up two-factor sign-in (error)")
    assert_accessible(page)

    secret = page.locator("#secret-key").inner_text()
    page.fill("#id_code", _code(secret))
    page.click("#main-content button.govuk-button")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Save your recovery codes"
    assert page.locator(".lra-recovery-codes li").count() == 10
    assert_accessible(page)
    page.click("text=I have saved my recovery codes")
    assert page.url.endswith(reverse("home"))

    page.click("text=Sign out")
    _password_step(page)
    assert page.url.endswith(reverse("two_factor_verify"))
    assert_accessible(page)
    page.fill("#id_code", _code(secret, steps_ahead=1))
    page.click("#main-content button.govuk-button")
    page.wait_for_load_state()
    assert page.url.endswith(reverse("home"))
