"""Writes of the commissioning cycle. Keyword-only, the actor as `by=`.

Deadlines: generated from the rules and sources. Their met state follows the
records: the listener (`deadline_obligation_met`) meets a deadline in the same
transaction as the service that meets its obligation, and generating a year,
the daily sweep and each reminder ask the records again (the resolvers of
`lra_commissioning.obligations`), so a deadline created after its work was done
is met on the record's date and no reminder goes out for work already done.
Only an obligation with no record in the system is recorded met by hand.
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
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lra_commissioning import dates, notifications, obligations
from lra_commissioning.audit import delete_with_history, save_with_history
from lra_commissioning.celery import is_waiting_to_be_queued
from lra_commissioning.links import absolute_url
from lra_commissioning.models import FinancialYear, NotificationKind, UserRole
from lra_commissioning.permissions import NotPermitted, Perm, can, ensure_can
from lra_commissioning.roles import Role
from lra_commissioning.workflow import DomainError, TransitionNotAllowed, Workflow, t

from . import notifications as report_notifications
from .generator import default_rule_fields, planned_deadlines
from .links import record_url
from .models import (
    ESCALATION_LEVEL,
    PER_RECORD_KINDS,
    RULE_KINDS,
    AnnualReport,
    ApproachReview,
    ApproachReviewStatus,
    CalendarFeed,
    Deadline,
    DeadlineRule,
    Delivery,
    Escalation,
    Reminder,
    ReminderOffset,
    ReminderStatus,
    ReportActionReturn,
    ReportKind,
    ReportOutcome,
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
    ensure_can(
        by,
        Perm.REFERENCE_DATA_MANAGE,
        message="Only an administrator can set up the deadline rules.",
    )
    existing = set(DeadlineRule.objects.values_list("kind", flat=True))
    for kind in RULE_KINDS:
        if kind not in existing:
            rule = DeadlineRule(kind=kind, **default_rule_fields(kind))
            save_with_history(rule, by)
    if not ReminderOffset.objects.exists():
        for days, escalate_to in DEFAULT_OFFSETS:
            offset = ReminderOffset(days=days, escalate_to=escalate_to)
            save_with_history(offset, by)


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
    ensure_can(
        by,
        Perm.REFERENCE_DATA_MANAGE,
        message="Only an administrator can change a deadline rule.",
    )
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
    save_with_history(rule, by)
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
    ensure_can(
        by,
        Perm.REFERENCE_DATA_MANAGE,
        message="Only an administrator can change the reminders.",
    )
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
    save_with_history(offset, by)
    return offset


# Deadlines ---------------------------------------------------------------------


@transaction.atomic
def deadlines_generate(*, start_year: int, by=None) -> dict:
    """Bring a financial year's deadlines in line with the rules, sources and records.

    Creates what is missing, re-dates open deadlines whose rule changed and
    withdraws open deadlines whose rule is switched off. A deadline whose record
    says its obligation is met (created after the work was done, or missed by
    the listener) is met on the record's date, late when after its due date.
    Met deadlines are history and never change. Safe to call twice; a fixed
    number of queries plus one per re-dated or withdrawn deadline. `by` None is the
    system (the nightly calendar, a meeting's records bringing the calendar up to date).
    """
    ensure_can(
        by,
        Perm.REFERENCE_DATA_MANAGE,
        message="Only an administrator can generate a year's deadlines.",
    )
    rules_ensure_defaults(by=by)
    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    planned, inactive = planned_deadlines(start_year)
    existing = {d.key: d for d in Deadline.objects.filter(financial_year=year)}
    # What the records say, for every deadline that could still be met.
    met = obligations.records_met(
        [p.key for p in planned]
        + [k for k, d in existing.items() if not d.is_met and not d.withdrawn]
    )
    created = updated = withdrawn = 0
    new = []
    for p in planned:
        d = existing.get(p.key)
        if d is None:
            record = met.get(p.key)
            new.append(
                Deadline(
                    key=p.key,
                    kind=p.kind,
                    title=p.title,
                    financial_year=year,
                    due_on=p.due_on,
                    responsible_role=p.responsible_role,
                    responsible_person_id=p.responsible_person_id,
                    met_on=record.on if record else None,
                    met_by_id=record.by_id if record else None,
                )
            )
            continue
        if d.is_met:
            continue
        changes = (p.title, p.due_on, p.responsible_role, p.responsible_person_id, False)
        current = (d.title, d.due_on, d.responsible_role, d.responsible_person_id, d.withdrawn)
        if changes != current:
            d.title, d.due_on, d.responsible_role, d.responsible_person_id, d.withdrawn = changes
            save_with_history(d, by)
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
    # Open deadlines whose records say met: met now (before any is withdrawn below,
    # so a done action's deadline is met, not withdrawn).
    met_now = _meet_from_records(
        {d.pk: met[k] for k, d in existing.items() if k in met and not d.withdrawn}, by=by
    )
    planned_keys = {p.key for p in planned}
    for d in existing.values():
        if d.pk in met_now:
            continue
        # A per-record deadline whose record no longer asks for it (a closed
        # action plan) is withdrawn like one whose rule is switched off.
        gone = d.kind in PER_RECORD_KINDS and d.key not in planned_keys
        if (d.kind in inactive or gone) and not d.is_met and not d.withdrawn:
            d.withdrawn = True
            save_with_history(d, by)
            withdrawn += 1
    return {
        "created": created,
        "updated": updated,
        "withdrawn": withdrawn,
        "met": len(met_now) + sum(1 for d in new if d.met_on),
    }


def _meet_from_records(found: dict[int, obligations.Met], *, by=None) -> set[int]:
    """Meet open deadlines (by id) on the dates their records give, and cancel their
    pending reminders. Returns the ids met. Four queries however many deadlines."""
    if not found:
        return set()
    with transaction.atomic():
        rows = list(
            Deadline.objects.select_for_update().filter(
                pk__in=list(found), met_on__isnull=True, withdrawn=False
            )
        )
        for d in rows:
            d.met_on, d.met_by_id = found[d.pk].on, found[d.pk].by_id
        if rows:
            bulk_update_with_history(
                rows,
                Deadline,
                ["met_on", "met_by"],
                default_user=by,
                default_change_reason="Met: its record says so",
            )
            Reminder.objects.filter(
                deadline__in=[d.pk for d in rows], status=ReminderStatus.PENDING
            ).update(status=ReminderStatus.CANCELLED)
    return {d.pk for d in rows}


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
        save_with_history(deadline, by, update_fields=["met_on", "met_by"])
        deadline.reminders.filter(status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED
        )


def deadline_can_be_marked_met(deadline: Deadline) -> bool:
    """Only an obligation with no record in the system is recorded met by hand:
    the others are met by their records (a return submitted, a decision recorded)."""
    return (
        not deadline.is_met
        and not deadline.withdrawn
        and not obligations.has_resolver(deadline.key)
    )


@transaction.atomic
def deadline_mark_met(
    *, deadline: Deadline, on: datetime.date, who: str, reason: str, by
) -> Deadline:
    """A commissioner records that an obligation with no record in the system was met
    outside it: when, who met it and why it is recorded here (kept in the history).

    Refused for an obligation that has a record (it is met by that record) and
    for a deadline already met or withdrawn.
    """
    ensure_can(
        by,
        Perm.DEADLINE_MARK_MET,
        message="Only a commissioner can record a deadline met by hand.",
    )
    if obligations.has_resolver(deadline.key):
        raise DomainError(
            "This deadline is met by its record in the system, so it cannot be recorded "
            "met by hand: it is met when the work is done there"
        )
    if on > timezone.localdate():
        raise DomainError("The date it was met must be today or in the past")
    who, reason = (who or "").strip(), (reason or "").strip()
    if not who:
        raise DomainError("Enter who met it")
    if not reason:
        raise DomainError("Enter why you are recording it as met")
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if locked.is_met:
        raise DomainError("This deadline has already been met")
    if locked.withdrawn:
        raise DomainError("This deadline has been withdrawn")
    locked.met_on = on
    locked.met_by = by
    locked.met_by_name = who
    locked.met_reason = reason
    save_with_history(
        locked,
        by,
        update_fields=["met_on", "met_by", "met_by_name", "met_reason"],
        reason=f"Recorded met by hand: {reason}"[:100],
    )
    locked.reminders.filter(status=ReminderStatus.PENDING).update(status=ReminderStatus.CANCELLED)
    # Anything else listening for this obligation hears of it (the deadline is met).
    obligations.obligation_met(locked.key, by=by, on=on)
    return locked


# Reminders ----------------------------------------------------------------------


def reminders_sweep(*, today: datetime.date) -> list[int]:
    """Meet the deadlines whose records say met, then create the reminders due
    today and escalate overdue deadlines.

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
    open_rows = list(
        Deadline.objects.open().values_list(
            "id", "key", "due_on", "responsible_role", "responsible_person_id", "escalation_level"
        )
    )
    # The records first: an open deadline whose work is done is met, never reminded.
    met = obligations.records_met(key for _, key, *_ in open_rows)
    _meet_from_records({pk: met[key] for pk, key, *_ in open_rows if key in met})
    first, last = today - datetime.timedelta(days=hi), today - datetime.timedelta(days=lo)
    rows = [
        (pk, due_on, role, person_id, level)
        for pk, key, due_on, role, person_id, level in open_rows
        if key not in met and first <= due_on <= last
    ]
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
        level_of = {pk: target for target, ids in escalate.items() for pk in ids}
        rising = [
            d
            for d in Deadline.objects.select_for_update().filter(pk__in=level_of)
            if d.escalation_level < level_of[d.pk]
        ]
        for deadline in rising:
            deadline.escalation_level = level_of[deadline.pk]
        if rising:
            # One update, with a history row per deadline (update() alone skips history).
            bulk_update_with_history(
                rising,
                Deadline,
                ["escalation_level"],
                default_change_reason="Escalated by the reminders",
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
    finds it sent. A reminder whose deadline has been met, or whose record says
    its obligation is met (the deadline is then met too), is cancelled instead.
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
        if not deadline.is_met and not deadline.withdrawn:
            # The record may say met although the deadline row does not yet.
            record = obligations.records_met([deadline.key]).get(deadline.key)
            if record is not None:
                _meet_from_records({deadline.pk: record})
                deadline.refresh_from_db()
        if deadline.is_met or deadline.withdrawn:
            reminder.status = ReminderStatus.CANCELLED
            reminder.save(update_fields=["status"])
            return False
        recipient = reminder.recipient
        kind = (
            NotificationKind.DEADLINE_ESCALATION
            if reminder.is_escalation
            else NotificationKind.DEADLINE_REMINDER
        )
        # The record's page as this person can open it (the deadline's page otherwise).
        item_url = record_url(recipient, deadline)
        emailed = notifications.wants_email(recipient, kind)
        if emailed:
            context = {
                "reminder": reminder,
                "deadline": deadline,
                "recipient": recipient,
                "item_url": absolute_url(item_url),
                "calendar_url": absolute_url(reverse("cycle:calendar")),
                "settings_url": absolute_url(reverse("notification_settings")),
                "service_name": settings.SERVICE_NAME,
            }
            send_mail(
                subject=reminder.subject,
                message=render_to_string("cycle/email/reminder.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
                connection=connection,
            )
        # The same words in the person's notifications (the e-mail, if any, is sent).
        notifications.notify(
            event=f"reminder:{reminder.pk}",
            kind=kind,
            recipients=[recipient],
            title=reminder.subject,
            url=item_url,
            email_sent=True,
        )
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
        return True


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
    save_with_history(feed, by)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user, by) -> bool:
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return False
    delete_with_history(feed, by)
    return True


# Annual reports -----------------------------------------------------------------

# A pending report whose rendering has not finished within this long is stuck:
# rendering takes seconds, so its task was lost (a worker died, Redis restarted).
REPORT_STUCK_MINUTES = 10

REPORT_WORKFLOW = Workflow(
    "report",
    {
        # The service sends its parts to the commissioner.
        "submit": t([ReportStatus.DRAFTING], ReportStatus.WITH_COMMISSIONER, "sent"),
        # The commissioner sends the draft back to the service with comments.
        "return": t(
            [ReportStatus.WITH_COMMISSIONER, ReportStatus.GENERATED, ReportStatus.FAILED],
            ReportStatus.DRAFTING,
            "returned",
        ),
        # From pending only when the report is stuck (annual_report_is_stuck).
        "generate": t(
            [
                ReportStatus.WITH_COMMISSIONER,
                ReportStatus.PENDING,
                ReportStatus.FAILED,
                ReportStatus.GENERATED,
                ReportStatus.APPROVED,
            ],
            ReportStatus.PENDING,
            "produced again",
        ),
        "rendered": t([ReportStatus.PENDING], ReportStatus.GENERATED, "rendered"),
        "failed": t([ReportStatus.PENDING], ReportStatus.FAILED, "marked failed"),
        "approve": t([ReportStatus.GENERATED], ReportStatus.APPROVED, "approved"),
        "publish": t([ReportStatus.APPROVED], ReportStatus.PUBLISHED, "published"),
    },
)


def annual_report_is_stuck(report: AnnualReport, *, now=None) -> bool:
    """A pending report that nothing is producing: its rendering could not be queued
    (the broker was down; it waits in the outbox), or it has waited longer than
    any rendering takes. The person may then ask for it again."""
    if report.status != ReportStatus.PENDING:
        return False
    if is_waiting_to_be_queued("cycle.render_annual_report", report.pk):
        return True
    now = now or timezone.now()
    return report.requested_at is None or report.requested_at < now - datetime.timedelta(
        minutes=REPORT_STUCK_MINUTES
    )


def report_actions(report: AnnualReport) -> list[str]:
    """The commissioner's buttons on the report's page."""
    actions = [
        a
        for a in REPORT_WORKFLOW.actions_from(report.status)
        if a == "approve"
        or (
            a == "generate"
            and (report.status != ReportStatus.PENDING or annual_report_is_stuck(report))
        )
    ]
    if report.kind == ReportKind.ANNUAL and REPORT_WORKFLOW.allowed(report.status, "publish"):
        actions.append("publish")
    return actions


@transaction.atomic
def annual_report_request(
    *, start_year: int, kind: str, by, today: datetime.date | None = None
) -> AnnualReport:
    """Ask for a report on a finished year; a Celery task renders it after commit.

    Asking again re-renders a report that is not yet published, and retries
    one that is stuck (see `annual_report_is_stuck`); a report being produced
    right now is refused.
    """
    from . import tasks

    ensure_can(by, Perm.ANNUAL_REPORT_PRODUCE, message="Only a commissioner can produce a report.")
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
    if report is None and kind == ReportKind.ANNUAL:
        raise DomainError(
            f"The service writes the {year.label} annual report first: start it, and the "
            "service's draft comes to you for your assessment"
        )
    if report is None:
        report = AnnualReport(financial_year=year, kind=kind, status=ReportStatus.PENDING)
    else:
        if report.status == ReportStatus.DRAFTING:
            raise DomainError("The service is still writing this report")
        if report.status == ReportStatus.WITH_COMMISSIONER:
            missing = annual_report_missing_assessments(report)
            if missing:
                raise DomainError("Add your assessment first: " + "; ".join(missing))
        if report.status == ReportStatus.PENDING and not annual_report_is_stuck(report):
            raise DomainError(
                "This report is already being produced. Refresh its page in a minute."
            )
        report.status = REPORT_WORKFLOW.target(report.status, "generate")
        report.approved_by = None
        report.approved_at = None
    report.requested_by = by
    report.requested_at = timezone.now()
    report.render_error = ""
    save_with_history(report, by)
    tasks.render_annual_report.delay_on_commit(report.pk)
    return report


def annual_report_render(*, report_id: int) -> bool:
    """Render a pending report to PDF and store it. Safe to run twice.

    The rendering takes seconds, so it happens outside any lock; the result
    is written only if the report is still waiting for it.
    """
    from .report import build_report_data, render_report_body, render_report_pdf

    report = AnnualReport.objects.select_related("financial_year").filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.PENDING:
        return False
    requested_at = report.requested_at
    started = time.perf_counter()
    try:
        data = build_report_data(
            start_year=report.financial_year.start_year, kind=report.kind, report=report
        )
        body = render_report_body(data)
        pdf = render_report_pdf(data, body)
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
        locked.body_html = body
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
    ensure_can(by, Perm.ANNUAL_REPORT_PRODUCE, message="Only a commissioner can approve a report.")
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    locked.status = REPORT_WORKFLOW.target(locked.status, "approve")
    locked.approved_by = by
    locked.approved_at = timezone.now()
    save_with_history(locked, by)
    if locked.kind == ReportKind.CABINET:
        obligations.obligation_met(f"cabinet_report:{locked.financial_year.start_year}", by=by)
    return locked


@transaction.atomic
def annual_report_publish(*, report: AnnualReport, by) -> AnnualReport:
    """Put an approved annual report on the public site; meets its deadline."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_PRODUCE,
        message="Only a commissioner can publish the annual report.",
    )
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.kind != ReportKind.ANNUAL:
        raise DomainError("The cabinet committee report is not published on the public site")
    locked.status = REPORT_WORKFLOW.target(locked.status, "publish")
    locked.published_by = by
    locked.published_at = timezone.now()
    save_with_history(locked, by)
    obligations.obligation_met(f"annual_report:{locked.financial_year.start_year}", by=by)
    return locked


def requeue_stuck_reports(*, older_than_minutes: int = REPORT_STUCK_MINUTES) -> list[int]:
    """Report job: reports still pending long after they were asked for (their task was lost)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return list(
        AnnualReport.objects.filter(
            status=ReportStatus.PENDING, requested_at__lt=cutoff
        ).values_list("id", flat=True)
    )


# The annual report, written by the people who own it ---------------------------


def _report_in(report: AnnualReport, status: str, what: str) -> AnnualReport:
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != status:
        raise TransitionNotAllowed(
            f"{what} only while the report is {ReportStatus(status).label.lower()}"
        )
    return locked


@transaction.atomic
def annual_report_start(*, start_year: int, by, today: datetime.date | None = None) -> AnnualReport:
    """Open a finished year's annual report for the service to write.

    One chapter per outcome of the specification in force at the year's end,
    and one report-back line per action of the year's accepted business plan.
    The service starts it to write it; a commissioner may start it too.
    """
    from specifications.selectors import business_plan_actions, year_outcomes

    if not can(by, Perm.ANNUAL_REPORT_PRODUCE):
        ensure_can(
            by,
            Perm.ANNUAL_REPORT_WRITE,
            message="Only a commissioner or a service manager can start the annual report.",
        )
    today = today or timezone.localdate()
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise DomainError("Choose a financial year")
    if today <= year.end_date:
        raise DomainError(
            f"The {year.label} year has not finished yet: its report can be started from "
            f"{(year.end_date + datetime.timedelta(days=1)):%-d %B %Y}"
        )
    if AnnualReport.objects.filter(financial_year=year, kind=ReportKind.ANNUAL).exists():
        raise DomainError(f"The {year.label} annual report has already been started")
    report = AnnualReport(
        financial_year=year,
        kind=ReportKind.ANNUAL,
        status=ReportStatus.DRAFTING,
        requested_by=by,
        requested_at=timezone.now(),
    )
    save_with_history(report, by)
    outcomes = year_outcomes(start_year=start_year)
    bulk_create_with_history(
        [
            ReportOutcome(report=report, outcome_code=o.code, outcome_title=o.title, order=i)
            for i, o in enumerate(outcomes)
        ],
        ReportOutcome,
        default_user=by,
    )
    bulk_create_with_history(
        [
            ReportActionReturn(
                report=report,
                outcome_code=a.outcome_code,
                description=a.description,
                milestone_on=a.milestone_on,
                owner=a.owner,
                order=i,
            )
            for i, a in enumerate(business_plan_actions(start_year=start_year))
        ],
        ReportActionReturn,
        default_user=by,
    )
    report_notifications.report_started(report, by=by, now=report.requested_at)
    return report


@transaction.atomic
def annual_report_write_foreword(*, report: AnnualReport, foreword: str, by) -> AnnualReport:
    """The head of service's foreword."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_WRITE,
        message="The foreword is written by the head of service",
    )
    if by is not None and not by.is_head_of_service:
        raise NotPermitted("The foreword is written by the head of service")
    locked = _report_in(report, ReportStatus.DRAFTING, "The foreword can be written")
    locked.foreword = foreword.strip()
    locked.foreword_by = by
    save_with_history(locked, by, update_fields=["foreword", "foreword_by"])
    return locked


@transaction.atomic
def report_outcome_write(
    *, chapter: ReportOutcome, narrative: str, highlights: str, case_study: str, by
) -> ReportOutcome:
    """The service's account of one outcome: narrative, highlights, a case study."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_WRITE,
        message="Only a service manager can write the service's parts of the annual report.",
    )
    _report_in(chapter.report, ReportStatus.DRAFTING, "The service's account can be written")
    locked = ReportOutcome.objects.select_for_update().get(pk=chapter.pk)
    locked.narrative = narrative.strip()
    locked.highlights = highlights.strip()
    locked.case_study = case_study.strip()
    save_with_history(locked, by)
    return locked


@transaction.atomic
def report_action_return_record(
    *, action: ReportActionReturn, delivery: str, comment: str, by
) -> ReportActionReturn:
    """The year-end report back on one business plan action."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_WRITE,
        message="Only a service manager can write the service's parts of the annual report.",
    )
    _report_in(action.report, ReportStatus.DRAFTING, "Delivery can be reported")
    delivery = Delivery(delivery)
    if delivery != Delivery.DELIVERED and not comment.strip():
        raise DomainError("Say what was not delivered and why")
    locked = ReportActionReturn.objects.select_for_update().get(pk=action.pk)
    locked.delivery = delivery
    locked.comment = comment.strip()
    save_with_history(locked, by)
    return locked


def annual_report_missing_parts(report: AnnualReport) -> list[str]:
    """What the service must still write before sending the report."""
    missing = []
    if not report.foreword.strip():
        missing.append("the head of service's foreword")
    for chapter in report.outcomes.all():
        if not chapter.is_written:
            missing.append(f"the narrative for {chapter.outcome_code}")
    unreported = sum(1 for a in report.action_returns.all() if not a.delivery)
    if unreported:
        missing.append(
            f"the delivery of {unreported} business plan action{'s' if unreported != 1 else ''}"
        )
    return missing


def annual_report_missing_assessments(report: AnnualReport) -> list[str]:
    missing = [
        f"the assessment of {c.outcome_code}"
        for c in report.outcomes.all()
        if not c.assessment.strip()
    ]
    if not report.overall_assessment.strip():
        missing.append("the overall assessment")
    return missing


@transaction.atomic
def annual_report_submit(*, report: AnnualReport, by) -> AnnualReport:
    """The service sends its parts to the commissioner for assessment."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_WRITE,
        message="Only a service manager can send the annual report to the commissioner.",
    )
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    status = REPORT_WORKFLOW.target(locked.status, "submit")
    missing = annual_report_missing_parts(locked)
    if missing:
        raise DomainError("Write " + "; ".join(missing) + " before sending the report")
    locked.status = status
    locked.submitted_by = by
    locked.submitted_at = timezone.now()
    locked.return_comment = ""
    save_with_history(locked, by)
    report_notifications.report_submitted(locked, by=by, now=locked.submitted_at)
    return locked


@transaction.atomic
def annual_report_return(*, report: AnnualReport, comment: str, by) -> AnnualReport:
    """The commissioner sends the draft back to the service, saying what to change."""
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_ASSESS,
        message="Only a commissioner can return the annual report to the service.",
    )
    if not comment.strip():
        raise DomainError("Say what the service should change")
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    locked.status = REPORT_WORKFLOW.target(locked.status, "return")
    locked.return_comment = comment.strip()
    save_with_history(locked, by)
    report_notifications.report_returned(locked, by=by, now=timezone.now())
    return locked


@transaction.atomic
def report_outcome_assess(*, chapter: ReportOutcome, assessment: str, by) -> ReportOutcome:
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_ASSESS,
        message="Only a commissioner can assess the annual report.",
    )
    _report_in(chapter.report, ReportStatus.WITH_COMMISSIONER, "An assessment can be added")
    locked = ReportOutcome.objects.select_for_update().get(pk=chapter.pk)
    locked.assessment = assessment.strip()
    save_with_history(locked, by, update_fields=["assessment"])
    return locked


@transaction.atomic
def annual_report_assess(*, report: AnnualReport, overall_assessment: str, by) -> AnnualReport:
    ensure_can(
        by,
        Perm.ANNUAL_REPORT_ASSESS,
        message="Only a commissioner can assess the annual report.",
    )
    locked = _report_in(report, ReportStatus.WITH_COMMISSIONER, "An assessment can be added")
    locked.overall_assessment = overall_assessment.strip()
    locked.assessed_by = by
    save_with_history(locked, by, update_fields=["overall_assessment", "assessed_by"])
    return locked


# The cabinet committee report ------------------------------------------------------


@transaction.atomic
def cabinet_report_record_committee(
    *,
    report: AnnualReport,
    committee: str,
    meeting_on: datetime.date,
    recommendation: str,
    resolution: str = "",
    by,
    today: datetime.date | None = None,
) -> AnnualReport:
    """Where and when the committee takes the report, what it is asked, what it resolved."""
    ensure_can(
        by,
        Perm.CABINET_REPORT_RECORD,
        message="Only a commissioner can record the cabinet committee's consideration.",
    )
    today = today or timezone.localdate()
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.kind != ReportKind.CABINET:
        raise DomainError("Only the cabinet committee report goes to the committee")
    if locked.status in (ReportStatus.PENDING, ReportStatus.FAILED):
        raise DomainError("Produce the report before recording its committee")
    if resolution.strip() and meeting_on > today:
        raise DomainError("The resolution can be recorded once the meeting has taken place")
    if meeting_on <= locked.financial_year.end_date:
        raise DomainError(f"The committee meets after the {locked.financial_year.label} year ends")
    locked.committee = committee.strip()
    locked.committee_meeting_on = meeting_on
    locked.recommendation = recommendation.strip()
    locked.resolution = resolution.strip()
    locked.resolution_recorded_by = by if resolution.strip() else None
    save_with_history(locked, by)
    return locked


# The review of the commissioning approach ------------------------------------------


@transaction.atomic
def approach_review_save(
    *, start_year: int, scope: str, findings: str = "", recommendations: str = "", by
) -> ApproachReview:
    """Open (or edit) the review: its scope, findings and recommendations."""
    ensure_can(
        by,
        Perm.APPROACH_REVIEW_MANAGE,
        message="Only a commissioner can write the review of the commissioning approach.",
    )
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise DomainError("Choose a financial year")
    review = ApproachReview.objects.select_for_update().filter(financial_year=year).first()
    new = review is None
    if new:
        review = ApproachReview(financial_year=year, created_by=by)
    elif review.status == ApproachReviewStatus.COMPLETED:
        raise DomainError("The review is completed: it can no longer change")
    review.scope = scope.strip()
    review.findings = findings.strip()
    review.recommendations = recommendations.strip()
    save_with_history(review, by)
    if new:
        report_notifications.review_needs_service_input(review, by=by, now=timezone.now())
    return review


@transaction.atomic
def approach_review_add_service_input(*, review: ApproachReview, service_input: str, by):
    ensure_can(
        by,
        Perm.APPROACH_REVIEW_CONTRIBUTE,
        message="Only a service manager can add the service's input to the review.",
    )
    locked = ApproachReview.objects.select_for_update().get(pk=review.pk)
    if locked.status == ApproachReviewStatus.COMPLETED:
        raise DomainError("The review is completed: it can no longer change")
    locked.service_input = service_input.strip()
    save_with_history(locked, by, update_fields=["service_input"])
    return locked


@transaction.atomic
def approach_review_record_consideration(
    *,
    review: ApproachReview,
    board_considered_on: datetime.date | None,
    board_conclusion: str,
    committee: str,
    committee_considered_on: datetime.date | None,
    committee_conclusion: str,
    by,
    today: datetime.date | None = None,
) -> ApproachReview:
    """When the board and the committee considered the review, and what they concluded."""
    ensure_can(
        by,
        Perm.APPROACH_REVIEW_MANAGE,
        message="Only a commissioner can record who considered the review.",
    )
    today = today or timezone.localdate()
    locked = ApproachReview.objects.select_for_update().get(pk=review.pk)
    if locked.status == ApproachReviewStatus.COMPLETED:
        raise DomainError("The review is completed: it can no longer change")
    for day, who in ((board_considered_on, "board"), (committee_considered_on, "committee")):
        if day is not None and day > today:
            raise DomainError(f"The {who} cannot have considered it in the future")
    locked.board_considered_on = board_considered_on
    locked.board_conclusion = board_conclusion.strip()
    locked.committee = committee.strip()
    locked.committee_considered_on = committee_considered_on
    locked.committee_conclusion = committee_conclusion.strip()
    save_with_history(locked, by)
    return locked


def approach_review_missing(review: ApproachReview) -> list[str]:
    missing = []
    for name, label in (
        ("scope", "the scope"),
        ("service_input", "the service's input"),
        ("findings", "the findings"),
        ("recommendations", "the recommendations"),
    ):
        if not getattr(review, name).strip():
            missing.append(label)
    if review.board_considered_on is None or not review.board_conclusion.strip():
        missing.append("when the board considered it and what it concluded")
    return missing


@transaction.atomic
def approach_review_complete(*, review: ApproachReview, by) -> ApproachReview:
    """The review is done: it meets the obligation `approach_review:<start year>`."""
    ensure_can(
        by,
        Perm.APPROACH_REVIEW_MANAGE,
        message="Only a commissioner can complete the review.",
    )
    locked = (
        ApproachReview.objects.select_for_update()
        .select_related("financial_year")
        .get(pk=review.pk)
    )
    if locked.status == ApproachReviewStatus.COMPLETED:
        raise DomainError("The review is already completed")
    missing = approach_review_missing(locked)
    if missing:
        raise DomainError("Record " + "; ".join(missing) + " before completing the review")
    locked.status = ApproachReviewStatus.COMPLETED
    locked.completed_by = by
    locked.completed_at = timezone.now()
    save_with_history(locked, by)
    obligations.obligation_met(
        f"approach_review:{locked.financial_year.start_year}",
        by=by,
        on=max(d for d in (locked.board_considered_on, locked.committee_considered_on) if d),
    )
    return locked
