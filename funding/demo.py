"""The funding chapter of the demo story (see lra_commissioning.story).

A five-year budget from 2016/17 at the scale of a large county service (£16m
gross, £14.5m net, £1.3m savings required in the first year), agreed by the
board in December 2015; an in-year change in September 2016 with its notice;
every later year's annual refresh started in November, agreed by the board in
December and confirmed before 31 December (next year's is still to be
confirmed until then); monthly actuals up to last month, with premises over
tolerance in 2016/17 and again this year, explained. Costs grow with
performance.demo_figures.yearly_factor. Everything goes through the services.
"""

import datetime
from decimal import Decimal

from lra_commissioning import dates

from . import budget as calc
from . import services
from .models import OPEN_STATUSES, BudgetVersion, Category, VersionKind, VersionStatus

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


def _year_amounts(start_year, ids):
    """Lines for a year: staffing falls as the first four years' savings are made, then
    everything grows with pay awards and prices."""
    from performance.demo_figures import yearly_factor

    i = min(start_year - 2016, 4)
    factor = yearly_factor(start_year)
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
    return {key: calc.money(amount * factor / 1000) * 1000 for key, amount in lines.items()}


def _savings(start_year):
    return SAVINGS[start_year - 2016] if start_year - 2016 < len(SAVINGS) else D("500000")


def _open_version():
    return BudgetVersion.objects.filter(status__in=OPEN_STATUSES).order_by("-number").first()


def _annual_events(story, start_year, ids):
    """The refresh that confirms `start_year`'s funding (the first budget for 2016/17)."""
    ctx = story.ctx
    c = ctx.commissioner
    from board.demo import board_day

    def start():
        if start_year == 2016:
            version = services.budget_version_start(
                kind=VersionKind.ANNUAL,
                reason="The first rolling five-year budget of the internally commissioned service.",
                start_year=2016,
                by=c,
            )
        else:
            version = services.budget_version_start(
                kind=VersionKind.ANNUAL,
                reason=f"The annual refresh: {dates.financial_year_label(start_year)} to "
                f"{dates.financial_year_label(start_year + 4)}, with costs updated for pay and "
                "prices and the new final year added.",
                by=c,
            )
        amounts = {(line.start_year, line.key): line.amount for line in version.lines.all()}
        for year in version.years:
            if start_year == 2016 or year == start_year + 4:
                for key, amount in _year_amounts(year, ids).items():
                    amounts[(year, key)] = amount
        services.budget_version_save(
            version=version,
            expected_revision=version.revision,
            amounts=amounts,
            savings={year: _savings(year) for year in version.years},
            income_rule="percentage",
            income_service_percent=D("50"),
            by=c,
        )

    def propose():
        services.budget_version_propose(version=_open_version(), by=c)

    decided_on = board_day(start_year - 1, 12)

    def decide():
        services.budget_version_decide(
            version=_open_version(),
            agree=True,
            decided_on=decided_on,
            minute_reference=f"LRA-SB/{decided_on.year}/{decided_on.month:02d}-2",
            by=ctx.board,
        )

    def confirm():
        version = (
            BudgetVersion.objects.filter(status=VersionStatus.AGREED).order_by("-number").first()
        )
        notice = services.budget_version_confirm(version=version, by=c)
        services.budget_notice_acknowledge(notice=notice, by=ctx.manager)

    day = story.working
    story.on(
        day(datetime.date(start_year - 1, 11, 2)), start, hour=10, label=f"budget {start_year}"
    )
    story.on(day(datetime.date(start_year - 1, 11, 16)), propose, hour=15)
    story.on(decided_on, decide, hour=12)
    story.on(dates.nth_working_day_after(decided_on, 3), confirm, hour=10)


def _in_year_change(story, ids):
    """The in-year change: archive search-room hours reduced from October 2016."""
    ctx = story.ctx

    def propose():
        from .selectors import version_for_year

        v1 = version_for_year(2016)
        staffing = {
            (line.start_year, line.key): line.amount
            for line in v1.lines.filter(category="staffing")
        }
        services.budget_change_propose(
            budget_version=v1,
            changes={
                (2016, "staffing"): staffing[(2016, "staffing")] - D("30000"),
                **{
                    (year, "staffing"): staffing[(year, "staffing")] - D("60000")
                    for year in range(2017, 2021)
                },
            },
            reason="Archive search-room hours reduced from 1 October 2016 (change request "
            "CR-2016-04), saving £30,000 in 2016/17 and £60,000 a year from 2017/18.",
            by=ctx.commissioner,
        )

    def decide():
        services.budget_version_decide(
            version=_open_version(),
            agree=True,
            decided_on=datetime.date(2016, 9, 14),
            minute_reference="LRA-SB/2016/09-2",
            by=ctx.board,
        )
        notice = services.budget_version_confirm(
            version=BudgetVersion.objects.filter(status=VersionStatus.AGREED)
            .order_by("-number")
            .first(),
            by=ctx.commissioner,
        )
        services.budget_notice_acknowledge(notice=notice, by=ctx.manager)

    story.on(datetime.date(2016, 8, 30), propose, hour=11, label="in-year budget change 2016")
    story.on(datetime.date(2016, 9, 14), decide, hour=14)


def _over_from(story, start_year):
    """The month premises go over tolerance in a year (None: it stays within)."""
    if start_year == 2016:
        return datetime.date(2016, 9, 1)
    if start_year == story.current_year:
        first = datetime.date(start_year, 4, 1)
        return max(first, dates.add_months(story.last_month, -2))
    return None


EXPLANATIONS = {
    2016: "The boiler at the central library failed in August and was replaced (£70,000), "
    "and the business rates revaluation added £50,000. Property is seeking a contribution "
    "from the council's capital programme.",
}
EXPLANATION_NOW = (
    "Energy prices under the council's new contract are higher than budgeted across the "
    "libraries; Property is re-tendering, and the service is bringing forward LED lighting "
    "in the ten largest buildings to cut use."
)


def _monitoring_events(story, month):
    ctx = story.ctx
    start_year = dates.financial_year_of(month)
    index = dates.month_number_in_year(month) - 1
    over_from = _over_from(story, start_year)

    def save():
        from .selectors import version_for_year

        version = version_for_year(start_year)
        annual = {}
        for line in version.lines.filter(start_year=start_year):
            annual[line.category] = annual.get(line.category, calc.ZERO) + line.amount
        lines = {}
        for category in calc.CATEGORY_ORDER:
            budget = annual.get(category, calc.ZERO)
            actual = calc.money(budget / 12 * (D("1.004") if index % 2 else D("0.997")))
            forecast = calc.money(budget * D("1.003"))
            if category == Category.PREMISES and over_from is not None and month >= over_from:
                actual = calc.money(budget / 12 * D("1.06"))
                forecast = calc.money(budget * D("1.05"))
            lines[category] = (actual, forecast)
        services.monitoring_month_save(month=month, lines=lines, by=ctx.manager)
        if over_from is not None and month >= over_from:
            services.exception_explain(
                month=month,
                category=Category.PREMISES,
                text=EXPLANATIONS.get(start_year, EXPLANATION_NOW),
                by=ctx.manager,
            )

    day = dates.nth_working_day_after(dates.month_end(month), 6)
    when = story.moment(day, 16)
    if month == story.last_month:
        when = story.before_now(when, margin_minutes=45)
    story.on(when, save, label=f"monitoring {month:%Y-%m}")


def chapter(story):
    ctx = story.ctx
    ids = {}

    def setup():
        services.the_budget()
        ids.update({name: s.pk for name, s in _support_services(ctx).items()})

    story.on(datetime.date(2015, 11, 2), setup, hour=9, minute=30, label="budget setup")
    for start_year in [*story.years, story.current_year + 1]:
        _annual_events(story, start_year, ids)
    _in_year_change(story, ids)
    month = datetime.date(2016, 4, 1)
    while month <= story.last_month:
        _monitoring_events(story, month)
        month = dates.add_months(month, 1)
