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
from lra_commissioning.models import User
from lra_commissioning.page_cache import render_kept
from lra_commissioning.permissions import Perm, can
from lra_commissioning.roles import Role
from lra_commissioning.spreadsheets import xlsx_bytes
from lra_commissioning.uploads import attachment_response
from lra_commissioning.workflow import DomainError

from . import charts, periods, selectors, services
from .forms import (
    ActionAddForm,
    ActionStatusForm,
    ComparatorUploadForm,
    EscalationForm,
    EscalationResponseForm,
    PlanCloseForm,
    PlanOpenForm,
    ReportForm,
    ReportReviewForm,
    ReturnForm,
    ReviewForm,
    ReviseForm,
    UploadForm,
    put_problems,
)
from .models import (
    Action,
    ActionPlan,
    ActionStatus,
    ComparatorUpload,
    ComparatorValue,
    Escalation,
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

REFUSALS = (DomainError,)  # TransitionNotAllowed and FieldProblems are DomainErrors


def _month_or_404(text) -> datetime.date:
    """A month from the address: written 2016-06, from the first specification (see
    selectors.month_in_range) to this month. Anything else is "page not found",
    never an error or a new record."""
    month = periods.parse_month(text)
    if month is None or not selectors.month_in_range(month):
        raise Http404
    return month


def _asked_month(request) -> datetime.date | None:
    """?month=YYYY-MM, or None when it is absent (the page's default month, found
    only when the page is rendered); 404 when it is not a month at all. Whether it
    is one the page can show is for `_shown_month`, when the page is rendered: a
    kept page costs no query."""
    text = request.GET.get("month", "")
    if text == "":
        return None
    month = periods.parse_month(text)
    if month is None:
        raise Http404
    return month


def _shown_month(asked: datetime.date | None) -> datetime.date:
    """The month a kept page shows: the one asked for if it can be shown (404 if
    not: nothing is kept), or the default month."""
    if asked is None:
        return selectors.default_month()
    if not selectors.month_in_range(asked):
        raise Http404
    return asked


def _query_year(request, default: int, *, ahead: int = 0) -> int:
    """?year=2016 (a financial year), from the first specification's year to this one
    (or `ahead` years beyond it)."""
    text = request.GET.get("year", "")
    if text == "":
        return default
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise Http404
    year = int(text)
    first = selectors.first_month() or selectors.EARLIEST_MONTH
    this_year = dates.financial_year_of(timezone.localdate())
    if not dates.financial_year_of(first) <= year <= this_year + ahead:
        raise Http404
    return year


def _year_nav(start_year: int) -> dict:
    """Links to the years before and after, within the years there is anything to show."""
    first_year = dates.financial_year_of(selectors.first_month() or selectors.EARLIEST_MONTH)
    last_year = dates.financial_year_of(timezone.localdate())
    nav = {"previous_year": None, "next_year": None}
    if start_year > first_year:
        nav["previous_year"] = start_year - 1
        nav["previous_label"] = dates.financial_year_label(start_year - 1)
    if start_year < last_year:
        nav["next_year"] = start_year + 1
        nav["next_label"] = dates.financial_year_label(start_year + 1)
    return nav


# Dashboard and KPI page ----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    require(request.user, Perm.PERFORMANCE_VIEW)
    # What the page varies on, read from the address here (a kept copy costs no query).
    asked_month = _asked_month(request)
    show = request.GET.get("show", "")
    if show not in ("", "all"):
        raise Http404
    show_all = show == "all"

    def build():
        month = _shown_month(asked_month)
        board = selectors.dashboard(month=month, user=request.user, show_all=show_all)
        for row in board.rows:
            row.spark_svg = charts.sparkline(row.spark)
        return {
            "board": board,
            "choices": selectors.month_choices(),
            "month_key": f"{month:%Y-%m}",
            "count_lines": [
                (label, board.counts.get(key, 0))
                for key, label in selectors.COUNTED
                if board.counts.get(key, 0) or key in ALWAYS_COUNTED
            ],
            "noted_lines": [(label, board.counts.get(key, 0)) for key, label in selectors.NOTED],
            "status_year": dates.financial_year_of(month),
            "can_enter": can(request.user, Perm.KPI_RETURN_ENTER),
            "can_write_report": can(request.user, Perm.MANAGEMENT_REPORT_WRITE),
            "can_review": can(request.user, Perm.KPI_RETURN_REVIEW),
        }

    return render_kept(
        request, "performance/dashboard.html", build, varies_on=(asked_month, show_all)
    )


ALWAYS_COUNTED = {"green", "amber", "red", "missing"}


@login_required
@require_GET
def kpi_detail(request, code):
    require(request.user, Perm.PERFORMANCE_VIEW)
    asked_month = _asked_month(request)

    def build():
        month = _shown_month(asked_month)
        page = selectors.kpi_page(code=code.upper(), month=month)
        if page is None:
            raise Http404
        return {
            "page": page,
            "row": page.row,
            "kpi": page.kpi,
            "chart": charts.trend_chart(page.kpi, page.history),
            "month": month,
        }

    return render_kept(request, "performance/kpi.html", build, varies_on=(asked_month,))


# The year at a glance --------------------------------------------------------------------


def _year_grid(request):
    require(request.user, Perm.PERFORMANCE_VIEW)
    start_year = _query_year(request, dates.financial_year_of(selectors.default_month()))
    return selectors.year_at_a_glance(start_year=start_year)


@login_required
@require_GET
def year_glance(request):
    grid = _year_grid(request)
    return render(
        request,
        "performance/year.html",
        {"grid": grid, **_year_nav(grid.start_year)},
    )


@login_required
@require_GET
def year_glance_pdf(request):
    from .pdf import year_pdf_bytes

    grid = _year_grid(request)
    response = HttpResponse(year_pdf_bytes(grid), content_type="application/pdf")
    name = f"kpis-at-a-glance-{grid.label.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The monthly return ------------------------------------------------------------------


def _visible_return(request, monthly_return):
    """The return, or 404 for one this person may not see: a draft stays with the
    service until it is submitted, and its existence is not revealed."""
    require(request.user, Perm.KPI_RETURN_VIEW)
    return require_visible(request.user, Perm.KPI_RETURN_VIEW, monthly_return)


RETURN_EDITABLE = {
    ReturnStatus.DRAFT: {ValueStatus.DRAFT},
    ReturnStatus.QUERIED: {ValueStatus.QUERIED},
}


def _entry_rows(month, monthly_return, *, with_corrections):
    """(kpi, value or None, correction or None) for each KPI of the month: from the
    saved return, or from the specification when nothing has been saved yet."""
    if monthly_return is None:
        return [(kpi, None, None) for kpi, _period in services.kpis_due_in(month)]
    values = monthly_return.values.select_related("kpi").prefetch_related("revisions__created_by")
    if with_corrections:
        values = values.select_related("correction")
    return [
        (v.kpi, v, getattr(v, "correction", None) if with_corrections else None) for v in values
    ]


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def return_detail(request, month):
    require(request.user, Perm.PERFORMANCE_VIEW)
    month = _month_or_404(month)
    monthly_return = MonthlyReturn.objects.filter(month=month).first()
    may_enter = can(request.user, Perm.KPI_RETURN_ENTER)
    if monthly_return is None:
        # Nothing saved yet: only the service may start it. Opening the page creates
        # nothing; the first save does.
        if not may_enter or not services.month_open_for_returns(month):
            raise Http404
    else:
        _visible_return(request, monthly_return)
    if request.method == "POST":
        require(request.user, Perm.KPI_RETURN_ENTER)
    status = monthly_return.status if monthly_return else ReturnStatus.DRAFT
    editable = RETURN_EDITABLE.get(status, set()) if may_enter else set()
    form = ReturnForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        rows=_entry_rows(month, monthly_return, with_corrections=may_enter),
        editable_statuses=editable,
        month=month,
    )
    if request.method == "POST" and form.is_valid():
        action = form.chosen_action
        try:
            services.monthly_return_save(
                month=month, entries=form.entries(), action=action, by=request.user
            )
            if action == "submit":
                messages.success(request, f"The {month:%B %Y} return has been submitted.")
            elif action == "resubmit":
                messages.success(request, f"The {month:%B %Y} return has been resubmitted.")
            else:
                messages.success(request, "Your changes have been saved as a draft.")
            return redirect("performance:return", month=f"{month:%Y-%m}")
        except REFUSALS as exc:
            put_problems(form, exc)
    return render(
        request,
        "performance/return.html",
        {
            # A retried submission (a double click, a lost response) is saved once.
            "idempotency_key": new_key(),
            "month": month,
            "due_on": monthly_return.due_on if monthly_return else periods.due_date(month),
            "monthly_return": monthly_return,
            "form": form,
            "lines": form.lines(),
            "can_edit": bool(editable),
            "can_submit": may_enter and status == ReturnStatus.DRAFT,
            "can_resubmit": may_enter and status == ReturnStatus.QUERIED,
            "can_review": monthly_return is not None
            and can(request.user, Perm.KPI_RETURN_REVIEW)
            and status == ReturnStatus.SUBMITTED,
            "can_revise": may_enter,
            "history": history_entries(monthly_return)
            if monthly_return is not None and can(request.user, Perm.RECORDS_VIEW_HISTORY)
            else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_review(request, month):
    monthly_return = _visible_return(
        request, MonthlyReturn.objects.filter(month=_month_or_404(month)).first()
    )
    require(request.user, Perm.KPI_RETURN_REVIEW)
    rows = [
        r
        for r in selectors.review_rows(monthly_return=monthly_return)
        if r.value_record.status == ValueStatus.SUBMITTED
    ]
    form = ReviewForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            monthly_return = services.monthly_return_review(
                monthly_return=monthly_return,
                decisions=form.decisions(),
                within_tolerance=form.within_tolerance,
                by=request.user,
            )
            waiting = monthly_return.values.filter(status=ValueStatus.SUBMITTED).count()
            if waiting:
                messages.success(
                    request,
                    f"Your decisions have been saved. {waiting} value"
                    f"{'s' if waiting != 1 else ''} still need{'s' if waiting == 1 else ''} "
                    "your decision.",
                )
                return redirect("performance:review", month=monthly_return.key)
            messages.success(
                request,
                f"Your review of the {monthly_return.month:%B %Y} return has been saved.",
            )
            return redirect("performance:return", month=monthly_return.key)
        except REFUSALS as exc:
            put_problems(form, exc)
    return render(
        request,
        "performance/review.html",
        {
            "monthly_return": monthly_return,
            "form": form,
            "lines": form.lines(),
            "within_tolerance": sum(1 for r in rows if r.rating.within_tolerance),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_revise(request, pk):
    value = get_object_or_404(KpiReturn.objects.select_related("kpi", "monthly_return"), pk=pk)
    _visible_return(request, value.monthly_return)
    require(request.user, Perm.KPI_RETURN_ENTER)
    form = ReviseForm(
        request.POST if request.method == "POST" else None,
        kpi=value.kpi,
        initial={"commentary": value.commentary},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_return_revise(
                kpi_return=value,
                value=form.cleaned_data["value"],
                commentary=form.cleaned_data["commentary"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, f"{value.kpi_code} has been revised and sent for review.")
            return redirect("performance:return", month=value.monthly_return.key)
        except REFUSALS as exc:
            put_problems(form, exc)
    return render(
        request,
        "performance/revise.html",
        {"value": value, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def value_evidence(request, pk):
    value = get_object_or_404(
        KpiReturn.objects.select_related("monthly_return", "correction"), pk=pk
    )
    # A download answers 404 to everyone who may not open its return.
    require_visible(request.user, Perm.KPI_RETURN_VIEW, value.monthly_return)
    if request.GET.get("correction") == "1":
        # A correction's new evidence is the service's until resubmitted.
        correction = getattr(value, "correction", None)
        if correction is None or not can(request.user, Perm.KPI_RETURN_ENTER):
            raise Http404
        return _serve(correction.evidence_file, correction.evidence_name, correction.evidence_kind)
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
    require(request.user, Perm.KPI_RETURN_ENTER)
    month = _month_or_404(month)
    if not services.month_open_for_returns(month):
        raise Http404
    monthly_return = MonthlyReturn.objects.filter(month=month).first()
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.return_upload_start(
                month=month, uploaded=form.cleaned_data["file"], by=request.user
            )
            return redirect("performance:upload_preview", month=f"{month:%Y-%m}", pk=upload.pk)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        except REFUSALS as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "performance/upload.html",
        {"month": month, "monthly_return": monthly_return, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_preview(request, month, pk):
    require(request.user, Perm.KPI_RETURN_ENTER)
    # An upload waiting for confirmation is its uploader's alone.
    upload = get_object_or_404(
        ReturnUpload.objects.select_related("monthly_return"),
        pk=pk,
        monthly_return__month=_month_or_404(month),
        created_by=request.user,
    )
    require_visible(request.user, Perm.KPI_RETURN_VIEW, upload.monthly_return)
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
    require(request.user, Perm.KPI_RETURN_ENTER)
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
    require(request.user, Perm.PERFORMANCE_VIEW)
    today = timezone.localdate()
    # Next year too: the calendar shows its deadlines, which lead here.
    start_year = _query_year(request, dates.financial_year_of(selectors.default_month()), ahead=1)
    return render(
        request,
        "performance/status.html",
        {
            "lines": selectors.status_board(start_year=start_year, user=request.user, today=today),
            "year_label": dates.financial_year_label(start_year),
            "start_year": start_year,
            "previous_year": start_year - 1
            if dates.financial_year_of(selectors.first_month() or timezone.localdate()) < start_year
            else None,
            "next_year": start_year + 1
            if start_year < dates.financial_year_of(today) + 1
            else None,
            "owers": list(User.objects.with_role(Role.SERVICE_MANAGER)),
            "can_enter": can(request.user, Perm.KPI_RETURN_ENTER),
            "can_write_report": can(request.user, Perm.MANAGEMENT_REPORT_WRITE),
        },
    )


# Management reports -------------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    require(request.user, Perm.PERFORMANCE_VIEW)
    return render(
        request,
        "performance/reports.html",
        {
            "reports": selectors.visible_reports(request.user).prefetch_related("attachments")[:36],
            "can_write": can(request.user, Perm.MANAGEMENT_REPORT_WRITE),
            "suggested": f"{dates.add_months(timezone.localdate(), -1):%Y-%m}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, month):
    require(request.user, Perm.PERFORMANCE_VIEW)
    month = _month_or_404(month)
    report = ManagementReport.objects.filter(month=month).first()
    if report is not None:
        # A draft stays with the service until it is submitted: not found for the others.
        require_visible(request.user, Perm.MANAGEMENT_REPORT_VIEW, report)
    can_write = can(request.user, Perm.MANAGEMENT_REPORT_WRITE) and (
        report is None or report.status == ReportStatus.DRAFT
    )
    can_review = (
        can(request.user, Perm.MANAGEMENT_REPORT_REVIEW)
        and report is not None
        and report.status == ReportStatus.SUBMITTED
    )
    if report is None and not can_write:
        raise Http404
    posted = request.POST if request.method == "POST" else None
    reviewing = posted is not None and posted.get("action") == "review"
    if posted is not None:
        require(
            request.user,
            Perm.MANAGEMENT_REPORT_REVIEW if reviewing else Perm.MANAGEMENT_REPORT_WRITE,
        )
        if not (can_review if reviewing else can_write):
            messages.error(
                request,
                f"This report is {report.get_status_display().lower()}, so it cannot be changed.",
            )
            return redirect("performance:report", month=f"{month:%Y-%m}")
    form = ReportForm(
        None if reviewing else posted,
        request.FILES if posted is not None and not reviewing else None,
        initial={
            "highlights": report.highlights if report else "",
            "risks_and_issues": report.risks_and_issues if report else "",
            "finance_summary": report.finance_summary if report else "",
        },
    )
    review_form = ReportReviewForm(posted if reviewing else None, prefix="review")
    if posted is not None:
        active = review_form if reviewing else form
        if active.is_valid():
            try:
                if reviewing:
                    services.management_report_review(
                        report=report,
                        comments=review_form.cleaned_data["comments"],
                        by=request.user,
                    )
                    messages.success(request, "Your review has been saved.")
                else:
                    submit = form.cleaned_data.get("action") == "submit"
                    services.management_report_write(
                        month=month,
                        highlights=form.cleaned_data["highlights"],
                        risks_and_issues=form.cleaned_data["risks_and_issues"],
                        finance_summary=form.cleaned_data["finance_summary"],
                        attachment=form.cleaned_data.get("attachment"),
                        submit=submit,
                        by=request.user,
                    )
                    messages.success(
                        request,
                        f"The {month:%B %Y} report has been submitted."
                        if submit
                        else "The report has been saved as a draft.",
                    )
                return redirect("performance:report", month=f"{month:%Y-%m}")
            except REFUSALS as exc:
                put_problems(active, exc)
    return render(
        request,
        "performance/report.html",
        {
            "report": report,
            "month": month,
            "can_write": can_write,
            "can_review": can_review,
            "form": form,
            "review_form": review_form,
        },
        status=400 if form.errors or review_form.errors else 200,
    )


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=pk)
    require_visible(request.user, Perm.MANAGEMENT_REPORT_VIEW, attachment.report)
    return _serve(attachment.file, attachment.display_name, attachment.kind)


# Action plans --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    require(request.user, Perm.PERFORMANCE_VIEW)
    form = None
    if can(request.user, Perm.ACTION_PLAN_WRITE):
        form = PlanOpenForm(
            request.POST if request.method == "POST" else None,
            initial={
                "kpi_code": request.GET.get("kpi", "")[:20],
                "month": request.GET.get("month", "")[:7],
                "trigger": request.GET.get("trigger", "")[:255],
            },
        )
    if request.method == "POST":
        require(request.user, Perm.ACTION_PLAN_WRITE)
        if form.is_valid():
            data = form.cleaned_data
            month = periods.parse_month(data["month"]) or selectors.default_month()
            try:
                plan = services.action_plan_open(
                    kpi_code=data["kpi_code"],
                    month=month,
                    trigger=data["trigger"] or "Outside tolerance",
                    summary=data["summary"],
                    by=request.user,
                )
                messages.success(request, f"The action plan for {plan.kpi_code} has been opened.")
                return redirect("performance:plan", pk=plan.pk)
            except REFUSALS as exc:
                put_problems(form, exc)
    return render(
        request,
        "performance/plans.html",
        {
            "plans": ActionPlan.objects.prefetch_related("actions"),
            "today": timezone.localdate(),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    require(request.user, Perm.PERFORMANCE_VIEW)
    plan = get_object_or_404(ActionPlan, pk=pk)
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action", "") if posted is not None else ""
    if posted is not None and action not in ("add", "status", "close"):
        raise Http404
    add_form = ActionAddForm(posted if action == "add" else None, prefix="add")
    close_form = PlanCloseForm(posted if action == "close" else None, prefix="close")
    status_form = ActionStatusForm(posted if action == "status" else None)
    active = {"add": add_form, "close": close_form, "status": status_form}.get(action)
    if posted is not None:
        require(
            request.user, Perm.ACTION_PLAN_CLOSE if action == "close" else Perm.ACTION_PLAN_WRITE
        )
        if active.is_valid():
            data = active.cleaned_data
            try:
                if action == "add":
                    services.action_add(
                        plan=plan,
                        description=data["description"],
                        owner=data["owner"],
                        due_on=data["due_on"],
                        by=request.user,
                    )
                    messages.success(request, "The action has been added.")
                elif action == "status":
                    target = get_object_or_404(Action, pk=data["action_id"], plan=plan)
                    services.action_update_status(
                        action=target, status=data["progress"], by=request.user
                    )
                    messages.success(request, "The action's status has been updated.")
                else:
                    rows = selectors.kpi_rows(
                        month=selectors.default_month(), codes={plan.kpi_code}
                    )[1]
                    services.action_plan_close(
                        plan=plan,
                        reason=data["reason"],
                        note=data["note"],
                        latest_rating=rows[0].rating.colour if rows else None,
                        by=request.user,
                    )
                    messages.success(request, "The action plan has been closed.")
                return redirect("performance:plan", pk=plan.pk)
            except REFUSALS as exc:
                put_problems(active, exc)
    return render(
        request,
        "performance/plan.html",
        {
            "plan": plan,
            "actions": plan.actions.all(),
            "today": timezone.localdate(),
            "statuses": ActionStatus.choices,
            "add_form": add_form,
            "close_form": close_form,
            "status_form": status_form,
            "can_write": can(request.user, Perm.ACTION_PLAN_WRITE)
            and plan.status == PlanStatus.OPEN,
            "can_close": can(request.user, Perm.ACTION_PLAN_CLOSE)
            and plan.status == PlanStatus.OPEN,
            "history": history_entries(plan),
        },
        status=400 if active is not None and active.errors else 200,
    )


# Escalations --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def escalation_list(request):
    require(request.user, Perm.PERFORMANCE_VIEW)
    can_raise = can(request.user, Perm.ESCALATION_RAISE)
    form = EscalationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request.user, Perm.ESCALATION_RAISE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                escalation = services.escalation_raise(
                    title=data["title"],
                    kind=data["kind"],
                    kpi_code=data["kpi_code"],
                    description=data["description"],
                    by=request.user,
                )
                messages.success(request, "The risk has been escalated to the board.")
                return redirect("performance:escalation", pk=escalation.pk)
            except REFUSALS as exc:
                put_problems(form, exc)
    return render(
        request,
        "performance/escalations.html",
        {
            "escalations": Escalation.objects.select_related("raised_by"),
            "can_raise": can_raise,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail(request, pk):
    require(request.user, Perm.PERFORMANCE_VIEW)
    escalation = get_object_or_404(
        Escalation.objects.select_related("raised_by", "responded_by"), pk=pk
    )
    form = EscalationResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request.user, Perm.ESCALATION_RESPOND)
        if form.is_valid():
            try:
                services.escalation_respond(
                    escalation=escalation,
                    response=form.cleaned_data["response"],
                    by=request.user,
                )
                messages.success(request, "The board's response has been recorded.")
                return redirect("performance:escalation", pk=escalation.pk)
            except REFUSALS as exc:
                put_problems(form, exc)
    return render(
        request,
        "performance/escalation.html",
        {
            "escalation": escalation,
            "form": form,
            "can_respond": can(request.user, Perm.ESCALATION_RESPOND)
            and escalation.status == EscalationStatus.OPEN,
        },
        status=400 if form.errors else 200,
    )


# Comparators --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comparators_import(request):
    """Upload a comparator CSV; it is checked and shown as a preview before anything is saved."""
    require(request.user, Perm.COMPARATORS_IMPORT)
    form = ComparatorUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.comparators_upload_parse(
                uploaded=form.cleaned_data["file"], by=request.user
            )
            return redirect("performance:comparators_preview", pk=upload.pk)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
    return render(
        request,
        "performance/comparators_import.html",
        {"form": form, "count": ComparatorValue.objects.count()},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comparators_preview(request, pk):
    require(request.user, Perm.COMPARATORS_IMPORT)
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
        values, definitions = selectors.open_data_values(years)
        if fmt == "csv":
            return csv_response("lra-kpi-values.csv", OPEN_HEADER, _open_rows(values))
        payload = {
            "licence": "Open Government Licence v3.0",
            "kpis": [
                {
                    "financial_year": k.version.specification.financial_year.label,
                    # Which version's definition this is, and the days it applied
                    # (applies_to is null while that version is in force).
                    "specification_version": d.version_number,
                    "applies_from": d.applies_from.isoformat(),
                    "applies_to": d.applies_to.isoformat() if d.applies_to else None,
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
                for d in definitions
                for k in (d.kpi,)
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
