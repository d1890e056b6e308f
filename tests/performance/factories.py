"""Builders for performance tests: a published specification with KPIs, and returns."""

import datetime
from decimal import Decimal

from lra_commissioning.models import FinancialYear
from performance import services
from performance.models import KpiReturn, MonthlyReturn, ReturnStatus, ValueStatus
from specifications.models import KPI, Specification, SpecificationVersion, VersionStatus


def make_version(start_year=2016, kpis=None, extra=0):
    """A published version in force from 1 April of `start_year`, with KPIs.

    kpis: list of dicts of KPI fields; default: one count, one percentage, one
    activity measure. extra: that many more monthly counts (for query-count tests).
    """
    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    spec, _ = Specification.objects.get_or_create(financial_year=year)
    version = SpecificationVersion.objects.create(
        specification=spec,
        major=spec.versions.count() + 1,
        status=VersionStatus.PUBLISHED,
        starts_on=datetime.date(start_year, 4, 1),
    )
    rows = kpis or [
        {
            "code": "LIB01",
            "title": "Library visits",
            "unit": "count",
            "annual_aggregation": "sum",
            "annual_target": Decimal(1200),
            "floor": Decimal(1080),
        },
        {
            "code": "REG01",
            "title": "Deaths registered within 5 days",
            "unit": "percentage",
            "annual_aggregation": "average",
            "annual_target": Decimal(90),
            "floor": Decimal(85),
        },
        {
            "code": "REG05",
            "title": "Births registered",
            "unit": "count",
            "annual_aggregation": "sum",
            "is_activity": True,
            "expected_low": Decimal(1100),
            "expected_high": Decimal(1300),
        },
    ]
    rows = list(rows) + [
        {
            "code": f"X{i:03d}",
            "title": f"Extra measure {i}",
            "unit": "count",
            "annual_aggregation": "sum",
            "annual_target": Decimal(1200),
            "floor": Decimal(1000),
        }
        for i in range(extra)
    ]
    for order, fields in enumerate(rows):
        fields = {"service_area": "libraries", "frequency": "monthly", **fields}
        KPI.objects.create(version=version, order=order, **fields)
    return version


def at(day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def submitted_return(month, manager, values=None, submit_on=None):
    """A submitted return for `month` with `values` ({code: value}; default 100 each)."""
    monthly_return = services.monthly_return_open(month=month, by=manager)
    entries = {
        v.pk: {"value": (values or {}).get(v.kpi_code, Decimal(100)), "commentary": "ok"}
        for v in monthly_return.values.all()
    }
    services.kpi_values_save(monthly_return=monthly_return, entries=entries, by=manager)
    submit_on = submit_on or (month.replace(day=28) + datetime.timedelta(days=8))
    return services.monthly_return_submit(
        monthly_return=monthly_return, by=manager, now=at(submit_on)
    )


def accept_all(monthly_return, commissioner):
    decisions = {v.pk: ("accept", "") for v in monthly_return.values.all()}
    return services.monthly_return_review(
        monthly_return=monthly_return, decisions=decisions, by=commissioner
    )


__all__ = ["KpiReturn", "MonthlyReturn", "ReturnStatus", "ValueStatus"]
