"""Demo data for specifications; called by `manage.py load_demo` (safe to run twice).

The 2016/17 specification (in force from 1 April 2016) and the 2017/18
version with a handful of changes, built around the council's three strategic
outcomes, with twenty-odd KPIs across the three service areas.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import (
    KPI,
    Outcome,
    Section,
    SectionKind,
    ServiceRequirement,
    Specification,
    SpecificationVersion,
    StrategicOutcome,
    VersionStatus,
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


def _build_version(ctx, spec, major, starts_on, kpi_rows, year_label, summary, based_on):
    version = SpecificationVersion.objects.create(
        specification=spec,
        major=major,
        minor=0,
        status=VersionStatus.PUBLISHED,
        starts_on=starts_on,
        summary=summary,
        based_on=based_on,
        created_by=ctx.commissioner,
        submitted_at=timezone.make_aware(
            datetime.datetime.combine(starts_on - datetime.timedelta(days=75), datetime.time(10))
        ),
        board_decided_by=ctx.board,
        board_decided_on=starts_on - datetime.timedelta(days=60),
        board_minute_reference=f"LRA-SB/{starts_on.year - 1}/{7 + major}",
        agreed_by=ctx.manager,
        agreed_at=timezone.make_aware(
            datetime.datetime.combine(starts_on - datetime.timedelta(days=50), datetime.time(11))
        ),
        published_by=ctx.commissioner,
        published_at=timezone.make_aware(
            datetime.datetime.combine(starts_on - datetime.timedelta(days=30), datetime.time(9))
        ),
    )
    for order, (kind, heading, body) in enumerate(SECTIONS):
        Section.objects.create(
            version=version,
            kind=kind,
            heading=heading,
            body=body.format(year=year_label),
            order=order,
        )
    outcomes = {}
    for order, (code, so_code, title, requirements) in enumerate(OUTCOMES):
        outcomes[code] = Outcome.objects.create(
            version=version,
            strategic_outcome=StrategicOutcome.objects.get(code=so_code),
            code=code,
            title=title,
            order=order,
        )
        for r_order, (r_code, text) in enumerate(requirements):
            ServiceRequirement.objects.create(
                outcome=outcomes[code], code=r_code, text=text, order=r_order
            )
    for order, row in enumerate(kpi_rows):
        KPI.objects.create(version=version, outcome=outcomes[row[2]], **_kpi_fields(row, order))
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


def load(ctx):
    for code, title in STRATEGIC_OUTCOMES:
        StrategicOutcome.objects.update_or_create(code=code, defaults={"title": title})
    previous = None
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
            version = _build_version(
                ctx,
                spec,
                major,
                datetime.date(start_year, 4, 1),
                kpi_rows_for(start_year),
                ctx.years[start_year].label,
                summary,
                previous,
            )
        previous = version
