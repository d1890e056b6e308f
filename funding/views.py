"""Budget pages: thin views that ask `can()`, call services and selectors."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lra_commissioning import dates
from lra_commissioning.access import require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.permissions import Perm, can
from lra_commissioning.spreadsheets import read_table
from lra_commissioning.workflow import DomainError

from . import budget as calc
from . import charts, selectors, services
from .forms import (
    DecisionForm,
    ExplanationForm,
    MonitoringForm,
    UploadForm,
    VersionEditForm,
    VersionStartForm,
)
from .models import BUDGET_WORKFLOW, BudgetVersion, Category, VersionKind, VersionStatus
from .uploads import COLUMNS, check_rows


def _today():
    return timezone.localdate()


def _version(request, number) -> BudgetVersion:
    """The version, or 404 when this person may not open it (a draft, to the service);
    403 for people who never see budgets."""
    require(request.user, Perm.BUDGET_VERSION_VIEW)
    return require_visible(
        request.user,
        Perm.BUDGET_VERSION_VIEW,
        BudgetVersion.objects.select_related("based_on").filter(number=number).first(),
    )


def _month(year, month) -> datetime.date:
    """A month from the address, within the years monitoring covers; 404 otherwise
    (never an error, whatever the numbers)."""
    try:
        day = datetime.date(year, month, 1)
    except (ValueError, OverflowError):
        raise Http404 from None
    if dates.financial_year_of(day) not in selectors.monitoring_years(_today()):
        raise Http404
    return day


def _profile_chart(grid):
    return charts.grouped_bars(
        "The five-year profile: gross expenditure, income and net budget per year",
        grid.year_labels,
        [
            ("Gross expenditure", [t.gross_expenditure for t in grid.totals]),
            ("Income", [t.service_income for t in grid.totals]),
            ("Net budget", [t.net for t in grid.totals]),
        ],
    )


@login_required
def index(request):
    require(request.user, Perm.BUDGET_VIEW)
    today = _today()
    current = selectors.latest_agreed_version(request.user)
    grid = selectors.budget_grid(current) if current else None
    return render(
        request,
        "funding/index.html",
        {
            "current": current,
            "grid": grid,
            "chart": _profile_chart(grid) if grid else None,
            "open_version": selectors.open_version(request.user),
            "versions": selectors.versions_for_list(request.user),
            "notices": selectors.notices_for_list(request.user),
            "confirmations": selectors.confirmation_statuses(selectors.confirmation_years(today)),
            "today": today,
            "can_draft": can(request.user, Perm.BUDGET_DRAFT),
            "latest_month": selectors.latest_monitored_month(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request):
    require(request.user, Perm.BUDGET_DRAFT)
    open_version = selectors.open_version()
    first_budget = selectors.latest_agreed_version() is None
    form = VersionStartForm(request.POST or None, first_budget=first_budget)
    if request.method == "POST" and open_version is None and form.is_valid():
        try:
            version = services.budget_version_start(
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                start_year=form.cleaned_data["start_year"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Version {version.number} started as a draft.")
            return redirect("funding:version_edit", number=version.number)
    return render(
        request,
        "funding/version_new.html",
        {"form": form, "open_version": open_version, "first_budget": first_budget},
    )


def _version_context(request, version):
    user = request.user
    grid = selectors.budget_grid(version)
    state = version.status
    notice = getattr(version, "notice", None)
    changes = services.notice_lines(old=version.based_on, new=version) if version.based_on else []
    return {
        "version": version,
        "base_visible": version.based_on is not None
        and can(user, Perm.BUDGET_VERSION_VIEW, version.based_on),
        "grid": grid,
        "chart": _profile_chart(grid),
        "notice": notice,
        "changes": [
            {"year": dates.financial_year_label(y), "label": label, "old": old, "new": new}
            for y, label, _o, old, new in changes
        ],
        "can_edit": can(user, Perm.BUDGET_DRAFT) and BUDGET_WORKFLOW.allowed(state, "edit"),
        "can_propose": can(user, Perm.BUDGET_DRAFT) and BUDGET_WORKFLOW.allowed(state, "propose"),
        "can_decide": can(user, Perm.BUDGET_AGREE) and BUDGET_WORKFLOW.allowed(state, "agree"),
        "can_confirm": can(user, Perm.BUDGET_DRAFT) and BUDGET_WORKFLOW.allowed(state, "confirm"),
        "is_annual": version.kind == VersionKind.ANNUAL,
        "confirmation": selectors.confirmation_statuses([version.start_year])[0]
        if version.kind == VersionKind.ANNUAL
        else None,
        "history": history_entries(version) if can(user, Perm.RECORDS_VIEW_HISTORY) else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def version_detail(request, number):
    require(request.user, Perm.BUDGET_VIEW)
    version = _version(request, number)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("propose", "confirm"):
            raise Http404
        require(request.user, Perm.BUDGET_DRAFT)
        try:
            if action == "propose":
                services.budget_version_propose(version=version, by=request.user)
                messages.success(request, f"Version {version.number} is with the board.")
            else:
                services.budget_version_confirm(version=version, by=request.user)
                messages.success(
                    request,
                    f"Version {version.number} confirmed to the service: the head of service "
                    "has a notice to acknowledge.",
                )
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("funding:version_detail", number=version.number)
    return render(request, "funding/version_detail.html", _version_context(request, version))


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, number):
    version = _version(request, number)
    require(request.user, Perm.BUDGET_DRAFT)
    if not version.is_editable:
        return render(request, "funding/version_frozen.html", {"version": version})
    grid = selectors.budget_grid(version)
    if request.method != "POST":
        form = VersionEditForm(initial=VersionEditForm.initial_for(grid), grid=grid)
        return render(request, "funding/version_edit.html", {"form": form, "version": version})
    form = VersionEditForm(request.POST, grid=grid)
    if form.is_valid():
        try:
            services.budget_version_save(
                version=version,
                expected_revision=form.cleaned_data["revision"],
                amounts=form.amounts(),
                savings=form.savings(),
                income_rule=form.cleaned_data["income_rule"],
                income_service_percent=form.cleaned_data["income_service_percent"],
                income_threshold=form.cleaned_data["income_threshold"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as exc:
            version.refresh_from_db()
            if not version.is_editable:
                return render(request, "funding/version_frozen.html", {"version": version})
            if str(exc) == services.STALE_DRAFT_MESSAGE:
                # Keep every figure they typed; the next save, made knowingly, wins.
                data = request.POST.copy()
                data["revision"] = str(version.revision)
                form = VersionEditForm(data, grid=grid)
                form.is_valid()
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Version {version.number} saved.")
            return redirect("funding:version_detail", number=version.number)
    return render(request, "funding/version_edit.html", {"form": form, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def version_decide(request, number):
    version = _version(request, number)
    require(request.user, Perm.BUDGET_AGREE)
    if version.status != VersionStatus.PROPOSED:
        return render(request, "funding/version_not_with_board.html", {"version": version})
    form = DecisionForm(request.POST or None, today=_today())
    if request.method == "POST" and form.is_valid():
        agree = form.cleaned_data["decision"] == "agree"
        try:
            services.budget_version_decide(
                version=version,
                agree=agree,
                decided_on=form.cleaned_data["decided_on"],
                minute_reference=form.cleaned_data["minute_reference"],
                comments=form.cleaned_data["comments"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"The board's {'agreement' if agree else 'return'} of version "
                f"{version.number} is recorded.",
            )
            return redirect("funding:version_detail", number=version.number)
    grid = selectors.budget_grid(version)
    return render(
        request,
        "funding/version_decide.html",
        {"form": form, "version": version, "grid": grid},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request, pk):
    require(request.user, Perm.BUDGET_VIEW)
    notice = selectors.notice_with_lines(pk)
    # Issued when its version is confirmed: whoever may open the version may open it.
    require_visible(request.user, Perm.BUDGET_VERSION_VIEW, notice and notice.version)
    if request.method == "POST":
        require(request.user, Perm.BUDGET_NOTICE_ACKNOWLEDGE)
        try:
            services.budget_notice_acknowledge(notice=notice, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "You have acknowledged the notice.")
        return redirect("funding:notice_detail", pk=notice.pk)
    years = {}
    for line in notice.lines.all():
        years.setdefault(dates.financial_year_label(line.start_year), []).append(line)
    return render(
        request,
        "funding/notice_detail.html",
        {
            "notice": notice,
            "years": years,
            "can_acknowledge": can(request.user, Perm.BUDGET_NOTICE_ACKNOWLEDGE)
            and not notice.is_acknowledged,
        },
    )


# Monitoring -------------------------------------------------------------------


@login_required
def monitoring(request):
    require(request.user, Perm.BUDGET_VIEW)
    today = _today()
    years = selectors.monitoring_years(today)
    monitored = selectors.monitored_years()
    default = monitored[-1] if monitored else years[-1]
    text = request.GET.get("year", "")
    if text == "":
        start_year = default
    elif text.isascii() and text.isdigit() and len(text) == 4 and int(text) in years:
        start_year = int(text)
    else:
        raise Http404
    data = selectors.year_monitoring(start_year, today=today)
    chart = charts.grouped_bars(
        f"Gross expenditure by month, {data.year_label}: budget against actual",
        [f"{m.month:%b}" for m in data.months],
        [
            ("Budget", [m.budget_expenditure for m in data.months]),
            ("Actual", [m.actual_expenditure for m in data.months]),
        ],
    )
    return render(
        request,
        "funding/monitoring.html",
        {
            "data": data,
            "chart": chart,
            "years": years,
            "start_year": start_year,
            "previous_year": start_year - 1 if start_year - 1 in years else None,
            "next_year": start_year + 1 if start_year + 1 in years else None,
            "can_monitor": can(request.user, Perm.BUDGET_MONITOR),
        },
    )


@login_required
def monitoring_month(request, year, month):
    require(request.user, Perm.BUDGET_VIEW)
    month = _month(year, month)
    report = selectors.monitoring_report(month=month)
    return render(
        request,
        "funding/monitoring_month.html",
        {
            "month": month,
            "report": report,
            "year_label": dates.financial_year_label(dates.financial_year_of(month)),
            "start_year": dates.financial_year_of(month),
            "can_monitor": can(request.user, Perm.BUDGET_MONITOR),
            "ended": dates.month_end(month) < _today(),
        },
    )


def _month_refusal(month):
    try:
        services.check_month_open_for_actuals(month, _today())
    except DomainError as exc:
        return str(exc)
    if selectors.version_for_year(dates.financial_year_of(month)) is None:
        return (
            f"There is no agreed budget for "
            f"{dates.financial_year_label(dates.financial_year_of(month))} to monitor against"
        )
    return None


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_enter(request, year, month):
    require(request.user, Perm.BUDGET_MONITOR)
    month = _month(year, month)
    refusal = _month_refusal(month)
    if refusal:
        return render(request, "funding/month_closed.html", {"month": month, "refusal": refusal})
    if request.method == "POST":
        form = MonitoringForm(request.POST)
        if form.is_valid():
            try:
                services.monitoring_month_save(month=month, lines=form.lines(), by=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"The figures for {month:%B %Y} are saved.")
                return redirect("funding:monitoring_month", year=month.year, month=month.month)
    else:
        report = selectors.monitoring_report(month=month)
        initial = {}
        if report:
            for row in report.rows:
                initial[f"actual__{row.category}"] = f"{row.actual_month:f}"
                initial[f"forecast__{row.category}"] = f"{row.forecast:f}"
        form = MonitoringForm(initial=initial)
    return render(request, "funding/monitoring_enter.html", {"form": form, "month": month})


def _session_key(month):
    return f"funding_upload_{month:%Y-%m}"


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_upload(request, year, month):
    require(request.user, Perm.BUDGET_MONITOR)
    month = _month(year, month)
    refusal = _month_refusal(month)
    if refusal:
        return render(request, "funding/month_closed.html", {"month": month, "refusal": refusal})
    if request.method == "GET" and request.GET.get("template") == "csv":
        return _template_csv(month)
    key = _session_key(month)
    if request.method == "POST" and request.POST.get("confirm"):
        stored = request.session.get(key)
        if not stored or stored.get("token") != request.POST.get("confirm"):
            messages.error(request, "The preview has expired. Upload the file again")
            return redirect("funding:monitoring_upload", year=month.year, month=month.month)
        lines = {c: (calc.money(a), calc.money(f)) for c, a, f in stored["rows"]}
        try:
            services.monitoring_month_save(month=month, lines=lines, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("funding:monitoring_upload", year=month.year, month=month.month)
        del request.session[key]
        messages.success(request, f"The figures for {month:%B %Y} are saved from your file.")
        return redirect("funding:monitoring_month", year=month.year, month=month.month)
    form = UploadForm(request.POST or None, request.FILES or None)
    preview = errors = None
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_table(form.cleaned_data["file"], required_columns=COLUMNS)
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            preview, errors = check_rows(rows)
            if not errors:
                token = timezone.now().strftime("%Y%m%d%H%M%S%f")
                request.session[key] = {
                    "token": token,
                    "rows": [[r.category, str(r.actual), str(r.forecast)] for r in preview],
                }
            else:
                request.session.pop(key, None)
    return render(
        request,
        "funding/monitoring_upload.html",
        {"form": form, "month": month, "preview": preview, "errors": errors, "token": token},
    )


def _template_csv(month):
    """The upload template: one row per category (the upload page with ?template=csv)."""
    lines = ["category,actual,forecast"]
    lines += [f"{Category(c).label},," for c in calc.CATEGORY_ORDER]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{month:%Y-%m}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def exception_explain(request, year, month, category):
    require(request.user, Perm.BUDGET_MONITOR)
    month = _month(year, month)
    if category not in Category.values:
        raise Http404
    report = selectors.monitoring_report(month=month)
    row = next((r for r in report.rows if r.category == category), None) if report else None
    if row is None:
        raise Http404
    initial = {"text": row.explanation.text} if row.explanation else None
    form = ExplanationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.exception_explain(
                month=month, category=category, text=form.cleaned_data["text"], by=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Your explanation of {row.label} is saved.")
            return redirect("funding:monitoring_month", year=month.year, month=month.month)
    return render(
        request, "funding/exception_explain.html", {"form": form, "row": row, "month": month}
    )


@login_required
def full_cost(request):
    require(request.user, Perm.BUDGET_VIEW)
    version = selectors.latest_agreed_version(request.user)
    years = selectors.full_cost(version) if version else []
    names = sorted({s.name for y in years for s in y.support})
    support_rows = [
        (name, [next((s for s in y.support if s.name == name), None) for y in years])
        for name in names
    ]
    return render(
        request,
        "funding/full_cost.html",
        {
            "version": version,
            "years": years,
            "support_rows": support_rows,
            "has_activity": any(u[2] for y in years for u in y.unit_costs),
            "has_sla_charges": any(s.sla_charge is not None for y in years for s in y.support),
            "index_url": reverse("funding:index"),
        },
    )
