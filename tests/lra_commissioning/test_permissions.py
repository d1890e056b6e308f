import pytest
from django.db.models import Q

from lra_commissioning.permissions import PERMISSIONS, RecordRule, can, visible_q
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
    commissioner.forget_roles()
    assert not can(commissioner, "staff.home")


def test_an_unknown_permission_is_a_programming_error(commissioner):
    with pytest.raises(KeyError, match="Unknown permission"):
        can(commissioner, "specification.delete_everything")


# Who may see a record that belongs to someone or is not yet published ----------------

# The record each visibility permission is about (its rules name that model's states).
RECORD_MODELS = {
    "specification_version.view": "specifications.SpecificationVersion",
    "business_plan.view": "specifications.BusinessPlan",
    "kpi_return.view": "performance.MonthlyReturn",
    "management_report.view": "performance.ManagementReport",
    "budget_version.view": "funding.BudgetVersion",
    "change_request.view": "changes.ChangeRequest",
}


def test_every_state_a_visibility_rule_names_is_a_state_of_its_record():
    from django.apps import apps

    for name, perm in PERMISSIONS.items():
        for role, rule in (perm.rules or {}).items():
            if not getattr(rule, "states", None):
                continue
            assert name in RECORD_MODELS, f"{name}: say which record its rules are about"
            model = apps.get_model(RECORD_MODELS[name])
            statuses = {value for value, _label in model._meta.get_field("status").choices}
            assert rule.states <= statuses, (name, role, rule.states - statuses)


def test_each_visibility_permission_has_a_rule_for_the_roles_that_see_only_some_records():
    for name in RECORD_MODELS:
        perm = PERMISSIONS[name]
        assert perm.rules, name
        for rule in perm.rules.values():
            assert isinstance(rule, RecordRule), name


def test_the_queryset_form_of_a_rule_sees_nothing_for_people_without_the_role(
    commissioner, support_lead
):
    from django.contrib.auth.models import AnonymousUser

    nothing = Q(pk__in=[])
    assert visible_q(AnonymousUser(), "kpi_return.view") == nothing
    assert visible_q(support_lead, "kpi_return.view") == nothing
    # A role with no rule sees every record; one with a rule sees what it says.
    assert visible_q(make_user(Role.SERVICE_MANAGER), "kpi_return.view") == Q()
    assert visible_q(commissioner, "kpi_return.view") == Q(
        status__in=["accepted", "queried", "submitted"]
    )
    assert visible_q(commissioner, "kpi_return.view", path="monthly_return__") == Q(
        monthly_return__status__in=["accepted", "queried", "submitted"]
    )


def test_a_rule_with_no_queryset_form_cannot_filter_a_list(head_of_service):
    with pytest.raises(TypeError, match="no queryset form"):
        visible_q(head_of_service, "specification.agree")
