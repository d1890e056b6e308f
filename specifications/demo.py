"""Demo data for specifications; called by `manage.py load_demo` (safe to run twice).

The 2016/17 specification (in force from 1 April 2016) and the 2017/18
version with a handful of changes, built around the council's three strategic
outcomes, with twenty-odd KPIs across the three service areas; public comments
in each state; the 2016/17 business plan (returned once, then accepted) and
the 2017/18 plan waiting for review. Everything goes through the services.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

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


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _take_through_approval(ctx, version, major):
    starts_on = version.starts_on
    services.version_submit(
        version=version, by=ctx.commissioner, at=_aware(starts_on - datetime.timedelta(days=75), 10)
    )
    services.version_sign_off(
        version=version,
        decided_on=starts_on - datetime.timedelta(days=60),
        minute_reference=f"LRA-SB/{starts_on.year - 1}/{7 + major}",
        by=ctx.board,
    )
    services.version_agree(
        version=version, by=ctx.manager, at=_aware(starts_on - datetime.timedelta(days=50), 11)
    )
    services.version_publish(
        version=version,
        by=ctx.commissioner,
        at=_aware(starts_on - datetime.timedelta(days=30), 9),
    )


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


def _build_refresh(ctx, spec, summary, previous):
    """2017/18: copied from 2016/17, then the changes of CHANGES_2017."""
    c = ctx.commissioner
    year = spec.financial_year
    version = services.version_copy(
        source=previous, specification=spec, major=2, minor=0, starts_on=year.start_date, by=c
    )
    services.version_update(version=version, summary=summary, by=c)
    for section in version.sections.all():
        if section.kind == "introduction":
            services.section_update(
                section=section,
                heading=section.heading,
                body=section.body.replace(previous.specification.financial_year.label, year.label),
                by=c,
            )
    kpis = {k.code: k for k in version.kpis.all()}
    for code, (target, floor) in CHANGES_2017["targets"].items():
        services.kpi_update(
            kpi=kpis[code], annual_target=Decimal(target), floor=Decimal(floor), by=c
        )
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
    return version


def kpi_rows_for(start_year):
    if start_year == 2016:
        return list(KPIS)
    rows = []
    for row in KPIS:
        code = row[0]
        if code in CHANGES_2017["removed"]:
            continue
        if code in CHANGES_2017["targets"]:
            target, floor = CHANGES_2017["targets"][code]
            row = (*row[:8], target, floor, row[10])
        rows.append(row)
    return rows + CHANGES_2017["added"]


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
    (1, 60, "overview", "Buy more books!!! <script>alert('x')</script>", "", "", "rejected", ""),
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
        "pending",
        "",
    ),
    (
        2,
        31,
        "operating_principles",
        "How will residents know when a KPI is missed?",
        "",
        "",
        "pending",
        "",
    ),
    (
        2,
        40,
        None,
        '=HYPERLINK("http://example.com","click") spreadsheet test',
        "",
        "",
        "pending",
        "",
    ),
    (2, 41, "overview", "Advertising for a casino.", "", "", "rejected", ""),
]


def _load_comments(ctx, versions):
    if PublicComment.objects.exists():
        return
    for i, (major, days, kind, body, name, email, state, response) in enumerate(COMMENTS):
        version = versions[major]
        section = version.sections.filter(kind=kind).first() if kind else None
        comment = services.comment_submit(
            version=version,
            section=section,
            body=body,
            name=name,
            email=email,
            address=f"demo-{i}",
            received_at=_aware(version.starts_on + datetime.timedelta(days=days), 12),
        )
        if state == "published":
            comment = services.comment_publish(comment=comment, by=ctx.commissioner)
            if response:
                services.comment_respond(comment=comment, response=response, by=ctx.commissioner)
        elif state == "rejected":
            services.comment_reject(comment=comment, by=ctx.commissioner)


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


def _load_business_plans(ctx):
    year = ctx.years[2016]
    if not BusinessPlan.objects.filter(financial_year=year).exists():
        m, c = ctx.manager, ctx.commissioner
        plan = services.business_plan_start(financial_year=year, by=m)
        services.business_plan_update(
            plan=plan,
            summary="Our plan for 2016/17: a modern, outward-looking service that meets every "
            "outcome of the specification within budget.",
            by=m,
        )
        sections = list(plan.sections.select_related("outcome"))
        for section in sections:
            approach, actions = PLAN_2016[section.outcome.code]
            services.business_plan_section_update(section=section, approach=approach, by=m)
            for description, (y, mo, d), owner in actions:
                services.business_plan_action_create(
                    section=section,
                    description=description,
                    milestone_on=datetime.date(y, mo, d),
                    owner=owner,
                    by=m,
                )
        services.business_plan_submit(plan=plan, by=m)
        o3 = next(s for s in sections if s.outcome.code == "O3")
        services.business_plan_return(
            plan=plan,
            section_comments={
                o3.pk: "Say how waiting times will be kept down in the busiest "
                "districts in the winter."
            },
            by=c,
        )
        services.business_plan_section_update(
            section=o3,
            approach=PLAN_2016["O3"][0] + " In winter, registrars from quieter districts cover "
            "the three busiest offices.",
            by=m,
        )
        services.business_plan_submit(plan=plan, by=m)
        services.business_plan_accept(plan=plan, by=c, comment="Accepted. Thank you.")
    year = ctx.years[2017]
    if not BusinessPlan.objects.filter(financial_year=year).exists():
        m = ctx.manager
        plan = services.business_plan_start(financial_year=year, by=m)
        for section in plan.sections.select_related("outcome"):
            approach = PLAN_2016.get(section.outcome.code, ("",))[0]
            services.business_plan_section_update(
                section=section,
                approach=approach + " In 2017/18 we build on last year's results.",
                by=m,
            )
        services.business_plan_submit(plan=plan, by=m)


def load(ctx):
    for code, title in STRATEGIC_OUTCOMES:
        services.strategic_outcome_save(code=code, title=title, by=ctx.commissioner)
    previous = None
    versions = {}
    for major, (start_year, summary) in enumerate(
        [
            (2016, "The first specification of the internally commissioned service."),
            (
                2017,
                "The annual refresh: targets updated from 2016/17 performance, digital "
                "skills sessions added, archive search room visits replaced by the enquiry "
                "measure.",
            ),
        ],
        start=1,
    ):
        spec, _ = Specification.objects.get_or_create(financial_year=ctx.years[start_year])
        version = spec.versions.filter(major=major, minor=0).first()
        if version is None:
            if previous is None:
                version = _build_first_version(ctx, spec, summary)
            else:
                version = _build_refresh(ctx, spec, summary, previous)
            _take_through_approval(ctx, version, major)
            version = SpecificationVersion.objects.get(pk=version.pk)
        previous = version
        versions[major] = version
    _load_comments(ctx, versions)
    _load_business_plans(ctx)
