"""Every SLA service that acts for a person checks the permission itself.

The pages check first; the services check again (`permissions.ensure_can`),
with the record, so a support lead acts only on their own support service's
SLAs whoever calls the service. For each service: everyone without the
permission (a lead of another support service among them) is refused with
NotPermitted and nothing is written; then someone with it makes the same call
and it goes through, so the refusals were the check's and not the state's.
"""

import datetime
import inspect
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps

from lra_commissioning.permissions import NotPermitted
from slas import services
from slas.models import SLA, LevelUnit, SlaStatus
from tests.factories import FinancialYearFactory, make_user

from .factories import other_lead, sla_in, support_service

pytestmark = pytest.mark.django_db

S = SlaStatus
Q1 = datetime.date(2016, 4, 1)
AFTER_Q1 = datetime.date(2016, 7, 20)
WHO = [
    "commissioner",
    "service_manager",
    "board_member",
    "own_lead",
    "other_lead",
    "administrator",
    "nobody",
]


@pytest.fixture
def people(commissioner, service_manager, board_member, support_lead, administrator):
    return {
        "commissioner": commissioner,
        "service_manager": service_manager,
        "board_member": board_member,
        "own_lead": support_lead,
        "other_lead": other_lead(),
        "administrator": administrator,
        "nobody": make_user(email="nobody@example.org"),
    }


@pytest.fixture
def ict(people):
    support_service("Legal", leads=[people["other_lead"]])
    return support_service("ICT", leads=[people["own_lead"]])


def _sla(state, ict, p):
    return sla_in(state, service=ict, manager=p["service_manager"], lead=p["own_lead"])


def _with_the_year(ict, p):
    FinancialYearFactory(start_year=2016)
    return ict


def _with_contact(ict, p):
    sla = _sla(S.DRAFTING, ict, p)
    services.escalation_contact_add(
        sla=sla, by=p["service_manager"], side="support", level=1, name="Desk manager"
    )
    return sla.escalation_contacts.get()


def _result(ict, p):
    sla = _sla(S.IN_FORCE, ict, p)
    return services.result_report(
        service_level=sla.service_levels.get(),
        period_start=Q1,
        value=Decimal("90"),
        by=p["own_lead"],
        on=AFTER_Q1,
    )


@dataclass(frozen=True)
class Case:
    # Who holds the permission for this record (PERMISSIONS: support leads only
    # their own support service's).
    allowed: frozenset
    # Builds the record the call acts on, with the people who may.
    prepare: object
    # The call, for the record and a person.
    call: object


DRAFTERS = {"service_manager", "own_lead"}


def _case(allowed, prepare, call):
    return Case(frozenset(allowed), prepare, call)


def _in(state):
    return lambda ict, p: _sla(state, ict, p)


# Acts for a person but deliberately not checked: no page sets support services up
# and no permission says who may (see its docstring).
UNCHECKED = {"support_service_create_or_update"}

CASES = {
    "sla_create": _case(
        DRAFTERS,
        _with_the_year,
        lambda r, by: services.sla_create(support_service=r, start_year=2016, by=by),
    ),
    "sla_update": _case(
        DRAFTERS,
        _in(S.DRAFTING),
        lambda r, by: services.sla_update(
            sla=r,
            by=by,
            scope="Changed",
            bespoke="",
            annual_charge=Decimal("10"),
            charge_basis="",
            starts_on=r.starts_on,
            review_on=r.review_on,
        ),
    ),
    "responsibility_add": _case(
        DRAFTERS,
        _in(S.DRAFTING),
        lambda r, by: services.responsibility_add(
            sla=r, by=by, activity="Patch servers", service_raci="I", support_raci="RA"
        ),
    ),
    "responsibility_delete": _case(
        DRAFTERS,
        lambda ict, p: _sla(S.DRAFTING, ict, p).responsibilities.get(),
        lambda r, by: services.responsibility_delete(responsibility=r, by=by),
    ),
    "service_level_save": _case(
        DRAFTERS,
        _in(S.DRAFTING),
        lambda r, by: services.service_level_save(
            sla=r,
            by=by,
            measure="Calls answered within a minute",
            unit=LevelUnit.PERCENTAGE,
            target=Decimal("90"),
            higher_is_better=True,
        ),
    ),
    "service_level_delete": _case(
        DRAFTERS,
        lambda ict, p: _sla(S.DRAFTING, ict, p).service_levels.get(),
        lambda r, by: services.service_level_delete(service_level=r, by=by),
    ),
    "escalation_contact_add": _case(
        DRAFTERS,
        _in(S.DRAFTING),
        lambda r, by: services.escalation_contact_add(
            sla=r, by=by, side="service", level=1, name="Head of libraries"
        ),
    ),
    "escalation_contact_delete": _case(
        DRAFTERS,
        _with_contact,
        lambda r, by: services.escalation_contact_delete(contact=r, by=by),
    ),
    "sla_propose": _case(
        DRAFTERS,
        _in(S.DRAFTING),
        lambda r, by: services.sla_propose(sla=r, by=by),
    ),
    "sla_return_to_drafting": _case(
        DRAFTERS,
        _in(S.PROPOSED),
        lambda r, by: services.sla_return_to_drafting(sla=r, by=by, comment="Tighten P1"),
    ),
    "sla_agree (service)": _case(
        {"service_manager"},
        _in(S.PROPOSED),
        lambda r, by: services.sla_agree(sla=r, side=services.SERVICE_SIDE, by=by),
    ),
    "sla_agree (support)": _case(
        {"own_lead"},
        _in(S.PROPOSED),
        lambda r, by: services.sla_agree(sla=r, side=services.SUPPORT_SIDE, by=by),
    ),
    "sla_bring_into_force": _case(
        DRAFTERS,
        _in(S.AGREED),
        lambda r, by: services.sla_bring_into_force(sla=r, by=by, on=Q1),
    ),
    "sla_start_review": _case(
        DRAFTERS,
        _in(S.IN_FORCE),
        lambda r, by: services.sla_start_review(sla=r, by=by),
    ),
    "sla_end": _case(
        DRAFTERS,
        _in(S.IN_FORCE),
        lambda r, by: services.sla_end(sla=r, by=by),
    ),
    "sla_renew": _case(
        DRAFTERS,
        _in(S.UNDER_REVIEW),
        lambda r, by: services.sla_renew(sla=r, by=by),
    ),
    "sla_start_next_year": _case(
        DRAFTERS,
        _in(S.IN_FORCE),
        lambda r, by: services.sla_start_next_year(sla=r, by=by),
    ),
    "result_report": _case(
        {"own_lead"},
        _in(S.IN_FORCE),
        lambda r, by: services.result_report(
            service_level=r.service_levels.get(),
            period_start=Q1,
            value=Decimal("90"),
            by=by,
            on=AFTER_Q1,
        ),
    ),
    "result_update": _case(
        {"own_lead"},
        _result,
        lambda r, by: services.result_update(
            result=r, by=by, value=Decimal("80"), commentary="Two advisers were off sick."
        ),
    ),
}


def _everything():
    """Every row the SLA services could write: the app's records and their history,
    notifications and deadlines met."""
    models = [
        *apps.get_app_config("slas").get_models(),
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
    assert acting == {name.split(" ")[0] for name in CASES} | UNCHECKED


@pytest.mark.parametrize("name", sorted(CASES))
def test_services_refuse_people_without_the_permission(name, people, ict):
    case = CASES[name]
    record = case.prepare(ict, people)
    refused = [who for who in WHO if who not in case.allowed]
    assert len(refused) == len(WHO) - len(case.allowed)
    before = _everything()
    for who in refused:
        with pytest.raises(NotPermitted):
            case.call(record, people[who])
        assert _everything() == before, f"{name} by {who} changed something"
    # The same call by someone who holds the permission goes through.
    case.call(record, people[sorted(case.allowed)[0]])
    assert _everything() != before


@pytest.mark.parametrize("side", [services.SERVICE_SIDE, services.SUPPORT_SIDE])
def test_an_agreement_is_a_persons_the_system_cannot_agree(side, people, ict):
    sla = _sla(S.PROPOSED, ict, people)
    before = _everything()
    with pytest.raises(NotPermitted, match="can agree"):
        services.sla_agree(sla=sla, side=side, by=None)
    assert _everything() == before


def test_the_daily_task_puts_agreed_slas_in_force_as_the_system(people, ict):
    sla = _sla(S.AGREED, ict, people)
    assert services.slas_bring_due_into_force(on=Q1) == 1
    assert SLA.objects.get(pk=sla.pk).status == S.IN_FORCE


def test_a_lead_of_another_support_service_is_told_whose_it_is(people, ict):
    sla = _sla(S.PROPOSED, ict, people)
    with pytest.raises(NotPermitted, match="Only a lead of ICT can agree"):
        services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=people["other_lead"])
