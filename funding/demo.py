"""Demo data for funding; called by `manage.py load_demo` (safe to run twice).

A five-year budget from 2016/17 at the scale of a large county service (£16m
gross, £14.5m net, £1.3m savings required in the first year), an in-year
change in September 2016 with its notice, the December 2016 confirmation of
2017/18 funding, and monthly actuals for 2016/17 with premises over tolerance.
Everything goes through the services.
"""

import datetime
from decimal import Decimal

from . import budget as calc
from . import services
from .models import BudgetVersion, Category, VersionKind

D = Decimal
RECHARGES = {
    "ICT": D("310000"),
    "HR": D("180000"),
    "Finance": D("150000"),
    "Property": D("240000"),
    "Contact Centre": D("120000"),
    "Communications": D("60000"),
    "Health & Safety": D("40000"),
    "Digital Services": D("100000"),
}
SAVINGS = [D("1300000"), D("900000"), D("800000"), D("700000"), D("600000"), D("550000")]


def _support_services(ctx):
    """The council's support services: made here if the SLA demo has not run yet."""
    from slas.demo import SUPPORT_SERVICES
    from slas.models import SupportService
    from slas.services import support_service_create_or_update

    existing = {s.name: s for s in SupportService.objects.prefetch_related("leads")}
    for name, description in SUPPORT_SERVICES:
        if name not in existing:
            existing[name] = support_service_create_or_update(
                name=name, council_wide_description=description, leads=[], by=ctx.admin
            )
    return existing


def _year_amounts(i, ids):
    """Lines for the i-th year from 2016/17: staffing falls as savings are made."""
    lines = {
        "staffing": D("9800000") - D("300000") * i,
        "premises": D("2450000"),
        "stock": D("1350000") - D("50000") * i,
        "ict": D("620000"),
        "other": D("580000"),
        "fees": D("1050000") + D("30000") * i,
        "building_income": D("400000"),
        "grants": D("250000"),
    }
    for name, amount in RECHARGES.items():
        lines[calc.line_key(Category.CORPORATE_RECHARGE, ids[name])] = amount
    return lines


def _fill(version, ids, by):
    amounts = {}
    for year in version.years:
        for key, amount in _year_amounts(year - 2016, ids).items():
            amounts[(year, key)] = amount
    savings = {year: SAVINGS[year - 2016] for year in version.years}
    return services.budget_version_save(
        version=version,
        expected_revision=version.revision,
        amounts=amounts,
        savings=savings,
        income_rule="percentage",
        income_service_percent=D("50"),
        by=by,
    )


def _agree_and_confirm(ctx, version, *, decided, minute, confirmed, acknowledge):
    services.budget_version_propose(version=version, by=ctx.commissioner)
    services.budget_version_decide(
        version=version,
        agree=True,
        decided_on=decided,
        minute_reference=minute,
        by=ctx.board,
    )
    notice = services.budget_version_confirm(version=version, by=ctx.commissioner, on=confirmed)
    if acknowledge:
        services.budget_notice_acknowledge(notice=notice, by=ctx.manager)
    return notice


def _budgets(ctx, ids):
    if BudgetVersion.objects.exists():
        return
    v1 = services.budget_version_start(
        kind=VersionKind.ANNUAL,
        reason="The first rolling five-year budget of the internally commissioned service.",
        start_year=2016,
        by=ctx.commissioner,
    )
    _fill(v1, ids, ctx.commissioner)
    _agree_and_confirm(
        ctx,
        v1,
        decided=datetime.date(2015, 12, 9),
        minute="LRA-SB/2015/14",
        confirmed=datetime.date(2015, 12, 14),
        acknowledge=True,
    )
    # The in-year change: archive search-room hours reduced from October 2016.
    v2 = services.budget_change_propose(
        budget_version=v1,
        changes={
            (2016, "staffing"): D("9770000"),
            **{
                (year, "staffing"): D("9800000") - D("300000") * (year - 2016) - D("60000")
                for year in range(2017, 2021)
            },
        },
        reason="Archive search-room hours reduced from 1 October 2016 (change request "
        "CR-2016-04), saving £30,000 in 2016/17 and £60,000 a year from 2017/18.",
        by=ctx.commissioner,
    )
    services.budget_version_decide(
        version=v2,
        agree=True,
        decided_on=datetime.date(2016, 9, 14),
        minute_reference="LRA-SB/2016/11",
        by=ctx.board,
    )
    notice = services.budget_version_confirm(
        version=v2, by=ctx.commissioner, on=datetime.date(2016, 9, 16)
    )
    services.budget_notice_acknowledge(notice=notice, by=ctx.manager)
    # The annual refresh: 2017/18 funding confirmed in December 2016.
    v3 = services.budget_version_start(
        kind=VersionKind.ANNUAL,
        reason="The annual refresh: 2017/18 to 2021/22, with fees up 3% a year and the "
        "2021/22 savings target added.",
        by=ctx.commissioner,
    )
    amounts = {(line.start_year, line.key): line.amount for line in v3.lines.all()}
    amounts[(2021, "staffing")] = D("8500000") - D("60000")
    amounts[(2021, "fees")] = D("1200000")
    savings = {year: SAVINGS[year - 2016] for year in v3.years}
    services.budget_version_save(
        version=v3,
        expected_revision=v3.revision,
        amounts=amounts,
        savings=savings,
        by=ctx.commissioner,
    )
    _agree_and_confirm(
        ctx,
        v3,
        decided=datetime.date(2016, 12, 7),
        minute="LRA-SB/2016/14",
        confirmed=datetime.date(2016, 12, 12),
        acknowledge=False,
    )


def _monitoring(ctx, ids):
    """2016/17 month by month: on budget, except premises (a boiler replacement
    and business rates revaluation) forecast 5% over from September."""
    from .selectors import version_for_year

    version = version_for_year(2016)
    annual = {}
    for line in version.lines.filter(start_year=2016):
        annual[line.category] = annual.get(line.category, calc.ZERO) + line.amount
    for index, month in enumerate(
        [datetime.date(2016 + (m < 4), m, 1) for m in [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]]
    ):
        lines = {}
        for category in calc.CATEGORY_ORDER:
            budget = annual.get(category, calc.ZERO)
            actual = calc.money(budget / 12 * (D("1.004") if index % 2 else D("0.997")))
            forecast = calc.money(budget * D("1.003"))
            if category == Category.PREMISES:
                actual = calc.money(budget / 12 * D("1.05"))
                forecast = calc.money(budget * (D("1.05") if index >= 5 else D("1.004")))
            lines[category] = (actual, forecast)
        services.monitoring_month_save(month=month, lines=lines, by=ctx.manager)
    services.exception_explain(
        month=datetime.date(2016, 9, 1),
        category=Category.PREMISES,
        text="The boiler at the central library failed in August and was replaced "
        "(£70,000), and the business rates revaluation added £50,000. Property is "
        "seeking a contribution from the council's capital programme.",
        by=ctx.manager,
    )


def load(ctx):
    services.the_budget()
    ids = {name: s.pk for name, s in _support_services(ctx).items()}
    _budgets(ctx, ids)
    _monitoring(ctx, ids)
    ctx.notes.append(
        "Funding: budget versions 1-3 (2016/17 to 2021/22), 2017/18 funding confirmed "
        "12 December 2016, monthly actuals for 2016/17 with premises over tolerance."
    )
