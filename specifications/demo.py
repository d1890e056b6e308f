"""The specifications' chapter of the demo story (see lra_commissioning.story).

Each year's specification, built around the council's three strategic
outcomes with twenty-odd KPIs: 2016/17 written from scratch with the
published targets; every later year started from the version in force in
November ("Start next year's specification"), its targets refreshed from the
figures (performance.demo_figures), submitted in December, signed off by the
board in February, agreed and published in March. Next year's is in drafting
from November. Public comments each year (published with a response,
rejected, one waiting for moderation now); each year's business plan (the
first returned once, then accepted). Everything goes through the services.
"""

import datetime
import secrets
from decimal import Decimal

from django.utils import timezone

from lra_commissioning.models import FinancialYear

from . import services
from .models import (
    BusinessPlan,
    PublicComment,
    SectionKind,
    Specification,
    SpecificationVersion,
    StrategicOutcome,
)

STRATEGIC_OUTCOMES = [
    ("SO1", "Children and young people get the best start in life"),
    (
        "SO2",
        "Communities benefit from economic growth by being in work, healthy and "
        "enjoying a good quality of life",
    ),
    (
        "SO3",
        "Older and vulnerable residents are safe and supported with choices to live independently",
    ),
]

SECTIONS = [
    (
        SectionKind.INTRODUCTION,
        "Introduction",
        "This specification sets out what the council expects the Libraries, Registration "
        "and Archives service (LRA) to deliver in {year}. It is owned by the council as "
        "commissioner; the service answers it through its annual business plan. Residents "
        "are invited to comment on it, and their comments inform each year's refresh.",
    ),
    (
        SectionKind.OVERVIEW,
        "Overview of the service",
        "LRA runs 99 libraries, mobile and home library services, the county's registration "
        "service for births, deaths, marriages and civil partnerships, citizenship "
        "ceremonies, and the county archives. It serves 1.5 million residents.",
    ),
    (
        SectionKind.OUTCOMES,
        "Outcomes",
        "The service is commissioned against outcomes that serve the council's three "
        "strategic outcomes. Each outcome lists the service requirements that contribute "
        "to it and the KPIs by which progress is measured.",
    ),
    (
        SectionKind.MINIMUM_REQUIREMENTS,
        "Minimum service requirements",
        "The service meets all statutory duties: a comprehensive and efficient library "
        "service under the Public Libraries and Museums Act 1964; the registration of "
        "births within 42 days and deaths within 5 days under the Births and Deaths "
        "Registration Act 1953; and the care of public records under the Public Records "
        "Act 1958.",
    ),
    (
        SectionKind.OPERATING_PRINCIPLES,
        "Operating principles",
        "The service is run as a whole service and held to account as an external provider "
        "would be. Performance is managed by exception within the tolerances agreed here. "
        "Minor variations are agreed between the commissioner and the head of service; "
        "anything more fundamental goes to the Strategic Board.",
    ),
]

OUTCOMES = [
    (
        "O1",
        "SO1",
        "Children and young people develop a love of reading and learning",
        [
            ("O1.R1", "Run the Summer Reading Challenge in every library."),
            ("O1.R2", "Offer weekly rhyme-time and story-time sessions in every town library."),
        ],
    ),
    (
        "O2",
        "SO2",
        "Residents have access to information, learning and culture that "
        "supports skills and wellbeing",
        [
            ("O2.R1", "Keep a stock of books, e-books and information in every format."),
            ("O2.R2", "Give free access to computers and wi-fi in every library."),
        ],
    ),
    (
        "O3",
        "SO2",
        "Residents can register life events promptly and celebrate them",
        [
            ("O3.R1", "Offer birth and death registration appointments in every district."),
            ("O3.R2", "Offer ceremonies in approved venues across the county."),
        ],
    ),
    (
        "O4",
        "SO3",
        "Older and vulnerable residents can use the service and stay connected",
        [
            ("O4.R1", "Run a home library service for people who cannot visit a library."),
            ("O4.R2", "Work with partners to reach isolated residents."),
        ],
    ),
    (
        "O5",
        "SO2",
        "The county's heritage is preserved and open to all",
        [
            ("O5.R1", "Keep the archive collections to the national accreditation standard."),
            ("O5.R2", "Answer archive enquiries promptly and open the search room to all."),
        ],
    ),
]

M, Q, Y = "monthly", "quarterly", "annual"
SUM, AVG, LATEST = "sum", "average", "latest"

# code, title, outcome, area, unit, higher_is_better, frequency, aggregation,
# target, floor, activity range (low, high) or None
KPIS = [
    (
        "LIB01",
        "Library visits",
        "O2",
        "libraries",
        "count",
        True,
        M,
        SUM,
        5_300_000,
        5_000_000,
        None,
    ),
    ("LIB02", "Items issued", "O2", "libraries", "count", True, M, SUM, 5_000_000, 4_700_000, None),
    (
        "LIB03",
        "E-issues (e-books, e-audio and e-magazines)",
        "O2",
        "libraries",
        "count",
        True,
        M,
        SUM,
        600_000,
        540_000,
        None,
    ),
    (
        "LIB04",
        "Active borrowers",
        "O1",
        "libraries",
        "count",
        True,
        M,
        LATEST,
        165_000,
        155_000,
        None,
    ),
    (
        "LIB05",
        "Home library service customers",
        "O4",
        "libraries",
        "count",
        True,
        M,
        LATEST,
        1_600,
        1_500,
        None,
    ),
    (
        "LIB06",
        "Customer satisfaction with libraries",
        "O2",
        "libraries",
        "percentage",
        True,
        Q,
        AVG,
        95,
        90,
        None,
    ),
    (
        "LIB07",
        "Event attendances",
        "O1",
        "libraries",
        "count",
        True,
        M,
        SUM,
        250_000,
        225_000,
        None,
    ),
    (
        "REG01",
        "Deaths registered within 5 days",
        "O3",
        "registration",
        "percentage",
        True,
        M,
        AVG,
        90,
        85,
        None,
    ),
    (
        "REG02",
        "Birth registration appointments available within 5 working days",
        "O3",
        "registration",
        "percentage",
        True,
        M,
        AVG,
        95,
        90,
        None,
    ),
    (
        "REG03",
        "Death registration appointments available within 2 working days",
        "O3",
        "registration",
        "percentage",
        True,
        M,
        AVG,
        95,
        90,
        None,
    ),
    (
        "REG04",
        "Average wait for a birth registration appointment",
        "O3",
        "registration",
        "days",
        False,
        M,
        AVG,
        3,
        5,
        None,
    ),
    (
        "REG05",
        "Births registered",
        "O3",
        "registration",
        "count",
        True,
        M,
        SUM,
        None,
        None,
        (17_500, 19_500),
    ),
    (
        "REG06",
        "Deaths registered",
        "O3",
        "registration",
        "count",
        True,
        M,
        SUM,
        None,
        None,
        (14_500, 16_500),
    ),
    (
        "REG07",
        "Ceremonies conducted",
        "O3",
        "registration",
        "count",
        True,
        M,
        SUM,
        6_300,
        6_000,
        None,
    ),
    (
        "REG08",
        "Customer satisfaction with registration",
        "O3",
        "registration",
        "percentage",
        True,
        Q,
        AVG,
        95,
        90,
        None,
    ),
    (
        "ARC01",
        "Archive documents produced",
        "O5",
        "archives",
        "count",
        True,
        M,
        SUM,
        30_000,
        27_000,
        None,
    ),
    (
        "ARC02",
        "Archive enquiries answered within 10 working days",
        "O5",
        "archives",
        "percentage",
        True,
        M,
        AVG,
        95,
        90,
        None,
    ),
    (
        "ARC03",
        "Customer satisfaction with archives",
        "O5",
        "archives",
        "percentage",
        True,
        Y,
        LATEST,
        95,
        90,
        None,
    ),
    (
        "ARC04",
        "Archive search room visits",
        "O5",
        "archives",
        "count",
        True,
        M,
        SUM,
        12_000,
        10_800,
        None,
    ),
    ("WS01", "Volunteer hours", "O4", "whole_service", "count", True, M, SUM, 60_000, 54_000, None),
    (
        "WS02",
        "Income from fees and charges",
        "O3",
        "whole_service",
        "pounds",
        True,
        M,
        SUM,
        3_200_000,
        3_000_000,
        None,
    ),
]

# What changed for 2017/18: targets raised or lowered, one KPI added, one removed.
CHANGES_2017 = {
    "targets": {"REG01": (92, 87), "LIB05": (1_500, 1_400), "LIB03": (650_000, 585_000)},
    "removed": {"ARC04"},
    "added": [
        (
            "LIB08",
            "Digital skills sessions delivered",
            "O2",
            "libraries",
            "count",
            True,
            M,
            SUM,
            12_000,
            10_800,
            None,
        ),
    ],
}


def _kpi_fields(row, order):
    code, title, _outcome, area, unit, higher, freq, agg, target, floor, expected = row
    return {
        "code": code,
        "title": title,
        "service_area": area,
        "unit": unit,
        "higher_is_better": higher,
        "frequency": freq,
        "annual_aggregation": agg,
        "is_activity": expected is not None,
        "annual_target": None if target is None else Decimal(target),
        "floor": None if floor is None else Decimal(floor),
        "expected_low": None if expected is None else Decimal(expected[0]),
        "expected_high": None if expected is None else Decimal(expected[1]),
        "definition": f"{title}, as recorded in the service's management information system.",
        "guidance": "Report the figure for the period alone (not cumulative)."
        if agg == SUM
        else "Report the figure at the end of the period.",
        "data_source": {
            "libraries": "Library management system (Spydus)",
            "registration": "Registration Online (RON) and the booking system",
            "archives": "Archives catalogue and enquiry log",
            "whole_service": "LRA finance and volunteering records",
        }[area],
        "owner": {
            "libraries": "Libraries operations manager",
            "registration": "Registration service manager",
            "archives": "County archivist",
            "whole_service": "Head of service",
        }[area],
        "order": order,
    }


def _build_first_version(ctx, spec, summary):
    c = ctx.commissioner
    year = spec.financial_year
    version = services.version_create(
        financial_year=year, starts_on=year.start_date, summary=summary, by=c
    )
    bodies = {kind: (heading, body) for kind, heading, body in SECTIONS}
    for section in version.sections.all():
        heading, body = bodies[section.kind]
        services.section_update(
            section=section, heading=heading, body=body.format(year=year.label), by=c
        )
    outcomes = {}
    for code, so_code, title, requirements in OUTCOMES:
        outcomes[code] = services.outcome_create(
            version=version,
            code=code,
            title=title,
            strategic_outcome=StrategicOutcome.objects.get(code=so_code),
            by=c,
        )
        for r_code, text in requirements:
            services.requirement_create(outcome=outcomes[code], code=r_code, text=text, by=c)
    for order, row in enumerate(KPIS):
        services.kpi_create(
            version=version, outcome=outcomes[row[2]], by=c, **_kpi_fields(row, order)
        )
    return version


def _profile(target: Decimal, shares: list[str]) -> list[str]:
    """A year's target split over its months in the figures' seasonal shares (summing exactly)."""
    weights = [Decimal(share) for share in shares]
    total = int(target)
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(12), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return [str(p) for p in parts]


def _refresh_targets(ctx, version, start_year):
    """Each KPI's target, floor and expected range for the year, from the figures."""
    from performance.demo_figures import targets

    for kpi in version.kpis.all():
        t = targets(kpi.code, start_year)
        fields = {
            "annual_target": t.target,
            "floor": t.floor,
            "expected_low": t.expected_low,
            "expected_high": t.expected_high,
        }
        if kpi.annual_aggregation == SUM and t.target is not None:
            fields["monthly_profile"] = _profile(t.target, t.profile)
        services.kpi_update(kpi=kpi, by=ctx.commissioner, **fields)


def _start_next_year(ctx, start_year):
    """November: the commissioner starts next year's specification from the version in force."""
    c = ctx.commissioner
    version = services.specification_start_next_year(today=timezone.localdate(), by=c)
    label = version.specification.financial_year.label
    services.version_update(
        version=version,
        summary=SUMMARIES.get(start_year)
        or f"The annual refresh for {label}: targets updated from last year's performance "
        "and this year's budget.",
        by=c,
    )
    for section in version.sections.all():
        if section.kind == "introduction":
            body = SECTIONS[0][2].format(year=label)
            services.section_update(section=section, heading=section.heading, body=body, by=c)
    if start_year == 2017:
        kpis = {k.code: k for k in version.kpis.all()}
        for code in CHANGES_2017["removed"]:
            services.kpi_delete(kpi=kpis[code], by=c)
        outcomes = {o.code: o for o in version.outcomes.all()}
        for offset, row in enumerate(CHANGES_2017["added"]):
            services.kpi_create(
                version=version,
                outcome=outcomes[row[2]],
                by=c,
                **_kpi_fields(row, len(KPIS) + offset),
            )
        services.requirement_create(
            outcome=outcomes["O2"],
            code="O2.R3",
            text="Run digital skills sessions in every town library.",
            by=c,
        )
    _refresh_targets(ctx, version, start_year)
    return version


SUMMARIES = {
    2016: "The first specification of the internally commissioned service.",
    2017: "The annual refresh: targets updated from 2016/17 performance, digital skills "
    "sessions added, archive search room visits replaced by the enquiry measure.",
    2020: "The annual refresh: targets updated from 2019/20 performance; the service keeps "
    "its statutory duties through the pandemic with buildings closed when the law requires.",
}


def _draft(start_year):
    return (
        SpecificationVersion.objects.filter(
            specification__financial_year__start_year=start_year, minor=0
        )
        .order_by("major")
        .first()
    )


def _year_chapter(story, start_year):
    ctx = story.ctx
    c, m, b = ctx.commissioner, ctx.manager, ctx.board
    from board.demo import board_day

    def draft():
        if start_year == 2016:
            spec, _ = Specification.objects.get_or_create(financial_year=ctx.years[2016])
            _build_first_version(ctx, spec, SUMMARIES[2016])
        else:
            _start_next_year(ctx, start_year)

    def submit():
        services.version_submit(version=_draft(start_year), by=c)

    sign_off_on = board_day(start_year - 1, 2)

    def sign_off():
        services.version_sign_off(
            version=_draft(start_year),
            decided_on=sign_off_on,
            minute_reference=f"LRA-SB/{sign_off_on.year}/{sign_off_on.month:02d}-1",
            by=b,
        )

    def agree():
        services.version_agree(version=_draft(start_year), by=m)

    def publish():
        services.version_publish(version=_draft(start_year), by=c)

    begun = story.working(datetime.date(start_year - 1, 11, 10))
    story.on(begun, draft, hour=10, label=f"draft specification {start_year}")
    story.on(story.working(datetime.date(start_year - 1, 12, 14)), submit, hour=11)
    story.on(sign_off_on, sign_off, hour=12)
    story.on(story.working(sign_off_on + datetime.timedelta(days=7)), agree, hour=11)
    story.on(story.working(datetime.date(start_year, 3, 1)), publish, hour=9)
    _plan_chapter(story, start_year)


def chapter(story):
    ctx = story.ctx

    def outcomes():
        for code, title in STRATEGIC_OUTCOMES:
            services.strategic_outcome_save(code=code, title=title, by=ctx.commissioner)

    story.on(datetime.date(2015, 11, 2), outcomes, hour=9)
    for start_year in [*story.years, story.current_year + 1]:
        _year_chapter(story, start_year)
    _comments_chapter(story)


# (version major, days after it came into force, section kind or None, body, name, e-mail,
#  state, response)
COMMENTS = [
    (
        1,
        20,
        None,
        "Thank you for publishing this. It is good to see what the library service "
        "is expected to do.",
        "",
        "",
        "published",
        "",
    ),
    (
        1,
        45,
        "minimum_requirements",
        "Please keep the mobile library stopping in our village: "
        "it is the only library many older people here can reach.",
        "Joan Whitfield",
        "joan@example.net",
        "published",
        "Thank you. The mobile library timetable is reviewed with "
        "parish councils each year; your village's stop is in the 2017/18 timetable.",
    ),
    (
        1,
        90,
        "outcomes",
        "Could the digital skills help in libraries be measured? It matters more every year.",
        "",
        "",
        "published",
        "Yes: the 2017/18 specification adds a KPI for digital skills sessions.",
    ),
    (
        2,
        10,
        None,
        "Why has the archive search room visits measure been dropped?",
        "",
        "",
        "published",
        "",
    ),
    (
        2,
        30,
        "introduction",
        "The home library service is wonderful. My mother relies on it.",
        "Raj Patel",
        "raj@example.net",
        "published",
        "Thank you: we have passed your kind words to the home library team.",
    ),
    (
        2,
        31,
        "operating_principles",
        "How will residents know when a KPI is missed?",
        "",
        "",
        "published",
        "Each year's annual report says how every KPI did, and the board's papers show "
        "any KPI below its floor with the plan to bring it back.",
    ),
    (2, 41, "overview", "Cheap flights and hotel deals, click here.", "", "", "rejected", ""),
]


PLAN_2016 = {
    "O1": (
        "Every library runs the Summer Reading Challenge with schools' help, and rhyme-time "
        "and story-time sessions run weekly in every town library.",
        [
            (
                "Summer Reading Challenge launched in all 99 libraries",
                (2016, 7, 16),
                "Children's services manager",
            ),
            ("Schools partnership plan agreed", (2016, 9, 30), ""),
        ],
    ),
    "O2": (
        "We keep the stock fresh through the new supplier framework, extend e-book lending and "
        "replace the public computers.",
        [("Public computer replacement complete", (2016, 12, 31), "ICT liaison officer")],
    ),
    "O3": (
        "Registration appointments are released 10 working days ahead in every district, with "
        "extra death registration slots each Monday.",
        [
            (
                "Online booking for birth registration live",
                (2016, 10, 3),
                "Registration service manager",
            )
        ],
    ),
    "O4": (
        "The home library service recruits 40 new volunteers and works with the voluntary "
        "sector to reach isolated residents.",
        [("Volunteer recruitment campaign", (2016, 6, 30), "Volunteer coordinator")],
    ),
    "O5": (
        "The archive keeps its accreditation, answers enquiries within 10 working days and "
        "opens the search room on Saturdays each month.",
        [("Accreditation return submitted", (2016, 11, 30), "County archivist")],
    ),
}


# Comments on later years' specifications: (days after it came into force, section kind
# or None, body, name, e-mail, response or "" (published without one)).
LATER_COMMENTS = [
    (
        12,
        "outcomes",
        "Please keep the Saturday rhyme-time sessions: working parents cannot come in the week.",
        "Amira Hussain",
        "amira@example.net",
        "Thank you. Saturday sessions continue in the twenty busiest libraries this year.",
    ),
    (
        40,
        None,
        "The e-book choice has improved a lot. More audiobooks for children, please.",
        "",
        "",
        "",
    ),
    (
        75,
        "minimum_requirements",
        "It took three weeks to get a death registration appointment in our district in "
        "January. Is the five-day requirement being met?",
        "Peter Lowe",
        "peter@example.net",
        "We are sorry. January is the busiest month; extra appointments are now released "
        "each Monday and the figure is reported to the commissioner every month.",
    ),
    (
        110,
        "overview",
        "Will the archive search room open on Saturdays again?",
        "",
        "",
        "Saturday openings are reviewed each year with the budget; for now the search room "
        "opens late on Thursdays.",
    ),
]
PENDING_COMMENT = (
    "outcomes",
    "Our village hall would like to host a pop-up library once a month. Who do we ask?",
    "Sue Barker",
    "sue@example.net",
)


def _in_force():
    from .selectors import version_in_force

    return version_in_force(on=timezone.localdate())


def _comment(ctx, i, start_year, kind, body, name, email, state, response):
    def submit():
        version = _in_force()
        section = version.sections.filter(kind=kind).first() if kind else None
        return services.comment_submit(
            version=version,
            section=section,
            body=body,
            name=name,
            email=email,
            # Each resident their own address (a fingerprint for the hourly limit, never
            # stored): random, so that a second demo within the hour is not limited.
            address=f"demo-{i}-{secrets.token_hex(8)}",
            received_at=timezone.now(),
        )

    def moderate():
        comment = PublicComment.objects.get(
            body=body, version__specification__financial_year__start_year=start_year
        )
        if state == "rejected":
            services.comment_reject(comment=comment, by=ctx.commissioner)
            return
        comment = services.comment_publish(comment=comment, by=ctx.commissioner)
        if response:
            services.comment_respond(comment=comment, response=response, by=ctx.commissioner)

    return submit, moderate


def _comments_chapter(story):
    ctx = story.ctx
    rows = []
    for start_year in story.years:
        if start_year <= 2017:
            for major, days, kind, body, name, email, state, response in COMMENTS:
                if major == start_year - 2015:
                    rows.append((start_year, days, kind, body, name, email, state, response))
        else:
            for n, (days, kind, body, name, email, response) in enumerate(LATER_COMMENTS):
                if (n + start_year) % 2 == 0 or start_year == story.current_year:
                    text = body if start_year == story.current_year or n % 2 else body
                    rows.append(
                        (start_year, days + n, kind, text, name, email, "published", response)
                    )
    seen = set()
    for i, (start_year, days, kind, body, name, email, state, response) in enumerate(rows):
        if (start_year, body) in seen:
            continue
        seen.add((start_year, body))
        received = story.working(datetime.date(start_year, 4, 1) + datetime.timedelta(days=days))
        submit, moderate = _comment(ctx, i, start_year, kind, body, name, email, state, response)
        if story.on(received, submit, hour=12):
            story.on(
                story.before_now(
                    story.moment(story.working(received + datetime.timedelta(days=3)), 15)
                ),
                moderate,
            )
    # One comment waiting for moderation now.
    kind, body, name, email = PENDING_COMMENT
    received = max(
        story.today - datetime.timedelta(days=3), datetime.date(story.current_year, 4, 2)
    )
    submit, _moderate = _comment(
        ctx, len(rows), story.current_year, kind, body, name, email, "pending", ""
    )
    story.on(story.before_now(story.moment(received, 18)), submit)


def _plan_chapter(story, start_year):
    """The year's business plan: started when the specification is published, accepted by
    the end of March (the first returned once)."""
    ctx = story.ctx
    m, c = ctx.manager, ctx.commissioner

    def plan():
        return BusinessPlan.objects.get(financial_year__start_year=start_year)

    def write():
        year = FinancialYear.objects.get(start_year=start_year)
        new = services.business_plan_start(financial_year=year, by=m)
        services.business_plan_update(
            plan=new,
            summary=f"Our plan for {year.label}: a modern, outward-looking service that meets "
            "every outcome of the specification within budget.",
            by=m,
        )
        for section in new.sections.select_related("outcome"):
            approach, actions = PLAN_2016.get(section.outcome.code, ("", []))
            if start_year > 2016:
                approach = (approach + f" In {year.label} we build on last year's results.").strip()
            services.business_plan_section_update(section=section, approach=approach, by=m)
            for description, (y, mo, d), owner in actions:
                services.business_plan_action_create(
                    section=section,
                    description=description,
                    milestone_on=datetime.date(start_year + y - 2016, mo, d),
                    owner=owner,
                    by=m,
                )

    def submit():
        services.business_plan_submit(plan=plan(), by=m)

    def send_back():
        o3 = plan().sections.get(outcome__code="O3")
        services.business_plan_return(
            plan=plan(),
            section_comments={
                o3.pk: "Say how waiting times will be kept down in the busiest "
                "districts in the winter."
            },
            by=c,
        )

    def revise():
        o3 = plan().sections.get(outcome__code="O3")
        services.business_plan_section_update(
            section=o3,
            approach=PLAN_2016["O3"][0] + " In winter, registrars from quieter districts cover "
            "the three busiest offices.",
            by=m,
        )
        services.business_plan_submit(plan=plan(), by=m)

    def accept():
        services.business_plan_accept(plan=plan(), by=c, comment="Accepted. Thank you.")

    day = story.working
    story.on(day(datetime.date(start_year, 3, 2)), write, hour=14)
    story.on(day(datetime.date(start_year, 3, 14)), submit, hour=16)
    if start_year == 2016:
        story.on(day(datetime.date(start_year, 3, 17)), send_back, hour=11)
        story.on(day(datetime.date(start_year, 3, 21)), revise, hour=15)
    story.on(day(datetime.date(start_year, 3, 24)), accept, hour=10)
