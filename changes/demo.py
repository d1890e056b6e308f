"""Demo data for this app; called by `manage.py load_demo` (safe to run twice).

In 2017/18: a minor variation lowering the home library service target
(version 2.1), a fundamental change reducing archive search-room hours with a
saving, approved with conditions by the board and applied as version 2.2 with
its budget change notice, one change the board rejected, one waiting for its
decision, and two service ideas (one adopted, one with the board).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import ChangeRequest, ServiceIdea


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _minor_variation(ctx):
    change = services.change_request_raise(
        title="Lower the home library service target",
        description="Lower the LIB05 target for home library service customers from 1,500 to "
        "1,450, with the floor from 1,400 to 1,350.",
        reason="The volunteer driver scheme lost twelve drivers when the county's mileage "
        "rate changed; recruitment will take the rest of the year.",
        effective_on=datetime.date(2017, 7, 1),
        alters_objectives=False,
        contravenes_policy=False,
        affects_budget=False,
        by=ctx.manager,
        at=_at(datetime.date(2017, 6, 5)),
    )
    services.change_item_save(
        change=change,
        kind="kpi",
        key="LIB05",
        annual_target=Decimal("1450"),
        floor=Decimal("1350"),
        by=ctx.manager,
    )
    services.change_request_submit(change=change, by=ctx.manager, at=_at(datetime.date(2017, 6, 5)))
    services.change_request_agree(
        change=change, side="service", by=ctx.manager, at=_at(datetime.date(2017, 6, 6))
    )
    services.change_request_agree(
        change=change, side="council", by=ctx.commissioner, at=_at(datetime.date(2017, 6, 12))
    )


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


def _fundamental_change(ctx):
    from funding.services import latest_agreed_version

    c = ctx.commissioner
    change = services.change_request_raise(
        title="Reduce archive search-room hours",
        description="Close the archive search room on Saturdays from 1 October 2017, open "
        "until 7pm on Thursdays, and lower the documents-produced target to match.",
        reason="The council's savings programme: Saturday openings cost the most per visit.",
        effective_on=datetime.date(2017, 10, 1),
        alters_objectives=False,
        contravenes_policy=False,
        affects_budget=True,
        by=c,
        at=_at(datetime.date(2017, 7, 20)),
        **IMPACTS,
    )
    services.change_item_save(
        change=change,
        kind="kpi",
        key="ARC01",
        annual_target=Decimal("28000"),
        floor=Decimal("25200"),
        by=c,
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
    staffing = {
        line.start_year: line.amount for line in budget.lines.all() if line.key == "staffing"
    }
    for year, amount in staffing.items():
        saving = Decimal("25000") if year == 2017 else Decimal("50000")
        if year >= 2017:
            services.change_budget_line_save(
                change=change, start_year=year, line_key="staffing", amount=amount - saving, by=c
            )
    services.change_request_submit(change=change, by=c, at=_at(datetime.date(2017, 8, 30)))
    services.change_request_decide(
        change=change,
        decision="approved_with_conditions",
        decided_on=datetime.date(2017, 9, 13),
        minute_reference="LRA-SB/2017/9",
        conditions="Review Saturday demand after six months and report to the board in April 2018.",
        by=ctx.board,
        at=_at(datetime.date(2017, 9, 14)),
    )
    change = services.change_request_apply(change=change, by=c, at=_at(datetime.date(2017, 9, 15)))
    services.decision_notice_publish(
        decision=change.board_decision, by=c, at=_at(datetime.date(2017, 9, 15), 12)
    )


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
        at=_at(datetime.date(2017, 9, 20)),
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
    services.change_request_submit(
        change=change, by=ctx.manager, at=_at(datetime.date(2017, 9, 25))
    )
    services.change_request_decide(
        change=change,
        decision="rejected",
        decided_on=datetime.date(2017, 10, 11),
        minute_reference="LRA-SB/2017/11",
        comments="The board will not reduce rural provision; look for a shared vehicle instead.",
        by=ctx.board,
        at=_at(datetime.date(2017, 10, 12)),
    )


def _awaiting(ctx):
    change = services.change_request_raise(
        title="Charge for archive research by post",
        description="Introduce a £15 an hour charge for research the archive does for "
        "enquirers who cannot visit, in line with other county archives.",
        reason="Demand has doubled since 2015 and the work crowds out enquiries.",
        effective_on=datetime.date(2018, 3, 1),
        alters_objectives=False,
        contravenes_policy=True,
        affects_budget=False,
        by=ctx.manager,
        at=_at(datetime.date(2018, 1, 8)),
        impact_financial="Income of about £12,000 a year.",
        impact_service_users="About 300 enquirers a year pay for research; the first half "
        "hour stays free.",
        impact_equalities="Fee remission for people on low incomes.",
        impact_legal="The council's charging policy must be amended by cabinet.",
        impact_staffing="None.",
    )
    services.change_item_save(
        change=change,
        kind="requirement",
        key="O5.R3",
        outcome_code="O5",
        text="Offer paid research for enquirers who cannot visit, the first half hour free.",
        by=ctx.manager,
    )
    services.change_request_submit(change=change, by=ctx.manager, at=_at(datetime.date(2018, 1, 9)))


def _ideas(ctx):
    adopted = services.idea_propose(
        title="A library of things",
        description="Lend tools, sewing machines and musical instruments from the six largest "
        "libraries.",
        benefits="New users, less waste, and support for the council's climate pledge.",
        costs="£18,000 to set up; running costs met by a small lending charge.",
        risks="Damage and loss; safety testing of electrical items.",
        by=ctx.manager,
        at=_at(datetime.date(2017, 8, 1)),
    )
    services.idea_decide(
        idea=adopted,
        decision="adopted",
        decided_on=datetime.date(2017, 9, 13),
        minute_reference="LRA-SB/2017/10",
        comments="Pilot in two libraries first.",
        by=ctx.board,
        at=_at(datetime.date(2017, 9, 14)),
    )
    services.idea_propose(
        title="Civil ceremonies at heritage venues",
        description="Offer registration ceremonies at three council-owned heritage buildings.",
        benefits="Income from ceremony fees and more use of the buildings.",
        costs="Licensing the venues (£4,500) and registrar travel.",
        risks="Weather and access at the venues; competition with private venues.",
        by=ctx.manager,
        at=_at(datetime.date(2018, 1, 15)),
    )


def load(ctx):
    """Add this app's demo records. `ctx` is a lra_commissioning.demo.DemoContext."""
    if ChangeRequest.objects.exists() or ServiceIdea.objects.exists():
        return
    _minor_variation(ctx)
    _fundamental_change(ctx)
    _rejected(ctx)
    _awaiting(ctx)
    _ideas(ctx)
    ctx.notes.append(
        "Changes: 2017/18 version 2.1 (minor variation, LIB05 target) and 2.2 (archive "
        "search-room hours, approved with conditions, budget change notice); one change "
        "rejected, one with the board; two service ideas."
    )
