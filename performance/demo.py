"""The performance chapter of the demo story (see lra_commissioning.story).

Every month from April 2016 to last month: the KPI return (opened, filled in
from performance.demo_figures, submitted within ten working days, reviewed by
the commissioner), the management report (submitted and reviewed). 2016/17
matches the council's published totals: items issued 4,928,717; library
visits 5,231,868; active borrowers 162,792 (year end); home library service
customers 1,428 (year end, red); archive documents produced 30,679; births
registered 18,742; deaths registered 15,419; ceremonies 6,452. One return
late (November 2016), one value queried and answered each September; last
month's return waits for review with one value queried. Action plans follow
the figures' story (home library customers red in 2016/17; one KPI amber in
most years, recovered the year after; one red the year before last, closed
last year; one amber now, its plan open); one escalation each year, answered
by the board; comparator values for 2016/17.
"""

import datetime

from django.core.files.base import ContentFile

from lra_commissioning import dates
from lra_commissioning import services as core_services

from . import demo_figures, rag, services
from .models import (
    ActionPlan,
    ActionStatus,
    ComparatorValue,
    Escalation,
    ManagementReport,
    MonthlyReturn,
)

QUERY = {
    "REG01": "This is well below last month. Please check the figure from RON and explain "
    "the drop.",
    "REG03": "This is below the floor for a second month. Please confirm it against the booking "
    "system and say what the action plan is doing about it.",
}


def figures_story(current_year: int) -> dict:
    """Which KPI the figures steer amber or red, and when (see demo_figures)."""
    story = dict(demo_figures.DEFAULT_STORY)
    for start_year in range(2017, current_year - 2):
        story[("REG02" if start_year % 2 else "REG01", start_year)] = demo_figures.AMBER
    if current_year - 2 >= 2017:
        story[("ARC02", current_year - 2)] = demo_figures.RED
    story[("REG03", current_year)] = demo_figures.AMBER
    return story


COMPARATORS = {
    # code: illustrative 2016/17 totals of 15 comparator county councils, imported
    # per 1,000 residents (see POPULATIONS_2016)
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


# Illustrative mid-2016 resident populations of the comparators, in AUTHORITIES' order.
POPULATIONS_2016 = [
    1_460_000,
    1_360_000,
    1_180_000,
    1_170_000,
    1_210_000,
    890_000,
    780_000,
    870_000,
    810_000,
    790_000,
    750_000,
    690_000,
    650_000,
    620_000,
    680_000,
]
COMPARATOR_SOURCE = "Illustrative figures (demonstration data)"
# This council's resident population: an illustrative mid-2016 estimate, growing
# a little each year; the estimate for a year is published the June after it.
RESIDENTS_2016 = 1_540_400
RESIDENTS_GROWTH = 1.009


def residents_in(start_year: int) -> int:
    return round(RESIDENTS_2016 * RESIDENTS_GROWTH ** (start_year - 2016))


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


def _load_comparators(ctx):
    if ComparatorValue.objects.exists():
        return
    lines = ["kpi_code,year,authority,value,source"]
    for code, values in COMPARATORS.items():
        for authority, value, residents in zip(AUTHORITIES, values, POPULATIONS_2016, strict=True):
            per_1000 = round(value * 1000 / residents, 1)
            lines.append(f"{code},2016/17,{authority},{per_1000},{COMPARATOR_SOURCE}")
    upload = services.comparators_upload_parse(
        uploaded=ContentFile("\n".join(lines).encode(), name="comparators-2016-17.csv"),
        by=ctx.admin,
    )
    services.comparators_upload_confirm(upload=upload, by=ctx.admin)


def _at(story, day, hour, minute=0):
    return story.moment(day, hour, minute)


def _return_events(story, month, figures):
    ctx = story.ctx
    m, c = ctx.manager, ctx.commissioner
    ended = dates.month_end(month)
    is_last = month == story.last_month
    opened = _at(story, dates.nth_working_day_after(ended, 2), 9, 30)
    submitted = _at(story, dates.nth_working_day_after(ended, 7), 16)
    if month == datetime.date(2016, 11, 1):  # the late one
        submitted = _at(story, dates.nth_working_day_after(ended, 13), 11)
    reviewed = _at(story, dates.nth_working_day_after(submitted.date(), 3), 15)
    if is_last:
        opened = story.before_now(opened, margin_minutes=90)
        submitted = story.before_now(submitted, margin_minutes=60)
        reviewed = story.before_now(reviewed, margin_minutes=20)

    def the_return():
        return MonthlyReturn.objects.get(month=month)

    def fill():
        monthly_return = services.monthly_return_open(month=month, by=m)
        entries = {}
        for value in monthly_return.values.all():
            figure = demo_figures.monthly_value(value.kpi_code, month, figures)
            if figure is None:
                continue
            entries[value.pk] = {
                "value": figure,
                "commentary": _commentary(value.kpi_code, month),
            }
        services.kpi_values_save(monthly_return=monthly_return, entries=entries, by=m)

    def submit():
        services.monthly_return_submit(monthly_return=the_return(), by=m)

    queried = "REG03" if is_last else ("REG01" if month.month == 9 else None)

    def review():
        monthly_return = the_return()
        decisions = {}
        for value in monthly_return.values.all():
            if value.kpi_code == queried:
                decisions[value.pk] = ("query", QUERY[queried])
            elif not is_last:
                decisions[value.pk] = ("accept", "")
        services.monthly_return_review(monthly_return=monthly_return, decisions=decisions, by=c)

    def answer():
        monthly_return = the_return()
        value = monthly_return.values.get(kpi_code=queried)
        services.monthly_return_resubmit(
            monthly_return=monthly_return,
            reasons={
                value.pk: "Checked against RON: the figure is right. Two registrars were "
                "off sick for most of the month; cover is now in place."
            },
            by=m,
        )

    def accept_answer():
        monthly_return = the_return()
        value = monthly_return.values.get(kpi_code=queried)
        services.monthly_return_review(
            monthly_return=monthly_return, decisions={value.pk: ("accept", "")}, by=c
        )

    story.on(opened, fill, label=f"return {month:%Y-%m}")
    story.on(submitted, submit)
    if story.on(reviewed, review) and queried and not is_last:
        answered = dates.nth_working_day_after(reviewed.date(), 2)
        story.on(_at(story, answered, 11), answer)
        story.on(_at(story, dates.nth_working_day_after(answered, 1), 14), accept_answer)


def _report_events(story, month):
    ctx = story.ctx
    ended = dates.month_end(month)
    submitted = _at(story, dates.nth_working_day_after(ended, 8), 14)
    reviewed = _at(story, dates.nth_working_day_after(submitted.date(), 4), 11)

    def submit():
        report = services.management_report_save(
            month=month,
            highlights=_highlights(month),
            risks_and_issues=_risks(month, story),
            finance_summary="Net spend within budget tolerance; fee income on profile."
            if month.month % 3
            else "Net spend within budget tolerance; the quarter's forecast is attached to "
            "the budget monitoring.",
            by=ctx.manager,
        )
        if month == datetime.date(2017, 9, 1):
            services.report_attachment_add(
                report=report,
                uploaded=ContentFile(
                    b"category,budget,forecast\nStaffing,12400000,12380000\n"
                    b"Fees and charges,-3200000,-3152000\n",
                    name="September 2017 finance summary.csv",
                ),
                by=ctx.manager,
            )
        services.management_report_submit(report=report, by=ctx.manager)

    def review():
        services.management_report_review(
            report=ManagementReport.objects.get(month=month),
            comments="Thank you. Noted; please keep the board informed of anything outside "
            "tolerance.",
            by=ctx.commissioner,
        )

    story.on(submitted, submit, label=f"management report {month:%Y-%m}")
    story.on(reviewed, review)


HIGHLIGHTS = {
    4: "Spring activities in every library; the new year's specification came into force.",
    5: "Summer Reading Challenge planned with schools; registration appointments on profile.",
    6: "Summer Reading Challenge sign-ups opened; wedding season under way.",
    7: "Summer Reading Challenge launched in every library; ceremonies at their peak.",
    8: "Summer Reading Challenge completions ahead of last year; ceremonies fully booked.",
    9: "Summer Reading Challenge medals presented; autumn events programme published.",
    10: "Black History Month events in twenty libraries; archive open day well attended.",
    11: "Digital skills sessions busy ahead of the winter; volunteer drivers recruited.",
    12: "Winter opening hours; death registrations rising as every winter.",
    1: "Winter pressures on death registration managed with cover between districts.",
    2: "Half-term events; the business plan for next year drafted.",
    3: "Year-end stock check complete; the business plan submitted.",
}


def _highlights(month):
    text = HIGHLIGHTS[month.month]
    if dates.financial_year_of(month) == demo_figures.COVID_YEAR:
        text = "Buildings open as the pandemic rules allowed; e-lending and click-and-collect " + (
            "kept readers served. " + text
        )
    return text


def _risks(month, story):
    for (code, start_year), _state in figures_story(story.current_year).items():
        if start_year == dates.financial_year_of(month) and month.month not in (4,):
            return f"{code} below target: an action plan is open or being prepared."
    return "No KPI outside tolerance this month."


# Action plans: (kpi code, year, trigger, summary, actions (description, owner)).
PLAN_TEXTS = {
    "LIB05": (
        "Rebuild referrals to the home library service with adult social care and the "
        "voluntary sector, and recruit volunteers to serve new customers.",
        [
            (
                "Agree a referral route with adult social care locality teams",
                "Libraries operations manager",
            ),
            ("Recruit 40 home library volunteers", "Volunteer co-ordinator"),
            ("Promote the service through GP surgeries and pharmacies", "Marketing officer"),
        ],
    ),
    "REG01": (
        "Release more death registration appointments in the busiest districts and share "
        "registrars between districts in the winter.",
        [
            ("Release extra appointments each Monday", "Registration service manager"),
            ("Agree cover between districts for the winter", "Registration service manager"),
            ("Review the booking system's appointment templates", "Registration systems officer"),
        ],
    ),
    "REG02": (
        "Bring birth registration appointments back within five working days by opening "
        "Saturday morning sessions in three districts.",
        [
            ("Open Saturday morning sessions in three districts", "Registration service manager"),
            ("Train two more deputy registrars", "Registration training lead"),
            ("Publish waiting times on the council website", "Digital content officer"),
        ],
    ),
    "REG03": (
        "Bring death registration appointments back within two working days: cover "
        "between districts and more appointments released each Monday.",
        [
            ("Release extra appointments each Monday", "Registration service manager"),
            ("Agree cover between districts", "Registration service manager"),
            ("Report weekly availability to the head of service", "Registration systems officer"),
        ],
    ),
    "ARC02": (
        "Clear the backlog of archive enquiries: volunteers on routine look-ups and a "
        "temporary archivist for six months.",
        [
            ("Recruit a temporary archivist for six months", "County archivist"),
            ("Train volunteers to answer routine look-ups", "Archive volunteer co-ordinator"),
            ("Publish the top twenty answers online", "County archivist"),
        ],
    ),
}


def _plan_events(story, code, start_year, state):
    ctx = story.ctx
    m = ctx.manager
    current = start_year == story.current_year
    if code == "LIB05" and start_year == 2016:
        opened_on, trigger_month = datetime.date(2016, 9, 20), datetime.date(2016, 8, 1)
    else:
        opened_on, trigger_month = (
            story.working(datetime.date(start_year, 7, 15)),
            datetime.date(start_year, 6, 1),
        )
    summary, actions = PLAN_TEXTS[code]
    dues = [
        story.working(opened_on + datetime.timedelta(days=45)),
        story.working(opened_on + datetime.timedelta(days=105)),
        story.working(opened_on + datetime.timedelta(days=190)),
    ]
    done = [True, True, True]
    if current:
        dues[1] = max(dues[1], story.working(story.today + datetime.timedelta(days=21)))
        dues[2] = max(dues[2], story.working(story.today + datetime.timedelta(days=60)))
        done = [True, False, False]
    closed_on = story.working(datetime.date(start_year + 1, 8, 12))

    def plan():
        return ActionPlan.objects.get(kpi_code=code, opened_for_month=trigger_month)

    def open_plan():
        new = services.action_plan_open(
            kpi_code=code,
            month=trigger_month,
            trigger="Red this period" if state == demo_figures.RED else "Amber this period",
            summary=summary,
            by=m,
        )
        for (description, owner), due_on in zip(actions, dues, strict=True):
            services.action_add(plan=new, description=description, owner=owner, due_on=due_on, by=m)

    def progress(n, status):
        def step():
            action = plan().actions.order_by("due_on")[n]
            services.action_update_status(action=action, status=status, by=m)

        return step

    def close():
        services.action_plan_close(
            plan=plan(),
            reason="recovered",
            note=f"{code} back on target for three months.",
            latest_rating=rag.GREEN,
            by=ctx.commissioner,
        )

    if not story.on(opened_on, open_plan, hour=11, label=f"action plan {code} {start_year}"):
        return
    for n, due_on in enumerate(dues):
        if done[n]:
            story.on(
                story.working(due_on - datetime.timedelta(days=6)),
                progress(n, ActionStatus.DONE),
                hour=15,
            )
        elif n == 1:
            story.on(
                story.before_now(story.moment(opened_on + datetime.timedelta(days=30), 15)),
                progress(n, ActionStatus.IN_PROGRESS),
            )
    if not current:
        story.on(closed_on, close, hour=10)


ESCALATIONS = [
    (
        "Fee income forecast below budget",
        "financial",
        "WS02",
        "Ceremony bookings are behind profile after the fee review; the service cannot absorb "
        "the shortfall within its budget tolerance without reducing opening hours.",
        "The board accepts the shortfall this year and asks for a fees proposal with next "
        "year's budget.",
    ),
    (
        "Central library roof repairs",
        "operational",
        "",
        "Water came through the roof of the central library in two storms; the reference "
        "floor is closed until Property repairs it.",
        "The board asks Property for a date for the repairs and agrees a temporary service "
        "from the ground floor.",
    ),
    (
        "Registration system replacement",
        "operational",
        "",
        "The national registration system changes next year; local booking must be rebuilt "
        "to work with it, and the ICT plan has no capacity before the autumn.",
        "The board asks ICT to bring the work forward and will review progress at its next "
        "meeting.",
    ),
]


def _escalation_events(story, start_year):
    ctx = story.ctx
    from board.demo import board_day

    title, kind, kpi_code, description, response = ESCALATIONS[start_year % len(ESCALATIONS)]
    title = f"{title} ({dates.financial_year_label(start_year)})"
    raised_on = story.working(datetime.date(start_year, 10, 20))
    answered_on = board_day(start_year, 12)
    if start_year == story.current_year:
        # This year's was raised and answered, whatever day the demo is loaded on.
        raised = story.before_now(story.moment(raised_on, 11), margin_minutes=60 * 24 * 20)
        answered = story.before_now(story.moment(answered_on, 13), margin_minutes=60 * 24 * 5)
        if raised < story.moment(datetime.date(start_year, 4, 10), 9):
            return
    else:
        raised, answered = story.moment(raised_on, 11), story.moment(answered_on, 13)

    def raise_it():
        services.escalation_raise(
            title=title, kind=kind, kpi_code=kpi_code, description=description, by=ctx.manager
        )

    def answer():
        services.escalation_respond(
            escalation=Escalation.objects.get(title=title), response=response, by=ctx.board
        )

    story.on(raised, raise_it)
    story.on(answered, answer)


def chapter(story):
    figures = figures_story(story.current_year)
    month = demo_figures.FIRST_MONTH
    while month <= story.last_month:
        _return_events(story, month, figures)
        _report_events(story, month)
        month = dates.add_months(month, 1)
    for (code, start_year), state in sorted(figures.items(), key=lambda kv: kv[0][1]):
        _plan_events(story, code, start_year, state)
    for start_year in story.years:
        _escalation_events(story, start_year)
    for start_year in story.years:
        story.on(
            datetime.date(start_year + 1, 6, 25),
            lambda y=start_year: core_services.financial_year_set_population(
                start_year=y, residents=residents_in(y), by=story.ctx.admin
            ),
            hour=9,
            label=f"resident population {start_year}",
        )
    story.on(
        datetime.date(2017, 10, 16),
        lambda: _load_comparators(story.ctx),
        hour=14,
        label="comparators",
    )
