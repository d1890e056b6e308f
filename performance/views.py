"""Performance pages. Thin: check the role, call a selector or a service, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from lra_commissioning import dates
from lra_commissioning.access import require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.csv_export import csv_response
from lra_commissioning.idempotency import idempotent, new_key
from lra_commissioning.page_cache import render_kept
from lra_commissioning.permissions import can
from lra_commissioning.spreadsheets import xlsx_bytes
from lra_commissioning.uploads import attachment_response
from lra_commissioning.workflow import DomainError

from . import charts, periods, selectors, services
from .models import (
    Action,
    ActionPlan,
    ActionStatus,
    CloseReason,
    ComparatorUpload,
    ComparatorValue,
    Escalation,
    EscalationKind,
    EscalationStatus,
    KpiReturn,
    ManagementReport,
    MonthlyReturn,
    PlanStatus,
    ReportAttachment,
    ReportStatus,
    ReturnStatus,
    ReturnUpload,
    ValueStatus,
)

REFUSALS = (DomainError,)  # TransitionNotAllowed is a DomainError


def _month_or_404(text) -> datetime.date:
    month = periods.parse_month(text)
    if month is None:
        raise Http404
    return month


def _error_list(exc):
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


# Dashboard and KPI page ----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    require(request.user, "performance.view")

    def build():
        month = periods.parse_month(request.GET.get("month", "")) or selectors.default_month()
        board = selectors.dashboard(
            month=month, user=request.user, show_all=request.GET.get("show") == "all"
        )
        for row in board.rows:
            row.spark_svg = charts.sparkline(row.spark)
        return {
            "board": board,
            "choices": selectors.month_choices(),
            "month_key": f"{month:%Y-%m}",
            "counted": selectors.COUNTED,
            "can_enter": can(request.user, "kpi_return.enter"),
            "can_review": can(request.user, "kpi_return.review"),
        }

    return render_kept(request, "performance/dashboard.html", build)


@login_required
@require_GET
def kpi_detail(request, code):
    require(request.user, "performance.view")

    def build():
        month = periods.parse_month(request.GET.get("month", "")) or selectors.default_month()
        page = selectors.kpi_page(code=code.upper(), month=month)
        if page is None:
            raise Http404
        chart = charts.trend_chart(page.kpi, page.history[-24:])
        return {
            "page": page,
            "row": page.row,
            "kpi": page.kpi,
            "chart": chart,
            "month": month,
        }

    return render_kept(request, "performance/kpi.html", build)


# The monthly return ------------------------------------------------------------------


def _return_context(request, monthly_return, errors=None, posted=None):
    values = list(monthly_return.values.select_related("kpi").prefetch_related("revisions"))
    editable = RETURN_EDITABLE.get(monthly_return.status, set())
    return {
        # A retried submission (a double click, a lost response) is saved once.
        "idempotency_key": new_key(),
        "monthly_return": monthly_return,
        "values": values,
        "editable_statuses": editable,
        "can_edit": can(request.user, "kpi_return.enter") and bool(editable),
        "can_submit": can(request.user, "kpi_return.enter")
        and monthly_return.status == ReturnStatus.DRAFT,
        "can_resubmit": can(request.user, "kpi_return.enter")
        and monthly_return.status == ReturnStatus.QUERIED,
        "can_review": can(request.user, "kpi_return.review")
        and monthly_return.status == ReturnStatus.SUBMITTED,
        "can_revise": can(request.user, "kpi_return.enter"),
        "errors": errors or [],
        "posted": posted or {},
        "history": history_entries(monthly_return)
        if can(request.user, "records.view_history")
        else None,
    }


def _visible_return(request, monthly_return):
    """The return, or 404 for one this person may not see: a draft stays with the
    service until it is submitted, and its existence is not revealed."""
    require(request.user, "kpi_return.view")
    return require_visible(request.user, "kpi_return.view", monthly_return)


RETURN_EDITABLE = {
    ReturnStatus.DRAFT: {ValueStatus.DRAFT},
    ReturnStatus.QUERIED: {ValueStatus.QUERIED},
}


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def return_detail(request, month):
    require(request.user, "performance.view")
    month = _month_or_404(month)
    monthly_return = MonthlyReturn.objects.filter(month=month).first()
    if monthly_return is None:
        if not can(request.user, "kpi_return.enter"):
            raise Http404
        try:
            monthly_return = services.monthly_return_open(month=month, by=request.user)
        except DomainError:
            raise Http404 from None
    _visible_return(request, monthly_return)
    if request.method == "GET":
        return render(request, "performance/return.html", _return_context(request, monthly_return))
    require(request.user, "kpi_return.enter")
    action = request.POST.get("action", "save")
    editable = RETURN_EDITABLE.get(monthly_return.status, set())
    entries, reasons, errors = {}, {}, []
    for value in monthly_return.values.select_related("kpi"):
        if value.status not in editable:
            continue
        raw = request.POST.get(f"value-{value.pk}", "").strip()
        entries[value.pk] = {
            "value": raw or None,
            "commentary": request.POST.get(f"commentary-{value.pk}", "")[:4000],
            "evidence_url": request.POST.get(f"evidence_url-{value.pk}", "").strip()[:500],
            "evidence_file": request.FILES.get(f"evidence_file-{value.pk}"),
        }
        url = entries[value.pk]["evidence_url"]
        if url and not url.startswith(("https://", "http://")):
            errors.append(
                (
                    f"evidence_url-{value.pk}",
                    f"Enter the evidence link for "
                    f"{value.kpi_code} as a web address starting https://",
                )
            )
        if raw:
            try:
                services.kpi_value_parse(raw, value.kpi)
            except DomainError as exc:
                errors.append((f"value-{value.pk}", str(exc)))
        reasons[value.pk] = request.POST.get(f"reason-{value.pk}", "")
    if not errors:
        try:
            services.kpi_values_save(
                monthly_return=monthly_return, entries=entries, by=request.user
            )
            if action == "submit":
                services.monthly_return_submit(monthly_return=monthly_return, by=request.user)
                messages.success(request, f"The {month:%B %Y} return has been submitted.")
            elif action == "resubmit":
                services.monthly_return_resubmit(
                    monthly_return=monthly_return, reasons=reasons, by=request.user
                )
                messages.success(request, f"The {month:%B %Y} return has been resubmitted.")
            else:
                messages.success(request, "Your changes have been saved as a draft.")
            return redirect("performance:return", month=f"{month:%Y-%m}")
        except REFUSALS as exc:
            errors.append(("values", str(exc)))
    monthly_return.refresh_from_db()
    return render(
        request,
        "performance/return.html",
        _return_context(request, monthly_return, errors, request.POST),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_review(request, month):
    monthly_return = _visible_return(
        request, MonthlyReturn.objects.filter(month=_month_or_404(month)).first()
    )
    require(request.user, "kpi_return.review")
    values = list(monthly_return.values.select_related("kpi").filter(status=ValueStatus.SUBMITTED))
    errors = []
    if request.method == "POST":
        decisions = {}
        for value in values:
            decision = request.POST.get(f"decision-{value.pk}", "")
            comment = request.POST.get(f"comment-{value.pk}", "").strip()
            if decision not in ("accept", "query"):
                errors.append(
                    (f"decision-{value.pk}", f"Choose accept or query for {value.kpi_code}")
                )
            elif decision == "query" and not comment:
                errors.append(
                    (
                        f"comment-{value.pk}",
                        f"Enter a comment saying what is wrong with {value.kpi_code}",
                    )
                )
            else:
                decisions[value.pk] = (decision, comment)
        if not errors:
            try:
                services.monthly_return_review(
                    monthly_return=monthly_return, decisions=decisions, by=request.user
                )
                messages.success(
                    request,
                    f"Your review of the {monthly_return.month:%B %Y} return has been saved.",
                )
                return redirect("performance:return", month=monthly_return.key)
            except REFUSALS as exc:
                errors.append(("values", str(exc)))
    return render(
        request,
        "performance/review.html",
        {
            "monthly_return": monthly_return,
            "values": values,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_revise(request, pk):
    value = get_object_or_404(KpiReturn.objects.select_related("kpi", "monthly_return"), pk=pk)
    _visible_return(request, value.monthly_return)
    require(request.user, "kpi_return.enter")
    errors = []
    if request.method == "POST":
        try:
            services.kpi_return_revise(
                kpi_return=value,
                value=request.POST.get("value", ""),
                commentary=request.POST.get("commentary", ""),
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
            messages.success(request, f"{value.kpi_code} has been revised and sent for review.")
            return redirect("performance:return", month=value.monthly_return.key)
        except REFUSALS as exc:
            errors.append(("value", str(exc)))
    return render(
        request,
        "performance/revise.html",
        {"value": value, "errors": errors, "posted": request.POST},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def value_evidence(request, pk):
    value = get_object_or_404(KpiReturn.objects.select_related("monthly_return"), pk=pk)
    # A download answers 404 to everyone who may not open its return.
    require_visible(request.user, "kpi_return.view", value.monthly_return)
    if not value.evidence_file:
        raise Http404
    return _serve(value.evidence_file, value.evidence_name, value.evidence_kind)


def _serve(file_field, name, kind):
    """A stored upload as a safe download; a file lost from storage is a 404, not a 500."""
    if not file_field or not file_field.storage.exists(file_field.name):
        raise Http404
    streamed = attachment_response(file_field, name, kind)
    # Read it whole (uploads are capped in size) so the file is closed at once.
    data = b"".join(streamed.streaming_content)
    # Close the file itself: response.close() would signal the end of the request.
    streamed.file_to_stream.close()
    response = HttpResponse(data, content_type=streamed["Content-Type"])
    for header in ("Content-Disposition", "Content-Security-Policy", "X-Content-Type-Options"):
        response[header] = streamed[header]
    return response


# Uploads -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def return_upload(request, month):
    require(request.user, "kpi_return.enter")
    month = _month_or_404(month)
    try:
        monthly_return = services.monthly_return_open(month=month, by=request.user)
    except DomainError:
        raise Http404 from None
    errors = []
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            errors.append(("file", "Select a CSV or Excel file"))
        else:
            try:
                upload = services.return_upload_parse(
                    monthly_return=monthly_return, uploaded=uploaded, by=request.user
                )
                return redirect(
                    "performance:upload_preview", month=monthly_return.key, pk=upload.pk
                )
            except (ValidationError, *REFUSALS) as exc:
                errors.extend(("file", m) for m in _error_list(exc))
    return render(
        request,
        "performance/upload.html",
        {"monthly_return": monthly_return, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_preview(request, month, pk):
    require(request.user, "kpi_return.enter")
    # An upload waiting for confirmation is its uploader's alone.
    upload = get_object_or_404(
        ReturnUpload.objects.select_related("monthly_return"),
        pk=pk,
        monthly_return__month=_month_or_404(month),
        created_by=request.user,
    )
    require_visible(request.user, "kpi_return.view", upload.monthly_return)
    errors = []
    if request.method == "POST":
        try:
            count = services.return_upload_confirm(upload=upload, by=request.user)
            messages.success(
                request, f"{count} values from {upload.file_name} have been saved to the draft."
            )
            return redirect("performance:return", month=upload.monthly_return.key)
        except REFUSALS as exc:
            errors.append(("confirm", str(exc)))
    return render(
        request,
        "performance/upload_preview.html",
        {"upload": upload, "monthly_return": upload.monthly_return, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def return_template(request, month, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    require(request.user, "kpi_return.enter")
    month = _month_or_404(month)
    due = services.kpis_due_in(month)
    if not due:
        raise Http404
    header = ["kpi_code", "kpi_title", "period", "value", "commentary"]
    rows = [[kpi.code, kpi.title, f"{month:%Y-%m}", "", ""] for kpi, _period in due]
    name = f"kpi-return-{month:%Y-%m}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    response = HttpResponse(
        xlsx_bytes(header, rows, sheet_title=f"{month:%B %Y}"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# Status board -------------------------------------------------------------------------


@login_required
@require_GET
def status_board(request):
    require(request.user, "performance.view")
    today = timezone.localdate()
    try:
        start_year = int(request.GET.get("year", ""))
    except ValueError:
        start_year = dates.financial_year_of(selectors.default_month())
    if not 2000 <= start_year <= 2100:
        raise Http404
    from lra_commissioning.models import User
    from lra_commissioning.roles import Role

    return render(
        request,
        "performance/status.html",
        {
            "lines": selectors.status_board(start_year=start_year, user=request.user, today=today),
            "year_label": dates.financial_year_label(start_year),
            "start_year": start_year,
            "owers": list(User.objects.with_role(Role.SERVICE_MANAGER)),
        },
    )


# Management reports -------------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    require(request.user, "performance.view")
    return render(
        request,
        "performance/reports.html",
        {
            "reports": selectors.visible_reports(request.user).prefetch_related("attachments")[:36],
            "can_write": can(request.user, "management_report.write"),
            "suggested": f"{dates.add_months(timezone.localdate(), -1):%Y-%m}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, month):
    require(request.user, "performance.view")
    month = _month_or_404(month)
    report = ManagementReport.objects.filter(month=month).first()
    if report is not None:
        # A draft stays with the service until it is submitted: not found for the others.
        require_visible(request.user, "management_report.view", report)
    can_write = can(request.user, "management_report.write") and (
        report is None or report.status == ReportStatus.DRAFT
    )
    can_review = (
        can(request.user, "management_report.review")
        and report is not None
        and report.status == ReportStatus.SUBMITTED
    )
    if report is None and not can_write:
        raise Http404
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "review":
                require(request.user, "management_report.review")
                if report is None:
                    raise Http404
                services.management_report_review(
                    report=report, comments=request.POST.get("comments", ""), by=request.user
                )
                messages.success(request, "Your review has been saved.")
            else:
                require(request.user, "management_report.write")
                report = services.management_report_save(
                    month=month,
                    highlights=request.POST.get("highlights", "")[:10000],
                    risks_and_issues=request.POST.get("risks_and_issues", "")[:10000],
                    finance_summary=request.POST.get("finance_summary", "")[:10000],
                    by=request.user,
                )
                if request.FILES.get("attachment"):
                    services.report_attachment_add(
                        report=report, uploaded=request.FILES["attachment"], by=request.user
                    )
                if action == "submit":
                    services.management_report_submit(report=report, by=request.user)
                    messages.success(request, f"The {month:%B %Y} report has been submitted.")
                else:
                    messages.success(request, "The report has been saved as a draft.")
            return redirect("performance:report", month=f"{month:%Y-%m}")
        except (ValidationError, *REFUSALS) as exc:
            errors.extend(
                ("highlights" if action != "review" else "comments", m) for m in _error_list(exc)
            )
            if report is not None and report.pk:
                report.refresh_from_db()
    return render(
        request,
        "performance/report.html",
        {
            "report": report,
            "month": month,
            "can_write": can_write,
            "can_review": can_review,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=pk)
    require_visible(request.user, "management_report.view", attachment.report)
    return _serve(attachment.file, attachment.display_name, attachment.kind)


# Action plans --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    require(request.user, "performance.view")
    errors = []
    if request.method == "POST":
        require(request.user, "action_plan.write")
        code = request.POST.get("kpi_code", "").strip().upper()
        month = periods.parse_month(request.POST.get("month", "")) or selectors.default_month()
        try:
            plan = services.action_plan_open(
                kpi_code=code,
                month=month,
                trigger=request.POST.get("trigger", "")[:255] or "Outside tolerance",
                summary=request.POST.get("summary", ""),
                by=request.user,
            )
            messages.success(request, f"The action plan for {code} has been opened.")
            return redirect("performance:plan", pk=plan.pk)
        except REFUSALS as exc:
            errors.append(("summary", str(exc)))
    plans = ActionPlan.objects.prefetch_related("actions")
    return render(
        request,
        "performance/plans.html",
        {
            "plans": plans,
            "today": timezone.localdate(),
            "can_write": can(request.user, "action_plan.write"),
            "errors": errors,
            "posted": request.POST,
            "new_code": request.GET.get("kpi", request.POST.get("kpi_code", "")),
            "new_trigger": request.GET.get("trigger", request.POST.get("trigger", "")),
            "new_month": request.GET.get("month", request.POST.get("month", "")),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    require(request.user, "performance.view")
    plan = get_object_or_404(ActionPlan, pk=pk)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                require(request.user, "action_plan.write")
                due_on = _parse_date(request.POST)
                description = request.POST.get("description", "").strip()
                owner = request.POST.get("owner", "").strip()
                if not description:
                    raise DomainError("Enter what the action is")
                if not owner:
                    raise DomainError("Enter who owns the action")
                services.action_add(
                    plan=plan,
                    description=description,
                    owner=owner[:150],
                    due_on=due_on,
                    by=request.user,
                )
                messages.success(request, "The action has been added.")
            elif action == "status":
                require(request.user, "action_plan.write")
                target = get_object_or_404(Action, pk=request.POST.get("action_id"), plan=plan)
                services.action_update_status(
                    action=target, status=request.POST.get("status", ""), by=request.user
                )
                messages.success(request, "The action's status has been updated.")
            elif action == "close":
                require(request.user, "action_plan.close")
                rows = selectors.kpi_rows(month=selectors.default_month(), codes={plan.kpi_code})[1]
                services.action_plan_close(
                    plan=plan,
                    reason=request.POST.get("reason", ""),
                    note=request.POST.get("note", ""),
                    latest_rating=rows[0].rating.state if rows else None,
                    by=request.user,
                )
                messages.success(request, "The action plan has been closed.")
            else:
                raise DomainError("Choose what to do")
            return redirect("performance:plan", pk=plan.pk)
        except REFUSALS as exc:
            errors.append((action or "action", str(exc)))
    today = timezone.localdate()
    return render(
        request,
        "performance/plan.html",
        {
            "plan": plan,
            "actions": plan.actions.all(),
            "today": today,
            "statuses": ActionStatus.choices,
            "reasons": CloseReason.choices,
            "can_write": can(request.user, "action_plan.write") and plan.status == PlanStatus.OPEN,
            "can_close": can(request.user, "action_plan.close") and plan.status == PlanStatus.OPEN,
            "errors": errors,
            "posted": request.POST,
            "history": history_entries(plan),
        },
        status=400 if errors else 200,
    )


def _parse_date(data, prefix="due"):
    try:
        return datetime.date(
            int(data.get(f"{prefix}-year", "")),
            int(data.get(f"{prefix}-month", "")),
            int(data.get(f"{prefix}-day", "")),
        )
    except ValueError:
        raise DomainError("Enter the due date as a real date, like 31 3 2017") from None


# Escalations --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def escalation_list(request):
    require(request.user, "performance.view")
    errors = []
    if request.method == "POST":
        require(request.user, "escalation.raise")
        kind = request.POST.get("kind", "")
        try:
            if kind not in EscalationKind.values:
                raise DomainError("Choose whether it is a performance or a financial risk")
            escalation = services.escalation_raise(
                title=request.POST.get("title", "")[:255],
                kind=kind,
                kpi_code=request.POST.get("kpi_code", "").strip().upper()[:20],
                description=request.POST.get("description", ""),
                by=request.user,
            )
            messages.success(request, "The risk has been escalated to the board.")
            return redirect("performance:escalation", pk=escalation.pk)
        except REFUSALS as exc:
            errors.append(("title", str(exc)))
    return render(
        request,
        "performance/escalations.html",
        {
            "escalations": Escalation.objects.select_related("raised_by"),
            "can_raise": can(request.user, "escalation.raise"),
            "kinds": EscalationKind.choices,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail(request, pk):
    require(request.user, "performance.view")
    escalation = get_object_or_404(
        Escalation.objects.select_related("raised_by", "responded_by"), pk=pk
    )
    errors = []
    if request.method == "POST":
        require(request.user, "escalation.respond")
        try:
            services.escalation_respond(
                escalation=escalation, response=request.POST.get("response", ""), by=request.user
            )
            messages.success(request, "The board's response has been recorded.")
            return redirect("performance:escalation", pk=escalation.pk)
        except REFUSALS as exc:
            errors.append(("response", str(exc)))
    return render(
        request,
        "performance/escalation.html",
        {
            "escalation": escalation,
            "can_respond": can(request.user, "escalation.respond")
            and escalation.status == EscalationStatus.OPEN,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


# Comparators --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comparators_import(request):
    """Upload a comparator CSV; it is checked and shown as a preview before anything is saved."""
    require(request.user, "comparators.import")
    errors = []
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            errors.append(("file", "Select a CSV file"))
        else:
            try:
                upload = services.comparators_upload_parse(uploaded=uploaded, by=request.user)
                return redirect("performance:comparators_preview", pk=upload.pk)
            except ValidationError as exc:
                errors.extend(("file", m) for m in exc.messages)
    return render(
        request,
        "performance/comparators_import.html",
        {"errors": errors, "count": ComparatorValue.objects.count()},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comparators_preview(request, pk):
    require(request.user, "comparators.import")
    # A file waiting for confirmation is its uploader's alone.
    upload = get_object_or_404(ComparatorUpload, pk=pk, created_by=request.user)
    errors = []
    if request.method == "POST":
        try:
            count = services.comparators_upload_confirm(upload=upload, by=request.user)
            messages.success(request, f"{count} comparator values have been imported.")
            return redirect("performance:comparators_import")
        except REFUSALS as exc:
            errors.append(("confirm", str(exc)))
    return render(
        request,
        "performance/comparators_preview.html",
        {
            "upload": upload,
            "errors": errors,
            "replaced": sum(1 for r in upload.rows if r["replaces"] is not None),
        },
        status=400 if errors else 200,
    )


# Open data ------------------------------------------------------------------------------

OPEN_HEADER = [
    "kpi_code",
    "kpi_title",
    "service_area",
    "unit",
    "financial_year",
    "period_start",
    "period_end",
    "value",
]


def _open_rows(values):
    for v in values:
        yield [
            v.kpi_code,
            v.kpi.title,
            v.kpi.get_service_area_display(),
            v.kpi.unit,
            dates.financial_year_label(dates.financial_year_of(v.period_end)),
            v.period_start.isoformat(),
            v.period_end.isoformat(),
            v.value,
        ]


@require_GET
def open_data(request):
    years = selectors.published_years()
    fmt = request.GET.get("format", "")
    if fmt not in ("", "csv", "json"):
        raise Http404
    if fmt:
        values, kpis = selectors.open_data_values(years)
        if fmt == "csv":
            return csv_response("lra-kpi-values.csv", OPEN_HEADER, _open_rows(values))
        payload = {
            "licence": "Open Government Licence v3.0",
            "kpis": [
                {
                    "financial_year": k.version.specification.financial_year.label,
                    "code": k.code,
                    "title": k.title,
                    "service_area": k.service_area,
                    "unit": k.unit,
                    "higher_is_better": k.higher_is_better,
                    "frequency": k.frequency,
                    "annual_target": _num(k.annual_target),
                    "floor": _num(k.floor),
                    "definition": k.definition,
                    "data_source": k.data_source,
                }
                for k in kpis
            ],
            "values": [
                dict(zip(OPEN_HEADER, [_num(c) for c in row], strict=True))
                for row in _open_rows(values)
            ],
        }
        response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = 'attachment; filename="lra-kpi-values.json"'
        return response
    return render(
        request,
        "performance/open_data.html",
        {"years": [dates.financial_year_label(y) for y in years]},
    )


def _num(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value
