"""Two-factor sign-in: a code from an authenticator app (TOTP), or a recovery code.

The password step does not sign anyone in when a second factor is needed: it
keeps the person's id in the session as "pending" for a few minutes, and only
a correct code calls `login()`. So a password alone (typed, or just reset by
e-mail) never opens a staff page. A second factor is needed when
`settings.OTP_REQUIRED` is on (the default with DEBUG off) or when the person
has set one up; the Django admin site always needs it.

A password alone never sets up an authenticator app either (a phished password
would enrol the attacker's phone). The first app is set up through the
e-mailed invitation (`views.invitation`: choose a password, then scan the QR
code here), and a person who can sign in but has no app where one is required
is told to use their invitation or ask for a new one. Moving to another app,
or making new recovery codes, needs the password and a current code or a
recovery code again, and e-mails the person. Only where two-factor sign-in is
not required may a signed-in person add a first app from their account page.

Wrong codes are throttled exactly like wrong passwords: each one is reported
to django-axes as a failed sign-in for that e-mail address and network
address, so 10 failures of either kind lock the account at that address and
show the same locked-out page. A code works once: TOTP devices remember the
last time step used, recovery codes are deleted when used.
"""

import base64
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import ConfirmItIsYouForm, OneTimeCodeForm
from .models import Invitation
from .workflow import DomainError

PENDING_USER = "lra_2fa_pending_user"
PENDING_BACKEND = "lra_2fa_pending_backend"
PENDING_SINCE = "lra_2fa_pending_since"
PENDING_NEXT = "lra_2fa_pending_next"
SETUP_DEVICE = "lra_2fa_setup_device"
FRESH_CODES = "lra_2fa_fresh_recovery_codes"
INVITATION = "lra_2fa_invitation"
REPLACING_SINCE = "lra_2fa_replacing_since"
# A password step is good for this long before the code must be entered.
PENDING_SECONDS = 5 * 60
# After choosing a password through an invitation: time to install an app and scan.
INVITED_SECONDS = 30 * 60
# After confirming it is them: time to set up the new app.
REPLACING_SECONDS = 10 * 60
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = services.RECOVERY_DEVICE_NAME


def needs_second_factor(user) -> bool:
    return bool(settings.OTP_REQUIRED) or user_has_device(user)


def start_pending_sign_in(request, user, next_url=""):
    """After a correct password: remember who is signing in, send them to the code step.

    Someone with no app yet cannot get further with a password: they are told
    to use their invitation (or ask for a new one).
    """
    if not user_has_device(user):
        return render(request, "two_factor/not_set_up.html")
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = getattr(
        user, "backend", settings.AUTHENTICATION_BACKENDS[-1]
    )
    request.session[PENDING_SINCE] = int(time.time())
    request.session[PENDING_NEXT] = next_url
    return redirect("two_factor_verify")


def start_invited_enrolment(request, user, invitation):
    """After a password chosen through an invitation: on to setting up the app.

    Whoever was signed in on this browser is signed out first.
    """
    request.session.flush()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = settings.AUTHENTICATION_BACKENDS[-1]
    request.session[PENDING_SINCE] = int(time.time())
    request.session[PENDING_NEXT] = ""
    request.session[INVITATION] = invitation.pk
    return redirect("two_factor_setup")


def _pending_user(request):
    pk = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if pk is None:
        return None
    limit = INVITED_SECONDS if request.session.get(INVITATION) else PENDING_SECONDS
    if time.time() - since > limit:
        _clear_pending(request)
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def _clear_pending(request):
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, SETUP_DEVICE, INVITATION):
        request.session.pop(key, None)


def _session_invitation(request, user):
    """The open invitation this pending sign-in came through, if any."""
    pk = request.session.get(INVITATION)
    if pk is None:
        return None
    invitation = Invitation.objects.filter(pk=pk, user=user).first()
    return invitation if invitation is not None and invitation.is_open() else None


def _replacing(request) -> bool:
    since = request.session.get(REPLACING_SINCE)
    return since is not None and time.time() - since <= REPLACING_SECONDS


def _user_in_progress(request):
    """Who is at the code step: a pending sign-in, or a signed-in person not yet verified."""
    pending = _pending_user(request)
    if pending is not None:
        return pending, True
    user = request.user
    if user.is_authenticated and not user.is_verified():
        return user, False
    return None, False


def _next_url(request):
    candidate = request.session.pop(PENDING_NEXT, "") or request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_sign_in(request, user, device, was_pending):
    if was_pending:
        backend = request.session.get(PENDING_BACKEND) or settings.AUTHENTICATION_BACKENDS[-1]
        next_url = request.session.get(PENDING_NEXT, "")
        _clear_pending(request)
        login(request, user, backend=backend)
        request.session[PENDING_NEXT] = next_url
    else:
        request.session.pop(SETUP_DEVICE, None)
    otp_login(request, device)


def _credentials(user):
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def _report_failure(request, user):
    """Count a wrong code as a failed sign-in for this person and address (django-axes)."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)


def _locked(request, user):
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials=_credentials(user))


def _locked_out_page(request):
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)


def _match_code(user, code):
    """The device the code belongs to, consuming the code; None if it matches nothing."""
    code = "".join(code.split()).lower()
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def qr_code_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    # Our own markup from a library (no user text in it): safe to place inline.
    svg = svg.replace(
        "<svg",
        '<svg role="img" aria-labelledby="qr-title" class="lra-qr-code"',
        1,
    ).replace(">", '><title id="qr-title">QR code for your authenticator app</title>', 1)
    return mark_safe(svg)  # noqa: S308


def _secret_for_people(device) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    user, was_pending = _user_in_progress(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return redirect("login")
    if not user_has_device(user):
        return redirect("two_factor_setup")
    if _locked(request, user):
        return _locked_out_page(request)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _match_code(user, form.cleaned_data["code"])
        if device is None:
            _report_failure(request, user)
            if _locked(request, user):
                return _locked_out_page(request)
            form.add_error(
                "code",
                "Enter the current code from your authenticator app or an unused recovery code",
            )
        else:
            _complete_sign_in(request, user, device, was_pending)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.success(
                    request,
                    f"You signed in with a recovery code. You have {left} left: "
                    "get new ones from “Two-factor sign-in” if you are running low.",
                )
            return redirect(_next_url(request))
    return render(request, "two_factor/verify.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app: scan the QR code, enter a code from the app.

    Open to a person who has just chosen their password through an invitation,
    to a signed-in person who has confirmed it is them to move to a new app,
    and, where two-factor sign-in is not required, to a signed-in person with
    no app yet. Never to a password alone.
    """
    invitation = None
    pending = _pending_user(request)
    if pending is not None:
        user, was_pending = pending, True
        invitation = _session_invitation(request, user)
        if invitation is None:
            if user_has_device(user):
                return redirect("two_factor_verify")
            return render(request, "two_factor/not_set_up.html")
    elif request.user.is_authenticated:
        user, was_pending = request.user, False
        if user_has_device(user):
            if not user.is_verified():
                return redirect("two_factor_verify")
            if not _replacing(request):
                return redirect("two_factor_replace")
    else:
        return redirect("login")
    if _locked(request, user):
        return _locked_out_page(request)

    device = None
    device_id = request.session.get(SETUP_DEVICE)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        request.session[SETUP_DEVICE] = device.pk

    form = OneTimeCodeForm(request.POST or None, setup=True)
    if request.method == "POST" and form.is_valid():
        if not device.verify_token("".join(form.cleaned_data["code"].split())):
            _report_failure(request, user)
            if _locked(request, user):
                return _locked_out_page(request)
            form.add_error("code", "Enter the 6-digit code your authenticator app shows now")
        else:
            try:
                codes = services.authenticator_confirm(
                    user=user, device=device, invitation=invitation
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                _complete_sign_in(request, user, device, was_pending)
                for key in (SETUP_DEVICE, REPLACING_SINCE):
                    request.session.pop(key, None)
                request.session[FRESH_CODES] = codes
                return redirect("two_factor_recovery_codes")
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "qr_svg": qr_code_svg(device.config_url),
            "secret": _secret_for_people(device),
            "invited": invitation is not None,
            "replacing": not was_pending and user_has_device(user),
        },
    )


def _confirmed_it_is_them(request, user, form) -> bool:
    """Check the password, then a current code or a recovery code (consumed).

    A wrong answer counts as a failed sign-in for this person and address.
    """
    if not user.check_password(form.cleaned_data["password"]):
        _report_failure(request, user)
        form.add_error("password", "Enter your current password")
        return False
    if _match_code(user, form.cleaned_data["code"]) is None:
        _report_failure(request, user)
        form.add_error(
            "code", "Enter the current code from your authenticator app or an unused recovery code"
        )
        return False
    return True


@sensitive_post_parameters("password", "code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def replace(request):
    """Move two-factor sign-in to a new app: first the password and a current code."""
    user = request.user
    if not user_has_device(user):
        return redirect("two_factor_setup")
    if not user.is_verified():
        return redirect("two_factor_verify")
    if _locked(request, user):
        return _locked_out_page(request)
    form = ConfirmItIsYouForm(request.POST or None, submit_label="Continue")
    if request.method == "POST" and form.is_valid():
        if _confirmed_it_is_them(request, user, form):
            request.session.pop(SETUP_DEVICE, None)
            request.session[REPLACING_SINCE] = int(time.time())
            return redirect("two_factor_setup")
        if _locked(request, user):
            return _locked_out_page(request)
    return render(request, "two_factor/confirm_it_is_you.html", {"form": form, "purpose": "app"})


@sensitive_post_parameters("password", "code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_recovery_codes(request):
    """New recovery codes (the old ones stop working): the password and a current code first."""
    user = request.user
    if not user_has_device(user):
        return redirect("two_factor_manage")
    if not user.is_verified():
        return redirect("two_factor_verify")
    if _locked(request, user):
        return _locked_out_page(request)
    form = ConfirmItIsYouForm(request.POST or None, submit_label="Get new recovery codes")
    if request.method == "POST" and form.is_valid():
        if _confirmed_it_is_them(request, user, form):
            request.session[FRESH_CODES] = services.recovery_codes_issue(user=user, notify=True)
            return redirect("two_factor_recovery_codes")
        if _locked(request, user):
            return _locked_out_page(request)
    return render(request, "two_factor/confirm_it_is_you.html", {"form": form, "purpose": "codes"})


@never_cache
@login_required
def recovery_codes(request):
    codes = request.session.pop(FRESH_CODES, None)
    if not codes:
        return redirect("two_factor_manage")
    return render(
        request,
        "two_factor/recovery_codes.html",
        {"codes": codes, "next_url": _next_url(request)},
    )


@never_cache
@login_required
@require_GET
def manage(request):
    has_app = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    recovery = StaticDevice.objects.filter(user=request.user, name=RECOVERY_DEVICE_NAME).first()
    return render(
        request,
        "two_factor/manage.html",
        {
            "has_app": has_app,
            "recovery_left": recovery.token_set.count() if recovery else 0,
            "verified": request.user.is_verified(),
            "required": settings.OTP_REQUIRED,
        },
    )
