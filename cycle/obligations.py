"""When the records say the calendar's own obligations were met (see
lra_commissioning.obligations). Registered in apps.py.

    annual_report:<start year>    the year's annual report published
    cabinet_report:<start year>   the year's report to the cabinet committee approved

One query however many keys.
"""

from django.utils import timezone

from lra_commissioning import obligations
from lra_commissioning.links import int_part

from .models import AnnualReport, ReportKind, ReportStatus


def reports_met(keys):
    wanted = {}
    for key in keys:
        year = int_part(key, 0)
        if year is not None:
            kind = ReportKind.ANNUAL if key.startswith("annual_report:") else ReportKind.CABINET
            wanted[key] = (year, kind)
    if not wanted:
        return {}
    met = {}
    for (
        year,
        kind,
        status,
        approved_at,
        approved_by,
        published_at,
        published_by,
    ) in AnnualReport.objects.filter(
        financial_year__start_year__in={y for y, _ in wanted.values()}
    ).values_list(
        "financial_year__start_year",
        "kind",
        "status",
        "approved_at",
        "approved_by_id",
        "published_at",
        "published_by_id",
    ):
        if kind == ReportKind.ANNUAL and status == ReportStatus.PUBLISHED and published_at:
            met[(year, kind)] = obligations.Met(timezone.localdate(published_at), published_by)
        elif kind == ReportKind.CABINET and status == ReportStatus.APPROVED and approved_at:
            met[(year, kind)] = obligations.Met(timezone.localdate(approved_at), approved_by)
    return {key: met[pair] for key, pair in wanted.items() if pair in met}


def register():
    obligations.register_resolver("annual_report", reports_met)
    obligations.register_resolver("cabinet_report", reports_met)
