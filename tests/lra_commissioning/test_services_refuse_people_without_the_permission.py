"""Every administration service that acts for a person refuses one without the
permission, and changes nothing. See tests/refusals.py.

A person's own account (their password, two-factor sign-in, recovery codes,
notification choices) takes no role: those services act for the person on
themselves and take no `by`.
"""

import inspect

import pytest

from lra_commissioning import services
from lra_commissioning.models import User
from lra_commissioning.permissions import Perm
from lra_commissioning.roles import Role

from ..factories import make_user
from ..refusals import assert_refused_then_done, everyone


@pytest.fixture
def people(db):
    return everyone()


def _someone():
    return make_user(Role.BOARD_MEMBER, email="someone@example.org", full_name="Some One")


# Each case: arrange(people) -> act(person); the administrator may.


def user_create_or_update(p):
    return lambda by: services.user_create_or_update(
        email="new@example.org", full_name="New Person", roles=[Role.COMMISSIONER], by=by
    )


def financial_year_create(p):
    return lambda by: services.financial_year_create(start_year=2030, by=by)


def user_update(p):
    person = _someone()
    return lambda by: services.user_update(
        user=person,
        by=by,
        email=person.email,
        full_name=person.full_name,
        job_title="Cabinet Member",
        roles=[Role.COMMISSIONER],
        is_head_of_service=False,
        is_active=True,
    )


def person_add(p):
    return lambda by: services.person_add(
        email="new@example.org", full_name="New Person", roles=[Role.COMMISSIONER], by=by
    )


def financial_year_set_population(p):
    from lra_commissioning.models import FinancialYear

    FinancialYear.objects.get_or_create(start_year=2030)
    return lambda by: services.financial_year_set_population(
        start_year=2030, residents=1_500_000, by=by
    )


def invitation_send(p):
    person = _someone()
    return lambda by: services.invitation_send(user=person, by=by)


CASES = [
    user_create_or_update,
    financial_year_create,
    financial_year_set_population,
    user_update,
    person_add,
    invitation_send,
]


@pytest.mark.parametrize("arrange", CASES, ids=[case.__name__ for case in CASES])
def test_a_person_without_the_permission_is_refused_and_nothing_changes(people, arrange):
    assert_refused_then_done(arrange(people), Perm.USERS_MANAGE, people, "administrator")


def test_every_service_that_acts_for_a_person_has_a_case():
    """A new service taking `by` needs its check and a case here (or a reason not to)."""
    acting = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if fn.__module__ == services.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(fn).parameters
    }
    assert acting == {case.__name__ for case in CASES}


def test_the_system_adds_people_and_sends_invitations(db):
    """`by=None` is the system: the demo's people, the invite command, the forgotten
    password page."""
    person = services.user_create_or_update(
        email="demo@example.org", full_name="Demo Person", roles=[Role.BOARD_MEMBER], by=None
    )
    assert User.objects.get(email="demo@example.org").roles == {Role.BOARD_MEMBER}
    assert services.invitation_send(user=person, by=None).created_by is None
