"""Demo data for performance; called by `manage.py load_demo` (safe to run twice).

Monthly returns for all of 2016/17 and April to October 2017, through the
services, consistent with the council's published 2016/17 totals: items
issued 4,928,717; library visits 5,231,868; active borrowers 162,792 (year
end); home library service customers 1,428 (year end, red); archive documents
produced 30,679; births registered 18,742; deaths registered 15,419;
ceremonies 6,452. One return is late, one value is queried, October 2017 waits
for review; management reports, the home library action plan, one escalation
and comparator values come with it.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from lra_commissioning import dates

from . import periods, services
from .models import (
    ActionPlan,
    ActionStatus,
    ComparatorValue,
    Escalation,
    ManagementReport,
    MonthlyReturn,
    ReturnStatus,
)

# Seasonal shares, April first.
LIBRARY_SEASON = [83, 84, 80, 96, 98, 81, 84, 82, 66, 85, 80, 83]
CEREMONY_SEASON = [50, 80, 110, 125, 130, 100, 65, 40, 35, 30, 45, 55]
EVEN = [1] * 12
BIRTHS = [82, 84, 85, 88, 87, 86, 85, 82, 79, 83, 80, 85]
DEATHS = [82, 78, 74, 75, 74, 76, 82, 87, 96, 100, 90, 86]

# code: (2016/17 annual total, seasonal shares) for summed counts.
TOTALS_2016 = {
    "LIB01": (5_231_868, LIBRARY_SEASON),
    "LIB02": (4_928_717, LIBRARY_SEASON),
    "LIB03": (612_450, EVEN),
    "LIB07": (254_310, [70, 75, 70, 140, 150, 60, 80, 90, 100, 50, 55, 60]),
    "REG05": (18_742, BIRTHS),
    "REG06": (15_419, DEATHS),
    "REG07": (6_452, CEREMONY_SEASON),
    "ARC01": (30_679, [84, 85, 82, 86, 80, 84, 88, 87, 70, 88, 86, 85]),
    "ARC04": (11_620, EVEN),
    "WS01": (60_840, EVEN),
    "WS02": (3_152_300, CEREMONY_SEASON),
}
# Values at the end of each month (latest-value KPIs), April first.
LATEST_2016 = {
    "LIB04": [
        166_210,
        165_830,
        165_400,
        166_020,
        165_610,
        164_900,
        164_480,
        164_020,
        163_560,
        163_300,
        163_010,
        162_792,
    ],
    "LIB05": [1_562, 1_548, 1_531, 1_515, 1_503, 1_494, 1_482, 1_470, 1_461, 1_450, 1_439, 1_428],
}
# Monthly percentages or days (average KPIs).
AVERAGE_2016 = {
    "REG01": [91.2, 90.8, 89.5, 88.9, 90.4, 91.0, 92.1, 91.7, 86.0, 84.2, 89.9, 91.3],
    "REG02": [96.1, 95.8, 95.2, 94.7, 95.5, 96.0, 96.3, 96.8, 95.1, 94.9, 95.7, 96.2],
    "REG03": [95.5, 95.2, 94.8, 95.1, 95.6, 95.9, 95.3, 94.6, 93.8, 92.4, 94.9, 95.4],
    "REG04": [2.6, 2.8, 3.1, 3.4, 3.2, 2.9, 2.7, 2.8, 3.6, 3.9, 3.0, 2.7],
    "ARC02": [96.4, 95.9, 96.2, 95.1, 94.8, 96.5, 97.0, 96.3, 95.7, 96.1, 96.8, 97.2],
}
QUARTERLY_2016 = {"LIB06": [95.8, 96.1, 95.4, 96.3], "REG08": [97.2, 96.8, 97.5, 97.9]}
ANNUAL_2016 = {"ARC03": 94.0}

GROWTH_2017 = Decimal("1.02")
LATE_MONTH = datetime.date(2016, 11, 1)
QUERIED_MONTH = (datetime.date(2017, 9, 1), "REG01")
UNREVIEWED_MONTH = datetime.date(2017, 10, 1)
LAST_MONTH = datetime.date(2017, 10, 1)

COMPARATORS = {
    # code: values of 15 comparator county councils for 2016/17
    "LIB01": [
        6_120_000,
        5_480_000,
        4_950_000,
        4_410_000,
        3_980_000,
        3_720_000,
        3_390_000,
        3_150_000,
        2_980_000,
        2_640_000,
        2_410_000,
        2_170_000,
        1_980_000,
        1_760_000,
        1_520_000,
    ],
    "LIB02": [
        5_610_000,
        5_120_000,
        4_700_000,
        4_330_000,
        3_950_000,
        3_610_000,
        3_320_000,
        3_010_000,
        2_890_000,
        2_560_000,
        2_300_000,
        2_050_000,
        1_870_000,
        1_640_000,
        1_410_000,
    ],
    "LIB05": [
        2_310,
        1_980,
        1_740,
        1_650,
        1_390,
        1_210,
        1_150,
        980,
        910,
        870,
        820,
        640,
        560,
        510,
        430,
    ],
    "ARC01": [
        41_200,
        35_600,
        28_900,
        26_100,
        24_300,
        22_800,
        19_900,
        18_400,
        17_100,
        15_600,
        14_200,
        12_900,
        11_300,
        9_800,
        8_700,
    ],
}
AUTHORITIES = [
    "Essex",
    "Hampshire",
    "Surrey",
    "Hertfordshire",
    "Lancashire",
    "Norfolk",
    "Devon",
    "Staffordshire",
    "Nottinghamshire",
    "Derbyshire",
    "Suffolk",
    "Leicestershire",
    "Cambridgeshire",
    "Gloucestershire",
    "Oxfordshire",
]


def split_total(total: int, shares: list[int]) -> list[int]:
    """Split a total into parts in proportion to `shares`, summing exactly (largest remainder)."""
    weight = sum(shares)
    raw = [Decimal(total) * s / weight for s in shares]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _monthly_values_2016() -> dict[str, list]:
    values = {code: split_total(total, shares) for code, (total, shares) in TOTALS_2016.items()}
    values.update(LATEST_2016)
    values.update(AVERAGE_2016)
    return values


def value_for(code: str, month: datetime.date, frequency: str):
    """The demo value of a KPI for the period ending in `month` (None when none)."""
    index = dates.month_number_in_year(month) - 1
    year = dates.financial_year_of(month)
    base = _monthly_values_2016()
    if frequency == "quarterly":
        series = QUARTERLY_2016.get(code)
        value = series[index // 3] if series else None
        return None if value is None else Decimal(str(value))
    if frequency == "annual":
        value = ANNUAL_2016.get(code)
        return None if value is None else Decimal(str(value))
    if code == "LIB08":
        return Decimal(900 + 40 * index)
    if code not in base:
        return None
    value = Decimal(str(base[code][index]))
    if year == 2016:
        return value
    if code == "LIB05":
        return Decimal(1_430 + 3 * index)
    if code in AVERAGE_2016:
        return value
    return (value * GROWTH_2017).quantize(Decimal(1))


def _at(day: datetime.date, hour=10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _load_returns(ctx):
    month = datetime.date(2016, 4, 1)
    while month <= LAST_MONTH:
        existing = MonthlyReturn.objects.filter(month=month).first()
        if existing is not None and existing.status != ReturnStatus.DRAFT:
            month = dates.add_months(month, 1)
            continue
        monthly_return = services.monthly_return_open(month=month, by=ctx.manager)
        entries = {}
        for value in monthly_return.values.select_related("kpi"):
            figure = value_for(value.kpi_code, month, value.kpi.frequency)
            if figure is None:
                figure = Decimal(0)
            entries[value.pk] = {
                "value": figure,
                "commentary": _commentary(value.kpi_code, month),
            }
        services.kpi_values_save(monthly_return=monthly_return, entries=entries, by=ctx.manager)
        due = periods.due_date(month)
        submitted_on = (
            due + datetime.timedelta(days=6)
            if month == LATE_MONTH
            else dates.nth_working_day_after(dates.month_end(month), 7)
        )
        services.monthly_return_submit(
            monthly_return=monthly_return, by=ctx.manager, now=_at(submitted_on)
        )
        if month != UNREVIEWED_MONTH:
            decisions = {}
            for value in monthly_return.values.all():
                if (month, value.kpi_code) == QUERIED_MONTH:
                    decisions[value.pk] = (
                        "query",
                        "This is well below August. Please check the figure from RON "
                        "and explain the drop.",
                    )
                else:
                    decisions[value.pk] = ("accept", "")
            services.monthly_return_review(
                monthly_return=monthly_return,
                decisions=decisions,
                by=ctx.commissioner,
                now=_at(submitted_on + datetime.timedelta(days=3), 15),
            )
        month = dates.add_months(month, 1)


def _commentary(code, month):
    if code == "LIB05":
        return (
            "Customer numbers keep falling as long-standing customers leave the service; "
            "referrals from adult social care have slowed. See the action plan."
        )
    if code == "REG07" and month.month in (7, 8):
        return "Peak wedding season; all venues fully booked."
    if code == "REG01" and month.month in (12, 1):
        return "Winter pressures: more deaths registered than appointments available."
    return ""


def _load_reports(ctx):
    month = datetime.date(2016, 4, 1)
    while month <= LAST_MONTH:
        if ManagementReport.objects.filter(month=month).exclude(status="draft").exists():
            month = dates.add_months(month, 1)
            continue
        report = services.management_report_save(
            month=month,
            highlights=f"Summer Reading Challenge sign-ups ahead of last year. "
            f"Ceremonies on profile for {month:%B}.",
            risks_and_issues="Home library service customer numbers below floor (action plan "
            "open). Fee income behind profile.",
            finance_summary="Net spend within budget tolerance; fee income forecast £48,000 "
            "below budget.",
            by=ctx.manager,
        )
        if month == datetime.date(2017, 9, 1) and not report.attachments.exists():
            services.report_attachment_add(
                report=report,
                uploaded=ContentFile(
                    b"category,budget,forecast\nStaffing,12400000,12380000\n"
                    b"Fees and charges,-3200000,-3152000\n",
                    name="September 2017 finance summary.csv",
                ),
                by=ctx.manager,
            )
        submitted_on = dates.nth_working_day_after(dates.month_end(month), 8)
        services.management_report_submit(report=report, by=ctx.manager, now=_at(submitted_on))
        if month != UNREVIEWED_MONTH:
            services.management_report_review(
                report=report,
                comments="Thank you. Noted the fee income position; please keep the board "
                "informed.",
                by=ctx.commissioner,
                now=_at(submitted_on + datetime.timedelta(days=4)),
            )
        month = dates.add_months(month, 1)


def _load_plan_and_escalation(ctx):
    if not ActionPlan.objects.filter(kpi_code="LIB05").exists():
        plan = services.action_plan_open(
            kpi_code="LIB05",
            month=datetime.date(2016, 9, 1),
            trigger="Red this period",
            summary="Rebuild referrals to the home library service with adult social care "
            "and the voluntary sector, and recruit volunteers to serve new customers.",
            by=ctx.manager,
        )
        for description, owner, due_on, status in [
            (
                "Agree a referral route with adult social care locality teams",
                "Libraries operations manager",
                datetime.date(2016, 11, 30),
                ActionStatus.DONE,
            ),
            (
                "Recruit 40 home library volunteers",
                "Volunteer co-ordinator",
                datetime.date(2017, 3, 31),
                ActionStatus.DONE,
            ),
            (
                "Promote the service through GP surgeries and pharmacies",
                "Marketing officer",
                datetime.date(2017, 8, 31),
                ActionStatus.IN_PROGRESS,
            ),
            (
                "Review eligibility criteria with the commissioner",
                "Head of service",
                datetime.date(2017, 12, 15),
                ActionStatus.NOT_STARTED,
            ),
        ]:
            action = services.action_add(
                plan=plan, description=description, owner=owner, due_on=due_on, by=ctx.manager
            )
            if status != ActionStatus.NOT_STARTED:
                services.action_update_status(
                    action=action, status=status, by=ctx.manager, today=due_on
                )
    if not Escalation.objects.exists():
        services.escalation_raise(
            title="Fee income forecast £48,000 below budget",
            kind="financial",
            kpi_code="WS02",
            description="Ceremony bookings for 2017/18 are behind profile after the fee "
            "review; the service cannot absorb the shortfall within its budget tolerance "
            "without reducing opening hours.",
            by=ctx.manager,
            now=_at(datetime.date(2017, 10, 20)),
        )


def _load_comparators(ctx):
    if ComparatorValue.objects.exists():
        return
    lines = ["kpi_code,year,authority,value"]
    for code, values in COMPARATORS.items():
        for authority, value in zip(AUTHORITIES, values, strict=True):
            lines.append(f"{code},2016/17,{authority},{value}")
    upload = services.comparators_upload_parse(
        uploaded=ContentFile("\n".join(lines).encode(), name="comparators-2016-17.csv"),
        by=ctx.admin,
    )
    services.comparators_upload_confirm(upload=upload, by=ctx.admin)


def load(ctx):
    """Add this app's demo records. `ctx` is a lra_commissioning.demo.DemoContext."""
    _load_returns(ctx)
    _load_reports(ctx)
    _load_plan_and_escalation(ctx)
    _load_comparators(ctx)
