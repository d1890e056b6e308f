"""Pages of the commissioning cycle: calendar, notifications, feeds, rules, reports."""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lra_commissioning.access import permission_required, require, require_visible
from lra_commissioning.models import FinancialYear
from lra_commissioning.page_cache import keep_public_page
from lra_commissioning.permissions import can
from lra_commissioning.workflow import DomainError

from . import selectors, services
from .forms import (
    DeadlineRuleForm,
    GenerateDeadlinesForm,
    MarkMetForm,
    ReminderOffsetForm,
    ReportRequestForm,
)
from .ical import deadlines_calendar
from .models import AnnualReport, CalendarFeed, DeadlineRule, ReminderOffset

log = logging.getLogger(__name__)


def _data(request):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


# Calendar -------------------------------------------------------------------------


@permission_required("calendar.view_own")
@require_GET
def calendar(request):
    user = request.user
    today = timezone.localdate()
    may_see_all = can(user, "calendar.view_all")
    show_all = may_see_all and request.GET.get("show", "all") != "mine"
    years = list(FinancialYear.objects.filter(deadlines__isnull=False).distinct())
    try:
        start_year = int(request.GET["year"])
    except (KeyError, ValueError):
        start_year = None
    if start_year is not None and start_year not in {y.start_year for y in years}:
        start_year = None
    return render(
        request,
        "cycle/calendar.html",
        {
            **selectors.calendar_for(user, today=today, show_all=show_all, start_year=start_year),
            "today": today,
            "show_all": show_all,
            "may_see_all": may_see_all,
            "years": years,
            "start_year": start_year,
            "unread": selectors.unread_count(user),
            "can_manage_rules": can(user, "reference_data.manage"),
            "can_view_reports": can(user, "annual_report.view"),
        },
    )


@permission_required("calendar.view_own")
@require_http_methods(["GET", "POST"])
def deadline_detail(request, pk):
    deadline = require_visible(
        request.user, "calendar.view_own", selectors.deadline_visible(request.user, pk)
    )
    can_mark_met = can(request.user, "deadline.mark_met") and not deadline.is_met
    form = MarkMetForm(_data(request)) if can_mark_met else None
    if request.method == "POST":
        require(request.user, "deadline.mark_met")
        if form is None:
            messages.error(request, "This deadline has already been met.")
            return redirect("cycle:deadline", pk=pk)
        if form.is_valid():
            try:
                services.deadline_mark_met(
                    deadline=deadline, on=form.cleaned_data["met_on"], by=request.user
                )
            except DomainError as exc:
                form.add_error("met_on", str(exc))
            else:
                messages.success(request, f"{deadline.title} recorded as met.")
                return redirect("cycle:deadline", pk=pk)
    reminders = list(deadline.reminders.select_related("recipient").order_by("created_at", "id"))
    return render(
        request,
        "cycle/deadline.html",
        {
            "deadline": deadline,
            "today": timezone.localdate(),
            "reminders": reminders,
            "form": form,
            "can_mark_met": can_mark_met,
        },
    )


@permission_required("calendar.view_own")
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        n = services.notifications_mark_read(user=request.user)
        messages.success(request, f"{n} notification{'s' if n != 1 else ''} marked as read.")
        return redirect("cycle:notifications")
    return render(
        request,
        "cycle/notifications.html",
        {"notifications": selectors.notifications_for(request.user)},
    )


# Calendar feeds -------------------------------------------------------------------


@permission_required("calendar.view_own")
@require_http_methods(["GET", "POST"])
def feed_manage(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            services.calendar_feed_issue(user=request.user, by=request.user)
            messages.success(
                request,
                "Your new calendar address is ready. Any earlier address has stopped working.",
            )
        elif action == "revoke":
            services.calendar_feed_revoke(user=request.user, by=request.user)
            messages.success(request, "Your calendar address has been turned off.")
        return redirect("cycle:feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("cycle:feed_private", kwargs={"token": feed.token}))
        if feed
        else ""
    )
    return render(
        request,
        "cycle/feed.html",
        {
            "feed": feed,
            "feed_url": feed_url,
            "public_feed_url": request.build_absolute_uri(reverse("cycle:feed_public")),
        },
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def feed_private(request, token):
    """A person's deadlines at a secret address (calendar apps cannot sign in)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not can(feed.user, "calendar.view_own"):
        raise Http404
    body = deadlines_calendar(
        selectors.feed_deadlines_for(feed.user), name="My commissioning deadlines"
    )
    return _ics(body, "deadlines.ics")


@require_GET
def feed_public(request):
    body = deadlines_calendar(
        selectors.public_feed_deadlines(), name="LRA publication dates", public=True
    )
    response = _ics(body, "publication-dates.ics")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# Rules and reminder offsets (administrators) ------------------------------------------


@permission_required("reference_data.manage")
@require_http_methods(["GET", "POST"])
def rules(request):
    years = list(FinancialYear.objects.all())
    form = GenerateDeadlinesForm(_data(request), years=years)
    if request.method == "POST" and form.is_valid():
        result = services.deadlines_generate(
            start_year=form.cleaned_data["start_year"], by=request.user
        )
        messages.success(
            request,
            f"Deadlines generated: {result['created']} created, {result['updated']} re-dated, "
            f"{result['withdrawn']} withdrawn.",
        )
        return redirect("cycle:rules")
    return render(
        request,
        "cycle/rules.html",
        {
            "rules": list(DeadlineRule.objects.all()),
            "offsets": list(ReminderOffset.objects.all()),
            "form": form,
        },
    )


@permission_required("reference_data.manage")
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    rule = get_object_or_404(DeadlineRule, pk=pk)
    initial = {
        "responsible_role": rule.responsible_role,
        "is_active": rule.is_active,
        "working_days": rule.working_days,
        "day": rule.day,
        "month": rule.month,
        "year_offset": rule.year_offset,
    }
    form = DeadlineRuleForm(_data(request), rule=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deadline_rule_update(
                rule=rule,
                responsible_role=data["responsible_role"],
                is_active=data["is_active"],
                working_days=data.get("working_days"),
                month=data.get("month"),
                day=data.get("day"),
                year_offset=data.get("year_offset", 0),
                by=request.user,
            )
        except DomainError as exc:
            form.add_error("day" if "day" in form.fields else "working_days", str(exc))
        else:
            messages.success(request, f"{rule} rule saved; open deadlines re-dated.")
            return redirect("cycle:rules")
    return render(request, "cycle/rule_form.html", {"rule": rule, "form": form})


@permission_required("reference_data.manage")
@require_http_methods(["GET", "POST"])
def offset_edit(request, pk=None):
    offset = get_object_or_404(ReminderOffset, pk=pk) if pk else None
    initial = (
        {"days": offset.days, "escalate_to": offset.escalate_to, "is_active": offset.is_active}
        if offset
        else {"is_active": True, "escalate_to": ""}
    )
    form = ReminderOffsetForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reminder_offset_save(
                offset=offset,
                days=data["days"],
                escalate_to=data["escalate_to"] or "",
                is_active=data["is_active"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error("days", str(exc))
        else:
            messages.success(request, "Reminder saved.")
            return redirect("cycle:rules")
    return render(request, "cycle/offset_form.html", {"offset": offset, "form": form})


# Annual reports (staff) --------------------------------------------------------------


def _finished_years():
    today = timezone.localdate()
    return [y for y in FinancialYear.objects.all() if y.end_date < today]


@permission_required("annual_report.view")
@require_http_methods(["GET", "POST"])
def reports(request):
    can_produce = can(request.user, "annual_report.produce")
    form = ReportRequestForm(_data(request), years=_finished_years()) if can_produce else None
    if request.method == "POST":
        require(request.user, "annual_report.produce")
        if form.is_valid():
            try:
                report = services.annual_report_request(
                    start_year=form.cleaned_data["start_year"],
                    kind=form.cleaned_data["kind"],
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error("start_year", str(exc))
            else:
                messages.success(request, f"{report} is being produced.")
                return redirect("cycle:report", pk=report.pk)
    return render(
        request,
        "cycle/reports.html",
        {"reports": selectors.reports_for_staff(), "form": form, "can_produce": can_produce},
    )


@permission_required("annual_report.view")
@require_GET
def report_detail(request, pk):
    report = get_object_or_404(
        AnnualReport.objects.select_related(
            "financial_year", "requested_by", "approved_by", "published_by"
        ),
        pk=pk,
    )
    can_produce = can(request.user, "annual_report.produce")
    return render(
        request,
        "cycle/report_detail.html",
        {
            "report": report,
            "actions": services.report_actions(report) if can_produce else [],
        },
    )


@permission_required("annual_report.view")
@require_GET
def report_pdf(request, pk):
    report = get_object_or_404(AnnualReport.objects.select_related("financial_year"), pk=pk)
    if not report.pdf:
        raise Http404
    return _pdf_response(report)


ACTIONS = {
    "generate": "produced again",
    "approve": "approved",
    "publish": "published",
}


@permission_required("annual_report.produce")
@require_POST
def report_action(request, pk, action):
    report = get_object_or_404(AnnualReport.objects.select_related("financial_year"), pk=pk)
    if action not in ACTIONS:
        raise Http404
    try:
        if action == "generate":
            services.annual_report_request(
                start_year=report.financial_year.start_year, kind=report.kind, by=request.user
            )
        elif action == "approve":
            services.annual_report_approve(report=report, by=request.user)
        else:
            services.annual_report_publish(report=report, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{report} {ACTIONS[action]}.")
    return redirect("cycle:report", pk=pk)


def _pdf_response(report):
    """The stored PDF (a few hundred kilobytes: read whole, so no file is left open)."""
    label = report.financial_year.label.replace("/", "-")
    try:
        with report.pdf.open("rb") as f:
            body = f.read()
    except FileNotFoundError:
        log.error("The PDF of %s is missing from storage (%s)", report, report.pdf.name)
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.kind}-report-{label}.pdf"'
    return response


# Annual reports (public) ---------------------------------------------------------------


@require_GET
@keep_public_page
def public_annual_reports(request):
    return render(
        request,
        "cycle/public_reports.html",
        {"reports": selectors.published_annual_reports()},
    )


@require_GET
@keep_public_page
def public_annual_report(request, start_year):
    report = selectors.published_annual_report(start_year)
    if report is None:
        raise Http404
    return render(request, "cycle/public_report.html", {"report": report, "s": report.summary})


@require_GET
def public_annual_report_pdf(request, start_year):
    report = selectors.published_annual_report(start_year)
    if report is None or not report.pdf:
        raise Http404
    return _pdf_response(report)
