"""Specification records for tests, built through the services like real data."""

import datetime
from decimal import Decimal

from lra_commissioning.models import FinancialYear
from specifications import services
from specifications.models import StrategicOutcome, VersionStatus


def strategic_outcome(code="SO1"):
    return StrategicOutcome.objects.get_or_create(
        code=code, defaults={"title": f"Strategic outcome {code}"}
    )[0]


def kpi_fields(code="LIB01", **overrides):
    fields = {
        "code": code,
        "title": f"KPI {code}",
        "service_area": "libraries",
        "unit": "count",
        "higher_is_better": True,
        "frequency": "monthly",
        "annual_aggregation": "sum",
        "annual_target": Decimal("1000"),
        "floor": Decimal("900"),
    }
    fields.update(overrides)
    return fields


def draft_version(by, start_year=2016, kpis=1, outcomes=1, starts_on=None):
    year = FinancialYear.objects.get_or_create(start_year=start_year)[0]
    version = services.version_create(
        financial_year=year, starts_on=starts_on or year.start_date, by=by
    )
    so = strategic_outcome()
    first = None
    for i in range(outcomes):
        outcome = services.outcome_create(
            version=version, code=f"O{i + 1}", title=f"Outcome {i + 1}", strategic_outcome=so, by=by
        )
        services.requirement_create(outcome=outcome, code=f"O{i + 1}.R1", text="Do it.", by=by)
        first = first or outcome
    for i in range(kpis):
        services.kpi_create(version=version, outcome=first, by=by, **kpi_fields(f"K{i:03d}"))
    return version


def published_version(commissioner, board, head, start_year=2016, kpis=1, starts_on=None):
    version = draft_version(commissioner, start_year=start_year, kpis=kpis, starts_on=starts_on)
    take_to(version, VersionStatus.PUBLISHED, commissioner, board, head)
    version.refresh_from_db()
    return version


def take_to(version, status, commissioner, board, head):
    """Walk a draft along the happy path until it reaches `status`."""
    path = [
        (
            VersionStatus.WITH_BOARD,
            lambda: services.version_submit(version=version, by=commissioner),
        ),
        (
            VersionStatus.SIGNED_OFF,
            lambda: services.version_sign_off(
                version=version,
                decided_on=datetime.date(2016, 1, 20),
                minute_reference="SB/1",
                by=board,
            ),
        ),
        (VersionStatus.AGREED, lambda: services.version_agree(version=version, by=head)),
        (
            VersionStatus.PUBLISHED,
            lambda: services.version_publish(version=version, by=commissioner),
        ),
    ]
    if status == VersionStatus.DRAFT:
        return version
    if status == VersionStatus.RETURNED:
        services.version_submit(version=version, by=commissioner)
        services.version_return(
            version=version,
            comments="Raise LIB01.",
            decided_on=datetime.date(2016, 1, 20),
            by=board,
        )
        version.refresh_from_db()
        return version
    if status == VersionStatus.RETURNED_BY_SERVICE:
        take_to(version, VersionStatus.SIGNED_OFF, commissioner, board, head)
        services.version_return_by_service(
            version=version, reasons="The service cannot staff Sunday opening.", by=head
        )
        version.refresh_from_db()
        return version
    for reached, step in path:
        step()
        if reached == status:
            break
    version.refresh_from_db()
    return version
