"""Invitations: how a new person sets a password and two-factor sign-in, and nobody else can.

Also the "forgotten password" page for someone never set up (a fresh
invitation, the same words for every address), and moving two-factor sign-in
to a new phone (the password and a current code, then an e-mail).
"""

import datetime
import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lra_commissioning import services
from lra_commissioning.models import Invitation, User
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError
from tests.factories import TEST_PASSWORD, force_login_verified, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "heron-quartz-lantern-47"
LINK = re.compile(r"https?://[^/\s]+(/invitation/\d+/\w+/)")


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED = True
    settings.SITE_URL = "https://lra.example.gov.uk"
    return settings


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what is queued after commit (the e-mails) as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def code_for(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def link_in(message):
    return LINK.search(message.body).group(1)


def choose_password(client, link, password=PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


def scan_and_enter_code(client):
    """Open the app step, 'scan' the QR code and enter the app's code."""
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.filter(confirmed=False).latest("pk")
    return client.post(reverse("two_factor_setup"), {"code": code_for(device)}), device


def is_signed_in_as(client, user):
    response = client.get(reverse("two_factor_manage"))
    return response.status_code == 200 and response.wsgi_request.user == user


@pytest.fixture
def new_person(client, administrator, on_commit):
    """An administrator adds Nina; the invitation e-mail is in the outbox."""
    force_login_verified(client, administrator)
    with on_commit():
        response = client.post(
            reverse("administration:person_create"),
            {
                "email": "nina.new@example.org",
                "full_name": "Nina New",
                "roles": [Role.SERVICE_MANAGER],
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    client.logout()
    return User.objects.get(email="nina.new@example.org")


# An administrator adds a person ------------------------------------------------------


def test_a_person_added_by_an_administrator_is_e_mailed_an_invitation(client, new_person):
    assert not new_person.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["nina.new@example.org"]
    assert message.subject == "Set up your LRA Commissioning account"
    assert "Hello Nina New," in message.body
    assert link_in(message).startswith("/invitation/")
    assert "The link works once" in message.body
    invitation = Invitation.objects.get(user=new_person)
    assert invitation.sent_at is not None and invitation.created_by.email == "a@example.org"


def test_the_people_page_shows_who_is_invited(client, new_person, administrator):
    force_login_verified(client, administrator)
    page = client.get(reverse("administration:people")).content.decode()
    row = page[page.index("Nina New") :].split("</tr>")[0]
    assert "Invited" in row
    person_page = client.get(reverse("administration:person_edit", args=[new_person.pk]))
    assert "the link works until" in person_page.content.decode()


def test_the_invitation_sets_the_password_then_two_factor_then_signs_in(client, new_person):
    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = choose_password(client, link)
    assert response.url == reverse("two_factor_setup")
    new_person.refresh_from_db()
    assert new_person.check_password(PASSWORD)
    # The password alone does not sign in.
    assert client.get(reverse("home")).status_code == 302

    step_two = client.get(reverse("two_factor_setup")).content.decode()
    assert "step 2 of 2" in step_two
    response, device = scan_and_enter_code(client)
    assert response.url == reverse("two_factor_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed and device.user == new_person
    assert StaticToken.objects.filter(device__user=new_person).count() == 10
    assert is_signed_in_as(client, new_person)
    assert Invitation.objects.get(user=new_person).accepted_at is not None


def test_the_link_works_once(client, new_person):
    link = link_in(mail.outbox[0])
    choose_password(client, link)
    scan_and_enter_code(client)
    client.post(reverse("logout"))
    page = client.get(link)
    assert "This link has expired or been used" in page.content.decode()
    response = choose_password(client, link, password="another-long-passphrase-9")
    assert "This link has expired or been used" in response.content.decode()
    new_person.refresh_from_db()
    assert new_person.check_password(PASSWORD)


def test_the_link_expires(client, new_person, settings):
    link = link_in(mail.outbox[0])
    later = timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS, minutes=1)
    with time_machine.travel(later):
        page = client.get(link)
        assert "This link has expired or been used" in page.content.decode()
        choose_password(client, link)
    new_person.refresh_from_db()
    assert not new_person.has_usable_password()


@pytest.mark.parametrize("tamper", ["wrong-token", "other-invitation", "address-changed"])
def test_a_link_that_is_not_the_one_sent_opens_nothing(client, new_person, tamper):
    link = link_in(mail.outbox[0])
    if tamper == "wrong-token":
        link = re.sub(r"/\w+/$", "/" + "0" * 40 + "/", link)
    elif tamper == "other-invitation":
        other = make_user(Role.BOARD_MEMBER, email="other@example.org")
        invitation = services.invitation_send(user=other, by=None)
        link = link.replace(f"/{invitation.pk - 1}/", f"/{invitation.pk}/", 1)
    else:
        User.objects.filter(pk=new_person.pk).update(email="nina.moved@example.org")
    assert "This link has expired or been used" in client.get(link).content.decode()


def test_a_new_invitation_withdraws_the_last(client, new_person, administrator, on_commit):
    first = link_in(mail.outbox[0])
    force_login_verified(client, administrator)
    with on_commit():
        response = client.post(reverse("administration:person_invite", args=[new_person.pk]))
    assert response.url == reverse("administration:person_edit", args=[new_person.pk])
    client.logout()
    second = link_in(mail.outbox[1])
    assert first != second
    assert "expired or been used" in client.get(first).content.decode()
    assert "Choose a password" in client.get(second).content.decode()
    assert Invitation.objects.open().filter(user=new_person).count() == 1


def test_an_invitation_replaced_while_setting_up_the_app_is_refused(client, new_person):
    choose_password(client, link_in(mail.outbox[0]))
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=new_person, confirmed=False)
    services.invitation_send(user=new_person, by=None)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    # The session's invitation is no longer open: the app step sends them back.
    assert response.status_code == 200
    assert "Finish setting up your account" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=new_person, confirmed=True).exists()


def test_someone_interrupted_after_the_password_can_follow_the_link_again(client, new_person):
    link = link_in(mail.outbox[0])
    choose_password(client, link)
    client.cookies.clear()  # the browser was closed
    assert (
        "Finish setting up"
        in client.post(
            reverse("login"), {"username": new_person.email, "password": PASSWORD}
        ).content.decode()
    )
    choose_password(client, link)
    response, _ = scan_and_enter_code(client)
    assert response.url == reverse("two_factor_recovery_codes")


def test_a_weak_password_is_refused_beside_the_field_and_nothing_is_saved(client, new_person):
    response = choose_password(client, link_in(mail.outbox[0]), password="password1234")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "too common" in body
    new_person.refresh_from_db()
    assert not new_person.has_usable_password()


def test_a_closed_account_gets_no_invitation(client, administrator, commissioner):
    User.objects.filter(pk=commissioner.pk).update(is_active=False)
    commissioner.refresh_from_db()
    with pytest.raises(DomainError, match="account is closed"):
        services.invitation_send(user=commissioner, by=administrator)
    force_login_verified(client, administrator)
    response = client.post(
        reverse("administration:person_invite", args=[commissioner.pk]), follow=True
    )
    assert "account is closed" in response.content.decode()


def test_only_an_administrator_sends_invitations(client, commissioner, service_manager):
    force_login_verified(client, commissioner)
    response = client.post(reverse("administration:person_invite", args=[service_manager.pk]))
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_someone_signed_in_who_opens_an_invitation_is_signed_out_of_their_own_account(
    client, new_person, commissioner
):
    link = link_in(mail.outbox[0])
    force_login_verified(client, commissioner)
    choose_password(client, link)
    scan_and_enter_code(client)
    assert is_signed_in_as(client, new_person)


# "I have forgotten my password" ------------------------------------------------------


@pytest.fixture
def kinds_of_people(new_person):
    mail.outbox.clear()
    enrolled = make_user(Role.COMMISSIONER, email="set.up@example.org")
    TOTPDevice.objects.create(user=enrolled, name="Authenticator app", confirmed=True)
    make_user(Role.COMMISSIONER, email="no.app@example.org")  # a password, no app
    make_user(Role.COMMISSIONER, email="closed@example.org", is_active=False)
    return {
        "set.up@example.org": "reset",
        "nina.new@example.org": "invitation",
        "no.app@example.org": "invitation",
        "closed@example.org": None,
        "nobody@example.org": None,
    }


def test_the_reset_page_says_the_same_words_for_every_address(client, kinds_of_people, on_commit):
    pages = set()
    for address, expected in kinds_of_people.items():
        mail.outbox.clear()
        with on_commit():
            response = client.post(reverse("password_reset"), {"email": address}, follow=True)
        pages.add((response.redirect_chain[-1][0], response.content.decode()))
        subjects = [m.subject for m in mail.outbox]
        if expected == "reset":
            assert subjects == ["Reset your LRA Commissioning password"], address
        elif expected == "invitation":
            assert subjects == ["Set up your LRA Commissioning account"], address
        else:
            assert subjects == [], address
    assert len(pages) == 1
    ((url, words),) = pages
    assert url == reverse("password_reset_done")
    assert "If an account uses that e-mail address, we have sent it a link" in words


def test_a_person_never_set_up_gets_a_fresh_invitation_that_works(client, new_person, on_commit):
    first = link_in(mail.outbox[0])
    with on_commit():
        client.post(reverse("password_reset"), {"email": "NINA.NEW@example.org"})
    fresh = link_in(mail.outbox[1])
    assert fresh != first
    assert (
        Invitation.objects.get(user=new_person, accepted_at=None, withdrawn_at=None).created_by
        is None
    )
    choose_password(client, fresh)
    response, _ = scan_and_enter_code(client)
    assert response.url == reverse("two_factor_recovery_codes")


def test_e_mails_are_sent_even_when_the_broker_is_down(client, new_person, on_commit, monkeypatch):
    from kombu.exceptions import OperationalError

    from lra_commissioning import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Redis is down")

    monkeypatch.setattr(tasks.send_invitation, "delay", broker_down)
    mail.outbox.clear()
    with on_commit():
        client.post(reverse("password_reset"), {"email": "nina.new@example.org"})
    assert [m.subject for m in mail.outbox] == ["Set up your LRA Commissioning account"]


# Moving two-factor sign-in to a new phone -----------------------------------------------


@pytest.fixture
def signed_in(client, commissioner):
    device = force_login_verified(client, commissioner)
    codes = services.recovery_codes_issue(user=commissioner)
    return device, codes


def test_a_signed_in_person_cannot_swap_the_app_without_confirming_it_is_them(
    client, commissioner, signed_in
):
    response = client.get(reverse("two_factor_setup"))
    assert response.url == reverse("two_factor_replace")
    client.post(reverse("two_factor_setup"), {"code": "123456"})
    assert TOTPDevice.objects.filter(user=commissioner).count() == 1


@pytest.mark.parametrize(
    ("password", "use_code", "message"),
    [
        ("wrong-password-xx", True, "Enter your current password"),
        (TEST_PASSWORD, False, "Enter the current code from your authenticator app"),
    ],
)
def test_swapping_needs_the_password_and_a_current_code(
    client, commissioner, signed_in, password, use_code, message
):
    device, _ = signed_in
    code = code_for(device, steps_ahead=1) if use_code else "000000"
    response = client.post(reverse("two_factor_replace"), {"password": password, "code": code})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(reverse("two_factor_setup")).url == reverse("two_factor_replace")


def test_swapping_with_password_and_code_moves_to_the_new_app_and_e_mails_the_person(
    client, commissioner, signed_in, on_commit
):
    old_device, old_codes = signed_in
    response = client.post(
        reverse("two_factor_replace"),
        {"password": TEST_PASSWORD, "code": code_for(old_device, steps_ahead=1)},
    )
    assert response.url == reverse("two_factor_setup")
    assert (
        "old app and your old recovery codes stop working"
        in client.get(reverse("two_factor_setup")).content.decode()
    )
    with on_commit():
        response, new_device = scan_and_enter_code(client)
    assert response.url == reverse("two_factor_recovery_codes")
    assert list(TOTPDevice.objects.filter(user=commissioner)) == [new_device]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    (message,) = mail.outbox
    assert message.to == ["c@example.org"]
    assert message.subject == "Your authenticator app was changed: LRA Commissioning"
    assert "If this was not you" in message.body


def test_a_lost_phone_is_replaced_with_a_recovery_code(client, commissioner, signed_in):
    _, codes = signed_in
    response = client.post(
        reverse("two_factor_replace"), {"password": TEST_PASSWORD, "code": codes[3]}
    )
    assert response.url == reverse("two_factor_setup")
    assert not StaticToken.objects.filter(token=codes[3]).exists()


def test_the_permission_to_swap_lasts_ten_minutes(client, commissioner, signed_in):
    device, _ = signed_in
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.post(
            reverse("two_factor_replace"),
            {"password": TEST_PASSWORD, "code": code_for(device, steps_ahead=1)},
        )
        traveller.shift(10 * 60 + 1)
        assert client.get(reverse("two_factor_setup")).url == reverse("two_factor_replace")


def test_wrong_answers_when_swapping_count_towards_the_lock_out(client, commissioner, signed_in):
    for _ in range(9):
        client.post(
            reverse("two_factor_replace"),
            {"password": "wrong-password-xx", "code": "000000"},
            REMOTE_ADDR="10.0.0.1",
        )
    response = client.post(
        reverse("two_factor_replace"),
        {"password": "wrong-password-xx", "code": "000000"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429


def test_new_recovery_codes_need_a_code_and_e_mail_the_person(
    client, commissioner, signed_in, on_commit
):
    device, old = signed_in
    refused = client.post(
        reverse("two_factor_new_recovery_codes"), {"password": TEST_PASSWORD, "code": ""}
    )
    assert "Enter the code from your authenticator app" in refused.content.decode()
    with on_commit():
        response = client.post(
            reverse("two_factor_new_recovery_codes"),
            {"password": TEST_PASSWORD, "code": old[0]},
        )
    assert response.url == reverse("two_factor_recovery_codes")
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert [m.subject for m in mail.outbox] == ["New recovery codes were made: LRA Commissioning"]


def test_setting_up_the_app_refuses_an_invitation_no_longer_open(new_person):
    # Between the page check and the write, the service checks again under a lock.
    invitation = Invitation.objects.get(user=new_person)
    device = TOTPDevice.objects.create(user=new_person, name="Authenticator app", confirmed=False)
    services.invitation_send(user=new_person, by=None)
    with pytest.raises(DomainError, match="replaced by a newer one"):
        services.authenticator_confirm(user=new_person, device=device, invitation=invitation)
    device.refresh_from_db()
    assert not device.confirmed


def test_the_first_administrator_gets_an_invitation_link_from_the_command_line(
    administrator, client, on_commit
):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with on_commit():
        call_command("invite", "A@example.org", stdout=out)
    link = re.search(r"https://lra\.example\.gov\.uk(/invitation/\S+/)", out.getvalue()).group(1)
    assert link_in(mail.outbox[0]) == link
    assert "Choose a password" in client.get(link).content.decode()
    with pytest.raises(CommandError, match="Nobody has the address"):
        call_command("invite", "nobody@example.org")
