"""Budgets built through the services, as a person would build them."""

import datetime
from decimal import Decimal

from funding import budget as calc
from funding import services
from funding.models import Category, VersionKind
from slas.services import support_service_create_or_update

D = Decimal


def support_services(by, names=("ICT", "HR")):
    return [
        support_service_create_or_update(name=n, council_wide_description="", leads=[], by=by)
        for n in names
    ]


STAFFING = D("1000000")
RECHARGE = D("100000")
BUILDING = D("200000")


def simple_amounts(version, *, staffing=STAFFING, recharge=RECHARGE, building=BUILDING):
    amounts = {}
    for year in version.years:
        for line in version.lines.filter(start_year=year):
            key = line.key
            category, _ = calc.parse_line_key(key)
            amounts[(year, key)] = {
                Category.STAFFING: staffing,
                Category.CORPORATE_RECHARGE: recharge,
                Category.FEES: D("50000"),
                Category.BUILDING_INCOME: building,
            }.get(category, D("0"))
    return amounts


def draft(commissioner, *, start_year=2016, fill=True, **kw):
    version = services.budget_version_start(
        kind=VersionKind.ANNUAL, reason="The first budget", start_year=start_year, by=commissioner
    )
    if fill:
        version = services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=simple_amounts(version, **kw),
            savings={y: D("10000") for y in version.years},
            by=commissioner,
        )
    return version


def agreed(commissioner, board_member, **kw):
    version = draft(commissioner, **kw)
    services.budget_version_propose(version=version, by=commissioner)
    services.budget_version_decide(
        version=version,
        agree=True,
        decided_on=datetime.date(2015, 12, 9),
        minute_reference="SB/1",
        by=board_member,
    )
    version.refresh_from_db()
    return version


def confirmed(commissioner, board_member, **kw):
    version = agreed(commissioner, board_member, **kw)
    notice = services.budget_version_confirm(
        version=version, by=commissioner, on=datetime.date(2015, 12, 14)
    )
    version.refresh_from_db()
    return version, notice
