"""The changes' chapter of the demo story (see lra_commissioning.story).

Every year: a minor variation in June (a KPI target lowered,
agreed by both sides and applied as version x.1) and a fundamental change
(raised in July, decided by the board at its September meeting, approved with
conditions and applied as version x.2 from October). In 2017/18 the
fundamental change reduces archive search-room hours with a saving and its
budget change notice, a third change is rejected and a service idea adopted.
This year (on a timetable that fits the days gone so far) the same, plus one
change waiting for the board's decision and one idea with the board.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from lra_commissioning import dates

from . import services
from .models import ChangeRequest, ServiceIdea


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


IMPACTS = {
    "impact_financial": "Saves £25,000 in 2017/18 and £50,000 a year from 2018/19 (1.6 FTE).",
    "impact_service_users": "About 40 Saturday visitors a week move to weekdays or the "
    "online catalogue; copies ordered online are unaffected.",
    "impact_equalities": "Working people lose Saturday access: a late opening on Thursdays "
    "until 7pm is added. Equality impact assessment EqIA-2017-031.",
    "impact_legal": "The archive remains open to the public as the Public Records Act "
    "requires of a place of deposit.",
    "impact_staffing": "1.6 FTE of search-room posts deleted through vacancies; no redundancies.",
}


def _rejected(ctx):
    change = services.change_request_raise(
        title="Replace two mobile library routes with a books-by-post service",
        description="End the two least-used mobile library routes and post books to their "
        "readers instead.",
        reason="The two vehicles need replacing next year at £180,000 each.",
        effective_on=datetime.date(2017, 12, 1),
        alters_objectives=True,
        contravenes_policy=False,
        affects_budget=True,
        by=ctx.manager,
        impact_financial="Avoids £360,000 of capital; postage costs £22,000 a year.",
        impact_service_users="310 regular readers, many elderly, lose their visit.",
        impact_equalities="Older and disabled rural readers are most affected.",
        impact_legal="The statutory duty for a comprehensive library service remains met.",
        impact_staffing="Two driver posts redeployed.",
    )
    services.change_item_save(
        change=change,
        kind="requirement",
        key="O4.R3",
        outcome_code="O4",
        text="Post books to readers the mobile library no longer reaches.",
        by=ctx.manager,
    )
    services.change_request_submit(change=change, by=ctx.manager)


def _rejected_decided(ctx):
    change = ChangeRequest.objects.get(
        title="Replace two mobile library routes with a books-by-post service"
    )
    services.change_request_decide(
        change=change,
        decision="rejected",
        decided_on=datetime.date(2017, 10, 11),
        minute_reference="LRA-SB/2017/11",
        comments="The board will not reduce rural provision; look for a shared vehicle instead.",
        by=ctx.board,
    )


def _awaiting(ctx, effective_on):
    change = services.change_request_raise(
        title="Charge for archive research by post",
        description="Introduce a £15 an hour charge for research the archive does for "
        "enquirers who cannot visit, in line with other county archives.",
        reason="Demand has doubled since 2015 and the work crowds out enquiries.",
        effective_on=effective_on,
        alters_objectives=False,
        contravenes_policy=True,
        affects_budget=False,
        by=ctx.manager,
        impact_financial="Income of about £12,000 a year.",
        impact_service_users="About 300 enquirers a year pay for research; the first half "
        "hour stays free.",
        impact_equalities="Fee remission for people on low incomes.",
        impact_legal="The council's charging policy must be amended by cabinet.",
        impact_staffing="No change to staffing.",
    )
    services.change_item_save(
        change=change,
        kind="requirement",
        key="O5.R3",
        outcome_code="O5",
        text="Offer paid research for enquirers who cannot visit, the first half hour free.",
        by=ctx.manager,
    )
    services.change_request_submit(change=change, by=ctx.manager)


def _idea_adopted(ctx):
    services.idea_propose(
        title="A library of things",
        description="Lend tools, sewing machines and musical instruments from the six largest "
        "libraries.",
        benefits="New users, less waste, and support for the council's climate pledge.",
        costs="£18,000 to set up; running costs met by a small lending charge.",
        risks="Damage and loss; safety testing of electrical items.",
        by=ctx.manager,
    )


def _idea_decided(ctx):
    adopted = ServiceIdea.objects.get(title="A library of things")
    services.idea_decide(
        idea=adopted,
        decision="adopted",
        decided_on=datetime.date(2017, 9, 13),
        minute_reference="LRA-SB/2017/10",
        comments="Pilot in two libraries first.",
        by=ctx.board,
    )


def _idea_with_board(ctx):
    services.idea_propose(
        title="Civil ceremonies at heritage venues",
        description="Offer registration ceremonies at three council-owned heritage buildings.",
        benefits="Income from ceremony fees and more use of the buildings.",
        costs="Licensing the venues (£4,500) and registrar travel.",
        risks="Weather and access at the venues; competition with private venues.",
        by=ctx.manager,
    )


# Month-end KPIs: a change of a summed KPI's target would also have to re-spread its
# monthly profile, which a change item cannot carry.
MINOR = ["LIB05", "LIB04"]
MINOR_REASONS = {
    "LIB05": "The volunteer driver scheme lost twelve drivers when the county's mileage rate "
    "changed; recruitment will take the rest of the year.",
    "LIB07": "Two town libraries close for refurbishment this summer, so fewer events can run.",
    "WS01": "Volunteering fell after the pandemic and is being rebuilt district by district.",
    "LIB04": "The library management system's annual purge removes borrowers inactive for "
    "three years, so the count falls before it grows again.",
    "REG07": "Two approved venues closed; couples are moving to the council's ceremony rooms.",
}
FUNDAMENTAL = [
    (
        "Open the ten largest libraries until 7pm on Thursdays",
        "O2.R2",
        "O2",
        "Give free access to computers and wi-fi in every library, with evening opening until "
        "7pm on Thursdays in the ten largest.",
        "Working residents asked for evening opening in the opening hours consultation.",
    ),
    (
        "Replace the smallest mobile library route with a pop-up library",
        "O4.R2",
        "O4",
        "Work with partners to reach isolated residents, including a monthly pop-up library "
        "in village halls the mobile library no longer visits.",
        "The smallest route's vehicle is at the end of its life; a pop-up library reaches "
        "more people for less.",
    ),
    (
        "Move rhyme-time to children's centres in three towns",
        "O1.R2",
        "O1",
        "Offer weekly rhyme-time and story-time sessions in every town library or, in three "
        "towns, the children's centre next door.",
        "The three libraries' children's areas are too small for the sessions' numbers.",
    ),
]


def _current_kpi(code):
    from specifications.selectors import version_in_force

    version = version_in_force(on=timezone.localdate())
    return version.kpis.get(code=code)


def _round_down(value: Decimal) -> Decimal:
    value = Decimal(value)
    if value < 100:
        return value.quantize(Decimal(1))
    unit = Decimal(10) ** (len(str(int(value))) - 3)
    return (value // unit) * unit


def _year_changes(story, start_year, timetable):
    """One minor variation and one fundamental change in a year, on `timetable` dates."""
    ctx = story.ctx
    m, c, b = ctx.manager, ctx.commissioner, ctx.board
    code = MINOR[start_year % len(MINOR)]
    title = f"Lower the {code} target for {dates.financial_year_label(start_year)}"

    def minor():
        kpi = _current_kpi(code)
        change = services.change_request_raise(
            title=title,
            description=f"Lower the {code} target ({kpi.title}) by 3% for the rest of the year, "
            "with its floor.",
            reason=MINOR_REASONS[code],
            effective_on=timetable["minor_effective"],
            alters_objectives=False,
            contravenes_policy=False,
            affects_budget=False,
            by=m,
        )
        services.change_item_save(
            change=change,
            kind="kpi",
            key=code,
            annual_target=_round_down(kpi.annual_target * Decimal("0.97")),
            floor=_round_down(kpi.floor * Decimal("0.97")),
            by=m,
        )
        services.change_request_submit(change=change, by=m)
        services.change_request_agree(change=change, side="service", by=m)

    def minor_agreed():
        change = ChangeRequest.objects.get(title=title)
        services.change_request_agree(change=change, side="council", by=c)

    story.on(timetable["minor_raised"], minor, hour=10, label=f"minor variation {start_year}")
    story.on(timetable["minor_agreed"], minor_agreed, hour=15)

    if start_year == 2017:
        big_title = "Reduce archive search-room hours"
    else:
        big_title = FUNDAMENTAL[start_year % len(FUNDAMENTAL)][0]
    big_title = f"{big_title} ({dates.financial_year_label(start_year)})"

    def fundamental():
        if start_year == 2017:
            _archive_hours(ctx, big_title, timetable["big_effective"])
            return
        _title, key, outcome, text, reason = FUNDAMENTAL[start_year % len(FUNDAMENTAL)]
        change = services.change_request_raise(
            title=big_title,
            description=text,
            reason=reason,
            effective_on=timetable["big_effective"],
            alters_objectives=True,
            contravenes_policy=False,
            affects_budget=False,
            by=c,
            **{**IMPACTS, "impact_financial": "Met within the service's budget."},
        )
        services.change_item_save(change=change, kind="requirement", key=key, text=text, by=c)

    def submit():
        services.change_request_submit(change=ChangeRequest.objects.get(title=big_title), by=c)

    decided_on = timetable["big_decided"]

    def decide():
        change = ChangeRequest.objects.get(title=big_title)
        services.change_request_decide(
            change=change,
            decision="approved_with_conditions",
            decided_on=decided_on,
            minute_reference=f"LRA-SB/{decided_on.year}/{decided_on.month:02d}-3",
            conditions="Review the effect on residents after six months and report to the board.",
            by=b,
        )

    def apply():
        # The head of service agrees the board's decision for the service, then it applies.
        change = services.change_request_agree(
            change=ChangeRequest.objects.get(title=big_title), side="service", by=m
        )
        change = services.change_request_apply(change=change, by=c)
        services.decision_notice_publish(decision=change.board_decision, by=c)
        if change.affects_budget:
            from funding.models import BudgetNotice
            from funding.services import budget_notice_acknowledge

            for notice in BudgetNotice.objects.filter(acknowledged_by__isnull=True):
                budget_notice_acknowledge(notice=notice, by=m)

    story.on(
        timetable["big_raised"], fundamental, hour=11, label=f"fundamental change {start_year}"
    )
    story.on(timetable["big_submitted"], submit, hour=16)
    story.on(decided_on, decide, hour=13)
    story.on(timetable["big_applied"], apply, hour=10)


def _archive_hours(ctx, title, effective_on):
    from funding.services import latest_agreed_version

    c = ctx.commissioner
    change = services.change_request_raise(
        title=title,
        description="Close the archive search room on Saturdays from 1 October 2017 and open "
        "it until 7pm on Thursdays.",
        reason="The council's savings programme: Saturday openings cost the most per visit.",
        effective_on=effective_on,
        alters_objectives=False,
        contravenes_policy=False,
        affects_budget=True,
        by=c,
        **IMPACTS,
    )
    services.change_item_save(
        change=change,
        kind="requirement",
        key="O5.R2",
        text="Answer archive enquiries promptly and open the search room to all on weekdays, "
        "with a late opening on Thursdays.",
        by=c,
    )
    budget = latest_agreed_version()
    for line in budget.lines.all():
        if line.key == "staffing" and line.start_year >= 2017:
            saving = Decimal("25000") if line.start_year == 2017 else Decimal("50000")
            services.change_budget_line_save(
                change=change,
                start_year=line.start_year,
                line_key="staffing",
                amount=line.amount - saving,
                by=c,
            )


def _timetable(story, start_year):
    """The year's dates: the usual ones, or, this year, ones that fit the days gone so far."""
    from board.demo import board_day

    day = story.working
    if start_year < story.current_year or story.today > board_day(
        start_year, 9
    ) + datetime.timedelta(days=3):
        decided = board_day(start_year, 9)
        return {
            "minor_raised": day(datetime.date(start_year, 6, 5)),
            "minor_agreed": day(datetime.date(start_year, 6, 12)),
            "minor_effective": datetime.date(start_year, 7, 1),
            "big_raised": day(datetime.date(start_year, 7, 20)),
            "big_submitted": day(datetime.date(start_year, 8, 30)),
            "big_decided": decided,
            "big_applied": dates.nth_working_day_after(decided, 1),
            "big_effective": datetime.date(start_year, 10, 1),
        }
    first = datetime.date(start_year, 4, 1)
    elapsed = (story.today - first).days
    if elapsed < 60:
        return None

    def at(share):
        return day(first + datetime.timedelta(days=int(elapsed * share)))

    applied = at(0.75)
    return {
        "minor_raised": at(0.15),
        "minor_agreed": at(0.25),
        "minor_effective": at(0.25) + datetime.timedelta(days=1),
        "big_raised": at(0.35),
        "big_submitted": at(0.5),
        "big_decided": at(0.7),
        "big_applied": applied,
        "big_effective": min(
            max(story.today, applied) + datetime.timedelta(days=14),
            datetime.date(start_year + 1, 3, 31),
        ),
    }


def chapter(story):
    ctx = story.ctx
    for start_year in story.years:
        timetable = _timetable(story, start_year)
        if timetable is not None:
            _year_changes(story, start_year, timetable)
    story.on(datetime.date(2017, 9, 20), lambda: _rejected(ctx), hour=11, label="rejected change")
    story.on(datetime.date(2017, 10, 11), lambda: _rejected_decided(ctx), hour=14)
    story.on(datetime.date(2017, 8, 1), lambda: _idea_adopted(ctx), hour=11, label="idea")
    story.on(datetime.date(2017, 9, 13), lambda: _idea_decided(ctx), hour=15)
    # With the board now: a change and an idea, raised a couple of weeks ago.
    year_end = datetime.date(story.current_year + 1, 3, 31)
    effective = story.today + datetime.timedelta(days=60)
    if effective <= year_end:
        # Raised against this year's specification, after it came into force.
        since = datetime.date(story.current_year, 4, 2)
        raised = story.before_now(
            story.moment(max(story.today - datetime.timedelta(days=12), since), 10)
        )
        story.on(raised, lambda: _awaiting(ctx, effective), label="change with the board")
    story.on(
        story.before_now(story.moment(story.today - datetime.timedelta(days=9), 10)),
        lambda: _idea_with_board(ctx),
        label="idea with the board",
    )
