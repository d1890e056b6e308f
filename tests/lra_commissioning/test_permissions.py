import pytest

from lra_commissioning.permissions import PERMISSIONS, can
from lra_commissioning.roles import ROLE_DESCRIPTIONS, Role
from slas.models import SupportService
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_every_role_and_permission_is_described_in_plain_words():
    assert set(ROLE_DESCRIPTIONS) == set(Role)
    for name, perm in PERMISSIONS.items():
        assert perm.description.endswith("."), name
        assert perm.roles, name


def test_a_person_may_hold_several_roles(commissioner):
    both = make_user(Role.COMMISSIONER, Role.BOARD_MEMBER)
    assert can(both, "specification.draft")
    assert can(both, "specification.sign_off")
    assert not can(commissioner, "specification.sign_off")


def test_only_the_head_of_service_agrees_for_the_service(service_manager, head_of_service):
    assert can(head_of_service, "specification.agree")
    assert not can(service_manager, "specification.agree")
    assert can(service_manager, "kpi_return.enter")


def test_head_of_service_flag_without_the_role_gives_nothing(commissioner):
    commissioner.is_head_of_service = True
    assert not can(commissioner, "specification.agree")


def test_support_leads_act_only_on_their_own_service(support_lead):
    own = SupportService.objects.create(name="ICT")
    other = SupportService.objects.create(name="HR")
    own.leads.add(support_lead)
    assert can(support_lead, "sla.report_performance", own)
    assert not can(support_lead, "sla.report_performance", other)


def test_anonymous_and_inactive_people_may_do_nothing(commissioner):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), "staff.home")
    commissioner.is_active = False
    commissioner.__dict__.pop("roles", None)
    assert not can(commissioner, "staff.home")


def test_an_unknown_permission_is_a_programming_error(commissioner):
    with pytest.raises(KeyError, match="Unknown permission"):
        can(commissioner, "specification.delete_everything")
