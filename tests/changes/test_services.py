"""The change workflow: classification, two sides, the board, applying all or nothing."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from changes import services
from changes.models import BoardDecision, ChangeRequest, Kind, Status, classify
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from specifications.diff import versions_diff
from specifications.models import SpecificationVersion
from specifications.selectors import version_in_force, version_with_content
from tests.factories import make_user

from .factories import EFFECTIVE, decide, in_force, raise_change

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def version(commissioner, board_member, head_of_service):
    return in_force(commissioner, board_member, head_of_service)


# Classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("objectives", "policy", "budget", "kind"),
    [
        (False, False, False, Kind.MINOR),
        (True, False, False, Kind.FUNDAMENTAL),
        (False, True, False, Kind.FUNDAMENTAL),
        (False, False, True, Kind.FUNDAMENTAL),
        (True, True, False, Kind.FUNDAMENTAL),
        (True, False, True, Kind.FUNDAMENTAL),
        (False, True, True, Kind.FUNDAMENTAL),
        (True, True, True, Kind.FUNDAMENTAL),
    ],
)
def test_any_yes_makes_a_fundamental_change_three_nos_a_minor_variation(
    objectives, policy, budget, kind, version, service_manager
):
    assert (
        classify(alters_objectives=objectives, contravenes_policy=policy, affects_budget=budget)
        == kind
    )
    change = raise_change(
        service_manager,
        alters_objectives=objectives,
        contravenes_policy=policy,
        affects_budget=budget,
        item=False,
    )
    assert change.kind == kind
    assert change.status == Status.DRAFT
    assert change.version == version


def test_a_minor_variation_can_be_raised_to_fundamental_with_a_reason(version, commissioner):
    change = raise_change(commissioner)
    with pytest.raises(ValidationError) as exc:
        services.change_request_raise_to_fundamental(change=change, reason=" ", by=commissioner)
    assert "why this needs the board" in str(exc.value)
    change = services.change_request_raise_to_fundamental(
        change=change, reason="It affects the mobile service.", by=commissioner
    )
    assert change.kind == Kind.FUNDAMENTAL


def test_nothing_lowers_a_fundamental_change(version, commissioner):
    change = raise_change(commissioner, fundamental=True)
    with pytest.raises(DomainError, match="already a fundamental change"):
        services.change_request_raise_to_fundamental(change=change, reason="x", by=commissioner)
    assert not hasattr(services, "change_request_lower_to_minor")


def test_raising_an_agreed_side_to_fundamental_clears_the_agreement(
    version, commissioner, head_of_service
):
    change = raise_change(commissioner)
    services.change_request_submit(change=change, by=commissioner)
    services.change_request_agree(change=change, side="council", by=commissioner)
    change = services.change_request_raise_to_fundamental(
        change=change, reason="The board should see it.", by=head_of_service
    )
    assert change.status == Status.DRAFT
    assert change.council_agreed_by is None


# Minor variations: the two sides ---------------------------------------------------


def test_minor_variation_agreed_by_both_sides_is_applied_as_the_next_minor_version(
    version, commissioner, head_of_service, service_manager
):
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    change = services.change_request_agree(change=change, side="service", by=head_of_service)
    assert change.status == Status.AWAITING_AGREEMENT
    change = services.change_request_agree(change=change, side="council", by=commissioner)
    assert change.status == Status.APPLIED
    new = change.applied_version
    assert (new.major, new.minor, new.status, new.starts_on) == (1, 1, "published", EFFECTIVE)
    assert new.agreed_by == head_of_service
    assert new.board_decided_by is None
    assert version_in_force(on=datetime.date.today()) == new


def test_applying_produces_exactly_the_expected_diff(
    version, commissioner, head_of_service, service_manager
):
    change = raise_change(service_manager)
    services.change_item_save(
        change=change, kind="requirement", key="O1.R1", text="Do it better.", by=service_manager
    )
    services.change_item_save(
        change=change, kind="section", key="overview", text="A new overview.", by=service_manager
    )
    services.change_request_submit(change=change, by=service_manager)
    services.change_request_agree(change=change, side="council", by=commissioner)
    change = services.change_request_agree(change=change, side="service", by=head_of_service)
    diff = versions_diff(
        version_with_content(version.pk), version_with_content(change.applied_version.pk)
    )
    assert [(k.key, [(f.name, f.old, f.new) for f in k.fields]) for k in diff.kpis] == [
        (
            "K000",
            [("annual_target", D("1000.00"), D("950.00")), ("floor", D("900.00"), D("850.00"))],
        )
    ]
    assert [(r.key, r.kind) for r in diff.requirements] == [("O1.R1", "changed")]
    assert [(s.key, s.kind) for s in diff.sections] == [("overview", "changed")]
    assert diff.outcomes == ()
    assert [f.name for f in diff.version_fields] == ["starts_on"]
    # The version it was raised against is untouched.
    assert version.kpis.get(code="K000").annual_target == D("1000.00")


def test_one_person_holding_both_roles_cannot_agree_both_sides(version, service_manager):
    both = make_user(Role.COMMISSIONER, Role.SERVICE_MANAGER, head_of_service=True)
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    services.change_request_agree(change=change, side="council", by=both)
    with pytest.raises(DomainError, match="two different people"):
        services.change_request_agree(change=change, side="service", by=both)
    change.refresh_from_db()
    assert change.status == Status.AWAITING_AGREEMENT
    assert change.service_agreed_by is None


def test_the_database_refuses_one_person_on_both_sides(version, service_manager):
    both = make_user(Role.COMMISSIONER, Role.SERVICE_MANAGER, head_of_service=True)
    change = raise_change(service_manager)
    ChangeRequest.objects.filter(pk=change.pk).update(council_agreed_by=both)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(service_agreed_by=both)


def test_a_service_manager_who_is_not_head_of_service_cannot_agree_for_the_service(
    version, service_manager
):
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    with pytest.raises(DomainError, match="Only the head of service"):
        services.change_request_agree(change=change, side="service", by=service_manager)


def test_the_same_side_cannot_be_agreed_twice(version, commissioner, service_manager):
    other = make_user(Role.COMMISSIONER)
    change = raise_change(service_manager)
    services.change_request_submit(change=change, by=service_manager)
    services.change_request_agree(change=change, side="council", by=commissioner)
    with pytest.raises(DomainError, match="already been agreed for the council"):
        services.change_request_agree(change=change, side="council", by=other)


def test_a_budget_change_cannot_go_as_a_minor_variation(version, commissioner):
    change = raise_change(commissioner)
    services.change_budget_line_save(
        change=change, start_year=2016, line_key="staffing", amount="100", by=commissioner
    )
    with pytest.raises(DomainError, match="fundamental change"):
        services.change_request_submit(change=change, by=commissioner)


# Fundamental changes and the board -----------------------------------------------------


def test_fundamental_change_with_an_empty_impact_assessment_is_refused(version, commissioner):
    change = raise_change(commissioner, fundamental=True, impacts=False, impact_legal="None.")
    with pytest.raises(DomainError, match="Complete the impact assessment") as exc:
        services.change_request_submit(change=change, by=commissioner)
    assert "equalities impact" in str(exc.value)
    change.refresh_from_db()
    assert change.status == Status.DRAFT


def test_a_change_that_changes_nothing_cannot_be_submitted(version, commissioner):
    change = raise_change(commissioner, item=False)
    with pytest.raises(DomainError, match="Say what changes"):
        services.change_request_submit(change=change, by=commissioner)


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("approved", Status.APPROVED),
        ("approved_with_conditions", Status.APPROVED),
        ("deferred", Status.DEFERRED),
        ("rejected", Status.REJECTED),
    ],
)
def test_board_decision_sets_the_status_and_meets_the_obligation(
    decision, status, version, commissioner, board_member, monkeypatch
):
    met = []
    monkeypatch.setattr(
        "lra_commissioning.obligations._listeners", [lambda key, on, by: met.append(key)]
    )
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    change = decide(change, board_member, decision)
    assert change.status == status
    assert change.board_decision.decision == decision
    assert met == [f"change_request:{change.pk}"]


def test_approval_with_conditions_needs_the_conditions(version, commissioner, board_member):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    with pytest.raises(ValidationError) as exc:
        decide(change, board_member, "approved_with_conditions", conditions="")
    assert "Enter the conditions" in str(exc.value)
    assert not BoardDecision.objects.exists()


def test_deciding_twice_is_refused_and_the_first_decision_stands(
    version, commissioner, board_member
):
    other = make_user(Role.BOARD_MEMBER)
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "rejected")
    with pytest.raises(services.AlreadyDecided, match="already recorded by Bill Board"):
        decide(change, other, "approved")
    change.refresh_from_db()
    assert (change.decision, change.decided_by) == ("rejected", board_member)
    assert BoardDecision.objects.count() == 1


def test_decision_constraint_all_or_nothing(version, commissioner, board_member):
    change = raise_change(commissioner, fundamental=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(decision="approved")


def test_approved_fundamental_change_applies_with_the_boards_decision_and_budget_notice(
    version, commissioner, board_member, head_of_service
):
    from tests.funding.factories import confirmed

    budget, _ = confirmed(commissioner, board_member)
    change = raise_change(commissioner, fundamental=True)
    services.change_budget_line_save(
        change=change, start_year=2016, line_key="staffing", amount="990000", by=commissioner
    )
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member, "approved_with_conditions", conditions="Report back.")
    with pytest.raises(DomainError, match="not yet agreed for the service"):
        services.change_request_apply(change=change, by=commissioner)
    services.change_request_agree(change=change, side="service", by=head_of_service)
    change = services.change_request_apply(change=change, by=commissioner)
    new = change.applied_version
    assert (new.number, new.status, new.board_minute_reference) == ("1.1", "published", "SB/7")
    assert new.board_comments == "Report back."
    # Who agreed for the service is the head of service, not the commissioner who applied it.
    assert new.agreed_by == head_of_service
    assert new.agreed_at == change.service_agreed_at
    assert change.budget_version.status == "confirmed"
    notice = change.budget_version.notice
    assert notice.kind == "change" and change.reference in notice.reason
    line = change.budget_version.lines.get(start_year=2016, category="staffing")
    assert line.amount == D("990000")


def test_applying_to_a_version_no_longer_in_force_is_refused_and_nothing_is_kept(
    version, commissioner, head_of_service, service_manager
):
    first = raise_change(service_manager)
    second = raise_change(service_manager, effective_on=datetime.date(2016, 8, 1))
    for c in (first, second):
        services.change_request_submit(change=c, by=service_manager)
        services.change_request_agree(change=c, side="council", by=commissioner)
    services.change_request_agree(change=first, side="service", by=head_of_service)
    versions_before = SpecificationVersion.objects.count()
    second = services.change_request_agree(change=second, side="service", by=head_of_service)
    # The agreement stands; applying was refused and left nothing behind.
    assert second.status == Status.AGREED
    assert SpecificationVersion.objects.count() == versions_before
    with pytest.raises(DomainError, match="no longer the version in force"):
        services.change_request_apply(change=second, by=commissioner)
    assert SpecificationVersion.objects.count() == versions_before


def test_a_failure_late_in_applying_rolls_back_the_new_version(
    version, commissioner, board_member, head_of_service
):
    # No agreed budget exists, so the budget change at the very end is refused.
    change = raise_change(commissioner, fundamental=True)
    services.change_budget_line_save(
        change=change, start_year=2016, line_key="staffing", amount="1", by=commissioner
    )
    services.change_request_submit(change=change, by=commissioner)
    decide(change, board_member)
    services.change_request_agree(change=change, side="service", by=head_of_service)
    before = SpecificationVersion.objects.count()
    with pytest.raises(DomainError, match="no agreed budget"):
        services.change_request_apply(change=change, by=commissioner)
    assert SpecificationVersion.objects.count() == before
    change.refresh_from_db()
    assert change.status == Status.APPROVED


@pytest.mark.parametrize(
    ("effective_on", "message"),
    [
        (datetime.date(2016, 3, 31), "within 2016/17"),
        (datetime.date(2017, 4, 1), "within 2016/17"),
        (datetime.date(2016, 4, 1), "after 1 April 2016"),
    ],
)
def test_effective_date_outside_the_year_or_not_after_the_version_is_refused(
    effective_on, message, version, commissioner
):
    with pytest.raises(ValidationError, match=message):
        raise_change(commissioner, effective_on=effective_on)
    assert not ChangeRequest.objects.exists()


def test_effective_date_on_the_last_day_of_the_year_is_accepted(version, commissioner):
    change = raise_change(commissioner, effective_on=datetime.date(2017, 3, 31))
    assert change.effective_on == datetime.date(2017, 3, 31)


def test_kpi_item_refuses_a_floor_above_the_target(version, commissioner):
    change = raise_change(commissioner, item=False)
    with pytest.raises(ValidationError, match="floor must be at or below"):
        services.change_item_save(
            change=change, kind="kpi", key="K000", annual_target="900", floor="950", by=commissioner
        )
    with pytest.raises(ValidationError, match="Choose a KPI"):
        services.change_item_save(
            change=change, kind="kpi", key="NOPE", annual_target="900", by=commissioner
        )


# Every state x action x role --------------------------------------------------------------

ACTIONS = [
    "edit",
    "submit",
    "agree_council",
    "agree_service",
    "raise_to_fundamental",
    "decide",
    "apply",
    "withdraw",
]


def _to_state(state, commissioner, head, board, fundamental):
    change = raise_change(commissioner, fundamental=fundamental)
    if state == Status.DRAFT:
        return change
    if state == Status.WITHDRAWN:
        return services.change_request_withdraw(change=change, by=commissioner)
    services.change_request_submit(change=change, by=commissioner)
    if state in (Status.AWAITING_AGREEMENT, Status.WITH_BOARD):
        return ChangeRequest.objects.get(pk=change.pk)
    if state == Status.AGREED:
        ChangeRequest.objects.filter(pk=change.pk).update(
            status=Status.AGREED, council_agreed_by=commissioner, service_agreed_by=head
        )
        return ChangeRequest.objects.get(pk=change.pk)
    if state == Status.APPLIED:
        services.change_request_agree(change=change, side="council", by=commissioner)
        return services.change_request_agree(change=change, side="service", by=head)
    decision = {
        Status.APPROVED: "approved",
        Status.DEFERRED: "deferred",
        Status.REJECTED: "rejected",
    }[state]
    return decide(change, board, decision)


MINOR_STATES = [
    Status.DRAFT,
    Status.AWAITING_AGREEMENT,
    Status.AGREED,
    Status.APPLIED,
    Status.WITHDRAWN,
]
FUNDAMENTAL_STATES = [
    Status.DRAFT,
    Status.WITH_BOARD,
    Status.APPROVED,
    Status.DEFERRED,
    Status.REJECTED,
    Status.WITHDRAWN,
]

# (kind, state) -> {action: the state it leads to} for the right person; every
# other action is refused there.
ALLOWED = {
    ("minor", Status.DRAFT): {
        "edit": Status.DRAFT,
        "submit": Status.AWAITING_AGREEMENT,
        "raise_to_fundamental": Status.DRAFT,
        "withdraw": Status.WITHDRAWN,
    },
    ("minor", Status.AWAITING_AGREEMENT): {
        # One side's agreement leaves it waiting for the other's.
        "agree_council": Status.AWAITING_AGREEMENT,
        "agree_service": Status.AWAITING_AGREEMENT,
        "raise_to_fundamental": Status.DRAFT,
        "withdraw": Status.WITHDRAWN,
    },
    ("minor", Status.AGREED): {"apply": Status.APPLIED, "withdraw": Status.WITHDRAWN},
    ("fundamental", Status.DRAFT): {
        "edit": Status.DRAFT,
        "submit": Status.WITH_BOARD,
        "withdraw": Status.WITHDRAWN,
    },
    ("fundamental", Status.WITH_BOARD): {"decide": Status.APPROVED},
    # The head of service agrees it for the service before it can be applied.
    ("fundamental", Status.APPROVED): {"agree_service": Status.APPROVED},
}


def _run(action, change, who):
    if action == "edit":
        return services.change_request_update(change=change, title="New title", by=who)
    if action == "submit":
        return services.change_request_submit(change=change, by=who)
    if action == "agree_council":
        return services.change_request_agree(change=change, side="council", by=who)
    if action == "agree_service":
        return services.change_request_agree(change=change, side="service", by=who)
    if action == "raise_to_fundamental":
        return services.change_request_raise_to_fundamental(change=change, reason="Why", by=who)
    if action == "decide":
        return decide(change, who)
    if action == "apply":
        return services.change_request_apply(change=change, by=who)
    return services.change_request_withdraw(change=change, by=who)


RIGHT_ROLE = {
    "edit": "commissioner",
    "submit": "service_manager",
    "agree_council": "commissioner",
    "agree_service": "head",
    "raise_to_fundamental": "service_manager",
    "decide": "board",
    "apply": "commissioner",
    "withdraw": "commissioner",
}


@pytest.mark.parametrize(
    ("kind", "state", "action"),
    [("minor", s, a) for s, a in itertools.product(MINOR_STATES, ACTIONS)]
    + [("fundamental", s, a) for s, a in itertools.product(FUNDAMENTAL_STATES, ACTIONS)],
)
def test_every_state_and_action_for_the_right_person(
    kind, state, action, version, commissioner, head_of_service, board_member, service_manager
):
    people = {
        "commissioner": make_user(Role.COMMISSIONER),
        "service_manager": service_manager,
        "head": head_of_service,
        "board": board_member,
    }
    change = _to_state(state, commissioner, head_of_service, board_member, kind == "fundamental")
    who = people[RIGHT_ROLE[action]]
    target = ALLOWED.get((kind, state), {}).get(action)
    if target is not None:
        _run(action, change, who)
        assert ChangeRequest.objects.get(pk=change.pk).status == target
    else:
        before = ChangeRequest.objects.get(pk=change.pk).status
        with pytest.raises((TransitionNotAllowed, DomainError)):
            _run(action, change, who)
        assert ChangeRequest.objects.get(pk=change.pk).status == before


WRONG_ROLES = {
    "edit": [Role.BOARD_MEMBER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
    "submit": [Role.BOARD_MEMBER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
    "agree_council": [
        Role.SERVICE_MANAGER,
        Role.BOARD_MEMBER,
        Role.SUPPORT_LEAD,
        Role.ADMINISTRATOR,
    ],
    "agree_service": [
        Role.COMMISSIONER,
        Role.SERVICE_MANAGER,
        Role.BOARD_MEMBER,
        Role.SUPPORT_LEAD,
        Role.ADMINISTRATOR,
    ],
    "raise_to_fundamental": [Role.BOARD_MEMBER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
    "decide": [Role.COMMISSIONER, Role.SERVICE_MANAGER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
    "apply": [Role.SERVICE_MANAGER, Role.BOARD_MEMBER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
    "withdraw": [Role.BOARD_MEMBER, Role.SUPPORT_LEAD, Role.ADMINISTRATOR],
}
STATE_FOR = {
    "edit": ("minor", Status.DRAFT),
    "submit": ("minor", Status.DRAFT),
    "agree_council": ("minor", Status.AWAITING_AGREEMENT),
    "agree_service": ("minor", Status.AWAITING_AGREEMENT),
    "raise_to_fundamental": ("minor", Status.DRAFT),
    "decide": ("fundamental", Status.WITH_BOARD),
    "apply": ("minor", Status.AGREED),
    "withdraw": ("minor", Status.DRAFT),
}


@pytest.mark.parametrize(
    ("action", "role"), [(a, r) for a, roles in WRONG_ROLES.items() for r in roles]
)
def test_every_action_is_refused_to_the_wrong_role(
    action, role, version, commissioner, head_of_service, board_member
):
    kind, state = STATE_FOR[action]
    change = _to_state(state, commissioner, head_of_service, board_member, kind == "fundamental")
    before = ChangeRequest.objects.get(pk=change.pk)
    with pytest.raises(DomainError, match="Only"):
        _run(action, change, make_user(role))
    after = ChangeRequest.objects.get(pk=change.pk)
    assert (after.status, after.title) == (before.status, before.title)


# Ideas ---------------------------------------------------------------------------------------


def _idea(service_manager):
    return services.idea_propose(
        title="Library of things",
        description="Lend tools.",
        benefits="New users.",
        costs="£18,000.",
        risks="Loss.",
        by=service_manager,
    )


def test_an_adopted_idea_can_become_a_change_request(
    version, service_manager, board_member, commissioner
):
    from django.utils import timezone

    idea = _idea(service_manager)
    with pytest.raises(DomainError, match="adopted"):
        raise_change(commissioner, idea=idea)
    services.idea_decide(
        idea=idea,
        decision="adopted",
        decided_on=timezone.localdate(),
        minute_reference="SB/2",
        by=board_member,
    )
    change = raise_change(commissioner, idea=idea)
    assert change.idea == idea
    with pytest.raises(services.AlreadyDecided):
        services.idea_decide(
            idea=idea,
            decision="declined",
            decided_on=timezone.localdate(),
            minute_reference="SB/3",
            by=board_member,
        )


def test_idea_needs_every_part(service_manager):
    with pytest.raises(ValidationError) as exc:
        services.idea_propose(
            title="X", description="", benefits="", costs="", risks="", by=service_manager
        )
    assert set(exc.value.message_dict) == {"description", "benefits", "costs", "risks"}


def test_only_a_service_manager_proposes_ideas(commissioner):
    with pytest.raises(DomainError, match="Only a service manager"):
        _idea(commissioner)


def test_decision_notice_publishes_only_approvals(version, commissioner, board_member):
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    change = decide(change, board_member, "rejected")
    with pytest.raises(DomainError, match="Only an approval"):
        services.decision_notice_publish(decision=change.board_decision, by=commissioner)
