"""Pages of the commissioning cycle: calendar, notifications, feeds, rules, reports."""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lra_commissioning import links, meetings, obligations
from lra_commissioning.access import permission_required, require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.models import FinancialYear
from lra_commissioning.page_cache import keep_public_page
from lra_commissioning.permissions import Perm, can
from lra_commissioning.workflow import DomainError

from . import selectors, services
from .forms import (
    ActionReturnForm,
    ApproachReviewForm,
    AssessmentForm,
    ChapterForm,
    CommitteeForm,
    ConsiderationForm,
    DeadlineRuleForm,
    ForewordForm,
    GenerateDeadlinesForm,
    MarkMetForm,
    ReminderOffsetForm,
    ReportRequestForm,
    ReturnReportForm,
    ServiceInputForm,
    StartReportForm,
)
from .ical import deadlines_calendar
from .models import (
    AnnualReport,
    ApproachReviewStatus,
    CalendarFeed,
    DeadlineRule,
    ReminderOffset,
    ReportActionReturn,
    ReportKind,
    ReportOutcome,
    ReportStatus,
)

log = logging.getLogger(__name__)


def _data(request):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


# Calendar -------------------------------------------------------------------------


@permission_required(Perm.CALENDAR_VIEW_OWN)
@require_GET
def calendar(request):
    user = request.user
    today = timezone.localdate()
    may_see_all = can(user, Perm.CALENDAR_VIEW_ALL)
    show_all = may_see_all and request.GET.get("show", "all") != "mine"
    years = list(FinancialYear.objects.filter(deadlines__isnull=False).distinct())
    try:
        start_year = int(request.GET["year"])
    except (KeyError, ValueError):
        start_year = None
    if start_year is not None and start_year not in {y.start_year for y in years}:
        start_year = None
    shown = selectors.calendar_for(user, today=today, show_all=show_all, start_year=start_year)
    # A deadline that waits for a board decision points at the meeting that will take it.
    at_meetings = meetings.links_for_obligations(
        d.key for d in (*shown["overdue"], *shown["upcoming"])
    )
    for d in (*shown["overdue"], *shown["upcoming"]):
        d.meeting_link = at_meetings.get(d.key)
    return render(
        request,
        "cycle/calendar.html",
        {
            **shown,
            "today": today,
            "show_all": show_all,
            "may_see_all": may_see_all,
            "years": years,
            "start_year": start_year,
            "can_manage_rules": can(user, Perm.REFERENCE_DATA_MANAGE),
            "can_view_reports": can(user, Perm.ANNUAL_REPORT_VIEW),
        },
    )


@permission_required(Perm.CALENDAR_VIEW_OWN)
@require_http_methods(["GET", "POST"])
def deadline_detail(request, pk):
    deadline = require_visible(
        request.user, Perm.CALENDAR_VIEW_OWN, selectors.deadline_visible(request.user, pk)
    )
    may_mark_met = can(request.user, Perm.DEADLINE_MARK_MET)
    # Only an obligation with no record in the system is recorded met by hand.
    can_mark_met = may_mark_met and services.deadline_can_be_marked_met(deadline)
    form = MarkMetForm(_data(request)) if can_mark_met else None
    if request.method == "POST":
        require(request.user, Perm.DEADLINE_MARK_MET)
        if form is None:
            messages.error(
                request,
                "This deadline has already been met."
                if deadline.is_met
                else "This deadline cannot be recorded met by hand.",
            )
            return redirect("cycle:deadline", pk=pk)
        if form.is_valid():
            try:
                services.deadline_mark_met(
                    deadline=deadline,
                    on=form.cleaned_data["met_on"],
                    who=form.cleaned_data["who"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error("met_on", str(exc))
            else:
                messages.success(request, f"{deadline.title} recorded as met.")
                return redirect("cycle:deadline", pk=pk)
    reminders = list(deadline.reminders.select_related("recipient").order_by("created_at", "id"))
    record = links.urls_for(request.user, [deadline.key]).get(deadline.key)
    return render(
        request,
        "cycle/deadline.html",
        {
            "deadline": deadline,
            "meeting_link": meetings.links_for_obligations([deadline.key]).get(deadline.key),
            "record_url": record,
            "met_by_its_record": obligations.has_resolver(deadline.key),
            "today": timezone.localdate(),
            "reminders": reminders,
            "form": form,
            "can_mark_met": can_mark_met,
            "history": (
                history_entries(deadline) if can(request.user, Perm.RECORDS_VIEW_HISTORY) else None
            ),
        },
    )


# Calendar feeds -------------------------------------------------------------------


@permission_required(Perm.CALENDAR_VIEW_OWN)
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
    if feed is None or not feed.user.is_active or not can(feed.user, Perm.CALENDAR_VIEW_OWN):
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


@permission_required(Perm.REFERENCE_DATA_MANAGE)
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
            f"{result['withdrawn']} withdrawn, {result['met']} met from their records.",
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


@permission_required(Perm.REFERENCE_DATA_MANAGE)
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


@permission_required(Perm.REFERENCE_DATA_MANAGE)
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


@permission_required(Perm.ANNUAL_REPORT_VIEW)
@require_http_methods(["GET", "POST"])
def reports(request):
    user = request.user
    can_produce = can(user, Perm.ANNUAL_REPORT_PRODUCE)
    can_start = can_produce or can(user, Perm.ANNUAL_REPORT_WRITE)
    finished = _finished_years()
    started = set(
        AnnualReport.objects.filter(kind=ReportKind.ANNUAL).values_list(
            "financial_year__start_year", flat=True
        )
    )
    startable = [y for y in finished if y.start_year not in started]
    which = request.POST.get("form") if request.method == "POST" else None
    start_form = (
        StartReportForm(
            _data(request) if which == "start" else None, years=startable, prefix="start"
        )
        if can_start
        else None
    )
    form = (
        ReportRequestForm(_data(request) if which != "start" else None, years=finished)
        if can_produce
        else None
    )
    if request.method == "POST" and which == "start":
        if not can_start:
            require(user, Perm.ANNUAL_REPORT_WRITE)
        if start_form.is_valid():
            try:
                report = services.annual_report_start(
                    start_year=start_form.cleaned_data["start_year"], by=user
                )
            except DomainError as exc:
                start_form.add_error("start_year", str(exc))
            else:
                messages.success(request, f"{report} started: the service writes its parts.")
                return redirect("cycle:report", pk=report.pk)
    elif request.method == "POST":
        require(user, Perm.ANNUAL_REPORT_PRODUCE)
        if form.is_valid():
            try:
                report = services.annual_report_request(
                    start_year=form.cleaned_data["start_year"],
                    kind=form.cleaned_data["kind"],
                    by=user,
                )
            except DomainError as exc:
                form.add_error("start_year", str(exc))
            else:
                messages.success(request, f"{report} is being produced.")
                return redirect("cycle:report", pk=report.pk)
    return render(
        request,
        "cycle/reports.html",
        {
            "reports": selectors.reports_for_staff(),
            "form": form,
            "start_form": start_form if startable else None,
            "can_produce": can_produce,
            "reviews": selectors.approach_reviews(),
        },
    )


def _report(pk) -> AnnualReport:
    return get_object_or_404(
        AnnualReport.objects.select_related(
            "financial_year",
            "requested_by",
            "approved_by",
            "published_by",
            "foreword_by",
            "assessed_by",
            "submitted_by",
        ).prefetch_related("outcomes", "action_returns"),
        pk=pk,
    )


@permission_required(Perm.ANNUAL_REPORT_VIEW)
@require_GET
def report_detail(request, pk):
    report = _report(pk)
    user = request.user
    can_produce = can(user, Perm.ANNUAL_REPORT_PRODUCE)
    drafting = report.status == ReportStatus.DRAFTING
    assessing = report.status == ReportStatus.WITH_COMMISSIONER
    return render(
        request,
        "cycle/report_detail.html",
        {
            "report": report,
            "chapters": list(report.outcomes.all()),
            "action_returns": list(report.action_returns.all()),
            "stuck": services.annual_report_is_stuck(report),
            "actions": services.report_actions(report) if can_produce else [],
            "can_write": drafting and can(user, Perm.ANNUAL_REPORT_WRITE),
            "can_write_foreword": drafting
            and can(user, Perm.ANNUAL_REPORT_WRITE)
            and user.is_head_of_service,
            "can_assess": assessing and can(user, Perm.ANNUAL_REPORT_ASSESS),
            "can_return": can(user, Perm.ANNUAL_REPORT_ASSESS)
            and services.REPORT_WORKFLOW.allowed(report.status, "return")
            and report.is_written_by_the_service,
            "can_record_committee": report.kind == ReportKind.CABINET
            and can(user, Perm.CABINET_REPORT_RECORD)
            and report.status in (ReportStatus.GENERATED, ReportStatus.APPROVED),
            "missing_parts": services.annual_report_missing_parts(report) if drafting else [],
            "missing_assessments": services.annual_report_missing_assessments(report)
            if assessing
            else [],
            "return_form": ReturnReportForm(),
        },
    )


def _report_form_page(request, report, form, *, title, intro="", save, status):
    """A page with one form about an annual report; `save(data)` calls the service.

    Open only while the report is in `status` (the service writes while it drafts,
    the commissioner assesses while it is with them); otherwise back to the report.
    """
    if report.status != status:
        messages.info(request, f"{report} is {report.get_status_display().lower()}.")
        return redirect("cycle:report", pk=report.pk)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}: saved.")
            return redirect("cycle:report", pk=report.pk)
    return render(
        request,
        "cycle/report_form.html",
        {"report": report, "form": form, "title": title, "intro": intro},
    )


@permission_required(Perm.ANNUAL_REPORT_WRITE)
@require_http_methods(["GET", "POST"])
def report_foreword(request, pk):
    report = _report(pk)
    form = ForewordForm(_data(request), initial={"foreword": report.foreword})
    return _report_form_page(
        request,
        report,
        form,
        title="The foreword",
        status=ReportStatus.DRAFTING,
        intro="Written by the head of service; it opens the report.",
        save=lambda d: services.annual_report_write_foreword(
            report=report, foreword=d["foreword"], by=request.user
        ),
    )


def _chapter(report, chapter_pk) -> ReportOutcome:
    return get_object_or_404(ReportOutcome, pk=chapter_pk, report=report)


@permission_required(Perm.ANNUAL_REPORT_WRITE)
@require_http_methods(["GET", "POST"])
def report_chapter(request, pk, chapter_pk):
    report = _report(pk)
    chapter = _chapter(report, chapter_pk)
    form = ChapterForm(
        _data(request),
        initial={
            "narrative": chapter.narrative,
            "highlights": chapter.highlights,
            "case_study": chapter.case_study,
        },
    )
    return _report_form_page(
        request,
        report,
        form,
        title=f"{chapter.outcome_code} {chapter.outcome_title}",
        status=ReportStatus.DRAFTING,
        intro="The service's account of the outcome in the year.",
        save=lambda d: services.report_outcome_write(chapter=chapter, by=request.user, **d),
    )


@permission_required(Perm.ANNUAL_REPORT_WRITE)
@require_http_methods(["GET", "POST"])
def report_action_return(request, pk, action_pk):
    report = _report(pk)
    action = get_object_or_404(ReportActionReturn, pk=action_pk, report=report)
    form = ActionReturnForm(
        _data(request),
        initial={"delivery": action.delivery, "comment": action.comment},
    )
    return _report_form_page(
        request,
        report,
        form,
        title=f"Report back: {action.description}",
        status=ReportStatus.DRAFTING,
        intro=f"Business plan action for {action.outcome_code}"
        + (f", milestone {action.milestone_on:%-d %B %Y}" if action.milestone_on else "")
        + ".",
        save=lambda d: services.report_action_return_record(
            action=action, delivery=d["delivery"], comment=d["comment"], by=request.user
        ),
    )


@permission_required(Perm.ANNUAL_REPORT_ASSESS)
@require_http_methods(["GET", "POST"])
def report_chapter_assess(request, pk, chapter_pk):
    report = _report(pk)
    chapter = _chapter(report, chapter_pk)
    form = AssessmentForm(_data(request), initial={"assessment": chapter.assessment})
    return _report_form_page(
        request,
        report,
        form,
        title=f"Assess {chapter.outcome_code} {chapter.outcome_title}",
        status=ReportStatus.WITH_COMMISSIONER,
        intro=chapter.narrative,
        save=lambda d: services.report_outcome_assess(
            chapter=chapter, assessment=d["assessment"], by=request.user
        ),
    )


@permission_required(Perm.ANNUAL_REPORT_ASSESS)
@require_http_methods(["GET", "POST"])
def report_overall_assess(request, pk):
    report = _report(pk)
    form = AssessmentForm(
        _data(request),
        initial={"assessment": report.overall_assessment},
        label="Your overall assessment of the year",
    )
    return _report_form_page(
        request,
        report,
        form,
        title="The overall assessment",
        status=ReportStatus.WITH_COMMISSIONER,
        intro="It appears on the report's summary page, signed by you.",
        save=lambda d: services.annual_report_assess(
            report=report, overall_assessment=d["assessment"], by=request.user
        ),
    )


@permission_required(Perm.ANNUAL_REPORT_WRITE)
@require_POST
def report_submit(request, pk):
    report = _report(pk)
    try:
        services.annual_report_submit(report=report, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{report} sent to the commissioner.")
    return redirect("cycle:report", pk=pk)


@permission_required(Perm.ANNUAL_REPORT_ASSESS)
@require_http_methods(["GET", "POST"])
def report_return(request, pk):
    report = _report(pk)
    form = ReturnReportForm(_data(request))
    return _report_form_page(
        request,
        report,
        form,
        title="Return the report to the service",
        status=report.status if services.REPORT_WORKFLOW.allowed(report.status, "return") else None,
        save=lambda d: services.annual_report_return(
            report=report, comment=d["comment"], by=request.user
        ),
    )


@permission_required(Perm.CABINET_REPORT_RECORD)
@require_http_methods(["GET", "POST"])
def report_committee(request, pk):
    report = _report(pk)
    form = CommitteeForm(
        _data(request),
        initial={
            "committee": report.committee,
            "meeting_on": report.committee_meeting_on,
            "recommendation": report.recommendation,
            "resolution": report.resolution,
        },
    )
    return _report_form_page(
        request,
        report,
        form,
        title="The cabinet committee",
        status=report.status
        if report.kind == ReportKind.CABINET
        and report.status in (ReportStatus.GENERATED, ReportStatus.APPROVED)
        else None,
        intro="The committee that takes the report, when, what it is asked to do and, after "
        "the meeting, what it resolved. The record is published with the annual report.",
        save=lambda d: services.cabinet_report_record_committee(
            report=report,
            committee=d["committee"],
            meeting_on=d["meeting_on"],
            recommendation=d["recommendation"],
            resolution=d["resolution"],
            by=request.user,
        ),
    )


@permission_required(Perm.ANNUAL_REPORT_VIEW)
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


@permission_required(Perm.ANNUAL_REPORT_PRODUCE)
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
    return render(
        request,
        "cycle/public_report.html",
        {
            "report": report,
            "s": report.summary,
            "cabinet": selectors.published_cabinet_report(start_year),
        },
    )


@require_GET
def public_cabinet_report_pdf(request, start_year):
    """The cabinet committee report, published with the annual report once the
    committee's resolution is recorded."""
    if selectors.published_annual_report(start_year) is None:
        raise Http404
    report = selectors.published_cabinet_report(start_year)
    if report is None or not report.pdf:
        raise Http404
    return _pdf_response(report)


@require_GET
def public_annual_report_pdf(request, start_year):
    report = selectors.published_annual_report(start_year)
    if report is None or not report.pdf:
        raise Http404
    return _pdf_response(report)


# The review of the commissioning approach ----------------------------------------------


def _review_year(start_year) -> FinancialYear:
    year = FinancialYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise Http404
    return year


@permission_required(Perm.APPROACH_REVIEW_VIEW)
@require_http_methods(["GET", "POST"])
def approach_review(request, start_year):
    year = _review_year(start_year)
    review = selectors.approach_review_for(start_year)
    user = request.user
    open_ = review is None or review.status != ApproachReviewStatus.COMPLETED
    if request.method == "POST":
        require(user, Perm.APPROACH_REVIEW_MANAGE)
        if review is None:
            raise Http404
        try:
            services.approach_review_complete(review=review, by=user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{review} completed: its deadline is met.")
        return redirect("cycle:approach_review", start_year=start_year)
    return render(
        request,
        "cycle/approach_review.html",
        {
            "year": year,
            "review": review,
            "can_manage": open_ and can(user, Perm.APPROACH_REVIEW_MANAGE),
            "can_contribute": open_
            and review is not None
            and can(user, Perm.APPROACH_REVIEW_CONTRIBUTE),
            "missing": services.approach_review_missing(review) if review and open_ else [],
        },
    )


def _review_form_page(request, year, form, *, title, save, review=None):
    if review is not None and review.status == ApproachReviewStatus.COMPLETED:
        messages.info(request, f"{review} is completed: it can no longer change.")
        return redirect("cycle:approach_review", start_year=year.start_year)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}: saved.")
            return redirect("cycle:approach_review", start_year=year.start_year)
    return render(
        request, "cycle/approach_review_form.html", {"year": year, "form": form, "title": title}
    )


@permission_required(Perm.APPROACH_REVIEW_MANAGE)
@require_http_methods(["GET", "POST"])
def approach_review_edit(request, start_year):
    year = _review_year(start_year)
    review = selectors.approach_review_for(start_year)
    initial = (
        {
            "scope": review.scope,
            "findings": review.findings,
            "recommendations": review.recommendations,
        }
        if review
        else {}
    )
    form = ApproachReviewForm(_data(request), initial=initial)
    return _review_form_page(
        request,
        year,
        form,
        title="Scope, findings and recommendations",
        review=review,
        save=lambda d: services.approach_review_save(start_year=start_year, by=request.user, **d),
    )


@permission_required(Perm.APPROACH_REVIEW_CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def approach_review_input(request, start_year):
    year = _review_year(start_year)
    review = selectors.approach_review_for(start_year)
    if review is None:
        raise Http404
    form = ServiceInputForm(_data(request), initial={"service_input": review.service_input})
    return _review_form_page(
        request,
        year,
        form,
        title="The service's input",
        review=review,
        save=lambda d: services.approach_review_add_service_input(
            review=review, service_input=d["service_input"], by=request.user
        ),
    )


@permission_required(Perm.APPROACH_REVIEW_MANAGE)
@require_http_methods(["GET", "POST"])
def approach_review_consideration(request, start_year):
    year = _review_year(start_year)
    review = selectors.approach_review_for(start_year)
    if review is None:
        raise Http404
    form = ConsiderationForm(
        _data(request),
        initial={
            "board_considered_on": review.board_considered_on,
            "board_conclusion": review.board_conclusion,
            "committee": review.committee,
            "committee_considered_on": review.committee_considered_on,
            "committee_conclusion": review.committee_conclusion,
        },
    )
    return _review_form_page(
        request,
        year,
        form,
        title="Who considered it",
        review=review,
        save=lambda d: services.approach_review_record_consideration(
            review=review, by=request.user, **d
        ),
    )
