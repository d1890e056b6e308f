"""Writes to the shared records. Each takes the actor as `by=`."""

from django.db import transaction

from .dates import financial_year_label
from .models import FinancialYear, User, UserRole
from .roles import Role
from .workflow import DomainError


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
    """
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
    user._history_user = by
    user.save()
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in roles:
        UserRole.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("roles", None)
    return user


@transaction.atomic
def financial_year_create(*, start_year: int, by) -> "FinancialYear":
    """Add a financial year. Refuses one that exists already."""
    if FinancialYear.objects.filter(start_year=start_year).exists():
        raise DomainError(f"The financial year {financial_year_label(start_year)} exists already.")
    year = FinancialYear(start_year=start_year)
    year._history_user = by
    year.save()
    return year


@transaction.atomic
def user_update(
    *, user: User, by, email, full_name, job_title, roles, is_head_of_service, is_active
) -> User:
    """Change a person's details and roles. An administrator cannot remove their own
    administrator role or close their own account (someone must be left to manage)."""
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
    user._history_user = by
    user.save()
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in roles:
        UserRole.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("roles", None)
    return user
