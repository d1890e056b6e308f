"""Writes to the shared records. Each takes the actor as `by=`."""

import datetime
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import delete_with_history, save_with_history
from .dates import financial_year_label
from .models import FinancialYear, Invitation, User, UserRole
from .permissions import Perm, ensure_can
from .roles import Role
from .workflow import DomainError

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"


@transaction.atomic
def user_create_or_update(
    *,
    email: str,
    full_name: str,
    roles,
    by,
    job_title: str = "",
    is_head_of_service: bool = False,
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person, or bring an existing one (by e-mail) up to date.

    Safe to call twice. The head of service must hold the service manager role.
    `by` None is the system (the demo, a management command).
    """
    ensure_can(by, Perm.USERS_MANAGE, message="Only an administrator can add or change a person.")
    roles = {Role(r) for r in roles}
    if is_head_of_service and Role.SERVICE_MANAGER not in roles:
        raise DomainError("Only a service manager can be the head of service.")
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name = full_name
    user.job_title = job_title
    user.is_head_of_service = is_head_of_service
    user.is_staff = is_staff
    user.is_superuser = is_superuser
    if password:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    save_with_history(user, by)
    _roles_set(user, roles, by)
    return user


def _roles_set(user, roles: set, by) -> None:
    """Grant and withdraw roles one by one, so the history says who did each."""
    grants = list(UserRole.objects.filter(user=user))
    for grant in grants:
        if grant.role not in roles:
            delete_with_history(grant, by)
    held = {g.role for g in grants}
    for role in sorted(roles - held):
        save_with_history(UserRole(user=user, role=role), by)
    user.forget_roles()


@transaction.atomic
def financial_year_create(*, start_year: int, by) -> "FinancialYear":
    """Add a financial year. Refuses one that exists already."""
    ensure_can(by, Perm.USERS_MANAGE, message="Only an administrator can add a financial year.")
    if FinancialYear.objects.filter(start_year=start_year).exists():
        raise DomainError(f"The financial year {financial_year_label(start_year)} exists already.")
    year = FinancialYear(start_year=start_year)
    save_with_history(year, by)
    return year


@transaction.atomic
def user_update(
    *, user: User, by, email, full_name, job_title, roles, is_head_of_service, is_active
) -> User:
    """Change a person's details and roles. An administrator cannot remove their own
    administrator role or close their own account (someone must be left to manage)."""
    ensure_can(by, Perm.USERS_MANAGE, message="Only an administrator can change a person.")
    roles = {Role(r) for r in roles}
    if user == by and (Role.ADMINISTRATOR not in roles or not is_active):
        raise DomainError(
            "You cannot remove your own administrator role or close your own account. "
            "Ask another administrator."
        )
    if is_head_of_service and Role.SERVICE_MANAGER not in roles:
        raise DomainError("Only a service manager can be the head of service.")
    user.email = email
    user.full_name = full_name
    user.job_title = job_title
    user.is_head_of_service = is_head_of_service
    user.is_active = is_active
    save_with_history(user, by)
    _roles_set(user, roles, by)
    return user


@transaction.atomic
def person_add(
    *, email: str, full_name: str, roles, by, job_title: str = "", is_head_of_service=False
) -> User:
    """An administrator adds a person: the account, its roles, and an invitation by e-mail.

    The person has no password until they follow the invitation's link, set
    one and set up two-factor sign-in.
    """
    ensure_can(by, Perm.USERS_MANAGE, message="Only an administrator can add a person.")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("Another person already uses this e-mail address.")
    person = user_create_or_update(
        email=email,
        full_name=full_name,
        job_title=job_title,
        roles=roles,
        is_head_of_service=is_head_of_service,
        by=by,
    )
    invitation_send(user=person, by=by)
    return person


# Invitations, password resets and two-factor sign-in ------------------------------------


def account_needs_setting_up(user) -> bool:
    """Whether the person has yet to finish setting up their account.

    True with no usable password (added by an administrator and never set
    one), or, where two-factor sign-in is required, with no authenticator app:
    such a person can only get in through an invitation, which sets both.
    """
    if not user.has_usable_password():
        return True
    return (
        settings.OTP_REQUIRED and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


@transaction.atomic
def invitation_send(*, user, by) -> Invitation:
    """Invite the person to set their password and two-factor sign-in, by e-mail.

    Any invitation still open for them is withdrawn (its link stops working).
    The e-mail is queued after commit (sent here if the broker is down). `by`
    is the administrator, or None when the person asked on the reset page.
    Refused for a closed account.
    """
    from . import tasks

    ensure_can(by, Perm.USERS_MANAGE, message="Only an administrator can send an invitation.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise DomainError(
            f"{user.full_name}'s account is closed. Open it before sending an invitation."
        )
    now = timezone.now()
    for earlier in Invitation.objects.select_for_update().filter(
        user=user, accepted_at__isnull=True, withdrawn_at__isnull=True
    ):
        earlier.withdrawn_at = now
        save_with_history(earlier, by, update_fields=["withdrawn_at"])
    invitation = Invitation(
        user=user,
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_DAYS),
    )
    save_with_history(invitation, by)
    tasks.send_invitation.enqueue_or_run_on_commit(invitation.pk)
    return invitation


def _locked_open_invitation(invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.withdrawn_at is not None:
        raise DomainError(
            "This invitation has been replaced by a newer one. Use the link in the latest "
            "e-mail, or ask for a new one."
        )
    if not invitation.is_open() or not invitation.user.is_active:
        raise DomainError("This invitation has expired or been used. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_password_set(*, invitation, password: str) -> User:
    """The first step of an invitation: the person chooses their password.

    The invitation stays open until two-factor sign-in is set up with it
    (`authenticator_confirm`), so a person interrupted between the steps can
    follow the same link again.
    """
    invitation = _locked_open_invitation(invitation)
    user = invitation.user
    user.set_password(password)
    save_with_history(user, user, update_fields=["password"])
    return user


@transaction.atomic
def recovery_codes_issue(*, user, notify: bool = False) -> list[str]:
    """Replace the person's recovery codes with 10 new ones; returns them (shown once).

    With `notify`, the person is e-mailed that new codes were made.
    """
    from . import tasks

    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    if notify:
        tasks.send_two_factor_changed.enqueue_or_run_on_commit(user.pk, "recovery_codes")
    return codes


@transaction.atomic
def authenticator_confirm(*, user, device, invitation=None) -> list[str]:
    """Make `device` (checked with a code from it) the person's one authenticator app.

    Any other app stops working, new recovery codes replace the old ones (they
    are returned, to be shown once) and the person is e-mailed. With an
    invitation, it is used up in the same transaction, and refused if it is no
    longer open (expired, used, or replaced by a newer one).
    """
    from . import tasks

    if invitation is not None:
        invitation = _locked_open_invitation(invitation)
        if invitation.user_id != user.pk:
            raise DomainError("This invitation is for someone else.")
        invitation.accepted_at = timezone.now()
        save_with_history(invitation, user, update_fields=["accepted_at"])
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user=user)
    tasks.send_two_factor_changed.enqueue_or_run_on_commit(
        user.pk, "replaced" if replaced else "set_up"
    )
    return codes


def password_help_request(*, email: str) -> None:
    """Someone asked, on the "forgotten password" page, for help with this address.

    Whoever asked, the page says the same words. An open account that has been
    set up gets a password reset link; one never set up (no password, or no
    authenticator app where two-factor sign-in is required) gets a fresh
    invitation, which sets both; an unknown or closed address gets nothing.
    """
    from . import tasks

    email = User.objects.normalize_email(email).strip()
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if account_needs_setting_up(user):
            invitation_send(user=user, by=None)
        else:
            tasks.send_password_reset.enqueue_or_run_on_commit(user.pk)


def _site():
    parts = urlsplit(settings.SITE_URL)
    return {
        "protocol": parts.scheme or "https",
        "domain": parts.netloc,
        "site_url": settings.SITE_URL.rstrip("/"),
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
    }


def _send(user, template, context, subject):
    send_mail(
        subject=subject,
        message=render_to_string(template, {**_site(), "user": user, **context}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def invitation_email_send(*, invitation_id: int) -> bool:
    """E-mail an invitation's link, once. True when this call sent it.

    Safe to call twice: the row is locked and marked sent in the same
    transaction; an invitation no longer open is not sent.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or not invitation.is_open():
            return False
        link = _site()["site_url"] + reverse(
            "invitation", kwargs={"pk": invitation.pk, "token": invitation.token()}
        )
        _send(
            invitation.user,
            "registration/invitation_email.txt",
            {"link": link, "invitation": invitation, "days": settings.INVITATION_DAYS},
            f"Set up your {settings.SERVICE_NAME} account",
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        return True


def password_reset_email_send(*, user_id: int) -> bool:
    """E-mail a password reset link (Django's token: it works once, for 3 days)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("registration/password_reset_subject.txt", _site())
    _send(user, "registration/password_reset_email.txt", context, "".join(subject.splitlines()))
    return True


TWO_FACTOR_CHANGES = {
    "set_up": "Two-factor sign-in is set up",
    "replaced": "Your authenticator app was changed",
    "recovery_codes": "New recovery codes were made",
}


def two_factor_changed_email_send(*, user_id: int, change: str) -> bool:
    """Tell the person their second factor changed, so that they notice if it was not them."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or change not in TWO_FACTOR_CHANGES:
        return False
    _send(
        user,
        "registration/two_factor_changed_email.txt",
        {"change": change, "when": timezone.localtime()},
        f"{TWO_FACTOR_CHANGES[change]}: {settings.SERVICE_NAME}",
    )
    return True


def financial_year_set_population(*, start_year: int, residents: int, by) -> "FinancialYear":
    """Record the council area's resident population for a year (the mid-year
    estimate), on which comparisons with other authorities are made per 1,000 residents."""
    ensure_can(
        by, Perm.USERS_MANAGE, message="Only an administrator can record the resident population."
    )
    if residents is None or residents < 1:
        raise DomainError("Enter the resident population as a whole number of people")
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise DomainError(f"Add the financial year {financial_year_label(start_year)} first.")
    year.resident_population = residents
    save_with_history(year, by)
    return year
