"""Two-factor sign-in: enrolment, codes that work once, throttling, resets, the admin."""

import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lra_commissioning import services
from tests.factories import TEST_PASSWORD, force_login_verified

pytestmark = pytest.mark.django_db

ADDRESS = "10.0.0.1"


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED = True
    return settings


def code_for(device, offset_steps=0):
    """The code the person's app shows now (or `offset_steps` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def sign_in(client, email, password=TEST_PASSWORD, address=ADDRESS, next_url=None):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def enter_code(client, code, address=ADDRESS):
    return client.post(reverse("two_factor_verify"), {"code": code}, REMOTE_ADDR=address)


def is_signed_in(client):
    return client.get(reverse("home")).status_code == 200


NEW_PASSWORD = "heron-quartz-lantern-47"


def invitation_link(user, by=None):
    invitation = services.invitation_send(user=user, by=by)
    return reverse("invitation", kwargs={"pk": invitation.pk, "token": invitation.token()})


def through_invitation(client, user):
    """Follow a fresh invitation's link and choose a password: on to the app step."""
    response = client.post(
        invitation_link(user), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("two_factor_setup")
    return response


# A password alone ------------------------------------------------------------


def test_with_two_factor_required_a_password_alone_does_not_sign_in(client, required, commissioner):
    response = sign_in(client, "c@example.org")
    assert response.status_code == 200
    assert "Finish setting up your account" in response.content.decode()
    assert not is_signed_in(client)


def test_a_password_alone_cannot_set_up_an_authenticator_app(client, required, commissioner):
    # A phished password: the attacker signs in, then tries to add their own phone.
    sign_in(client, "c@example.org")
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 302 and setup.url == reverse("login")
    response = client.post(reverse("two_factor_setup"), {"code": "123456"})
    assert response.status_code == 302 and response.url == reverse("login")
    assert not TOTPDevice.objects.filter(user=commissioner).exists()
    assert not is_signed_in(client)


def test_with_an_app_set_up_the_password_step_asks_for_a_code(client, required, commissioner):
    enrolled(commissioner)
    response = sign_in(client, "c@example.org")
    assert response.url == reverse("two_factor_verify")
    assert not is_signed_in(client)


def test_when_not_required_a_person_without_an_app_signs_in_with_the_password(
    client, settings, commissioner
):
    settings.OTP_REQUIRED = False
    response = sign_in(client, "c@example.org")
    assert response.url == reverse("home")
    assert is_signed_in(client)


def test_when_not_required_a_person_who_set_up_an_app_still_needs_the_code(
    client, settings, commissioner
):
    settings.OTP_REQUIRED = False
    device = enrolled(commissioner)
    assert sign_in(client, "c@example.org").url == reverse("two_factor_verify")
    assert not is_signed_in(client)
    assert enter_code(client, code_for(device)).url == reverse("home")
    assert is_signed_in(client)


def test_required_by_default_when_debug_is_off():
    from tests.lra_commissioning.test_settings import PRODUCTION, _settings_value

    assert _settings_value("settings.OTP_REQUIRED", **PRODUCTION) == "True"
    assert _settings_value("settings.OTP_REQUIRED", **PRODUCTION, OTP_REQUIRED="false") == "False"
    assert _settings_value("settings.OTP_REQUIRED", DEBUG="true") == "False"


def test_a_session_that_skipped_the_code_step_is_not_signed_in_when_required(
    client, required, commissioner
):
    client.force_login(commissioner)
    assert client.get(reverse("home")).status_code == 302
    force_login_verified(client, commissioner)
    assert client.get(reverse("home")).status_code == 200


# Enrolment --------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_then_turns_two_factor_on(
    client, required, commissioner
):
    through_invitation(client, commissioner)
    page = client.get(reverse("two_factor_setup"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and 'role="img"' in body and "<title" in body
    device = TOTPDevice.objects.get(user=commissioner, confirmed=False)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    assert len(secret) >= 32
    # Reloading the page keeps the same key (the person may be mid-scan).
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=commissioner).count() == 1

    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert response.url == reverse("two_factor_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(reverse("two_factor_recovery_codes")).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{4})</code>", codes_page)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=commissioner).count() == 10
    # Shown once only.
    assert client.get(reverse("two_factor_recovery_codes")).url == reverse("two_factor_manage")
    assert is_signed_in(client)


def test_enrolment_refuses_a_wrong_code_with_a_specific_message(client, required, commissioner):
    through_invitation(client, commissioner)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "Enter the 6-digit code your authenticator app shows now" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=commissioner, confirmed=True).exists()
    assert not is_signed_in(client)


def test_enrolment_with_an_empty_code_names_the_field(client, required, commissioner):
    through_invitation(client, commissioner)
    response = client.post(reverse("two_factor_setup"), {"code": "  "})
    assert "Enter the code from your authenticator app" in response.content.decode()


def test_the_setup_page_needs_a_password_step_first(client, required):
    assert client.get(reverse("two_factor_setup")).url == reverse("login")
    assert client.get(reverse("two_factor_verify")).url == reverse("login")


def test_a_pending_sign_in_expires_after_five_minutes(client, required, commissioner):
    device = enrolled(commissioner)
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, "c@example.org")
        traveller.shift(5 * 60 + 1)
        response = enter_code(client, code_for(device))
    assert response.url == reverse("login")
    assert not is_signed_in(client)


# Codes work once ---------------------------------------------------------------


def test_a_used_app_code_cannot_be_used_again(client, required, commissioner):
    device = enrolled(commissioner)
    code = code_for(device)
    sign_in(client, "c@example.org")
    assert enter_code(client, code).url == reverse("home")
    client.post(reverse("logout"))
    sign_in(client, "c@example.org")
    replay = enter_code(client, code)
    assert replay.status_code == 200
    assert "Enter the current code from your authenticator app" in replay.content.decode()
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once(client, required, commissioner):
    enrolled(commissioner)
    codes = services.recovery_codes_issue(user=commissioner)
    sign_in(client, "c@example.org")
    response = enter_code(client, codes[0].upper())
    assert response.url == reverse("home")
    assert "You have 9 left" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    sign_in(client, "c@example.org")
    assert enter_code(client, codes[0]).status_code == 200
    assert not is_signed_in(client)


def test_new_recovery_codes_replace_the_old_ones(client, required, commissioner):
    device = force_login_verified(client, commissioner)
    old = services.recovery_codes_issue(user=commissioner)
    response = client.post(
        reverse("two_factor_new_recovery_codes"),
        {"password": TEST_PASSWORD, "code": code_for(device)},
    )
    assert response.url == reverse("two_factor_recovery_codes")
    new = re.findall(
        r"<code>([^<]+)</code>", client.get(reverse("two_factor_recovery_codes")).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=commissioner).count() == 10


# Throttling ---------------------------------------------------------------------


def test_ten_wrong_codes_lock_the_account_at_that_address_like_passwords(
    client, required, commissioner
):
    device = enrolled(commissioner)
    sign_in(client, "c@example.org")
    for _ in range(9):
        assert enter_code(client, "000000").status_code == 200
    locked = enter_code(client, "000000")
    assert locked.status_code == 429
    assert "Your account is locked for now" in locked.content.decode()
    # The right code no longer helps, nor does the password step, at that address.
    assert enter_code(client, code_for(device)).status_code == 429
    assert sign_in(client, "c@example.org").status_code == 429
    assert not is_signed_in(client)
    # From another address the person can still sign in.
    other = client.__class__()
    sign_in(other, "c@example.org", address="10.0.0.2")
    assert enter_code(other, code_for(device), address="10.0.0.2").url == reverse("home")


def test_nine_wrong_codes_do_not_lock(client, required, commissioner):
    device = enrolled(commissioner)
    sign_in(client, "c@example.org")
    for _ in range(9):
        enter_code(client, "000000")
    assert enter_code(client, code_for(device)).url == reverse("home")


def test_wrong_passwords_and_wrong_codes_share_one_count(client, required, commissioner):
    enrolled(commissioner)
    for _ in range(5):
        sign_in(client, "c@example.org", password="wrong-password-xx")
    sign_in(client, "c@example.org")
    for _ in range(4):
        assert enter_code(client, "000000").status_code == 200
    assert enter_code(client, "000000").status_code == 429


def test_wrong_codes_at_enrolment_count_too(client, required, commissioner):
    through_invitation(client, commissioner)
    client.get(reverse("two_factor_setup"))
    for _ in range(9):
        client.post(reverse("two_factor_setup"), {"code": "000000"}, REMOTE_ADDR=ADDRESS)
    response = client.post(reverse("two_factor_setup"), {"code": "000000"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429


# Resets ----------------------------------------------------------------------------


def test_resetting_the_password_does_not_bypass_the_second_factor(
    client, required, commissioner, django_capture_on_commit_callbacks
):
    enrolled(commissioner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "c@example.org"})
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new = "heron-quartz-lantern-47"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.url == reverse("password_reset_complete")
    assert not is_signed_in(client)
    assert sign_in(client, "c@example.org", password=new).url == reverse("two_factor_verify")
    assert not is_signed_in(client)


# The admin site -----------------------------------------------------------------------


def test_the_admin_site_always_asks_for_the_second_factor(client, settings, administrator):
    settings.OTP_REQUIRED = False
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    assert sign_in(client, "a@example.org").url == reverse("home")
    setup_page = client.get(reverse("admin:index"), follow=True)
    setup_url = setup_page.redirect_chain[-1][0]
    assert setup_url.startswith(reverse("two_factor_setup"))
    assert setup_page.status_code == 200
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    client.post(setup_url, {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_sends_visitors_to_the_services_sign_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    login = client.get(response.url, follow=True)
    assert login.redirect_chain[-1][0].startswith(reverse("login"))


def test_after_the_code_the_person_lands_where_they_were_going(client, required, commissioner):
    device = enrolled(commissioner)
    sign_in(client, "c@example.org", next_url=reverse("two_factor_manage"))
    assert enter_code(client, code_for(device)).url == reverse("two_factor_manage")


def test_an_outside_next_address_is_ignored(client, required, commissioner):
    device = enrolled(commissioner)
    sign_in(client, "c@example.org", next_url="https://evil.example.com/")
    assert enter_code(client, code_for(device)).url == reverse("home")
