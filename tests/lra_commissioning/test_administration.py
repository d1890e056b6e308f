import pytest
from django.urls import reverse

from lra_commissioning import services
from lra_commissioning.models import User, UserRole
from lra_commissioning.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _person_data(**overrides):
    data = {
        "email": "new.person@example.org",
        "full_name": "New Person",
        "job_title": "Librarian",
        "roles": [Role.SERVICE_MANAGER],
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_administrator_adds_a_person_with_roles(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("administration:person_create"), _person_data())
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert person.roles == {Role.SERVICE_MANAGER}
    assert person.history.first().history_user == administrator


def test_the_history_of_a_persons_roles_names_who_granted_and_withdrew_each(administrator):
    person = services.user_create_or_update(
        email="p@example.org", full_name="P", roles=[Role.SERVICE_MANAGER], by=administrator
    )
    other = make_user(Role.ADMINISTRATOR)
    services.user_update(
        user=person,
        by=other,
        email=person.email,
        full_name="P",
        job_title="",
        roles=[Role.COMMISSIONER],
        is_head_of_service=False,
        is_active=True,
    )
    changes = [
        (h.role, h.history_type, h.history_user)
        for h in UserRole.history.filter(user_id=person.pk).order_by("history_date")
    ]
    assert changes == [
        (Role.SERVICE_MANAGER, "+", administrator),
        (Role.SERVICE_MANAGER, "-", other),
        (Role.COMMISSIONER, "+", other),
    ]
    assert User.objects.get(pk=person.pk).roles == {Role.COMMISSIONER}


def test_head_of_service_needs_the_service_manager_role(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("administration:person_create"),
        _person_data(roles=[Role.COMMISSIONER], is_head_of_service="on"),
    )
    assert response.status_code == 200
    assert "Only a service manager can be the head of service" in response.content.decode()
    assert 'value="New Person"' in response.content.decode()  # what was typed is kept
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_an_email_address_belongs_to_one_person(client, administrator, commissioner):
    client.force_login(administrator)
    response = client.post(
        reverse("administration:person_create"), _person_data(email="C@example.org")
    )
    assert "Another person already uses this e-mail address" in response.content.decode()


def test_an_administrator_cannot_remove_their_own_administrator_role(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("administration:person_edit", args=[administrator.pk]),
        _person_data(email=administrator.email, roles=[Role.COMMISSIONER]),
    )
    assert "You cannot remove your own administrator role" in response.content.decode()
    administrator.forget_roles()
    assert Role.ADMINISTRATOR in administrator.roles


def test_roles_change_and_are_audited(client, administrator, commissioner):
    client.force_login(administrator)
    client.post(
        reverse("administration:person_edit", args=[commissioner.pk]),
        _person_data(email=commissioner.email, roles=[Role.COMMISSIONER, Role.BOARD_MEMBER]),
    )
    commissioner.forget_roles()
    assert commissioner.roles == {Role.COMMISSIONER, Role.BOARD_MEMBER}
    page = client.get(reverse("administration:person_edit", args=[commissioner.pk]))
    assert "History of changes" in page.content.decode()


def test_financial_years_are_added_once(client, administrator):
    client.force_login(administrator)
    client.post(reverse("administration:financial_years"), {"start_year": "2030"})
    response = client.post(reverse("administration:financial_years"), {"start_year": "2030"})
    assert "The financial year 2030/31 exists already" in response.content.decode()
    response = client.post(reverse("administration:financial_years"), {"start_year": "twenty"})
    assert "Enter the year as four digits" in response.content.decode()


def test_the_administrators_home_page_asks_for_next_years_financial_year(client, administrator):
    client.force_login(administrator)
    body = client.get(reverse("home")).content.decode()
    assert "Add the financial year" in body
    assert "People and roles" in body
