"""Two-factor sign-in in a real browser, from the administrator's invitation to the code.

An administrator adds a person; the person follows the e-mailed link, chooses
a password, sets up an authenticator app, keeps their recovery codes and is
signed in; later they sign in with a code and move to a new phone. Every page
on the way is checked by axe.
"""

import base64
import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP

from lra_commissioning.roles import Role
from tests.conftest import read_whole_pages
from tests.factories import TEST_PASSWORD, force_login_verified, make_user

pytestmark = [pytest.mark.browser]

PASSWORD = "heron-quartz-lantern-47"


def _code(secret_text):
    key = secret_text.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(base64.b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def _next_code(secret_text, email):
    """A code the server will take now: in its window, and newer than the last one used.

    Waits for the next 30-second step when the app's last code was this step's
    (an enrolment that straddled a step boundary also leaves the device a step
    of drift, so only the current code is sure to be in the window).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    wait = (device.last_t + 1) * device.step - time.time()
    if wait > 0:
        time.sleep(wait + 0.5)
    return _code(secret_text)


def _submit(page):
    page.click("#main-content button.govuk-button")
    page.wait_for_load_state()


def _password_step(page, email, password):
    page.goto(reverse("login"))
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    _submit(page)


def _signed_in_as_verified(browser, live_server, client, user):
    """A browser page for someone who has passed two-factor sign-in."""
    force_login_verified(client, user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    read_whole_pages(page)
    return context, page


def test_an_invited_person_sets_a_password_and_an_app_then_signs_in_with_a_code(
    transactional_db, settings, browser, live_server, client, page_for, assert_accessible
):
    settings.OTP_REQUIRED = True
    settings.SITE_URL = live_server.url
    administrator = make_user(Role.ADMINISTRATOR, email="a@example.org", full_name="Ada Admin")

    # The administrator adds Nina.
    admin_context, admin = _signed_in_as_verified(browser, live_server, client, administrator)
    admin.goto(reverse("administration:person_create"))
    assert_accessible(admin)
    admin.fill("#id_email", "nina.new@example.org")
    admin.fill("#id_full_name", "Nina New")
    admin.check("input[name=roles][value=service_manager]")
    _submit(admin)
    assert (
        "We have e-mailed them an invitation"
        in admin.locator(".govuk-notification-banner").inner_text()
    )
    assert "Invited" in admin.locator("tr", has_text="Nina New").inner_text()
    admin_context.close()

    # Nina follows the link in her e-mail.
    (message,) = mail.outbox
    link = re.search(r"(https?://\S+/invitation/\S+/)", message.body).group(1)
    page = page_for(None)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose a password"
    assert_accessible(page)

    # A weak password first: the error is beside the field.
    page.fill("#id_new_password1", "password1234")
    page.fill("#id_new_password2", "password1234")
    _submit(page)
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Choose a password (error)")
    assert_accessible(page)

    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    _submit(page)
    assert page.url.endswith(reverse("two_factor_setup"))
    assert "step 2 of 2" in page.locator(".govuk-caption-l").inner_text()
    # The script that marks JavaScript as on ran under the CSP.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    assert page.locator("svg[role=img] title").text_content() == (
        "QR code for your authenticator app"
    )
    assert page.locator(".lra-qr svg").bounding_box()["width"] >= 150
    assert_accessible(page)
    page.screenshot(path="/tmp/lra_2fa_setup.png", full_page=True)

    page.fill("#id_code", "000000")
    _submit(page)
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    secret = page.locator("#secret-key").inner_text()
    page.fill("#id_code", _code(secret))
    _submit(page)
    assert page.locator("h1").inner_text() == "Save your recovery codes"
    codes = page.locator(".lra-recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.click("text=I have saved my recovery codes")
    assert page.url.endswith(reverse("home"))

    # The link worked once.
    page.goto(link)
    assert page.locator("h1").inner_text() == "This link has expired or been used"
    assert_accessible(page)

    # Later: the password, then a code.
    page.click("text=Sign out")
    _password_step(page, "nina.new@example.org", PASSWORD)
    assert page.url.endswith(reverse("two_factor_verify"))
    assert_accessible(page)
    page.fill("#id_code", _next_code(secret, "nina.new@example.org"))
    _submit(page)
    assert page.url.endswith(reverse("home"))

    # A new phone: first the password and a recovery code, then the new app.
    page.goto(reverse("two_factor_manage"))
    page.click("text=Move two-factor sign-in to a new phone")
    assert page.locator("h1").inner_text() == "Move two-factor sign-in to a new phone"
    assert_accessible(page)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", codes[0])
    _submit(page)
    assert page.url.endswith(reverse("two_factor_setup"))
    new_secret = page.locator("#secret-key").inner_text()
    assert new_secret != secret
    page.fill("#id_code", _code(new_secret))
    _submit(page)
    assert page.locator("h1").inner_text() == "Save your recovery codes"
    assert [m.subject for m in mail.outbox[1:]] == [
        "Two-factor sign-in is set up: LRA Commissioning",
        "Your authenticator app was changed: LRA Commissioning",
    ]


def test_a_password_alone_leads_to_the_invitation_not_to_a_qr_code(
    transactional_db, settings, page_for, assert_accessible
):
    settings.OTP_REQUIRED = True
    make_user(Role.COMMISSIONER, email="c@example.org", full_name="Carol Commissioner")
    page = page_for(None)
    _password_step(page, "c@example.org", TEST_PASSWORD)
    assert page.locator("h1").inner_text() == "Finish setting up your account"
    assert page.locator("svg[role=img]").count() == 0
    assert_accessible(page)
    page.click("text=ask for a new link")
    assert page.url.endswith(reverse("password_reset"))
