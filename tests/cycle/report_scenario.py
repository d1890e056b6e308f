"""A finished year with records in every app, for the annual report's tests.

2016/17, a part year: the first specification took effect on 1 October 2016
(six months). Version 1.1 from 1 January 2017 raised REG01's target from 90%
to 95% (a change request applied). Library visits LIB01 (a count summed over
the year, target 1,200 a year) had 110 a month; REG01 was 92% each month. An
action plan for REG01 opened and closed; a performance risk went to the board,
which responded. A budget agreed and monitored for all twelve months.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from changes.models import ChangeRequest
from funding.models import Category, MonitoringLine, MonitoringMonth
from lra_commissioning import dates
from lra_commissioning.models import FinancialYear
from performance.models import ActionPlan, Escalation, KpiReturn, MonthlyReturn
from specifications.models import (
    KPI,
    BusinessPlan,
    BusinessPlanAction,
    BusinessPlanSection,
    Outcome,
    Specification,
    SpecificationVersion,
    VersionStatus,
)
from tests.funding.factories import agreed
from tests.funding.factories import support_services as make_support_services
from tests.specifications.factories import strategic_outcome

D = Decimal
START = datetime.date(2016, 10, 1)
CHANGE_ON = datetime.date(2017, 1, 1)
# Monthly actuals: spending lines and income lines (income is money received).
SPENDING = {Category.STAFFING: D("80000"), Category.PREMISES: D("10000")}
INCOME = {Category.FEES: D("4000"), Category.BUILDING_INCOME: D("15000")}


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _version(spec, minor, starts_on, reg01_target, reg01_floor):
    version = SpecificationVersion.objects.create(
        specification=spec,
        major=1,
        minor=minor,
        status=VersionStatus.PUBLISHED,
        starts_on=starts_on,
    )
    outcome = Outcome.objects.create(
        version=version,
        strategic_outcome=strategic_outcome(),
        code="O1",
        title="People read more and find what they need",
        description="Libraries open to everyone.",
    )
    common = {"version": version, "outcome": outcome, "service_area": "libraries"}
    KPI.objects.create(
        code="LIB01",
        title="Library visits",
        unit="count",
        annual_aggregation="sum",
        annual_target=D("1200"),
        floor=D("1080"),
        order=1,
        **common,
    )
    KPI.objects.create(
        code="REG01",
        title="Deaths registered within 5 days",
        unit="percentage",
        annual_aggregation="average",
        annual_target=reg01_target,
        floor=reg01_floor,
        order=2,
        **common,
    )
    return version, outcome


def build_year(*, commissioner, manager, head, board):
    FinancialYear.objects.get_or_create(start_year=2015)
    year, _ = FinancialYear.objects.get_or_create(start_year=2016)
    spec = Specification.objects.create(financial_year=year)
    v1, o1 = _version(spec, 0, START, D("90"), D("85"))
    v2, _o = _version(spec, 1, CHANGE_ON, D("95"), D("90"))

    for month in dates.financial_year_months(2016):
        if month < START:
            continue
        monthly = MonthlyReturn.objects.create(
            month=month,
            status="accepted",
            due_on=dates.month_end(month) + datetime.timedelta(days=10),
            submitted_at=_at(dates.month_end(month)),
            submitted_by=manager,
        )
        version = v2 if month >= CHANGE_ON else v1
        for kpi in version.kpis.all():
            KpiReturn.objects.create(
                monthly_return=monthly,
                kpi=kpi,
                kpi_code=kpi.code,
                period_start=month,
                period_end=dates.month_end(month),
                value=D("110") if kpi.code == "LIB01" else D("92"),
                status="accepted",
            )

    ChangeRequest.objects.create(
        version=v1,
        title="Raise the registration target",
        description="REG01's target rises from 90% to 95%.",
        reason="Performance has improved.",
        effective_on=CHANGE_ON,
        alters_objectives=False,
        contravenes_policy=False,
        affects_budget=False,
        kind="minor",
        status="applied",
        raised_by=manager,
        raised_at=_at(datetime.date(2016, 11, 1)),
        council_agreed_by=commissioner,
        council_agreed_at=_at(datetime.date(2016, 11, 20)),
        service_agreed_by=head,
        service_agreed_at=_at(datetime.date(2016, 11, 21)),
        applied_version=v2,
        applied_by=commissioner,
        applied_at=_at(datetime.date(2016, 12, 1)),
    )
    ActionPlan.objects.create(
        kpi_code="REG01",
        kpi_title="Deaths registered within 5 days",
        opened_for_month=datetime.date(2017, 1, 1),
        trigger="Below target in January",
        summary="Extra appointment slots.",
        status="closed",
        close_reason="board_accepted",
        closing_note="The new target is a stretch; the board accepts 92%.",
        closed_at=_at(datetime.date(2017, 3, 20)),
    )
    Escalation.objects.create(
        title="Registration staffing risk",
        kind="performance",
        kpi_code="REG01",
        description="Two registrars leave in February.",
        status="responded",
        raised_by=commissioner,
        raised_at=_at(datetime.date(2017, 2, 2)),
        board_response="Recruit two registrars on fixed terms.",
        responded_by=board,
        responded_at=_at(datetime.date(2017, 2, 15)),
    )
    make_support_services(commissioner, names=("ICT",))
    agreed(commissioner, board)
    for month in dates.financial_year_months(2016):
        m = MonitoringMonth.objects.create(
            month=month, entered_by=commissioner, entered_at=_at(month)
        )
        for category, amount in {**SPENDING, **INCOME}.items():
            MonitoringLine.objects.create(
                monitoring=m, category=category, actual=amount, forecast_outturn=amount * 12
            )
    plan = BusinessPlan.objects.create(financial_year=year, version=v1, status="accepted")
    section = BusinessPlanSection.objects.create(
        plan=plan, outcome=o1, approach="Through the reading programme."
    )
    BusinessPlanAction.objects.create(
        section=section,
        description="Open the new library in Ashford",
        milestone_on=datetime.date(2017, 2, 1),
        owner="Head of libraries",
    )
    return year
