"""Writes to the shared records. Each takes the actor as `by=`."""

from django.db import transaction

from .models import User, UserRole
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
