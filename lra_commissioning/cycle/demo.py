"""Demo data for the commissioning cycle (safe to run twice, through the services).

The calendar for 2016/17 and 2017/18: most obligations met on time, a few
late, the February 2018 KPI return still open and escalated to the board,
reminders already sent about it, and the published 2016/17 annual report
(its PDF rendered synchronously by the same code the Celery task runs).
"""

import datetime

from django.core.mail import get_connection

from lra_commissioning import obligations
from lra_commissioning.roles import Role

from . import services
from .models import AnnualReport, Deadline, ReportKind, ReportStatus

# Obligations left open in the demo: the story of an overdue return.
OPEN_KEYS = {"kpi_return:2018-02", "management_report:2018-03", "kpi_return:2018-03"}
LATE_KEYS = {"kpi_return:2016-11": 4, "business_plan:2017": 6}
OPEN_KINDS = {"annual_report", "cabinet_report"}  # 2017/18's reports are not done yet


def _who(ctx, role):
    return {
        Role.COMMISSIONER: ctx.commissioner,
        Role.SERVICE_MANAGER: ctx.manager,
        Role.BOARD_MEMBER: ctx.board,
        Role.SUPPORT_LEAD: ctx.support,
        Role.ADMINISTRATOR: ctx.admin,
    }[Role(role)]


def load(ctx):
    for start_year in (2016, 2017):
        services.deadlines_generate(start_year=start_year, by=ctx.admin)
    deadlines = Deadline.objects.filter(financial_year__start_year__in=(2016, 2017))
    open_keys = set(OPEN_KEYS) | {
        d.key for d in deadlines if d.kind in OPEN_KINDS and d.financial_year.start_year == 2017
    }
    # The 2016/17 annual report is met by publishing it, below.
    open_keys.add("annual_report:2016")
    first_overdue = None
    for d in deadlines.select_related("financial_year").order_by("due_on"):
        if d.key in open_keys or d.is_met:
            if d.key == "kpi_return:2018-02":
                first_overdue = d
            continue
        late = LATE_KEYS.get(d.key, 0)
        met_on = (
            d.due_on + datetime.timedelta(days=late)
            if late
            else d.due_on - datetime.timedelta(days=2)
        )
        obligations.obligation_met(d.key, by=_who(ctx, d.responsible_role), on=met_on)

    # Reminders about the February 2018 return, walking its offsets as the daily
    # sweep would have, up to a week overdue (escalated to the board).
    if first_overdue is not None:
        quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
        for days in (-14, -7, -1, 0, 1, 7):
            ids = services.reminders_sweep(
                today=first_overdue.due_on + datetime.timedelta(days=days)
            )
            for reminder_id in ids:
                services.reminder_send(reminder_id=reminder_id, connection=quiet)

    report = AnnualReport.objects.filter(
        financial_year__start_year=2016, kind=ReportKind.ANNUAL
    ).first()
    if report is None:
        report = services.annual_report_request(
            start_year=2016, kind=ReportKind.ANNUAL, by=ctx.commissioner
        )
    if report.status == ReportStatus.PENDING:
        # The task body, run here so the demo has its PDF without a worker.
        services.annual_report_render(report_id=report.pk)
        report.refresh_from_db()
    if report.status == ReportStatus.GENERATED:
        report = services.annual_report_approve(report=report, by=ctx.commissioner)
    if report.status == ReportStatus.APPROVED:
        services.annual_report_publish(report=report, by=ctx.commissioner)
    ctx.notes.append(
        "Calendar: 2016/17 and 2017/18 deadlines; the February 2018 KPI return is overdue "
        "and escalated to the board; the 2016/17 annual report is published."
    )
