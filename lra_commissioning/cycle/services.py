"""Writes of the commissioning cycle. Keyword-only, the actor as `by=`.

Deadlines: generated from the rules, met through `obligations.obligation_met`.
Reminders: the daily sweep creates one row per (deadline, recipient, offset)
(a unique constraint keeps it so however often the sweep runs); a task sends
each row under a row lock and marks it sent in the same transaction, so a task
delivered twice sends one e-mail.
"""

import datetime
import logging
import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from lra_commissioning import dates, obligations
from lra_commissioning.models import FinancialYear, UserRole
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError, Workflow, t

from .generator import default_rule_fields, planned_deadlines
from .models import (
    ESCALATION_LEVEL,
    PER_RECORD_KINDS,
    RULE_KINDS,
    AnnualReport,
    CalendarFeed,
    Deadline,
    DeadlineRule,
    Escalation,
    Reminder,
    ReminderOffset,
    ReminderStatus,
    ReportKind,
    ReportStatus,
)

log = logging.getLogger(__name__)

# Reminders of deadlines closed this long ago are forgotten (retention job).
REMINDER_RETENTION_DAYS = 730

DEFAULT_OFFSETS = [
    (-14, Escalation.NONE),
    (-7, Escalation.NONE),
    (-1, Escalation.NONE),
    (0, Escalation.NONE),
    (1, Escalation.COMMISSIONERS),
    (7, Escalation.BOARD),
]


# Rules and offsets --------------------------------------------------------------


@transaction.atomic
def rules_ensure_defaults(*, by=None) -> None:
    """Create the default rules and reminder offsets that are missing. Safe to call twice."""
    existing = set(DeadlineRule.objects.values_list("kind", flat=True))
    for kind in RULE_KINDS:
        if kind not in existing:
            rule = DeadlineRule(kind=kind, **default_rule_fields(kind))
            rule._history_user = by
            rule.save()
    if not ReminderOffset.objects.exists():
        for days, escalate_to in DEFAULT_OFFSETS:
            offset = ReminderOffset(days=days, escalate_to=escalate_to)
            offset._history_user = by
            offset.save()


def _validate_rule_dates(*, kind, working_days, month, day):
    if kind in ("kpi_return", "management_report"):
        if not working_days or not 1 <= working_days <= 40:
            raise DomainError("Enter the number of working days, from 1 to 40")
        return
    if not month or not day:
        raise DomainError("Enter the day and month the deadline falls on")
    try:
        datetime.date(2001, month, day)  # not a leap year: 29 February is refused
    except ValueError:
        raise DomainError(
            "Enter a real day and month, like 31 3 (29 February is not allowed)"
        ) from None


@transaction.atomic
def deadline_rule_update(
    *,
    rule: DeadlineRule,
    responsible_role,
    is_active: bool,
    working_days=None,
    month=None,
    day=None,
    year_offset: int = 0,
    by,
    today: datetime.date | None = None,
) -> DeadlineRule:
    """Change a rule and re-date the open deadlines of this and later years.

    Met deadlines keep the date they had. Safe to call twice.
    """
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    _validate_rule_dates(kind=rule.kind, working_days=working_days, month=month, day=day)
    if rule.is_monthly:
        month = day = None
    else:
        working_days = None
    rule.responsible_role = Role(responsible_role)
    rule.is_active = is_active
    rule.working_days = working_days
    rule.month = month
    rule.day = day
    rule.year_offset = year_offset
    rule._history_user = by
    rule.save()
    today = today or timezone.localdate()
    current = dates.financial_year_of(today)
    years = set(
        Deadline.objects.filter(financial_year__start_year__gte=current).values_list(
            "financial_year__start_year", flat=True
        )
    )
    for start_year in sorted(years):
        deadlines_generate(start_year=start_year, by=by)
    return rule


@transaction.atomic
def reminder_offset_save(
    *, offset: ReminderOffset | None, days: int, escalate_to: str, is_active: bool, by
) -> ReminderOffset:
    """Create (offset=None) or change a reminder offset."""
    if escalate_to and days <= 0:
        raise DomainError("Only an overdue reminder (1 day overdue or more) can escalate")
    clash = ReminderOffset.objects.filter(days=days)
    if offset is not None:
        clash = clash.exclude(pk=offset.pk)
        offset = ReminderOffset.objects.select_for_update().get(pk=offset.pk)
    if clash.exists():
        raise DomainError("There is already a reminder at that number of days")
    offset = offset or ReminderOffset()
    offset.days = days
    offset.escalate_to = escalate_to
    offset.is_active = is_active
    offset._history_user = by
    offset.save()
    return offset


# Deadlines ---------------------------------------------------------------------


@transaction.atomic
def deadlines_generate(*, start_year: int, by=None) -> dict:
    """Bring a financial year's deadlines in line with the rules and sources.

    Creates what is missing, re-dates open deadlines whose rule changed and
    withdraws open deadlines whose rule is switched off. Met deadlines are
    history and never change. Safe to call twice; a fixed number of queries
    plus one per changed deadline.
    """
    rules_ensure_defaults(by=by)
    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    planned, inactive = planned_deadlines(start_year)
    existing = {d.key: d for d in Deadline.objects.filter(financial_year=year)}
    created = updated = withdrawn = 0
    new = []
    for p in planned:
        d = existing.get(p.key)
        if d is None:
            new.append(
                Deadline(
                    key=p.key,
                    kind=p.kind,
                    title=p.title,
                    financial_year=year,
                    due_on=p.due_on,
                    responsible_role=p.responsible_role,
                    responsible_person_id=p.responsible_person_id,
                )
            )
            continue
        if d.is_met:
            continue
        changes = (p.title, p.due_on, p.responsible_role, p.responsible_person_id, False)
        current = (d.title, d.due_on, d.responsible_role, d.responsible_person_id, d.withdrawn)
        if changes != current:
            d.title, d.due_on, d.responsible_role, d.responsible_person_id, d.withdrawn = changes
            d._history_user = by
            d.save()
            updated += 1
    if new:
        # A per-record deadline already in another year (its record was re-dated) stays there.
        elsewhere = set(
            Deadline.objects.filter(key__in=[d.key for d in new]).values_list("key", flat=True)
        )
        new = [d for d in new if d.key not in elsewhere]
    if new:
        # One insert, with a history row per deadline (bulk_create alone skips history).
        bulk_create_with_history(new, Deadline, default_user=by)
        created = len(new)
    planned_keys = {p.key for p in planned}
    for d in existing.values():
        # A per-record deadline whose record no longer asks for it (a closed
        # action plan) is withdrawn like one whose rule is switched off.
        gone = d.kind in PER_RECORD_KINDS and d.key not in planned_keys
        if (d.kind in inactive or gone) and not d.is_met and not d.withdrawn:
            d.withdrawn = True
            d._history_user = by
            d.save()
            withdrawn += 1
    return {"created": created, "updated": updated, "withdrawn": withdrawn}


def deadline_obligation_met(key: str, met_on: datetime.date, by) -> None:
    """The obligations listener: meeting an obligation meets its deadline.

    Runs inside the caller's transaction. A second call for the same key
    changes nothing (the first date stands).
    """
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().filter(key=key).first()
        if deadline is None or deadline.is_met:
            return
        deadline.met_on = met_on
        deadline.met_by = by
        deadline._history_user = by
        deadline.save(update_fields=["met_on", "met_by"])
        deadline.reminders.filter(status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED
        )


@transaction.atomic
def deadline_mark_met(*, deadline: Deadline, on: datetime.date, by) -> Deadline:
    """A commissioner records that an obligation was met outside the system."""
    if on > timezone.localdate():
        raise DomainError("The date it was met must be today or in the past")
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if locked.is_met:
        raise DomainError("This deadline has already been met")
    if locked.withdrawn:
        raise DomainError("This deadline has been withdrawn")
    obligations.obligation_met(locked.key, by=by, on=on)
    locked.refresh_from_db()
    return locked


# Reminders ----------------------------------------------------------------------


def reminders_sweep(*, today: datetime.date) -> list[int]:
    """Create the reminders due today and escalate overdue deadlines.

    For each open deadline the reminder that applies is the latest active
    offset whose day has come (a missed day catches up with one reminder, not
    a burst). Returns the ids of every reminder waiting to be sent. A fixed
    number of queries however many deadlines; safe to run twice, or in two
    processes at once (the unique constraint keeps one row per recipient and
    offset).
    """
    offsets = list(ReminderOffset.objects.order_by("days"))
    if not offsets:
        # Never configured (a database emptied after its migrations): use the defaults.
        rules_ensure_defaults()
        offsets = list(ReminderOffset.objects.order_by("days"))
    offsets = [o for o in offsets if o.is_active]
    if not offsets:
        return []
    lo, hi = offsets[0].days, offsets[-1].days
    window = Deadline.objects.open().filter(
        due_on__gte=today - datetime.timedelta(days=hi),
        due_on__lte=today - datetime.timedelta(days=lo),
    )
    rows = list(
        window.values_list(
            "id", "due_on", "responsible_role", "responsible_person_id", "escalation_level"
        )
    )
    by_role: dict[str, list[int]] = {}
    for role, user_id in UserRole.objects.filter(user__is_active=True).values_list(
        "role", "user_id"
    ):
        by_role.setdefault(role, []).append(user_id)
    group = {
        Escalation.COMMISSIONERS: by_role.get(Role.COMMISSIONER, []),
        Escalation.BOARD: by_role.get(Role.BOARD_MEMBER, []),
    }
    new = []
    escalate: dict[int, list[int]] = {1: [], 2: []}
    for deadline_id, due_on, role, person_id, level in rows:
        elapsed = (today - due_on).days
        applicable = None
        for offset in offsets:
            if offset.days <= elapsed:
                applicable = offset
        if applicable is None:
            continue
        recipients = (
            {person_id: False} if person_id else dict.fromkeys(by_role.get(role, []), False)
        )
        if applicable.escalate_to:
            for user_id in group[applicable.escalate_to]:
                recipients.setdefault(user_id, True)
            target = ESCALATION_LEVEL[applicable.escalate_to]
            if level < target:
                escalate[target].append(deadline_id)
        new.extend(
            Reminder(
                deadline_id=deadline_id,
                recipient_id=user_id,
                offset_days=applicable.days,
                is_escalation=is_escalation,
            )
            for user_id, is_escalation in recipients.items()
        )
    with transaction.atomic():
        if new:
            Reminder.objects.bulk_create(new, ignore_conflicts=True)
        for target, ids in escalate.items():
            if ids:
                Deadline.objects.filter(pk__in=ids, escalation_level__lt=target).update(
                    escalation_level=target
                )
    return list(
        Reminder.objects.filter(
            status=ReminderStatus.PENDING, deadline__met_on__isnull=True
        ).values_list("id", flat=True)
    )


def reminder_send(*, reminder_id: int, connection=None) -> bool:
    """Send one reminder by e-mail, once. True when this call sent it.

    Claims the row under `select_for_update` and marks it sent in the same
    transaction: a second delivery of the same task waits for the lock, then
    finds it sent. A reminder whose deadline has been met is cancelled instead.
    """
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("deadline", "recipient")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status != ReminderStatus.PENDING:
            return False
        deadline = reminder.deadline
        if deadline.is_met or deadline.withdrawn:
            reminder.status = ReminderStatus.CANCELLED
            reminder.save(update_fields=["status"])
            return False
        context = {
            "reminder": reminder,
            "deadline": deadline,
            "recipient": reminder.recipient,
            "calendar_url": settings.SITE_URL.rstrip("/") + reverse("cycle:calendar"),
            "service_name": settings.SERVICE_NAME,
        }
        send_mail(
            subject=reminder.subject,
            message=render_to_string("cycle/email/reminder.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.recipient.email],
            connection=connection,
        )
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
        return True


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    return Reminder.objects.filter(
        recipient=user, status=ReminderStatus.SENT, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def reminders_purge(*, today: datetime.date) -> int:
    """Retention: forget reminders of deadlines met or withdrawn long ago.

    Only closed deadlines lose their reminders, so none can be sent again.
    """
    days = getattr(settings, "REMINDER_RETENTION_DAYS", REMINDER_RETENTION_DAYS)
    cutoff = today - datetime.timedelta(days=days)
    closed = Deadline.objects.filter(met_on__lt=cutoff) | Deadline.objects.filter(
        withdrawn=True, due_on__lt=cutoff
    )
    deleted, _ = Reminder.objects.filter(deadline__in=closed).delete()
    return deleted


# Calendar feeds -----------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, user, by) -> CalendarFeed:
    """Give the person a new secret address; any earlier address stops working."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    feed = feed or CalendarFeed(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed._history_user = by
    feed.save()
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user, by) -> bool:
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return False
    feed._history_user = by
    feed.delete()
    return True


# Annual reports -----------------------------------------------------------------

REPORT_WORKFLOW = Workflow(
    "report",
    {
        "generate": t(
            [ReportStatus.FAILED, ReportStatus.GENERATED, ReportStatus.APPROVED],
            ReportStatus.PENDING,
            "produced again",
        ),
        "rendered": t([ReportStatus.PENDING], ReportStatus.GENERATED, "rendered"),
        "failed": t([ReportStatus.PENDING], ReportStatus.FAILED, "marked failed"),
        "approve": t([ReportStatus.GENERATED], ReportStatus.APPROVED, "approved"),
        "publish": t([ReportStatus.APPROVED], ReportStatus.PUBLISHED, "published"),
    },
)


def report_actions(report: AnnualReport) -> list[str]:
    actions = [
        a for a in REPORT_WORKFLOW.actions_from(report.status) if a in ("generate", "approve")
    ]
    if report.kind == ReportKind.ANNUAL and REPORT_WORKFLOW.allowed(report.status, "publish"):
        actions.append("publish")
    return actions


@transaction.atomic
def annual_report_request(
    *, start_year: int, kind: str, by, today: datetime.date | None = None
) -> AnnualReport:
    """Ask for a report on a finished year; a Celery task renders it after commit.

    Asking again re-renders a report that is not yet published.
    """
    from . import tasks

    today = today or timezone.localdate()
    kind = ReportKind(kind)
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise DomainError("Choose a financial year")
    if today <= year.end_date:
        raise DomainError(
            f"The {year.label} year has not finished yet: a report can be produced from "
            f"{(year.end_date + datetime.timedelta(days=1)):%-d %B %Y}"
        )
    report = AnnualReport.objects.select_for_update().filter(financial_year=year, kind=kind).first()
    if report is None:
        report = AnnualReport(financial_year=year, kind=kind, status=ReportStatus.PENDING)
    else:
        if report.status == ReportStatus.PENDING:
            raise DomainError("This report is already being produced")
        report.status = REPORT_WORKFLOW.target(report.status, "generate")
        report.approved_by = None
        report.approved_at = None
    report.requested_by = by
    report.requested_at = timezone.now()
    report.render_error = ""
    report._history_user = by
    report.save()
    tasks.render_annual_report.delay_on_commit(report.pk)
    return report


def annual_report_render(*, report_id: int) -> bool:
    """Render a pending report to PDF and store it. Safe to run twice.

    The rendering takes seconds, so it happens outside any lock; the result
    is written only if the report is still waiting for it.
    """
    from .report import build_report_data, render_report_pdf

    report = AnnualReport.objects.select_related("financial_year").filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.PENDING:
        return False
    requested_at = report.requested_at
    started = time.perf_counter()
    try:
        data = build_report_data(start_year=report.financial_year.start_year, kind=report.kind)
        pdf = render_report_pdf(data)
    except Exception as exc:
        log.exception("Rendering %s failed", report)
        with transaction.atomic():
            locked = AnnualReport.objects.select_for_update().get(pk=report_id)
            if locked.status == ReportStatus.PENDING and locked.requested_at == requested_at:
                locked.status = REPORT_WORKFLOW.target(locked.status, "failed")
                locked.render_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                locked.save()
        return False
    seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report_id)
        if locked.status != ReportStatus.PENDING or locked.requested_at != requested_at:
            return False
        old_name = locked.pdf.name
        label = locked.financial_year.label.replace("/", "-")
        locked.pdf.save(f"{locked.kind}-report-{label}.pdf", ContentFile(pdf), save=False)
        locked.summary = data.summary_dict()
        locked.status = REPORT_WORKFLOW.target(locked.status, "rendered")
        locked.generated_at = timezone.now()
        locked.render_seconds = seconds
        locked.save()
        if old_name and old_name != locked.pdf.name:
            transaction.on_commit(lambda: locked.pdf.storage.delete(old_name))
    return True


@transaction.atomic
def annual_report_approve(*, report: AnnualReport, by) -> AnnualReport:
    """A commissioner approves the rendered report. The cabinet report is then produced."""
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    locked.status = REPORT_WORKFLOW.target(locked.status, "approve")
    locked.approved_by = by
    locked.approved_at = timezone.now()
    locked._history_user = by
    locked.save()
    if locked.kind == ReportKind.CABINET:
        obligations.obligation_met(f"cabinet_report:{locked.financial_year.start_year}", by=by)
    return locked


@transaction.atomic
def annual_report_publish(*, report: AnnualReport, by) -> AnnualReport:
    """Put an approved annual report on the public site; meets its deadline."""
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.kind != ReportKind.ANNUAL:
        raise DomainError("The cabinet committee report is not published on the public site")
    locked.status = REPORT_WORKFLOW.target(locked.status, "publish")
    locked.published_by = by
    locked.published_at = timezone.now()
    locked._history_user = by
    locked.save()
    obligations.obligation_met(f"annual_report:{locked.financial_year.start_year}", by=by)
    return locked


def requeue_stuck_reports(*, older_than_minutes: int = 30) -> list[int]:
    """Report job: reports still pending long after they were asked for (a worker died)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return list(
        AnnualReport.objects.filter(
            status=ReportStatus.PENDING, requested_at__lt=cutoff
        ).values_list("id", flat=True)
    )
