"""The commissioning cycle's figures: the annual report PDF and the daily sweep."""

import datetime
import random
import time

GOAL_PDF_SECONDS = 3.0
GOAL_SWEEP_SECONDS = 10.0


def annual_report_pdf():
    """A year of sixty KPIs, each with its monthly chart, rendered to a tagged PDF (warm)."""
    from cycle.report import render_report_pdf
    from demo_data.report import sample_report_data

    data = sample_report_data(kpi_count=60)
    render_report_pdf(sample_report_data(kpi_count=2))  # warm up fonts and stylesheets
    started = time.perf_counter()
    pdf = render_report_pdf(data)
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds <= GOAL_PDF_SECONDS else "OVER GOAL"
    return [
        f"cycle: annual report PDF, 60 KPIs: {seconds:.2f} s, {len(pdf) // 1024} KB "
        f"(goal <= {GOAL_PDF_SECONDS:.0f} s: {verdict})"
    ]


def _seed(n, today):
    from cycle.models import Deadline
    from lra_commissioning.models import FinancialYear, User, UserRole
    from lra_commissioning.roles import Role

    Deadline.objects.all().delete()
    if not User.objects.exists():
        for i, role in enumerate(
            [Role.SERVICE_MANAGER] * 3 + [Role.COMMISSIONER] * 2 + [Role.BOARD_MEMBER] * 2
        ):
            user = User.objects.create_user(f"bench{i}@example.org", full_name=f"Bench {i}")
            UserRole.objects.create(user=user, role=role)
    year, _ = FinancialYear.objects.get_or_create(start_year=today.year - 5)
    rng = random.Random(2016)
    Deadline.objects.bulk_create(
        Deadline(
            key=f"bench:{i}",
            kind="action",
            title=f"Benchmark action {i}",
            financial_year=year,
            due_on=today + datetime.timedelta(days=rng.randint(-30, 30)),
            responsible_role=rng.choice([Role.SERVICE_MANAGER, Role.COMMISSIONER]),
        )
        for i in range(n)
    )


def daily_sweep():
    """The 07:00 sweep over open deadlines: time and queries at 1,000 and 10,000."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cycle import services, tasks
    from cycle.models import Reminder
    from lra_commissioning.celery import app

    # Queue the send tasks on an in-memory broker: the sweep is measured, not the e-mails.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    today = timezone.localdate()
    lines = []
    for n in (1_000, 10_000):
        _seed(n, today)
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            queued = tasks.daily_sweep()["queued"]
            seconds = time.perf_counter() - started
        verdict = "ok" if seconds <= GOAL_SWEEP_SECONDS else "OVER GOAL"
        lines.append(
            f"cycle: daily sweep over {n:,} open deadlines: {seconds:.2f} s, "
            f"{len(queries)} queries, {queued:,} reminders queued "
            f"(goal <= {GOAL_SWEEP_SECONDS:.0f} s: {verdict})"
        )
        # The database part alone (creating the reminder rows, escalating), from scratch.
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            services.reminders_sweep(today=today)
            seconds = time.perf_counter() - started
        lines.append(
            f"cycle:   of which reminder rows and escalation: {seconds:.2f} s, "
            f"{len(queries)} queries"
        )
    return lines


BENCHMARKS = [annual_report_pdf, daily_sweep]
