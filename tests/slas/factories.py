"""Build SLAs through the services, in any state of the workflow."""

import datetime
from decimal import Decimal

from lra_commissioning.roles import Role
from slas import services
from slas.models import LevelUnit, SlaStatus
from tests.factories import FinancialYearFactory, make_user

PROPOSED_ON = datetime.date(2016, 2, 1)
AGREED_ON = datetime.date(2016, 3, 1)
IN_FORCE_ON = datetime.date(2016, 4, 1)


def support_service(name="ICT", leads=()):
    return services.support_service_create_or_update(
        name=name, council_wide_description=f"Council-wide {name}.", leads=list(leads), by=None
    )


def other_lead():
    return make_user(Role.SUPPORT_LEAD, email="other.lead@example.org", full_name="Olly Other")


def sla_in(state, *, service, manager, lead, year=2016, levels=1, **level_kwargs):
    """An SLA for `service` and `year` walked to `state` by `manager` and `lead`
    (`level_kwargs`, such as a time limit, go to each service level)."""
    FinancialYearFactory(start_year=year)
    FinancialYearFactory(start_year=year + 1)
    sla = services.sla_create(
        support_service=service, start_year=year, by=manager, annual_charge=Decimal("1000.00")
    )
    services.responsibility_add(
        sla=sla, by=manager, activity="Resolve incidents", service_raci="I", support_raci="RA"
    )
    for n in range(levels):
        services.service_level_save(
            sla=sla,
            by=manager,
            measure=f"P{n + 1} incidents resolved within 4 working hours",
            unit=LevelUnit.PERCENTAGE,
            target=Decimal("95"),
            higher_is_better=True,
            **level_kwargs,
        )
    if state == SlaStatus.DRAFTING:
        return _fresh(sla)
    services.sla_propose(sla=sla, by=manager, on=datetime.date(year, 2, 1))
    if state == SlaStatus.PROPOSED:
        return _fresh(sla)
    services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=lead, on=datetime.date(year, 3, 1))
    services.sla_agree(
        sla=sla, side=services.SERVICE_SIDE, by=manager, on=datetime.date(year, 3, 1)
    )
    if state == SlaStatus.AGREED:
        return _fresh(sla)
    services.sla_bring_into_force(sla=sla, by=manager, on=datetime.date(year, 4, 1))
    if state == SlaStatus.IN_FORCE:
        return _fresh(sla)
    services.sla_start_review(sla=sla, by=manager)
    if state == SlaStatus.UNDER_REVIEW:
        return _fresh(sla)
    if state == SlaStatus.RENEWED:
        services.sla_renew(sla=sla, by=manager)
    else:
        services.sla_end(sla=sla, by=manager)
    return _fresh(sla)


def _fresh(sla):
    sla.refresh_from_db()
    return sla
