"""Every commissioning cycle service that acts for a person refuses one without the
permission, and changes nothing. See tests/refusals.py."""

import datetime
import inspect

import pytest

from cycle import services
from cycle.models import (
    AnnualReport,
    ApproachReview,
    DeadlineRule,
    ReportActionReturn,
    ReportKind,
    ReportOutcome,
    ReportStatus,
)
from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import Perm

from ..refusals import assert_refused_then_done, everyone
from .factories import make_deadline

S = ReportStatus


@pytest.fixture
def people(db, quiet_tasks):
    return everyone()


def _year(start_year=2016):
    return FinancialYear.objects.get_or_create(start_year=start_year)[0]


def _report(status, kind=ReportKind.ANNUAL, **fields):
    return AnnualReport.objects.create(financial_year=_year(), kind=kind, status=status, **fields)


def _chapter(status):
    return ReportOutcome.objects.create(
        report=_report(status), outcome_code="O1", outcome_title="Everyone reads", order=0
    )


def _review(**fields):
    return ApproachReview.objects.create(financial_year=_year(), scope="How it went.", **fields)


# Each case: (permission, who may, arrange(people) -> act(person)).


def rules_ensure_defaults(p):
    DeadlineRule.objects.filter(kind="kpi_return").delete()
    return lambda by: services.rules_ensure_defaults(by=by)


def deadline_rule_update(p):
    rule = DeadlineRule.objects.get(kind="kpi_return")
    return lambda by: services.deadline_rule_update(
        rule=rule,
        responsible_role=rule.responsible_role,
        is_active=rule.is_active,
        working_days=rule.working_days + 1,
        by=by,
    )


def reminder_offset_save(p):
    return lambda by: services.reminder_offset_save(
        offset=None, days=30, escalate_to="", is_active=True, by=by
    )


def deadlines_generate(p):
    _year()
    return lambda by: services.deadlines_generate(start_year=2016, by=by)


def deadline_mark_met(p):
    deadline = make_deadline(
        key="approach_review:2016",
        kind="approach_review",
        title="Review of the commissioning approach",
        due_on=datetime.date(2017, 4, 1),
        responsible_role="commissioner",
    )
    return lambda by: services.deadline_mark_met(
        deadline=deadline,
        on=datetime.date(2017, 3, 20),
        who="The Strategic Board",
        reason="Agreed at the March meeting",
        by=by,
    )


def annual_report_request(p):
    _year()
    return lambda by: services.annual_report_request(
        start_year=2016, kind=ReportKind.CABINET, by=by
    )


def annual_report_approve(p):
    report = _report(S.GENERATED, kind=ReportKind.CABINET)
    return lambda by: services.annual_report_approve(report=report, by=by)


def annual_report_publish(p):
    report = _report(S.APPROVED)
    return lambda by: services.annual_report_publish(report=report, by=by)


def annual_report_start(p):
    _year()
    return lambda by: services.annual_report_start(start_year=2016, by=by)


def annual_report_write_foreword(p):
    report = _report(S.DRAFTING)
    return lambda by: services.annual_report_write_foreword(
        report=report, foreword="A year of change.", by=by
    )


def report_outcome_write(p):
    chapter = _chapter(S.DRAFTING)
    return lambda by: services.report_outcome_write(
        chapter=chapter, narrative="We did it.", highlights="", case_study="", by=by
    )


def report_action_return_record(p):
    action = ReportActionReturn.objects.create(
        report=_report(S.DRAFTING), outcome_code="O1", description="Open on Sundays."
    )
    return lambda by: services.report_action_return_record(
        action=action, delivery="delivered", comment="", by=by
    )


def annual_report_submit(p):
    report = _report(S.DRAFTING, foreword="A year of change.")
    return lambda by: services.annual_report_submit(report=report, by=by)


def annual_report_return(p):
    report = _report(S.WITH_COMMISSIONER)
    return lambda by: services.annual_report_return(
        report=report, comment="Say more about O1.", by=by
    )


def report_outcome_assess(p):
    chapter = _chapter(S.WITH_COMMISSIONER)
    return lambda by: services.report_outcome_assess(chapter=chapter, assessment="Well met.", by=by)


def annual_report_assess(p):
    report = _report(S.WITH_COMMISSIONER)
    return lambda by: services.annual_report_assess(
        report=report, overall_assessment="A good year.", by=by
    )


def cabinet_report_record_committee(p):
    report = _report(S.GENERATED, kind=ReportKind.CABINET)
    return lambda by: services.cabinet_report_record_committee(
        report=report,
        committee="Growth Cabinet Committee",
        meeting_on=datetime.date(2017, 7, 12),
        recommendation="To note the report.",
        by=by,
    )


def approach_review_save(p):
    _year()
    return lambda by: services.approach_review_save(
        start_year=2016, scope="How well the approach worked.", by=by
    )


def approach_review_add_service_input(p):
    review = _review()
    return lambda by: services.approach_review_add_service_input(
        review=review, service_input="It takes two days a month.", by=by
    )


def approach_review_record_consideration(p):
    review = _review()
    return lambda by: services.approach_review_record_consideration(
        review=review,
        board_considered_on=datetime.date(2017, 3, 1),
        board_conclusion="Endorsed.",
        committee="",
        committee_considered_on=None,
        committee_conclusion="",
        by=by,
    )


def approach_review_complete(p):
    review = _review(
        service_input="It takes two days a month.",
        findings="It worked.",
        recommendations="Keep it.",
        board_considered_on=datetime.date(2017, 3, 1),
        board_conclusion="Endorsed.",
    )
    return lambda by: services.approach_review_complete(review=review, by=by)


PRODUCE = Perm.ANNUAL_REPORT_PRODUCE
CASES = [
    (rules_ensure_defaults, Perm.REFERENCE_DATA_MANAGE, "administrator", ()),
    (deadline_rule_update, Perm.REFERENCE_DATA_MANAGE, "administrator", ()),
    (reminder_offset_save, Perm.REFERENCE_DATA_MANAGE, "administrator", ()),
    (deadlines_generate, Perm.REFERENCE_DATA_MANAGE, "administrator", ()),
    (deadline_mark_met, Perm.DEADLINE_MARK_MET, "commissioner", ()),
    (annual_report_request, PRODUCE, "commissioner", ()),
    (annual_report_approve, PRODUCE, "commissioner", ()),
    (annual_report_publish, PRODUCE, "commissioner", ()),
    # The service starts the report to write it; a commissioner may start it too.
    (annual_report_start, (Perm.ANNUAL_REPORT_WRITE, PRODUCE), "service_manager", ()),
    # The foreword is the head of service's: another service manager is refused too.
    (
        annual_report_write_foreword,
        Perm.ANNUAL_REPORT_WRITE,
        "head_of_service",
        ("service_manager",),
    ),
    (report_outcome_write, Perm.ANNUAL_REPORT_WRITE, "service_manager", ()),
    (report_action_return_record, Perm.ANNUAL_REPORT_WRITE, "service_manager", ()),
    (annual_report_submit, Perm.ANNUAL_REPORT_WRITE, "service_manager", ()),
    (annual_report_return, Perm.ANNUAL_REPORT_ASSESS, "commissioner", ()),
    (report_outcome_assess, Perm.ANNUAL_REPORT_ASSESS, "commissioner", ()),
    (annual_report_assess, Perm.ANNUAL_REPORT_ASSESS, "commissioner", ()),
    (cabinet_report_record_committee, Perm.CABINET_REPORT_RECORD, "commissioner", ()),
    (approach_review_save, Perm.APPROACH_REVIEW_MANAGE, "commissioner", ()),
    (approach_review_add_service_input, Perm.APPROACH_REVIEW_CONTRIBUTE, "service_manager", ()),
    (approach_review_record_consideration, Perm.APPROACH_REVIEW_MANAGE, "commissioner", ()),
    (approach_review_complete, Perm.APPROACH_REVIEW_MANAGE, "commissioner", ()),
]


@pytest.mark.parametrize(
    ("arrange", "permission", "allowed", "also_refused"),
    CASES,
    ids=[case[0].__name__ for case in CASES],
)
def test_a_person_without_the_permission_is_refused_and_nothing_changes(
    people, arrange, permission, allowed, also_refused
):
    assert_refused_then_done(
        arrange(people), permission, people, allowed, also_refused=also_refused
    )


def test_every_service_that_acts_for_a_person_has_a_case():
    """A new service taking `by` needs its check and a case here (or a reason not to)."""
    not_checked = {
        # The obligations listener: `by` is whoever met the obligation, through a
        # service that checked them.
        "deadline_obligation_met",
        # A person's own calendar address (like their notification choices).
        "calendar_feed_issue",
        "calendar_feed_revoke",
    }
    acting = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if fn.__module__ == services.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(fn).parameters
    }
    assert acting - not_checked == {case[0].__name__ for case in CASES}


def test_a_commissioner_may_start_the_annual_report_too(people):
    _year()
    report = services.annual_report_start(start_year=2016, by=people["commissioner"])
    assert report.status == S.DRAFTING


def test_the_system_generates_the_calendar(people):
    _year()
    assert services.deadlines_generate(start_year=2016, by=None)["created"] > 0
