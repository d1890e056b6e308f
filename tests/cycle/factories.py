import datetime

from cycle.models import Deadline
from lra_commissioning.models import FinancialYear
from lra_commissioning.roles import Role


def make_deadline(key="kpi_return:2016-06", due_on=datetime.date(2016, 7, 14), **kw):
    year, _ = FinancialYear.objects.get_or_create(start_year=kw.pop("start_year", 2016))
    return Deadline.objects.create(
        key=key,
        kind=kw.pop("kind", "kpi_return"),
        title=kw.pop("title", "June 2016 KPI return"),
        financial_year=year,
        due_on=due_on,
        responsible_role=kw.pop("responsible_role", Role.SERVICE_MANAGER),
        **kw,
    )


def make_report_ready_to_produce(start_year=2016, **kw):
    """An annual report the service has written and the commissioner assessed
    (no outcomes, no business plan): what `annual_report_request` produces."""
    from cycle.models import AnnualReport, ReportStatus

    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    return AnnualReport.objects.get_or_create(
        financial_year=year,
        kind="annual",
        defaults={
            "status": ReportStatus.WITH_COMMISSIONER,
            "foreword": kw.pop("foreword", "A year of change for the service."),
            "overall_assessment": kw.pop("overall_assessment", "A good year."),
            **kw,
        },
    )[0]
