"""Every performance service that acts for a person checks the permission itself.

The pages check first (403 before a form is shown); the services check again
(`permissions.ensure_can`), so the rule holds whoever calls them: a task, the
demo, the shell. For each service: everyone without the permission is refused
with NotPermitted and nothing is written; then someone with it makes the same
call and it goes through, so the refusals were the check's and not the state's.
"""

import datetime
import inspect
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from lra_commissioning.permissions import NotPermitted
from lra_commissioning.roles import Role
from performance import services
from performance.models import ActionPlan, MonthlyReturn, ReturnStatus
from tests.factories import make_user

from .factories import accept_all, at, make_version, submitted_return

pytestmark = pytest.mark.django_db

C, SM, B, SL, A = (
    Role.COMMISSIONER,
    Role.SERVICE_MANAGER,
    Role.BOARD_MEMBER,
    Role.SUPPORT_LEAD,
    Role.ADMINISTRATOR,
)
JUNE = datetime.date(2016, 6, 1)
AFTER_JUNE = at(datetime.date(2016, 7, 5))
NOBODY = "no role"


@pytest.fixture
def people(db):
    """One person per role, and one signed-up person with no role at all."""
    found = {role: make_user(role, email=f"{role}@example.org") for role in Role}
    found[NOBODY] = make_user(email="nobody@example.org")
    return found


@pytest.fixture
def version(db):
    return make_version()


def _csv(text, name="upload.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


RETURN_CSV = (
    "kpi_code,period,value,commentary\n"
    "LIB01,2016-06,101,ok\nREG01,2016-06,91.5,\nREG05,2016-06,98,\n"
)
COMPARATORS_CSV = "kpi_code,year,authority,value\nLIB01,2016/17,Essex,5\n"


def _draft(p, values=None):
    ret = services.monthly_return_open(month=JUNE, by=p[SM])
    if values is not None:
        entries = {v.pk: {"value": values} for v in ret.values.all()}
        services.kpi_values_save(monthly_return=ret, entries=entries, by=p[SM])
    return ret


def _queried(p):
    ret = submitted_return(JUNE, p[SM])
    decisions = {v.pk: ("accept", "") for v in ret.values.all()}
    decisions[ret.values.get(kpi_code="LIB01").pk] = ("query", "Check the counter")
    return services.monthly_return_review(monthly_return=ret, decisions=decisions, by=p[C])


def _report(p, submitted=False):
    report = services.management_report_save(
        month=JUNE, highlights="A good month", risks_and_issues="", finance_summary="", by=p[SM]
    )
    if submitted:
        services.management_report_submit(report=report, by=p[SM], now=AFTER_JUNE)
    return report


def _plan(p, with_action=False):
    plan = services.action_plan_open(
        kpi_code="LIB01", month=JUNE, trigger="Red", summary="Bring visits back", by=p[SM]
    )
    if with_action:
        services.action_add(
            plan=plan,
            description="Open on Sundays",
            owner="Ann",
            due_on=datetime.date(2016, 9, 1),
            by=p[SM],
        )
    return plan


def _escalation(p):
    return services.escalation_raise(
        title="Fee income", kind="financial", description="Bookings are down", by=p[SM]
    )


@dataclass(frozen=True)
class Case:
    # Who holds the permission (PERMISSIONS in lra_commissioning/permissions.py).
    allowed: frozenset
    # Builds the record the call acts on, with the people who may (p: people).
    prepare: object
    # The call, for the record and a person.
    call: object


def _case(allowed, prepare, call):
    return Case(frozenset(allowed), prepare, call)


CASES = {
    "monthly_return_open": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.monthly_return_open(month=JUNE, by=by),
    ),
    "monthly_return_save": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.monthly_return_save(
            month=JUNE, entries={"LIB01": {"value": D(5)}}, action="save", by=by
        ),
    ),
    "kpi_values_save": _case(
        {SM},
        lambda p: _draft(p),
        lambda r, by: services.kpi_values_save(
            monthly_return=r, entries={v.pk: {"value": D(7)} for v in r.values.all()}, by=by
        ),
    ),
    "monthly_return_submit": _case(
        {SM},
        lambda p: _draft(p, values=D(100)),
        lambda r, by: services.monthly_return_submit(monthly_return=r, by=by, now=AFTER_JUNE),
    ),
    "monthly_return_review": _case(
        {C},
        lambda p: submitted_return(JUNE, p[SM]),
        lambda r, by: services.monthly_return_review(
            monthly_return=r, decisions={v.pk: ("accept", "") for v in r.values.all()}, by=by
        ),
    ),
    "monthly_return_resubmit": _case(
        {SM},
        _queried,
        lambda r, by: services.monthly_return_resubmit(
            monthly_return=r,
            reasons={r.values.get(kpi_code="LIB01").pk: "The counter was right"},
            by=by,
        ),
    ),
    "kpi_return_revise": _case(
        {SM},
        lambda p: accept_all(submitted_return(JUNE, p[SM]), p[C]).values.get(kpi_code="LIB01"),
        lambda r, by: services.kpi_return_revise(
            kpi_return=r, value="120", commentary="", reason="Late library counts", by=by
        ),
    ),
    "return_upload_parse": _case(
        {SM},
        lambda p: _draft(p),
        lambda r, by: services.return_upload_parse(
            monthly_return=r, uploaded=_csv(RETURN_CSV), by=by, today=AFTER_JUNE.date()
        ),
    ),
    "return_upload_start": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.return_upload_start(month=JUNE, uploaded=_csv(RETURN_CSV), by=by),
    ),
    "return_upload_confirm": _case(
        {SM},
        lambda p: services.return_upload_parse(
            monthly_return=_draft(p), uploaded=_csv(RETURN_CSV), by=p[SM], today=AFTER_JUNE.date()
        ),
        lambda r, by: services.return_upload_confirm(upload=r, by=by),
    ),
    "management_report_save": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.management_report_save(
            month=JUNE, highlights="Busy", risks_and_issues="", finance_summary="", by=by
        ),
    ),
    "management_report_write": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.management_report_write(
            month=JUNE,
            highlights="Busy",
            risks_and_issues="",
            finance_summary="",
            submit=True,
            now=AFTER_JUNE,
            by=by,
        ),
    ),
    "report_attachment_add": _case(
        {SM},
        _report,
        lambda r, by: services.report_attachment_add(
            report=r, uploaded=_csv("a,b\n1,2\n", "notes.csv"), by=by
        ),
    ),
    "management_report_submit": _case(
        {SM},
        _report,
        lambda r, by: services.management_report_submit(report=r, by=by, now=AFTER_JUNE),
    ),
    "management_report_review": _case(
        {C},
        lambda p: _report(p, submitted=True),
        lambda r, by: services.management_report_review(report=r, comments="Noted", by=by),
    ),
    "action_plan_open": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.action_plan_open(
            kpi_code="LIB01", month=JUNE, trigger="Red", summary="Bring visits back", by=by
        ),
    ),
    "action_add": _case(
        {SM},
        _plan,
        lambda r, by: services.action_add(
            plan=r, description="Open on Sundays", owner="Ann", due_on=JUNE, by=by
        ),
    ),
    "action_update_status": _case(
        {SM},
        lambda p: _plan(p, with_action=True).actions.get(),
        lambda r, by: services.action_update_status(action=r, status="done", by=by),
    ),
    "action_plan_close": _case(
        {C, B},
        _plan,
        lambda r, by: services.action_plan_close(
            plan=r, reason="board_accepted", note="Minute 12: accepted", by=by
        ),
    ),
    "escalation_raise": _case(
        {SM},
        lambda p: None,
        lambda r, by: services.escalation_raise(
            title="Roof", kind="operational", description="Water came in", by=by
        ),
    ),
    "escalation_respond": _case(
        {B},
        _escalation,
        lambda r, by: services.escalation_respond(escalation=r, response="Noted", by=by),
    ),
    "comparators_upload_parse": _case(
        {A},
        lambda p: None,
        lambda r, by: services.comparators_upload_parse(uploaded=_csv(COMPARATORS_CSV), by=by),
    ),
    "comparators_upload_confirm": _case(
        {A},
        lambda p: services.comparators_upload_parse(uploaded=_csv(COMPARATORS_CSV), by=p[A]),
        lambda r, by: services.comparators_upload_confirm(upload=r, by=by),
    ),
}


def _everything():
    """Every row the performance services could write: the app's records and their
    history, notifications and deadlines met."""
    models = [
        *apps.get_app_config("performance").get_models(),
        apps.get_model("lra_commissioning", "Notification"),
        apps.get_model("cycle", "Deadline"),
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def test_every_service_that_acts_for_a_person_has_a_case():
    acting = {
        name
        for name, fn in vars(services).items()
        if inspect.isfunction(fn)
        and fn.__module__ == services.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(fn).parameters
    }
    assert acting == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_services_refuse_people_without_the_permission(name, people, version):
    case = CASES[name]
    record = case.prepare(people)
    refused = [who for who in people if who not in case.allowed]
    assert refused and len(refused) == len(people) - len(case.allowed)
    before = _everything()
    for who in refused:
        with pytest.raises(NotPermitted):
            case.call(record, people[who])
        assert _everything() == before, f"{name} by {who} changed something"
    # The same call by someone who holds the permission goes through.
    case.call(record, people[sorted(case.allowed)[0]])
    assert _everything() != before


def test_the_system_is_not_checked(version):
    monthly_return = services.monthly_return_open(month=JUNE, by=None)
    assert monthly_return.status == ReturnStatus.DRAFT
    assert MonthlyReturn.objects.get(month=JUNE).values.count() == 3


def test_the_refusal_says_who_may(people, version):
    with pytest.raises(NotPermitted, match="Only a commissioner or a board member can close"):
        services.action_plan_close(
            plan=_plan(people), reason="board_accepted", note="Minute 12", by=people[SM]
        )
    assert ActionPlan.objects.get().status == "open"
