"""The one write path for performance records.

Every write is keyword-only, takes the actor as `by=`, runs in a
transaction and locks the record it decides. Each starts by checking that the
actor may do it (`permissions.ensure_can`, refusing with `NotPermitted`;
`by=None` is the system). Refusals raise DomainError or TransitionNotAllowed
with a message for the user.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from lra_commissioning import dates, numbers
from lra_commissioning.audit import delete_with_history, save_with_history, update_with_history
from lra_commissioning.obligations import obligation_met
from lra_commissioning.permissions import Perm, ensure_can
from lra_commissioning.spreadsheets import read_table
from lra_commissioning.uploads import clean_display_name, validate_upload
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from specifications.models import KPI
from specifications.selectors import version_in_force

from . import notifications, periods, rag
from .models import (
    RETURN_WORKFLOW,
    VALUE_WORKFLOW,
    Action,
    ActionPlan,
    ActionStatus,
    CloseReason,
    ComparatorUpload,
    ComparatorValue,
    Escalation,
    KpiCorrection,
    KpiReturn,
    KpiRevision,
    ManagementReport,
    MonthlyReturn,
    PlanStatus,
    ReportAttachment,
    ReportStatus,
    ReturnStatus,
    ReturnUpload,
    ValueStatus,
)

ATTACHMENT_KINDS = {"pdf", "docx", "xlsx", "csv"}
UPLOAD_COLUMNS = ["kpi_code", "period", "value"]


def _now(now=None):
    return now or timezone.now()


def _month_ended(month: datetime.date, today: datetime.date) -> bool:
    return dates.month_end(month) < today


def kpis_due_in(month: datetime.date) -> list[tuple[KPI, dates.Period]]:
    """Every KPI of the version in force whose period ends in `month`, with that period."""
    version = version_in_force(on=month)
    if version is None:
        return []
    due = []
    for kpi in KPI.objects.filter(version=version).order_by("order", "code"):
        period = periods.period_ending_in(kpi.frequency, month)
        if period is not None:
            due.append((kpi, period))
    return due


# Monthly returns ------------------------------------------------------------------


def month_open_for_returns(month: datetime.date, today: datetime.date | None = None) -> bool:
    """Whether a return may exist for `month`: a specification is in force for it
    and the month has begun (a later month has nothing to report yet)."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    return month <= today.replace(day=1) and bool(kpis_due_in(month))


@transaction.atomic
def monthly_return_open(*, month: datetime.date, by, today=None) -> MonthlyReturn:
    """The month's return, created with a draft value per KPI due. Safe to call twice,
    and from several sessions at once: they meet at the unique month and all get
    the one return (never an error).

    Refuses (DomainError) a month with no specification in force or not yet begun.
    """
    ensure_can(
        by, Perm.KPI_RETURN_ENTER, message="Only a service manager can start a month's KPI return."
    )
    today = today or timezone.localdate()
    month = month.replace(day=1)
    due = kpis_due_in(month)
    if not due:
        raise DomainError(f"No specification is in force for {month:%B %Y}, so no return is due.")
    if month > today.replace(day=1):
        raise DomainError(f"{month:%B %Y} has not begun, so its return cannot be started.")
    monthly_return = MonthlyReturn.objects.filter(month=month).first()
    if monthly_return is None:
        try:
            # A savepoint: a concurrent first save inserts the same month; ours then
            # fails on the unique month and we take theirs.
            with transaction.atomic():
                monthly_return = MonthlyReturn(month=month, due_on=periods.due_date(month))
                save_with_history(monthly_return, by)
        except IntegrityError:
            monthly_return = MonthlyReturn.objects.get(month=month)
    # The lock serialises adding the values: each KPI gets exactly one.
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    existing = set(monthly_return.values.values_list("kpi_code", flat=True))
    missing = [
        KpiReturn(
            monthly_return=monthly_return,
            kpi=kpi,
            kpi_code=kpi.code,
            period_start=period.start,
            period_end=period.end,
        )
        for kpi, period in due
        if kpi.code not in existing
    ]
    if missing:
        bulk_create_with_history(missing, KpiReturn, default_user=by)
    return monthly_return


def value_bounds(kpi) -> dict:
    """What a KPI's value may be: the one value rule, for forms and uploads alike."""
    return {
        "unit": numbers.PERCENTAGE if kpi is not None and kpi.unit == "percentage" else "",
        "min_value": Decimal(0),
    }


def kpi_value_parse(text, kpi, *, code=None) -> Decimal:
    """A typed value as the KPI allows it, or DomainError with the message to show.

    The one value rule: the return page, corrections, revisions and the upload
    preview all use it (the form field takes `value_bounds`). Without a KPI (an
    upload row naming an unknown code) only the number itself is checked;
    `code` then names it in the message.
    """
    if isinstance(text, Decimal | int):
        text = str(text)
    code = kpi.code if kpi is not None else code
    try:
        return numbers.parse_decimal(text, what=f"the value for {code}", **value_bounds(kpi))
    except ValueError as exc:
        raise DomainError(str(exc)) from None


class FieldProblems(DomainError):
    """Refusals about particular fields, keyed by the page form's field names
    (`value-LIB01`, `reason-LIB01`, `highlights`), so each shows beside its field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def _attach(record, uploaded, code):
    try:
        record.evidence_kind = validate_upload(uploaded, allowed=ATTACHMENT_KINDS)
    except ValidationError as exc:
        raise FieldProblems(
            {f"evidence_file-{code}": f"The evidence file for {code}: {exc.messages[0]}"}
        ) from None
    record.evidence_name = clean_display_name(uploaded.name)
    record.evidence_file.save(uploaded.name, uploaded, save=False)


@transaction.atomic
def kpi_values_save(*, monthly_return: MonthlyReturn, entries: dict, by, now=None) -> int:
    """Save values, commentary and evidence for draft or queried values.

    entries: {kpi_return id: {"value": Decimal|str|None, "commentary": str,
    "evidence_url": str, "evidence_file": UploadedFile|None, "reason": str}}.
    A draft value is changed in place (the return is still the service's).
    A queried value is not: the entry is kept as its correction, the service's
    draft, until the return is resubmitted; everyone else keeps seeing the
    submitted value and the query. Submitted and accepted values are not
    changed here (a revision with a reason is).
    """
    ensure_can(by, Perm.KPI_RETURN_ENTER, message="Only a service manager can enter KPI values.")
    now = _now(now)
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    if not RETURN_WORKFLOW.allowed(monthly_return.status, "save"):
        raise TransitionNotAllowed(
            f"This return is {monthly_return.get_status_display().lower()}, so its values "
            "cannot be changed here."
        )
    changed = 0
    values = {
        v.pk: v
        for v in monthly_return.values.select_related("kpi", "correction").select_for_update(
            of=("self",)
        )
    }
    for pk, entry in entries.items():
        value = values.get(pk)
        if value is None or not VALUE_WORKFLOW.allowed(value.status, "edit"):
            continue
        if value.status == ValueStatus.QUERIED:
            target = getattr(value, "correction", None) or KpiCorrection(
                kpi_return=value,
                value=value.value,
                commentary=value.commentary,
                evidence_url=value.evidence_url,
            )
            target.saved_by, target.saved_at = by, now
            if "reason" in entry:
                target.reason = (entry["reason"] or "").strip()
        else:
            target = value
        raw = entry.get("value")
        if raw is not None and raw != "":
            try:
                target.value = kpi_value_parse(raw, value.kpi)
            except DomainError as exc:
                raise FieldProblems({f"value-{value.kpi_code}": str(exc)}) from None
        elif "value" in entry:
            target.value = None
        for field in ("commentary", "evidence_url"):
            if field in entry:
                setattr(target, field, entry[field] or "")
        uploaded = entry.get("evidence_file")
        if uploaded:
            _attach(target, uploaded, value.kpi_code)
        save_with_history(target, by)
        changed += 1
    return changed


def _add_revisions(values: list[KpiReturn], *, reasons: dict, by, at):
    """Each value as it is put forward now, kept as its next revision (two queries)."""
    kept = dict(
        KpiRevision.objects.filter(kpi_return__in=values)
        .values("kpi_return")
        .annotate(n=Count("pk"))
        .values_list("kpi_return", "n")
    )
    KpiRevision.objects.bulk_create(
        KpiRevision(
            kpi_return=value,
            number=kept.get(value.pk, 0) + 1,
            value=value.value,
            commentary=value.commentary,
            reason=reasons.get(value.pk) or "",
            created_by=by,
            created_at=at,
        )
        for value in values
    )


@transaction.atomic
def monthly_return_submit(*, monthly_return: MonthlyReturn, by, now=None) -> MonthlyReturn:
    """Submit a draft return. Every value must be entered and the month ended.

    Marked late when submitted after its due date. Meets `kpi_return:YYYY-MM`.
    """
    ensure_can(by, Perm.KPI_RETURN_ENTER, message="Only a service manager can submit a KPI return.")
    now = _now(now)
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    target = RETURN_WORKFLOW.target(monthly_return.status, "submit")
    today = timezone.localdate(now)
    if not _month_ended(monthly_return.month, today):
        raise DomainError(
            f"{monthly_return.month:%B %Y} has not ended yet, so its return cannot be submitted."
        )
    values = list(monthly_return.values.select_for_update())
    missing = [v.kpi_code for v in values if v.value is None]
    if missing:
        raise FieldProblems(
            {f"value-{code}": f"Enter a value for {code} before submitting" for code in missing}
        )
    update_with_history(values, by, status=ValueStatus.SUBMITTED, submitted_at=now)
    _add_revisions(values, reasons={}, by=by, at=now)
    monthly_return.status = target
    monthly_return.submitted_at = now
    monthly_return.submitted_by = by
    monthly_return.is_late = today > monthly_return.due_on
    save_with_history(monthly_return, by)
    obligation_met(f"kpi_return:{monthly_return.key}", by=by, on=today)
    notifications.return_submitted(monthly_return, by=by)
    return monthly_return


def _settle_review(monthly_return: MonthlyReturn, by, now):
    """After decisions: queried when any value is queried, accepted when all are."""
    statuses = set(monthly_return.values.values_list("status", flat=True))
    if ValueStatus.SUBMITTED in statuses:
        return
    monthly_return.status = (
        ReturnStatus.QUERIED if ValueStatus.QUERIED in statuses else ReturnStatus.ACCEPTED
    )
    monthly_return.reviewed_at = now
    monthly_return.reviewed_by = by
    save_with_history(monthly_return, by)


@transaction.atomic
def monthly_return_review(
    *, monthly_return: MonthlyReturn, decisions: dict, by, within_tolerance=False, now=None
) -> MonthlyReturn:
    """Accept or query submitted values, KPI by KPI.

    decisions: {kpi_return id: ("accept" | "query", comment)}: each an explicit
    choice; a query needs a comment. Values already decided are refused (a
    stale or repeated decision). within_tolerance: also accept every other
    submitted value whose rating is within tolerance (`rag.Rating.within_tolerance`);
    the rest stay waiting for a decision. Nothing is ever decided by default.
    """
    from .selectors import review_rows

    ensure_can(
        by, Perm.KPI_RETURN_REVIEW, message="Only a commissioner can accept or query KPI values."
    )
    now = _now(now)
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    if not RETURN_WORKFLOW.allowed(monthly_return.status, "review"):
        raise TransitionNotAllowed(
            f"This return is {monthly_return.get_status_display().lower()}, so it cannot be "
            "reviewed."
        )
    values = {v.pk: v for v in monthly_return.values.select_for_update()}
    decisions = dict(decisions)
    if within_tolerance:
        for row in review_rows(monthly_return=monthly_return):
            record = row.value_record
            if (
                record.pk not in decisions
                and record.status == ValueStatus.SUBMITTED
                and row.rating.within_tolerance
            ):
                decisions[record.pk] = ("accept", "")
        if not decisions:
            raise DomainError(
                "No value waiting for review is within tolerance: accept or query each one"
            )
    if not decisions:
        raise DomainError("Choose accept or query for at least one value")
    problems = {}
    for pk, (action, comment) in decisions.items():
        value = values.get(pk)
        if value is None:
            raise DomainError("That value is not part of this return")
        if action not in ("accept", "query"):
            problems[f"decision-{value.kpi_code}"] = (
                f"Choose whether to accept or query {value.kpi_code}"
            )
        elif action == "query" and not (comment or "").strip():
            problems[f"comment-{value.kpi_code}"] = (
                f"Enter a comment saying what is wrong with {value.kpi_code}"
            )
    if problems:
        raise FieldProblems(problems)
    decided: dict[tuple, list] = {}  # the same decision for many values: saved together
    for pk, (action, comment) in decisions.items():
        value = values[pk]
        change = (VALUE_WORKFLOW.target(value.status, action), (comment or "").strip())
        decided.setdefault(change, []).append(value)
    for (status, comment), same in decided.items():
        update_with_history(
            same, by, status=status, review_comment=comment, reviewed_by=by, reviewed_at=now
        )
    _settle_review(monthly_return, by, now)
    if monthly_return.status == ReturnStatus.QUERIED:
        queried = [v for v in values.values() if v.status == ValueStatus.QUERIED]
        notifications.values_queried(monthly_return, queried, by=by, now=now)
    return monthly_return


@transaction.atomic
def monthly_return_resubmit(
    *, monthly_return: MonthlyReturn, by, reasons: dict | None = None, now=None
):
    """Resubmit a queried return: each queried value goes back, with its correction
    (if any) and a reason for the change, as a new revision for review.

    reasons: {kpi_return id: reason} overriding the reason saved with a correction.
    """
    ensure_can(
        by, Perm.KPI_RETURN_ENTER, message="Only a service manager can resubmit a KPI return."
    )
    now = _now(now)
    reasons = reasons or {}
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    target = RETURN_WORKFLOW.target(monthly_return.status, "resubmit")
    queried = list(
        monthly_return.values.select_related("correction")
        .select_for_update(of=("self",))
        .filter(status=ValueStatus.QUERIED)
    )
    problems = {}
    given = {}  # each value's reason, kept with its revision
    for value in queried:
        correction = getattr(value, "correction", None)
        reason = (reasons.get(value.pk) or (correction.reason if correction else "")).strip()
        given[value.pk] = reason
        if not reason:
            problems[f"reason-{value.kpi_code}"] = (
                f"Say what you changed in {value.kpi_code} and why"
            )
        if (correction.value if correction else value.value) is None:
            problems[f"value-{value.kpi_code}"] = f"Enter a value for {value.kpi_code}"
    if problems:
        raise FieldProblems(problems)
    for value in queried:
        correction = getattr(value, "correction", None)
        if correction is not None:
            value.value = correction.value
            value.commentary = correction.commentary
            value.evidence_url = correction.evidence_url
            if correction.evidence_file:
                value.evidence_file = correction.evidence_file.name
                value.evidence_name = correction.evidence_name
                value.evidence_kind = correction.evidence_kind
            delete_with_history(correction, by)
        value.status = ValueStatus.SUBMITTED
        value.submitted_at = now
        save_with_history(value, by)
    _add_revisions(queried, reasons=given, by=by, at=now)
    monthly_return.status = target
    save_with_history(monthly_return, by)
    notifications.return_submitted(monthly_return, by=by, resubmitted=True, now=now)
    return monthly_return


@transaction.atomic
def monthly_return_save(*, month: datetime.date, entries: dict, action: str, by, now=None):
    """The return page's one write: save what was typed, then submit or resubmit.

    entries: {KPI code: entry} as for `kpi_values_save`. The return is created
    on this first save (opening a month never creates one). All or nothing: a
    refusal (FieldProblems, DomainError) leaves no trace, not even the return.
    action: "save", "submit" or "resubmit".
    """
    ensure_can(
        by,
        Perm.KPI_RETURN_ENTER,
        message="Only a service manager can enter or submit a KPI return.",
    )
    monthly_return = monthly_return_open(
        month=month, by=by, today=timezone.localdate(now) if now else None
    )
    by_code = dict(monthly_return.values.values_list("kpi_code", "pk"))
    kpi_values_save(
        monthly_return=monthly_return,
        entries={by_code[code]: entry for code, entry in entries.items() if code in by_code},
        by=by,
        now=now,
    )
    if action == "submit":
        return monthly_return_submit(monthly_return=monthly_return, by=by, now=now)
    if action == "resubmit":
        return monthly_return_resubmit(monthly_return=monthly_return, by=by, now=now)
    return monthly_return


@transaction.atomic
def kpi_return_revise(*, kpi_return: KpiReturn, value, commentary: str, reason: str, by, now=None):
    """Change an accepted value through a new revision with a reason; it is reviewed again."""
    ensure_can(by, Perm.KPI_RETURN_ENTER, message="Only a service manager can revise a KPI value.")
    now = _now(now)
    kpi_return = KpiReturn.objects.select_for_update().select_related("kpi").get(pk=kpi_return.pk)
    if not (reason or "").strip():
        raise DomainError("Enter the reason for the revision")
    target = VALUE_WORKFLOW.target(kpi_return.status, "revise")
    monthly_return = MonthlyReturn.objects.select_for_update().get(pk=kpi_return.monthly_return_id)
    kpi_return.value = kpi_value_parse(value, kpi_return.kpi)
    kpi_return.commentary = commentary or kpi_return.commentary
    kpi_return.status = target
    kpi_return.review_comment = ""
    kpi_return.submitted_at = now
    save_with_history(kpi_return, by)
    _add_revisions([kpi_return], reasons={kpi_return.pk: reason.strip()}, by=by, at=now)
    monthly_return.status = RETURN_WORKFLOW.target(monthly_return.status, "revise")
    save_with_history(monthly_return, by)
    notifications.value_revised(kpi_return, monthly_return, by=by, now=now)
    return kpi_return


# Uploads ----------------------------------------------------------------------


def _row_month(text: str):
    text = (text or "").strip()
    month = periods.parse_month(text)
    if month is None:
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            return None
        month = day.replace(day=1)
    return month


@transaction.atomic
def return_upload_parse(*, monthly_return: MonthlyReturn, uploaded, by, today=None):
    """Read and check an uploaded return; keep the preview in a staging record.

    The whole file is refused (ValidationError) when it is not a readable table
    in the template's shape. Otherwise each row is checked and its problems
    listed; nothing touches the return until a clean preview is confirmed.
    """
    ensure_can(by, Perm.KPI_RETURN_ENTER, message="Only a service manager can upload a KPI return.")
    today = today or timezone.localdate()
    if monthly_return.status != ReturnStatus.DRAFT:
        raise TransitionNotAllowed(
            f"This return is {monthly_return.get_status_display().lower()}, so a file cannot "
            "be uploaded to it."
        )
    table = read_table(uploaded, required_columns=UPLOAD_COLUMNS)
    if not table:
        raise ValidationError("The file has no rows. Add a row per KPI to the template")
    due = {v.kpi_code: v for v in monthly_return.values.select_related("kpi")}
    version = version_in_force(on=monthly_return.month)
    known = set(KPI.objects.filter(version=version).values_list("code", flat=True))
    rows, errors, seen = [], [], {}
    for row in table:
        code = row.cells.get("kpi_code", "").strip().upper()
        period_text = row.cells.get("period", "")
        value_text = row.cells.get("value", "")
        problems = []
        if not code:
            problems.append("Enter the KPI code")
        elif code not in known:
            problems.append(f"{code} is not a KPI code in the specification in force")
        elif code not in due:
            problems.append(f"{code} is not due in the {monthly_return.month:%B %Y} return")
        elif code in seen:
            problems.append(f"{code} appears more than once (also in row {seen[code]})")
        month = _row_month(period_text)
        if month is None:
            problems.append("Enter the period as a year and month, like 2016-06")
        elif dates.month_end(month) >= today:
            problems.append(f"{month:%B %Y} has not ended yet, so it cannot have a value")
        elif month != monthly_return.month:
            problems.append(
                f"The period {month:%B %Y} is wrong: this return is for "
                f"{monthly_return.month:%B %Y}"
            )
        value = None
        if not value_text.strip():
            problems.append("Enter a value")
        else:
            try:
                value = kpi_value_parse(
                    value_text, due[code].kpi if code in due else None, code=code or "this row"
                )
            except DomainError as exc:
                problems.append(str(exc))
        if code and code not in seen:
            seen[code] = row.number
        if problems:
            errors.extend({"row": row.number, "message": p} for p in problems)
        rows.append(
            {
                "row": row.number,
                "code": code,
                "title": due[code].kpi.title if code in due else "",
                "period": period_text,
                "value": numbers.format_number(value, grouping=False)
                if value is not None
                else value_text[:30],
                "commentary": row.cells.get("commentary", "")[:4000],
                "ok": not problems,
            }
        )
    return ReturnUpload.objects.create(
        monthly_return=monthly_return,
        file_name=clean_display_name(uploaded.name),
        rows=rows,
        errors=errors,
        created_by=by,
    )


@transaction.atomic
def return_upload_start(*, month: datetime.date, uploaded, by) -> ReturnUpload:
    """Upload a file for a month's return: the return is started if it is not yet
    (an upload is its first save), and the file read into a preview. All or
    nothing: a refused file leaves no new return behind."""
    ensure_can(by, Perm.KPI_RETURN_ENTER, message="Only a service manager can upload a KPI return.")
    monthly_return = monthly_return_open(month=month, by=by)
    return return_upload_parse(monthly_return=monthly_return, uploaded=uploaded, by=by)


@transaction.atomic
def return_upload_confirm(*, upload: ReturnUpload, by) -> int:
    """Apply a clean preview to the draft return. Refuses a preview with errors or used twice."""
    ensure_can(
        by, Perm.KPI_RETURN_ENTER, message="Only a service manager can save an uploaded KPI return."
    )
    upload = ReturnUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.confirmed_at is not None:
        raise DomainError("This upload has already been saved")
    if not upload.is_clean:
        raise DomainError("Correct the errors in the file and upload it again")
    by_code = {v.kpi_code: v.pk for v in upload.monthly_return.values.all()}
    entries = {
        by_code[row["code"]]: {"value": row["value"], "commentary": row["commentary"]}
        for row in upload.rows
    }
    changed = kpi_values_save(monthly_return=upload.monthly_return, entries=entries, by=by)
    upload.confirmed_at = timezone.now()
    upload.save(update_fields=["confirmed_at"])
    return changed


# Management reports -----------------------------------------------------------------


@transaction.atomic
def management_report_save(
    *, month, highlights, risks_and_issues, finance_summary, by, today=None
) -> ManagementReport:
    """Save the month's report as a draft, creating it on the first save. Several
    sessions saving a new month at once meet at the unique month: one report,
    no error (the later saves overwrite the earlier, as on any draft)."""
    ensure_can(
        by,
        Perm.MANAGEMENT_REPORT_WRITE,
        message="Only a service manager can write the management report.",
    )
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1):
        raise DomainError(f"{month:%B %Y} has not begun, so its report cannot be written yet.")
    report = ManagementReport.objects.filter(month=month).first()
    if report is None:
        try:
            with transaction.atomic():
                report = ManagementReport(month=month, due_on=periods.due_date(month))
                save_with_history(report, by)
        except IntegrityError:
            pass
    report = ManagementReport.objects.select_for_update().get(month=month)
    if report.status != ReportStatus.DRAFT:
        raise TransitionNotAllowed(
            f"This report is {report.get_status_display().lower()}, so it cannot be changed."
        )
    report.highlights = highlights
    report.risks_and_issues = risks_and_issues
    report.finance_summary = finance_summary
    save_with_history(report, by)
    return report


@transaction.atomic
def management_report_write(
    *,
    month,
    highlights,
    risks_and_issues,
    finance_summary,
    by,
    attachment=None,
    submit=False,
    now=None,
) -> ManagementReport:
    """The report page's one write: save the draft, add an attachment, submit.

    All or nothing: a refusal leaves the report as it was (or not there at all).
    """
    ensure_can(
        by,
        Perm.MANAGEMENT_REPORT_WRITE,
        message="Only a service manager can write the management report.",
    )
    report = management_report_save(
        month=month,
        highlights=highlights,
        risks_and_issues=risks_and_issues,
        finance_summary=finance_summary,
        by=by,
        today=timezone.localdate(now) if now else None,
    )
    if attachment is not None:
        report_attachment_add(report=report, uploaded=attachment, by=by)
    if submit:
        report = management_report_submit(report=report, by=by, now=now)
    return report


@transaction.atomic
def report_attachment_add(*, report: ManagementReport, uploaded, by) -> ReportAttachment:
    ensure_can(
        by,
        Perm.MANAGEMENT_REPORT_WRITE,
        message="Only a service manager can attach a file to the management report.",
    )
    report = ManagementReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise TransitionNotAllowed("Attachments can only be added to a draft report.")
    try:
        kind = validate_upload(uploaded, allowed=ATTACHMENT_KINDS)
    except ValidationError as exc:
        raise FieldProblems({"attachment": exc.messages[0]}) from None
    attachment = ReportAttachment(
        report=report, display_name=clean_display_name(uploaded.name), kind=kind, uploaded_by=by
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    save_with_history(attachment, by)
    return attachment


@transaction.atomic
def management_report_submit(*, report: ManagementReport, by, now=None):
    from .models import REPORT_WORKFLOW

    ensure_can(
        by,
        Perm.MANAGEMENT_REPORT_WRITE,
        message="Only a service manager can submit the management report.",
    )
    now = _now(now)
    report = ManagementReport.objects.select_for_update().get(pk=report.pk)
    target = REPORT_WORKFLOW.target(report.status, "submit")
    today = timezone.localdate(now)
    if not report.highlights.strip():
        raise FieldProblems({"highlights": "Enter the highlights before submitting"})
    if not _month_ended(report.month, today):
        raise DomainError(f"{report.month:%B %Y} has not ended yet, so its report cannot be sent.")
    report.status = target
    report.submitted_at = now
    report.submitted_by = by
    report.is_late = today > report.due_on
    save_with_history(report, by)
    obligation_met(f"management_report:{report.key}", by=by, on=today)
    notifications.report_submitted(report, by=by)
    return report


@transaction.atomic
def management_report_review(*, report: ManagementReport, comments: str, by, now=None):
    from .models import REPORT_WORKFLOW

    ensure_can(
        by,
        Perm.MANAGEMENT_REPORT_REVIEW,
        message="Only a commissioner can review a management report.",
    )
    report = ManagementReport.objects.select_for_update().get(pk=report.pk)
    target = REPORT_WORKFLOW.target(report.status, "review")
    if not (comments or "").strip():
        raise DomainError("Enter your comments on the report")
    report.status = target
    report.review_comments = comments.strip()
    report.reviewed_by = by
    report.reviewed_at = _now(now)
    save_with_history(report, by)
    return report


# Action plans --------------------------------------------------------------------


@transaction.atomic
def action_plan_open(*, kpi_code, month, trigger, summary, by) -> ActionPlan:
    ensure_can(
        by, Perm.ACTION_PLAN_WRITE, message="Only a service manager can open an action plan."
    )
    if not (summary or "").strip():
        raise FieldProblems(
            {"summary": "Enter what the plan will do to bring the KPI back to target"}
        )
    version = version_in_force(on=month)
    kpi = KPI.objects.filter(version=version, code=kpi_code).first() if version else None
    if kpi is None:
        raise FieldProblems(
            {"kpi_code": f"{kpi_code or 'The KPI code'} is not a KPI in the specification in force"}
        )
    if (
        ActionPlan.objects.select_for_update()
        .filter(kpi_code=kpi_code, status=PlanStatus.OPEN)
        .exists()
    ):
        raise FieldProblems({"kpi_code": f"{kpi_code} already has an open action plan"})
    plan = ActionPlan(
        kpi_code=kpi_code,
        kpi_title=kpi.title,
        opened_for_month=month.replace(day=1),
        trigger=trigger,
        summary=summary.strip(),
        created_by=by,
    )
    save_with_history(plan, by)
    return plan


@transaction.atomic
def action_add(*, plan: ActionPlan, description, owner, due_on, by) -> Action:
    ensure_can(
        by,
        Perm.ACTION_PLAN_WRITE,
        message="Only a service manager can add an action to an action plan.",
    )
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.OPEN:
        raise TransitionNotAllowed("This action plan is closed, so actions cannot be added.")
    action = Action(plan=plan, description=description, owner=owner, due_on=due_on)
    save_with_history(action, by)
    return action


@transaction.atomic
def action_update_status(*, action: Action, status: str, by, today=None) -> Action:
    """Set an action's status; done meets the obligation `action:<id>`."""
    ensure_can(by, Perm.ACTION_PLAN_WRITE, message="Only a service manager can update an action.")
    action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if action.plan.status != PlanStatus.OPEN:
        raise TransitionNotAllowed("This action plan is closed, so its actions cannot change.")
    if status not in ActionStatus.values:
        raise DomainError("Choose the action's status")
    today = today or timezone.localdate()
    was_done = action.status == ActionStatus.DONE
    action.status = status
    action.done_on = today if status == ActionStatus.DONE else None
    if was_done and status == ActionStatus.DONE:
        return action
    save_with_history(action, by)
    if status == ActionStatus.DONE:
        obligation_met(f"action:{action.pk}", by=by, on=today)
    return action


@transaction.atomic
def action_plan_close(
    *, plan: ActionPlan, reason: str, note: str, by, latest_rating: str | None = None, now=None
):
    """Close a plan: the KPI has recovered (its latest rating is green or in range),
    or the board accepts the position (a note says what was decided)."""
    ensure_can(
        by,
        Perm.ACTION_PLAN_CLOSE,
        message="Only a commissioner or a board member can close an action plan.",
    )
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.OPEN:
        raise TransitionNotAllowed("This action plan is already closed.")
    if reason not in CloseReason.values:
        raise DomainError("Choose why the plan is being closed")
    if reason == CloseReason.RECOVERED and latest_rating not in (rag.GREEN, rag.IN_RANGE):
        raise DomainError(
            f"{plan.kpi_code} has not recovered: its latest rating is "
            f"{rag.LABELS.get(latest_rating, 'not known').lower()}"
        )
    if reason == CloseReason.BOARD_ACCEPTED and not (note or "").strip():
        raise DomainError("Enter what the board decided, with its minute reference")
    plan.status = PlanStatus.CLOSED
    plan.close_reason = reason
    plan.closing_note = (note or "").strip()
    plan.closed_by = by
    plan.closed_at = _now(now)
    save_with_history(plan, by)
    return plan


# Escalations ----------------------------------------------------------------------


@transaction.atomic
def escalation_raise(*, title, kind, description, kpi_code="", by, now=None) -> Escalation:
    ensure_can(
        by,
        Perm.ESCALATION_RAISE,
        message="Only a service manager can escalate a risk to the board.",
    )
    if not (title or "").strip() or not (description or "").strip():
        raise DomainError("Enter a title and a description of the risk")
    if kpi_code:
        version = version_in_force(on=timezone.localdate(_now(now)))
        if not KPI.objects.filter(version=version, code=kpi_code).exists():
            raise FieldProblems(
                {"kpi_code": f"{kpi_code} is not a KPI in the specification in force"}
            )
    escalation = Escalation(
        title=title.strip(),
        kind=kind,
        kpi_code=kpi_code,
        description=description.strip(),
        raised_by=by,
        raised_at=_now(now),
    )
    save_with_history(escalation, by)
    notifications.escalation_raised(escalation, by=by)
    return escalation


@transaction.atomic
def escalation_respond(*, escalation: Escalation, response: str, by, now=None) -> Escalation:
    from .models import ESCALATION_WORKFLOW

    ensure_can(
        by,
        Perm.ESCALATION_RESPOND,
        message="Only a board member can record the board's response to an escalation.",
    )
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    target = ESCALATION_WORKFLOW.target(escalation.status, "respond")
    if not (response or "").strip():
        raise DomainError("Enter the board's response")
    escalation.status = target
    escalation.board_response = response.strip()
    escalation.responded_by = by
    escalation.responded_at = _now(now)
    save_with_history(escalation, by)
    notifications.escalation_answered(escalation, by=by)
    return escalation


# Comparators ----------------------------------------------------------------------


def _parse_year(text: str):
    text = (text or "").strip()
    if len(text) == 7 and text[4] == "/" and text[:4].isdigit():
        return int(text[:4])
    if text.isdigit() and len(text) == 4:
        return int(text)
    return None


@transaction.atomic
def comparators_upload_parse(*, uploaded, by) -> ComparatorUpload:
    """Read a comparator CSV (kpi_code, year, authority, value[, source]) into a preview.

    A count KPI's value is per 1,000 residents (as benchmarking clubs publish
    them); a percentage or a number of days as it is. `source` says where the
    figure comes from.

    Nothing is imported here: the preview lists every row with the value it
    would replace, and every problem by row. A file that is not a readable
    table with those columns is refused as a whole (ValidationError).
    """
    ensure_can(
        by, Perm.COMPARATORS_IMPORT, message="Only an administrator can import comparator values."
    )
    rows = read_table(uploaded, required_columns=["kpi_code", "year", "authority", "value"])
    kpis = {k.code: k for k in KPI.objects.order_by("version__starts_on")}
    errors, clean, seen = [], [], set()
    for row in rows:
        code = row.cells["kpi_code"].strip().upper()
        year = _parse_year(row.cells["year"])
        authority = row.cells["authority"].strip()[:150]
        source = (row.cells.get("source") or "").strip()[:200]
        problems = []
        if code not in kpis:
            problems.append(f"{code or 'The KPI code'} is not a KPI code")
        if year is None:
            problems.append("Enter the year like 2016/17")
        if not authority:
            problems.append("Enter the authority's name")
        value = None
        try:
            value = kpi_value_parse(row.cells["value"], kpis.get(code), code=code or "this row")
        except DomainError as exc:
            problems.append(str(exc))
        key = (code, year, authority.lower())
        if not problems and key in seen:
            problems.append("This KPI, year and authority appear more than once")
        seen.add(key)
        errors.extend({"row": row.number, "message": p} for p in problems)
        if not problems:
            clean.append(
                {
                    "row": row.number,
                    "code": code,
                    "year": year,
                    "authority": authority,
                    "value": numbers.format_number(value, grouping=False),
                    "source": source,
                }
            )
    held = {
        (c.kpi_code, c.start_year, c.authority.lower()): c.value
        for c in ComparatorValue.objects.filter(kpi_code__in={r["code"] for r in clean})
    }
    for r in clean:
        old = held.get((r["code"], r["year"], r["authority"].lower()))
        r["replaces"] = None if old is None else str(old)
    return ComparatorUpload.objects.create(
        file_name=clean_display_name(uploaded.name),
        rows=clean if not errors else [],
        errors=errors,
        created_by=by,
    )


@transaction.atomic
def comparators_upload_confirm(*, upload: ComparatorUpload, by) -> int:
    """Import a clean preview, all or nothing. Refuses a preview with errors or used twice.

    A value for the same KPI, year and authority replaces the one held.
    """
    ensure_can(
        by, Perm.COMPARATORS_IMPORT, message="Only an administrator can import comparator values."
    )
    upload = ComparatorUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.confirmed_at is not None:
        raise DomainError("This file has already been imported")
    if not upload.is_clean:
        raise DomainError("Correct the errors in the file and upload it again")
    held = {
        (c.kpi_code, c.start_year, c.authority.lower()): c
        for c in ComparatorValue.objects.select_for_update().filter(
            kpi_code__in={r["code"] for r in upload.rows}
        )
    }
    for r in upload.rows:
        obj = held.get((r["code"], r["year"], r["authority"].lower())) or ComparatorValue(
            kpi_code=r["code"], start_year=r["year"], authority=r["authority"]
        )
        obj.value = Decimal(r["value"])
        obj.source = r.get("source", "")
        save_with_history(obj, by)
    upload.confirmed_at = timezone.now()
    upload.save(update_fields=["confirmed_at"])
    return len(upload.rows)
