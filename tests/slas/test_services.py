"""The SLA workflow, the agreement rules, the copy to next year and bad input."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from lra_commissioning import obligations
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from slas import services
from slas.models import SLA, Clock, LevelUnit, Rating, SlaStatus, rate
from tests.factories import make_user

from .factories import other_lead, sla_in, support_service

S = SlaStatus
Q1 = datetime.date(2016, 4, 1)
AFTER_Q1 = datetime.date(2016, 7, 20)


@pytest.fixture
def ict(support_lead):
    return support_service("ICT", leads=[support_lead])


def _do(action, sla, manager, lead):
    level = sla.service_levels.first()
    calls = {
        "edit": lambda: services.sla_update(
            sla=sla,
            by=manager,
            scope="Changed",
            bespoke="",
            annual_charge=Decimal("10"),
            charge_basis="",
            starts_on=sla.starts_on,
            review_on=sla.review_on,
        ),
        "propose": lambda: services.sla_propose(sla=sla, by=manager),
        "return_to_drafting": lambda: services.sla_return_to_drafting(
            sla=sla, by=manager, comment="Tighten P1"
        ),
        "agree_for_service": lambda: services.sla_agree(
            sla=sla, side=services.SERVICE_SIDE, by=manager
        ),
        "agree_for_support_service": lambda: services.sla_agree(
            sla=sla, side=services.SUPPORT_SIDE, by=lead
        ),
        "bring_into_force": lambda: services.sla_bring_into_force(
            sla=sla, by=manager, on=datetime.date(2016, 4, 2)
        ),
        "start_review": lambda: services.sla_start_review(sla=sla, by=manager),
        "renew": lambda: services.sla_renew(sla=sla, by=manager),
        "end": lambda: services.sla_end(sla=sla, by=manager),
        "start_next_year": lambda: services.sla_start_next_year(sla=sla, by=manager),
        "report": lambda: services.result_report(
            service_level=level, period_start=Q1, value=Decimal("96"), by=lead, on=AFTER_Q1
        ),
    }
    return calls[action]()


# Which actions each state allows, and the state each leads to (every other pair
# is refused). Starting next year's SLA and reporting a result leave this one as it is.
ALLOWED = {
    S.DRAFTING: {"edit": S.DRAFTING, "propose": S.PROPOSED},
    S.PROPOSED: {
        "return_to_drafting": S.DRAFTING,
        # One side's agreement leaves it waiting for the other's.
        "agree_for_service": S.PROPOSED,
        "agree_for_support_service": S.PROPOSED,
    },
    S.AGREED: {"bring_into_force": S.IN_FORCE, "start_next_year": S.AGREED},
    S.IN_FORCE: {
        "start_review": S.UNDER_REVIEW,
        "end": S.ENDED,
        "start_next_year": S.IN_FORCE,
        "report": S.IN_FORCE,
    },
    S.UNDER_REVIEW: {
        "renew": S.RENEWED,
        "end": S.ENDED,
        "start_next_year": S.UNDER_REVIEW,
        "report": S.UNDER_REVIEW,
    },
    S.RENEWED: {"report": S.RENEWED},
    S.ENDED: {"report": S.ENDED},
}
ACTIONS = sorted(set().union(*ALLOWED.values()))


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_allows_only_its_actions(state, action, ict, service_manager, support_lead):
    sla = sla_in(state, service=ict, manager=service_manager, lead=support_lead)
    if action in ALLOWED[state]:
        _do(action, sla, service_manager, support_lead)
        sla.refresh_from_db()
        assert sla.status == ALLOWED[state][action]
    else:
        with pytest.raises((TransitionNotAllowed, DomainError)):
            _do(action, sla, service_manager, support_lead)
        sla.refresh_from_db()
        assert sla.status == state  # nothing half-done


def test_proposing_does_not_agree_either_side(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    assert sla.proposed_by == service_manager
    assert sla.service_agreed_by is None and sla.support_agreed_by is None


def test_one_side_agreeing_leaves_the_sla_proposed(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=support_lead)
    sla.refresh_from_db()
    assert sla.status == S.PROPOSED and sla.agreed_on is None


def test_both_sides_agreeing_makes_it_agreed_and_meets_the_obligation(
    ict, service_manager, support_lead
):
    met = []

    def listener(key, on, by):
        met.append((key, on, by))

    obligations.register(listener)
    try:
        sla = sla_in(S.AGREED, service=ict, manager=service_manager, lead=support_lead)
    finally:
        obligations._listeners.remove(listener)
    assert sla.status == S.AGREED
    assert sla.agreed_on == datetime.date(2016, 3, 1)
    assert met == [
        # The lead's own deadline for the support service's side, then the SLA's.
        (f"sla_support:{ict.id}:2016:{support_lead.id}", datetime.date(2016, 3, 1), support_lead),
        (f"sla:{ict.id}:2016", datetime.date(2016, 3, 1), service_manager),
    ]


def test_the_same_person_cannot_agree_both_sides(ict, support_lead):
    both = make_user(Role.SERVICE_MANAGER, Role.SUPPORT_LEAD, email="both@example.org")
    ict.leads.add(both)
    sla = sla_in(S.PROPOSED, service=ict, manager=both, lead=support_lead)
    services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=both)
    with pytest.raises(DomainError, match="another lead of the support service must agree"):
        services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=both)
    sla.refresh_from_db()
    assert sla.status == S.PROPOSED and sla.support_agreed_by is None


def test_the_database_refuses_one_person_on_both_sides(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        SLA.objects.filter(pk=sla.pk).update(
            service_agreed_by=support_lead, support_agreed_by=support_lead
        )


def test_a_side_cannot_agree_twice(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=service_manager)
    second = make_user(Role.SERVICE_MANAGER, email="sm2@example.org")
    with pytest.raises(DomainError, match="already agreed"):
        services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=second)


def test_only_the_support_services_own_lead_agrees_for_it(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="Only a lead of ICT"):
        services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=other_lead())
    with pytest.raises(DomainError, match="Only a service manager"):
        services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=support_lead)


def test_returning_to_drafting_withdraws_agreement(ict, service_manager, support_lead):
    sla = sla_in(S.PROPOSED, service=ict, manager=service_manager, lead=support_lead)
    services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=support_lead)
    services.sla_return_to_drafting(sla=sla, by=service_manager, comment="Add P2 incidents")
    sla.refresh_from_db()
    assert sla.status == S.DRAFTING
    assert sla.support_agreed_by is None and sla.returned_comment == "Add P2 incidents"


def test_an_sla_is_not_in_force_before_its_start(ict, service_manager, support_lead):
    sla = sla_in(S.AGREED, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="starts on 1 April 2016"):
        services.sla_bring_into_force(sla=sla, by=service_manager, on=datetime.date(2016, 3, 31))


# Bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "target", "ok"),
    [
        (LevelUnit.PERCENTAGE, "0", True),
        (LevelUnit.PERCENTAGE, "100", True),
        (LevelUnit.PERCENTAGE, "100.01", False),
        (LevelUnit.PERCENTAGE, "-0.01", False),
        (LevelUnit.WORKING_HOURS, "4", True),
        (LevelUnit.WORKING_HOURS, "-1", False),
        (LevelUnit.WORKING_DAYS, "260", True),
        (LevelUnit.WORKING_DAYS, "261", False),
        (LevelUnit.SCORE, "1", True),
        (LevelUnit.SCORE, "0.99", False),
        (LevelUnit.SCORE, "5.01", False),
        (LevelUnit.COUNT, "1000000", True),
        (LevelUnit.COUNT, "-1", False),
        (LevelUnit.PERCENTAGE, "95.123", False),
    ],
)
def test_a_target_outside_its_units_range_is_refused(
    unit, target, ok, ict, service_manager, support_lead
):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)

    def save():
        return services.service_level_save(
            sla=sla,
            by=service_manager,
            measure="M",
            unit=unit,
            target=target,
            higher_is_better=True,
        )

    if ok:
        assert save().target == Decimal(target)
    else:
        with pytest.raises(DomainError, match="must be|decimal places"):
            save()
        assert sla.service_levels.count() == 1


def test_a_review_date_before_the_start_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    for review_on in (datetime.date(2016, 3, 31), datetime.date(2016, 4, 1)):
        with pytest.raises(DomainError, match="review date must be after the start date"):
            services.sla_update(
                sla=sla,
                by=service_manager,
                scope="s",
                bespoke="",
                annual_charge=Decimal("1"),
                charge_basis="",
                starts_on=datetime.date(2016, 4, 1),
                review_on=review_on,
            )


def test_a_start_outside_the_financial_year_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="start date must be in 2016/17"):
        services.sla_update(
            sla=sla,
            by=service_manager,
            scope="s",
            bespoke="",
            annual_charge=Decimal("1"),
            charge_basis="",
            starts_on=datetime.date(2017, 4, 1),
            review_on=datetime.date(2017, 5, 1),
        )


def test_a_second_sla_for_the_same_service_and_year_is_refused(ict, service_manager, support_lead):
    sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="ICT already has an SLA for 2016/17"):
        services.sla_create(support_service=ict, start_year=2016, by=service_manager)
    assert SLA.objects.count() == 1


def test_a_negative_charge_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="cannot be negative"):
        services.sla_update(
            sla=sla,
            by=service_manager,
            scope="s",
            bespoke="",
            annual_charge=Decimal("-1"),
            charge_basis="",
            starts_on=sla.starts_on,
            review_on=sla.review_on,
        )


@pytest.mark.parametrize(
    ("service_raci", "support_raci", "message"),
    [
        ("R", "I", "exactly one side accountable"),
        ("RA", "A", "exactly one side accountable"),
        ("A", "C", "at least one side responsible"),
        ("X", "RA", "Choose responsible"),
    ],
)
def test_raci_rows_need_one_accountable_and_a_responsible(
    service_raci, support_raci, message, ict, service_manager, support_lead
):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match=message):
        services.responsibility_add(
            sla=sla,
            by=service_manager,
            activity="A",
            service_raci=service_raci,
            support_raci=support_raci,
        )


def test_proposing_needs_service_levels(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead, levels=0)
    with pytest.raises(DomainError, match="at least one service level"):
        services.sla_propose(sla=sla, by=service_manager)


# Performance -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "higher_is_better", "rating"),
    [
        ("95", "95", True, Rating.MET),
        ("94.99", "95", True, Rating.BREACHED),
        ("100", "95", True, Rating.MET),
        ("15", "15", False, Rating.MET),
        ("15.01", "15", False, Rating.BREACHED),
        ("0", "15", False, Rating.MET),
    ],
)
def test_results_are_rated_against_their_target(value, target, higher_is_better, rating):
    assert rate(Decimal(value), Decimal(target), higher_is_better) == rating


def test_a_result_for_a_period_outside_the_sla_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    level = sla.service_levels.get()
    for period_start in (
        datetime.date(2016, 1, 1),
        datetime.date(2017, 4, 1),
        datetime.date(2016, 5, 1),
    ):
        with pytest.raises(DomainError, match="within the SLA"):
            services.result_report(
                service_level=level,
                period_start=period_start,
                value=96,
                by=support_lead,
                on=AFTER_Q1,
            )
    assert not level.results.exists()


def test_a_period_not_yet_over_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="not over yet"):
        services.result_report(
            service_level=sla.service_levels.get(),
            period_start=Q1,
            value=96,
            by=support_lead,
            on=datetime.date(2016, 6, 30),
        )


def test_a_period_is_reported_once(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    level = sla.service_levels.get()
    services.result_report(
        service_level=level, period_start=Q1, value=96, by=support_lead, on=AFTER_Q1
    )
    with pytest.raises(DomainError, match="already been reported"):
        services.result_report(
            service_level=level, period_start=Q1, value=97, by=support_lead, on=AFTER_Q1
        )


def test_a_result_outside_the_units_range_is_refused(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="result in percentage must be between"):
        services.result_report(
            service_level=sla.service_levels.get(),
            period_start=Q1,
            value=101,
            by=support_lead,
            on=AFTER_Q1,
        )


def test_correcting_a_result_re_rates_it_and_an_action_needs_owner_and_date(
    ict, service_manager, support_lead
):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    result = services.result_report(
        service_level=sla.service_levels.get(),
        period_start=Q1,
        value=90,
        by=support_lead,
        on=AFTER_Q1,
    )
    assert result.rating == Rating.BREACHED and result.needs_commentary
    with pytest.raises(DomainError, match="owner and a due date"):
        services.result_update(
            result=result, by=support_lead, value=90, improvement_action="Fix it"
        )
    result = services.result_update(result=result, by=support_lead, value=95, commentary="Recount")
    assert result.rating == Rating.MET
    assert result.history.first().history_user == support_lead


# Three P1 incidents of the first quarter of 2016/17: 2.5 and 3 working hours (over a
# weekend, and over the Spring bank holiday of 30 May 2016), then 6 working hours.
def _incidents():
    from zoneinfo import ZoneInfo

    def at(day, month, hour, minute=0):
        return datetime.datetime(2016, month, day, hour, minute, tzinfo=ZoneInfo("Europe/London"))

    return [
        (at(3, 6, 16), at(6, 6, 10, 30)),
        (at(27, 5, 16), at(31, 5, 11)),
        (at(1, 6, 9), at(1, 6, 15)),
    ]


@pytest.mark.parametrize(
    "clock, expected",
    [(Clock.WORKING_HOURS, Decimal("66.7")), (Clock.CALENDAR_HOURS, Decimal("0.0"))],
)
def test_a_result_from_cases_counts_their_times_on_the_levels_clock(
    clock, expected, ict, service_manager, support_lead
):
    sla = sla_in(
        S.IN_FORCE,
        service=ict,
        manager=service_manager,
        lead=support_lead,
        time_limit_hours=Decimal("4"),
        clock=clock,
    )
    level = sla.service_levels.get()
    result = services.result_report(
        service_level=level, period_start=Q1, cases=_incidents(), by=support_lead, on=AFTER_Q1
    )
    assert result.value == expected
    assert result.rating == Rating.BREACHED


def test_cases_are_refused_for_a_level_without_a_time_limit(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="no time limit"):
        services.result_report(
            service_level=sla.service_levels.get(),
            period_start=Q1,
            cases=_incidents(),
            by=support_lead,
            on=AFTER_Q1,
        )


def test_a_time_limit_is_only_for_a_percentage(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    with pytest.raises(DomainError, match="time limit is for a percentage"):
        services.service_level_save(
            sla=sla,
            by=service_manager,
            measure="Average time to resolve",
            unit=LevelUnit.WORKING_HOURS,
            target=Decimal("8"),
            higher_is_better=False,
            time_limit_hours=Decimal("4"),
        )


# Next year's SLA -------------------------------------------------------------


def test_next_years_sla_starts_as_a_copy(ict, service_manager, support_lead):
    sla = sla_in(S.IN_FORCE, service=ict, manager=service_manager, lead=support_lead, levels=2)
    new = services.sla_start_next_year(sla=sla, by=support_lead)
    assert new.financial_year.start_year == 2017
    assert new.status == S.DRAFTING and new.based_on == sla
    assert (new.starts_on, new.review_on) == (datetime.date(2017, 4, 1), datetime.date(2018, 1, 1))
    assert new.annual_charge == sla.annual_charge and new.scope == sla.scope
    assert [lvl.measure for lvl in new.service_levels.all()] == [
        lvl.measure for lvl in sla.service_levels.all()
    ]
    assert [r.activity for r in new.responsibilities.all()] == ["Resolve incidents"]
    assert new.agreed_on is None and new.service_agreed_by is None
    assert not new.service_levels.first().results.exists()
    with pytest.raises(DomainError, match="already has an SLA for 2017/18"):
        services.sla_start_next_year(sla=sla, by=support_lead)


def test_renewing_drafts_next_years_sla_when_there_is_none(ict, service_manager, support_lead):
    sla = sla_in(S.RENEWED, service=ict, manager=service_manager, lead=support_lead)
    assert sla.successors.get().financial_year.start_year == 2017


def test_changing_content_leaves_history_with_the_user(ict, service_manager, support_lead):
    sla = sla_in(S.DRAFTING, service=ict, manager=service_manager, lead=support_lead)
    services.sla_update(
        sla=sla,
        by=support_lead,
        scope="Narrower",
        bespoke="",
        annual_charge=Decimal("5"),
        charge_basis="",
        starts_on=sla.starts_on,
        review_on=sla.review_on,
    )
    latest = sla.history.first()
    assert latest.history_user == support_lead and latest.scope == "Narrower"


def test_the_daily_task_puts_agreed_slas_in_force_from_their_start_date(
    ict, service_manager, support_lead
):
    from slas.tasks import bring_due_slas_into_force

    sla = sla_in(S.AGREED, service=ict, manager=service_manager, lead=support_lead)
    drafting = sla_in(
        S.DRAFTING, service=ict, manager=service_manager, lead=support_lead, year=2017
    )
    assert services.slas_bring_due_into_force(on=datetime.date(2016, 3, 31)) == 0
    sla.refresh_from_db()
    assert sla.status == S.AGREED
    assert services.slas_bring_due_into_force(on=datetime.date(2016, 4, 1)) == 1
    sla.refresh_from_db()
    assert sla.status == S.IN_FORCE
    assert sla.history.first().history_user is None  # the system, not a person
    # Run again (and through Celery): nothing more to do, drafts untouched.
    assert bring_due_slas_into_force.delay().get() == 0
    drafting.refresh_from_db()
    assert drafting.status == S.DRAFTING
