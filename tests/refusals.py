"""Services refuse a person without the permission, and change nothing.

Each app's `test_services_refuse_people_without_the_permission.py` arranges a
record a service may act on, then `assert_refused_then_done` calls the service
as every kind of person who lacks the permission (one per role, the service
manager who is not the head of service, someone with no role): each is refused
with `NotPermitted` and the database is as it was. Then one person who holds
the permission does the same thing and the database changes, so the refusals
were about the person, not about a record the service would have refused anyway.
"""

import pytest
from django.apps import apps
from django.core import mail

from lra_commissioning.permissions import NotPermitted, can
from lra_commissioning.roles import Role

from .factories import make_user

# The project's apps: every row they hold, history included, is compared.
PROJECT_APPS = (
    "lra_commissioning",
    "specifications",
    "performance",
    "funding",
    "changes",
    "slas",
    "board",
    "cycle",
)


def everyone():
    """One person per role, the plain service manager, the head of service, and a
    person with no role."""
    return {
        "commissioner": make_user(Role.COMMISSIONER, email="rc@example.org"),
        "service_manager": make_user(Role.SERVICE_MANAGER, email="rsm@example.org"),
        "head_of_service": make_user(
            Role.SERVICE_MANAGER, head_of_service=True, email="rhos@example.org"
        ),
        "board_member": make_user(Role.BOARD_MEMBER, email="rb@example.org"),
        "support_lead": make_user(Role.SUPPORT_LEAD, email="rsl@example.org"),
        "administrator": make_user(Role.ADMINISTRATOR, email="ra@example.org"),
        "no_role": make_user(email="rn@example.org"),
    }


def snapshot() -> dict:
    """Every row of the project's tables (history tables too), as plain values."""
    rows = {}
    for config in apps.get_app_configs():
        if config.name not in PROJECT_APPS:
            continue
        for model in config.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


def assert_refused_then_done(act, permission, people, allowed, *, also_refused=()):
    """`act(person)` is refused for each person lacking `permission` (a permission, or
    a tuple of which any one will do) and for those named in `also_refused` (a rule of
    the service beyond the permission), leaving every table as it was and sending
    nothing; done by `people[allowed]`, it changes them."""
    permissions = permission if isinstance(permission, tuple) else (permission,)
    refused = [
        name
        for name, person in people.items()
        if name in also_refused or not any(can(person, p) for p in permissions)
    ]
    assert refused and allowed not in refused
    before = snapshot()
    sent = len(mail.outbox)
    for name in refused:
        with pytest.raises(NotPermitted):
            act(people[name])
    assert snapshot() == before, "a refused call changed the database"
    assert len(mail.outbox) == sent
    act(people[allowed])
    assert snapshot() != before, "the permitted person changed nothing: the case proves nothing"
