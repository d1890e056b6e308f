"""The budget workflow and its rules, through the services."""

import datetime
from decimal import Decimal

import pytest

from funding import services
from funding.models import (
    BudgetLine,
    BudgetNotice,
    BudgetVersion,
    FundingConfirmation,
    VersionKind,
    VersionStatus,
)
from lra_commissioning import obligations
from lra_commissioning.workflow import DomainError, TransitionNotAllowed

from .factories import agreed, confirmed, draft, simple_amounts, support_services

D = Decimal
S = VersionStatus
ROLES = [
    "commissioner",
    "service_manager",
    "head_of_service",
    "board_member",
    "support_lead",
    "administrator",
]


@pytest.fixture
def people(
    commissioner, service_manager, head_of_service, board_member, support_lead, administrator
):
    support_services(commissioner)
    return {
        "commissioner": commissioner,
        "service_manager": service_manager,
        "head_of_service": head_of_service,
        "board_member": board_member,
        "support_lead": support_lead,
        "administrator": administrator,
    }


def in_state(state, p):
    c, b, hos = p["commissioner"], p["board_member"], p["head_of_service"]
    if state == S.DRAFT:
        return draft(c)
    if state in (S.PROPOSED, S.RETURNED):
        v = draft(c)
        services.budget_version_propose(version=v, by=c)
        if state == S.RETURNED:
            services.budget_version_decide(
                version=v,
                agree=False,
                decided_on=datetime.date(2015, 12, 1),
                comments="Too high",
                by=b,
            )
        v.refresh_from_db()
        return v
    if state == S.AGREED:
        return agreed(c, b)
    v, notice = confirmed(c, b)
    if state == S.ACKNOWLEDGED:
        services.budget_notice_acknowledge(notice=notice, by=hos)
        v.refresh_from_db()
    return v


def do(action, version, by):
    if action == "edit":
        return services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=simple_amounts(version, staffing=D("999")),
            savings={y: D("0") for y in version.years},
            by=by,
        )
    if action == "propose":
        return services.budget_version_propose(version=version, by=by)
    if action in ("agree", "return"):
        return services.budget_version_decide(
            version=version,
            agree=action == "agree",
            decided_on=datetime.date(2015, 12, 9),
            minute_reference="SB/9",
            comments="Reduce ICT",
            by=by,
        )
    if action == "confirm":
        return services.budget_version_confirm(version=version, by=by)
    if action == "acknowledge":
        return services.budget_notice_acknowledge(notice=version.notice, by=by)
    raise AssertionError(action)


ALLOWED = {
    # action: (the only role that may, the states it may act from, the state after)
    "edit": ("commissioner", {S.DRAFT, S.RETURNED}, None),
    "propose": ("commissioner", {S.DRAFT, S.RETURNED}, S.PROPOSED),
    "agree": ("board_member", {S.PROPOSED}, S.AGREED),
    "return": ("board_member", {S.PROPOSED}, S.RETURNED),
    "confirm": ("commissioner", {S.AGREED}, S.CONFIRMED),
    "acknowledge": ("head_of_service", {S.CONFIRMED}, S.ACKNOWLEDGED),
}
CASES = [
    (state, action, role)
    for state in S
    for action in ALLOWED
    for role in ROLES
    # Acknowledging needs a notice, which only confirmed versions have.
    if not (action == "acknowledge" and state not in (S.CONFIRMED, S.ACKNOWLEDGED))
]


@pytest.mark.parametrize("state, action, role", CASES)
def test_budget_workflow_every_state_action_and_role(state, action, role, people):
    version = in_state(state, people)
    allowed_role, sources, target = ALLOWED[action]
    before = (
        version.status,
        version.revision,
        list(version.lines.values_list("amount", flat=True)),
    )
    if role == allowed_role and state in sources:
        do(action, version, people[role])
        version.refresh_from_db()
        assert version.status == (target or state)
    else:
        with pytest.raises((DomainError, TransitionNotAllowed)):
            do(action, version, people[role])
        version.refresh_from_db()
        after = (
            version.status,
            version.revision,
            list(version.lines.values_list("amount", flat=True)),
        )
        assert after == before, "a refused action must leave the version as it was"


def test_stale_draft_is_refused_and_nothing_is_saved(people):
    c = people["commissioner"]
    version = draft(c)
    opened_at = version.revision
    # Someone else saves first.
    services.budget_version_save(
        version=version,
        expected_revision=opened_at,
        amounts=simple_amounts(version, staffing=D("2000000")),
        savings={y: D("0") for y in version.years},
        by=c,
    )
    with pytest.raises(DomainError, match="Someone else saved this draft"):
        services.budget_version_save(
            version=version,
            expected_revision=opened_at,
            amounts=simple_amounts(version, staffing=D("3000000")),
            savings={y: D("0") for y in version.years},
            by=c,
        )
    assert set(version.lines.filter(category="staffing").values_list("amount", flat=True)) == {
        D("2000000.00")
    }


def test_budget_years_must_run_five_in_a_row(people):
    c = people["commissioner"]
    version = draft(c)
    amounts = simple_amounts(version)
    amounts[(2022, "staffing")] = D("1")
    with pytest.raises(DomainError, match="five financial years in a row, 2016/17 to 2020/21"):
        services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=amounts,
            savings={y: D("0") for y in version.years},
            by=c,
        )
    missing_year = {k: v for k, v in simple_amounts(version).items() if k[0] != 2018}
    with pytest.raises(DomainError, match="five financial years in a row"):
        services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=missing_year,
            savings={y: D("0") for y in version.years if y != 2018},
            by=c,
        )
    assert not BudgetLine.objects.filter(start_year=2022).exists()


@pytest.mark.parametrize(
    "amount, message",
    [
        (D("12.345"), "no more than 2 decimal places"),
        (D("-1"), "cannot be negative"),
        (D("1000000000"), "less than £1 billion"),
    ],
)
def test_bad_amounts_are_refused_with_nothing_half_saved(amount, message, people):
    c = people["commissioner"]
    version = draft(c)
    amounts = simple_amounts(version, staffing=D("5"))
    amounts[(2020, "premises")] = amount
    with pytest.raises(DomainError, match=message):
        services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=amounts,
            savings={y: D("0") for y in version.years},
            by=c,
        )
    assert not version.lines.filter(amount=D("5")).exists()


def test_only_one_version_in_the_making_at_a_time(people):
    c = people["commissioner"]
    draft(c)
    with pytest.raises(DomainError, match="already being drafted"):
        services.budget_version_start(kind=VersionKind.ANNUAL, reason="x", start_year=2017, by=c)


def test_annual_refresh_moves_on_a_year_and_copies_the_last_year(people):
    c, b = people["commissioner"], people["board_member"]
    v1 = agreed(c, b)
    v2 = services.budget_version_start(kind=VersionKind.ANNUAL, reason="Refresh", by=c)
    assert v2.years == [2017, 2018, 2019, 2020, 2021]
    assert v2.lines.get(start_year=2021, category="staffing").amount == D("1000000")
    assert v2.based_on == v1


def test_confirmation_issues_a_notice_and_meets_the_december_obligation(people):
    c, b = people["commissioner"], people["board_member"]
    met = []
    listener = lambda key, on, by: met.append((key, on, by))  # noqa: E731
    obligations.register(listener)
    try:
        version, notice = confirmed(c, b)
    finally:
        obligations._listeners.remove(listener)
    assert met == [("funding_confirmation:2016", datetime.date(2015, 12, 14), c)]
    assert FundingConfirmation.objects.get(start_year=2016).version == version
    assert notice.kind == BudgetNotice.Kind.CONFIRMATION
    assert version.status == S.CONFIRMED


def test_change_notice_shows_old_and_new_amounts_per_year_and_line_and_the_reason(people):
    c, b, hos = people["commissioner"], people["board_member"], people["head_of_service"]
    v1, n1 = confirmed(c, b)
    services.budget_notice_acknowledge(notice=n1, by=hos)
    v2 = services.budget_change_propose(
        budget_version=v1,
        changes={(2017, "staffing"): D("950000"), (2019, "fees"): D("60000")},
        reason="Archive search-room hours reduced",
        by=c,
        board_decided_on=datetime.date(2016, 9, 14),
        board_minute_reference="SB/11",
    )
    assert v2.status == S.CONFIRMED and v2.kind == VersionKind.CHANGE
    notice = v2.notice
    assert notice.kind == BudgetNotice.Kind.CHANGE
    assert notice.reason == "Archive search-room hours reduced"
    assert [
        (line.start_year, line.label, line.old_amount, line.new_amount)
        for line in notice.lines.all()
    ] == [
        (2017, "Staffing", D("1000000.00"), D("950000.00")),
        (2019, "Fees and charges", D("50000.00"), D("60000.00")),
    ]
    # The agreed version it replaced is untouched.
    assert v1.lines.get(start_year=2017, category="staffing").amount == D("1000000")


def test_budget_change_propose_without_the_board_waits_for_agreement(people):
    c, b = people["commissioner"], people["board_member"]
    v1 = agreed(c, b)
    v2 = services.budget_change_propose(
        budget_version=v1, changes={(2016, "ict"): D("5000")}, reason="New kiosks", by=c
    )
    assert v2.status == S.PROPOSED
    assert not BudgetNotice.objects.filter(version=v2).exists()


def test_budget_change_propose_refuses_a_year_outside_the_budget(people):
    c, b = people["commissioner"], people["board_member"]
    v1 = agreed(c, b)
    with pytest.raises(DomainError, match="outside the budget's five years"):
        services.budget_change_propose(
            budget_version=v1, changes={(2025, "ict"): D("5000")}, reason="x", by=c
        )
    assert BudgetVersion.objects.count() == 1


def test_a_second_decision_on_the_same_version_is_refused(people):
    c, b = people["commissioner"], people["board_member"]
    v = agreed(c, b)
    with pytest.raises(TransitionNotAllowed):
        services.budget_version_decide(
            version=v, agree=False, decided_on=datetime.date(2015, 12, 10), comments="x", by=b
        )


def test_board_decision_dated_in_the_future_is_refused(people):
    c, b = people["commissioner"], people["board_member"]
    v = draft(c)
    services.budget_version_propose(version=v, by=c)
    with pytest.raises(DomainError, match="today or in the past"):
        services.budget_version_decide(
            version=v,
            agree=True,
            decided_on=datetime.date(2099, 1, 1),
            minute_reference="x",
            by=b,
        )
