"""Every specifications service that acts for a person refuses one without the permission.

The views check first; the services check again (`ensure_can`), so a task, the
demo or the shell cannot do what the person may not. See tests/refusals.py.
"""

import datetime

import pytest
from django.utils import timezone

from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import Perm
from specifications import services
from specifications.models import PublicComment, VersionStatus

from ..refusals import assert_refused_then_done, everyone
from .factories import draft_version, kpi_fields, published_version, strategic_outcome, take_to

V = VersionStatus
DECIDED_ON = datetime.date(2016, 1, 20)


@pytest.fixture
def people(db):
    return everyone()


def _version(p, status=V.DRAFT):
    c = p["commissioner"]
    version = draft_version(c)
    return take_to(version, status, c, p["board_member"], p["head_of_service"])


def _published(p):
    return published_version(p["commissioner"], p["board_member"], p["head_of_service"])


def _copy(p):
    """A draft made from the version in force, as change management makes it."""
    source = _published(p)
    return services.version_copy(
        source=source,
        specification=source.specification,
        major=source.major,
        minor=1,
        starts_on=datetime.date(2016, 6, 1),
        by=p["commissioner"],
    )


def _comment(p, published=False):
    version = _published(p)
    comment = PublicComment.objects.create(
        version=version, body="More Sunday opening.", received_at=timezone.now()
    )
    if published:
        services.comment_publish(comment=comment, by=p["commissioner"])
    return comment


def _plan(p, submitted=False):
    version = _published(p)
    sm = p["service_manager"]
    plan = services.business_plan_start(financial_year=version.specification.financial_year, by=sm)
    if submitted:
        for section in plan.sections.all():
            services.business_plan_section_update(section=section, approach="We will.", by=sm)
        services.business_plan_submit(plan=plan, by=sm)
    return plan


# Each case: (permission, who may, arrange(people) -> act(person)).


def strategic_outcome_save(p):
    return lambda by: services.strategic_outcome_save(code="SO9", title="A new outcome", by=by)


def version_create(p):
    year = FinancialYear.objects.get_or_create(start_year=2016)[0]
    return lambda by: services.version_create(financial_year=year, starts_on=year.start_date, by=by)


def version_copy(p):
    source = _published(p)
    return lambda by: services.version_copy(
        source=source,
        specification=source.specification,
        major=source.major,
        minor=1,
        starts_on=datetime.date(2016, 6, 1),
        by=by,
    )


def specification_start_next_year(p):
    _published(p)
    FinancialYear.objects.get_or_create(start_year=2017)
    return lambda by: services.specification_start_next_year(today=datetime.date(2016, 6, 1), by=by)


def version_update(p):
    version = _version(p)
    return lambda by: services.version_update(version=version, summary="Changed", by=by)


def version_submit(p):
    version = _version(p)
    return lambda by: services.version_submit(version=version, by=by)


def version_sign_off(p):
    version = _version(p, V.WITH_BOARD)
    return lambda by: services.version_sign_off(
        version=version, decided_on=DECIDED_ON, minute_reference="SB/2", by=by
    )


def version_return(p):
    version = _version(p, V.WITH_BOARD)
    return lambda by: services.version_return(
        version=version, comments="Raise the target.", decided_on=DECIDED_ON, by=by
    )


def version_agree(p):
    version = _version(p, V.SIGNED_OFF)
    return lambda by: services.version_agree(version=version, by=by)


def version_return_by_service(p):
    version = _version(p, V.SIGNED_OFF)
    return lambda by: services.version_return_by_service(
        version=version, reasons="We cannot staff it.", by=by
    )


def version_publish(p):
    version = _version(p, V.AGREED)
    return lambda by: services.version_publish(version=version, by=by)


def version_publish_from_change(p):
    version = _copy(p)
    head = p["head_of_service"]
    return lambda by: services.version_publish_from_change(
        version=version, agreed_by=head, agreed_at=timezone.now(), by=by
    )


def section_update(p):
    section = _version(p).sections.first()
    return lambda by: services.section_update(section=section, heading="New", body="Text", by=by)


def outcome_create(p):
    version = _version(p)
    return lambda by: services.outcome_create(
        version=version, code="O9", title="Outcome 9", strategic_outcome=strategic_outcome(), by=by
    )


def outcome_update(p):
    outcome = _version(p).outcomes.first()
    return lambda by: services.outcome_update(outcome=outcome, title="Renamed", by=by)


def outcome_delete(p):
    version = _version(p)
    outcome = services.outcome_create(
        version=version,
        code="O9",
        title="Outcome 9",
        strategic_outcome=strategic_outcome(),
        by=p["commissioner"],
    )
    return lambda by: services.outcome_delete(outcome=outcome, by=by)


def requirement_create(p):
    outcome = _version(p).outcomes.first()
    return lambda by: services.requirement_create(
        outcome=outcome, code="O1.R9", text="Do more.", by=by
    )


def requirement_update(p):
    requirement = _version(p).outcomes.first().requirements.first()
    return lambda by: services.requirement_update(
        requirement=requirement, text="Do it better.", by=by
    )


def requirement_delete(p):
    requirement = _version(p).outcomes.first().requirements.first()
    return lambda by: services.requirement_delete(requirement=requirement, by=by)


def kpi_create(p):
    version = _version(p)
    outcome = version.outcomes.first()
    return lambda by: services.kpi_create(
        version=version, outcome=outcome, by=by, **kpi_fields("K900")
    )


def kpi_update(p):
    kpi = _version(p).kpis.first()
    return lambda by: services.kpi_update(kpi=kpi, title="Renamed", by=by)


def kpi_delete(p):
    kpi = _version(p).kpis.first()
    return lambda by: services.kpi_delete(kpi=kpi, by=by)


def comment_publish(p):
    comment = _comment(p)
    return lambda by: services.comment_publish(comment=comment, by=by)


def comment_reject(p):
    comment = _comment(p)
    return lambda by: services.comment_reject(comment=comment, by=by)


def comment_respond(p):
    comment = _comment(p, published=True)
    return lambda by: services.comment_respond(comment=comment, response="Thank you.", by=by)


def business_plan_start(p):
    year = _published(p).specification.financial_year
    return lambda by: services.business_plan_start(financial_year=year, by=by)


def business_plan_update(p):
    plan = _plan(p)
    return lambda by: services.business_plan_update(plan=plan, summary="Our plan.", by=by)


def business_plan_section_update(p):
    section = _plan(p).sections.first()
    return lambda by: services.business_plan_section_update(
        section=section, approach="We will.", by=by
    )


def business_plan_action_create(p):
    section = _plan(p).sections.first()
    return lambda by: services.business_plan_action_create(
        section=section,
        description="Open on Sundays.",
        milestone_on=datetime.date(2016, 9, 1),
        by=by,
    )


def business_plan_action_delete(p):
    section = _plan(p).sections.first()
    action = services.business_plan_action_create(
        section=section,
        description="Open on Sundays.",
        milestone_on=datetime.date(2016, 9, 1),
        by=p["service_manager"],
    )
    return lambda by: services.business_plan_action_delete(action=action, by=by)


def business_plan_submit(p):
    plan = _plan(p)
    for section in plan.sections.all():
        services.business_plan_section_update(
            section=section, approach="We will.", by=p["service_manager"]
        )
    return lambda by: services.business_plan_submit(plan=plan, by=by)


def business_plan_accept(p):
    plan = _plan(p, submitted=True)
    return lambda by: services.business_plan_accept(plan=plan, by=by)


def business_plan_return(p):
    plan = _plan(p, submitted=True)
    section = plan.sections.first()
    return lambda by: services.business_plan_return(
        plan=plan, section_comments={section.pk: "Say more."}, by=by
    )


CASES = [
    (strategic_outcome_save, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (version_create, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (version_copy, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (specification_start_next_year, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (version_update, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (version_submit, Perm.SPECIFICATION_SUBMIT_TO_BOARD, "commissioner"),
    (version_sign_off, Perm.SPECIFICATION_SIGN_OFF, "board_member"),
    (version_return, Perm.SPECIFICATION_SIGN_OFF, "board_member"),
    (version_agree, Perm.SPECIFICATION_AGREE, "head_of_service"),
    (version_return_by_service, Perm.SPECIFICATION_RETURN_BY_SERVICE, "head_of_service"),
    (version_publish, Perm.SPECIFICATION_PUBLISH, "commissioner"),
    (version_publish_from_change, Perm.CHANGE_APPLY, "commissioner"),
    (section_update, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (outcome_create, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (outcome_update, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (outcome_delete, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (requirement_create, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (requirement_update, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (requirement_delete, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (kpi_create, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (kpi_update, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (kpi_delete, Perm.SPECIFICATION_DRAFT, "commissioner"),
    (comment_publish, Perm.COMMENT_MODERATE, "commissioner"),
    (comment_reject, Perm.COMMENT_MODERATE, "commissioner"),
    (comment_respond, Perm.COMMENT_MODERATE, "commissioner"),
    (business_plan_start, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_update, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_section_update, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_action_create, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_action_delete, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_submit, Perm.BUSINESS_PLAN_WRITE, "service_manager"),
    (business_plan_accept, Perm.BUSINESS_PLAN_REVIEW, "commissioner"),
    (business_plan_return, Perm.BUSINESS_PLAN_REVIEW, "commissioner"),
]


@pytest.mark.parametrize(
    ("arrange", "permission", "allowed"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_a_person_without_the_permission_is_refused_and_nothing_changes(
    people, arrange, permission, allowed
):
    assert_refused_then_done(arrange(people), permission, people, allowed)


def test_every_service_that_acts_for_a_person_has_a_case():
    """A new service taking `by` needs its check and a case here (or a reason not to)."""
    import inspect

    not_for_a_person = {
        # The public's comment: no person acts (counted against the address instead).
        "comment_submit",
    }
    acting = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if fn.__module__ == services.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(fn).parameters
    }
    assert acting - not_for_a_person == {case[0].__name__ for case in CASES}


def test_the_system_passes_and_a_head_of_service_applies_an_agreed_change(people):
    """`by=None` is the system; `_system` lets change management make the version of a
    change both sides agreed for whoever agreed last (the head of service, who does not
    draft), recorded as theirs."""
    head = people["head_of_service"]
    version = _copy(people)
    kpi = version.kpis.first()
    services.kpi_update(kpi=kpi, title="By the system", by=None)
    services.kpi_update(kpi=kpi, title="For the agreed change", by=head, _system=True)
    kpi.refresh_from_db()
    assert kpi.title == "For the agreed change"
    assert kpi.history.first().history_user == head
    published = services.version_publish_from_change(
        version=version, agreed_by=head, agreed_at=timezone.now(), by=head, _system=True
    )
    assert (published.status, published.published_by) == (V.PUBLISHED, head)
