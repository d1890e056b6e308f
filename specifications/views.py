"""Pages of the specification: the public site and the staff pages.

Views are thin: check the role with `require`, parse with a form, call a
service, show the service's refusal beside the field or in the error summary.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lra_commissioning import dates
from lra_commissioning.access import require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.csv_export import csv_response
from lra_commissioning.forms import attempt_on_form
from lra_commissioning.models import FinancialYear
from lra_commissioning.page_cache import keep_public_page
from lra_commissioning.permissions import Perm, can
from lra_commissioning.proxies import client_address
from lra_commissioning.workflow import DomainError

from . import forms, selectors, services
from .diff import versions_diff
from .models import (
    KPI,
    BusinessPlanAction,
    BusinessPlanSection,
    BusinessPlanStatus,
    CommentStatus,
    Outcome,
    PublicComment,
    Section,
    ServiceRequirement,
    SpecificationVersion,
    VersionStatus,
)
from .pdf import render_version_pdf_bytes, stored_pdf

REFUSALS = (DomainError,)  # TransitionNotAllowed is a DomainError


def _today():
    return timezone.localdate()


def _refusal_redirect(request, url, action):
    """For buttons without a form: run the service, or show why it was refused."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(url), None
    except REFUSALS as exc:
        messages.error(request, str(exc))
        return redirect(url), None
    return redirect(url), result


def _version_url(version):
    return reverse("specifications:version_detail", args=[version.pk])


def public_version_url(version):
    return reverse(
        "specifications:public_version",
        kwargs={
            "start_year": version.specification.financial_year.start_year,
            "major": version.major,
            "minor": version.minor,
        },
    )


# The public site --------------------------------------------------------------------


@require_GET
@keep_public_page
def public_current(request):
    """The version in force, with its published comments (kept in the page cache)."""
    current = selectors.version_in_force(on=_today())
    if current is None:
        return render(request, "specifications/public/none.html", status=200)
    version = selectors.version_with_content(current.pk)
    return render(
        request,
        "specifications/public/current.html",
        {
            "version": version,
            "comments": selectors.published_comments(version),
            "pdf_url": public_version_url(version) + "specification.pdf",
        },
    )


@require_http_methods(["GET", "POST"])
def public_comment(request):
    """Comment on the version in force, as a whole or one section."""
    current = selectors.version_in_force(on=_today())
    if current is None:
        raise Http404
    version = selectors.version_with_content(current.pk)
    sections = list(version.sections.all())
    form = forms.CommentForm(request.POST or None, sections=sections)
    if request.method == "POST":
        if form.is_bot:
            # A honeypot hit: look as if it worked, keep nothing.
            return redirect("specifications:comment_received")
        if form.is_valid():
            section_id = form.cleaned_data["section"]
            section = next((s for s in sections if s.pk == section_id), None)
            address = client_address(request)
            comment = attempt_on_form(
                form,
                lambda: services.comment_submit(
                    version=version,
                    section=section,
                    body=form.cleaned_data["body"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    address=address,
                ),
            )
            if comment is not None:
                return redirect("specifications:comment_received")
    return render(
        request,
        "specifications/public/comment.html",
        {
            "version": version,
            "form": form,
            "retention_days": settings.COMMENT_RETENTION_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def comment_received(request):
    return render(request, "specifications/public/comment_received.html")


@require_GET
@keep_public_page
def public_versions(request):
    """Every published version, newest first, with what changed from the one before."""
    published = selectors.published_versions_with_content()
    rows = []
    for i, version in enumerate(published):
        previous = published[i - 1] if i else None
        rows.append(
            {
                "version": version,
                "previous": previous,
                "diff": versions_diff(previous, version) if previous else None,
                "url": public_version_url(version),
            }
        )
    rows.reverse()
    current = selectors.version_in_force(on=_today())
    return render(
        request,
        "specifications/public/versions.html",
        {"rows": rows, "current": current},
    )


@require_GET
@keep_public_page
def public_version(request, start_year, major, minor):
    version = selectors.published_version(start_year=start_year, major=major, minor=minor)
    if version is None:
        raise Http404
    published = selectors.published_versions_with_content()
    index = next(i for i, v in enumerate(published) if v.pk == version.pk)
    previous = published[index - 1] if index else None
    current = selectors.version_in_force(on=_today())
    return render(
        request,
        "specifications/public/version.html",
        {
            "version": version,
            "previous": previous,
            "diff": versions_diff(previous, version) if previous else None,
            "previous_url": public_version_url(previous) if previous else "",
            "is_current": current is not None and current.pk == version.pk,
            "pdf_url": public_version_url(version) + "specification.pdf",
        },
    )


def _pdf_response(data: bytes, version) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    year = version.specification.financial_year.label.replace("/", "-")
    response["Content-Disposition"] = (
        f'inline; filename="lra-specification-{year}-version-{version.number}.pdf"'
    )
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def public_version_pdf(request, start_year, major, minor):
    """Published content never changes: the PDF is rendered once and kept (see pdf.py)."""
    version = selectors.published_version(start_year=start_year, major=major, minor=minor)
    if version is None:
        raise Http404
    return _pdf_response(stored_pdf(version), version)


def _compare_context(request, versions):
    by_pk = {v.pk: v for v in versions}
    old_id, new_id = request.GET.get("old"), request.GET.get("new")
    error = ""
    diff = None
    try:
        old_pk = int(old_id) if old_id else None
        new_pk = int(new_id) if new_id else None
    except ValueError:
        old_pk = new_pk = None
        error = "Choose two versions from the lists"
    if old_pk is None and new_pk is None and len(versions) >= 2 and not error:
        old_pk, new_pk = versions[-2].pk, versions[-1].pk
    if (old_pk or new_pk) and not error:
        if old_pk not in by_pk or new_pk not in by_pk:
            error = "Choose two versions from the lists"
        elif old_pk == new_pk:
            error = "Choose two different versions to compare"
        else:
            diff = versions_diff(by_pk[old_pk], by_pk[new_pk])
    return {
        "versions": versions,
        "old_pk": old_pk,
        "new_pk": new_pk,
        "diff": diff,
        "compare_error": error,
    }


@require_GET
@keep_public_page(query=("old", "new"))
def public_compare(request):
    versions = selectors.published_versions_with_content()
    context = _compare_context(request, versions)
    context["staff"] = False
    return render(
        request,
        "specifications/compare.html",
        context,
        status=400 if context["compare_error"] else 200,
    )


# Staff: versions ------------------------------------------------------------------------


@login_required
@require_GET
def staff_index(request):
    require(request.user, Perm.SPECIFICATION_VERSION_VIEW)
    versions = list(selectors.versions_for_user(request.user))
    current = selectors.version_in_force(on=_today())
    plans = selectors.business_plans_for_user(request.user)
    return render(
        request,
        "specifications/staff/index.html",
        {
            "versions": versions,
            "current": current,
            "next_label": dates.financial_year_label(services.next_specification_year(_today())),
            "plans": plans,
            "can_draft": can(request.user, Perm.SPECIFICATION_DRAFT),
            "can_moderate": can(request.user, Perm.COMMENT_MODERATE),
            "comment_counts": selectors.comment_counts()
            if can(request.user, Perm.COMMENT_MODERATE)
            else None,
        },
    )


def _staff_version(request, pk):
    return _visible_version(request, selectors.version_with_content(pk))


def _visible_version(request, version, permission=None):
    """The version, if this person may see it and (given a permission) act on it.

    403 for people who never see versions; 404 for a version they may not see
    (a draft, to the service and the board), so its existence is not revealed;
    then 403 if they may see it but not do this.
    """
    require(request.user, Perm.SPECIFICATION_VERSION_VIEW)
    require_visible(request.user, Perm.SPECIFICATION_VERSION_VIEW, version)
    if permission:
        require(request.user, permission, version)
    return version


@login_required
@require_GET
def version_detail(request, pk):
    version = _staff_version(request, pk)
    user = request.user
    editable = version.status in services.EDITABLE_STATUSES
    allowed = set(services.VERSION_WORKFLOW.actions_from(version.status))
    base = version.based_on
    # What changed from the version it was based on, unless that one is not theirs to see.
    base_visible = base is not None and can(user, Perm.SPECIFICATION_VERSION_VIEW, base)
    diff = None
    if base_visible:
        base = selectors.version_with_content(base.pk)
        diff = versions_diff(base, version)
    return render(
        request,
        "specifications/staff/version.html",
        {
            "version": version,
            "editable": editable,
            "can_edit": editable and can(user, Perm.SPECIFICATION_DRAFT),
            "can_submit": "submit" in allowed and can(user, Perm.SPECIFICATION_SUBMIT_TO_BOARD),
            "can_decide": "sign_off" in allowed and can(user, Perm.SPECIFICATION_SIGN_OFF),
            "can_agree": "agree" in allowed and can(user, Perm.SPECIFICATION_AGREE),
            "can_return_by_service": "return_by_service" in allowed
            and can(user, Perm.SPECIFICATION_RETURN_BY_SERVICE, version),
            "can_publish": "publish" in allowed and can(user, Perm.SPECIFICATION_PUBLISH),
            "base": base,
            "base_visible": base_visible,
            "diff": diff,
            "history": history_entries(version) if can(user, Perm.RECORDS_VIEW_HISTORY) else None,
            "public_url": public_version_url(version) if version.is_published else "",
        },
    )


@login_required
@require_GET
def version_pdf(request, pk):
    """A preview of any version as its PDF (drafts are rendered, never kept)."""
    version = _staff_version(request, pk)
    data = stored_pdf(version) if version.is_published else render_version_pdf_bytes(version)
    return _pdf_response(data, version)


def _editable_or_redirect(request, version):
    if version.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}, so it cannot "
            "be changed. Change makes a new version.",
        )
        return redirect(_version_url(version))
    return None


def _form_page(request, template_context, form, title, back_url):
    return render(
        request,
        "specifications/staff/form.html",
        {"form": form, "title": title, "back_url": back_url, **template_context},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk):
    version = _visible_version(
        request,
        get_object_or_404(
            SpecificationVersion.objects.select_related("specification__financial_year"), pk=pk
        ),
        Perm.SPECIFICATION_DRAFT,
    )
    if (blocked := _editable_or_redirect(request, version)) is not None:
        return blocked
    initial = {name: getattr(version, name) for name in forms.VersionForm.base_fields}
    form = forms.VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.version_update(version=version, by=request.user, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "The version's details have been saved.")
            return redirect(_version_url(version))
    return _form_page(
        request,
        {"version": version},
        form,
        f"Version {version.number} details",
        _version_url(version),
    )


@login_required
@require_POST
def version_submit(request, pk):
    version = _visible_version(
        request, get_object_or_404(SpecificationVersion, pk=pk), Perm.SPECIFICATION_SUBMIT_TO_BOARD
    )
    response, done = _refusal_redirect(
        request,
        _version_url(version),
        lambda: services.version_submit(version=version, by=request.user),
    )
    if done:
        messages.success(request, f"Version {done.number} has been submitted to the board.")
    return response


def _board_decision(request, pk, form_class, service, success, title):
    version = _visible_version(
        request,
        get_object_or_404(
            SpecificationVersion.objects.select_related("specification__financial_year"), pk=pk
        ),
        Perm.SPECIFICATION_SIGN_OFF,
    )
    if not services.VERSION_WORKFLOW.allowed(version.status, "sign_off"):
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: there is no "
            "board decision to record.",
        )
        return redirect(_version_url(version))
    form = form_class(request.POST or None, initial={"decided_on": _today()})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form, lambda: service(version=version, by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, success.format(number=version.number))
            return redirect(_version_url(version))
    return _form_page(
        request,
        {"version": version},
        form,
        title.format(number=version.number),
        _version_url(version),
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_sign_off(request, pk):
    def sign_off(*, version, by, decided_on, minute_reference, comments):
        return services.version_sign_off(
            version=version,
            by=by,
            decided_on=decided_on,
            minute_reference=minute_reference,
            comments=comments,
        )

    return _board_decision(
        request,
        pk,
        forms.SignOffForm,
        sign_off,
        "The board's sign-off of version {number} has been recorded.",
        "Record the board's sign-off of version {number}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_return(request, pk):
    return _board_decision(
        request,
        pk,
        forms.ReturnForm,
        services.version_return,
        "Version {number} has been returned to the commissioner with the board's comments.",
        "Return version {number} with the board's comments",
    )


@login_required
@require_POST
def version_agree(request, pk):
    version = _visible_version(
        request, get_object_or_404(SpecificationVersion, pk=pk), Perm.SPECIFICATION_AGREE
    )
    response, done = _refusal_redirect(
        request,
        _version_url(version),
        lambda: services.version_agree(version=version, by=request.user),
    )
    if done:
        messages.success(request, f"You have agreed version {done.number} for the service.")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def version_return_by_service(request, pk):
    """The head of service returns a signed-off version to the commissioner with reasons."""
    version = _visible_version(
        request,
        get_object_or_404(
            SpecificationVersion.objects.select_related("specification__financial_year"), pk=pk
        ),
        Perm.SPECIFICATION_RETURN_BY_SERVICE,
    )
    if not services.VERSION_WORKFLOW.allowed(version.status, "return_by_service"):
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: only a "
            "version signed off by the board and not yet agreed can be returned.",
        )
        return redirect(_version_url(version))
    form = forms.ServiceReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.version_return_by_service(
                version=version, reasons=form.cleaned_data["reasons"], by=request.user
            ),
        )
        if done is not None:
            messages.success(
                request,
                f"Version {done.number} has been returned to the commissioner with your reasons.",
            )
            # Back with the commissioner as a draft: no longer theirs to open.
            return redirect("specifications:staff_index")
    return _form_page(
        request,
        {"version": version},
        form,
        f"Return version {version.number} to the commissioner",
        _version_url(version),
    )


@login_required
@require_POST
def version_publish(request, pk):
    version = _visible_version(
        request, get_object_or_404(SpecificationVersion, pk=pk), Perm.SPECIFICATION_PUBLISH
    )
    response, done = _refusal_redirect(
        request,
        _version_url(version),
        lambda: services.version_publish(version=version, by=request.user),
    )
    if done:
        messages.success(
            request,
            f"Version {done.number} is published and in force from {done.starts_on:%-d %B %Y}.",
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def start_next_year(request):
    require(request.user, Perm.SPECIFICATION_DRAFT)
    current = selectors.version_in_force(on=_today())
    if request.method == "POST":
        response, done = _refusal_redirect(
            request,
            reverse("specifications:staff_index"),
            lambda: services.specification_start_next_year(today=_today(), by=request.user),
        )
        if done:
            messages.success(
                request,
                f"Version {done.number} for {done.specification.financial_year.label} has been "
                "started as a draft from the version in force.",
            )
            return redirect(_version_url(done))
        return response
    return render(
        request,
        "specifications/staff/start_next_year.html",
        {
            "current": current,
            "next_label": dates.financial_year_label(services.next_specification_year(_today())),
        },
    )


@login_required
@require_GET
def staff_compare(request):
    require(request.user, Perm.SPECIFICATION_VERSION_VIEW)
    versions = selectors.versions_with_content_for_user(request.user)
    context = _compare_context(request, versions)
    context["staff"] = True
    return render(
        request,
        "specifications/compare.html",
        context,
        status=400 if context["compare_error"] else 200,
    )


# Staff: content of a draft ---------------------------------------------------------------


def _content_form(request, *, version, form, service, title, success):
    if (blocked := _editable_or_redirect(request, version)) is not None:
        return blocked
    if request.method == "POST" and form.is_valid():
        attempt_on_form(form, service)
        if not form.errors:
            messages.success(request, success)
            return redirect(_version_url(version))
    return _form_page(request, {"version": version}, form, title, _version_url(version))


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk):
    section = get_object_or_404(Section.objects.select_related("version"), pk=pk)
    _visible_version(request, section.version, Perm.SPECIFICATION_DRAFT)
    form = forms.SectionForm(
        request.POST or None, initial={"heading": section.heading, "body": section.body}
    )
    return _content_form(
        request,
        version=section.version,
        form=form,
        service=lambda: services.section_update(
            section=section, by=request.user, **form.cleaned_data
        ),
        title=f"Edit the section: {section.heading}",
        success=f"The section “{section.heading}” has been saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request, pk):
    version = get_object_or_404(SpecificationVersion, pk=pk)
    _visible_version(request, version, Perm.SPECIFICATION_DRAFT)
    form = forms.OutcomeForm(request.POST or None)
    return _content_form(
        request,
        version=version,
        form=form,
        service=lambda: services.outcome_create(
            version=version, by=request.user, **form.cleaned_data
        ),
        title="Add an outcome",
        success="The outcome has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("version"), pk=pk)
    _visible_version(request, outcome.version, Perm.SPECIFICATION_DRAFT)
    form = forms.OutcomeForm(
        request.POST or None,
        initial={
            "code": outcome.code,
            "title": outcome.title,
            "strategic_outcome": outcome.strategic_outcome_id,
            "description": outcome.description,
        },
    )
    return _content_form(
        request,
        version=outcome.version,
        form=form,
        service=lambda: services.outcome_update(
            outcome=outcome, by=request.user, **form.cleaned_data
        ),
        title=f"Edit outcome {outcome.code}",
        success=f"Outcome {outcome.code} has been saved.",
    )


@login_required
@require_POST
def outcome_delete(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("version"), pk=pk)
    _visible_version(request, outcome.version, Perm.SPECIFICATION_DRAFT)
    response, done = _refusal_redirect(
        request,
        _version_url(outcome.version),
        lambda: services.outcome_delete(outcome=outcome, by=request.user) or True,
    )
    if done:
        messages.success(request, f"Outcome {outcome.code} and its requirements were removed.")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def requirement_create(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("version"), pk=pk)
    _visible_version(request, outcome.version, Perm.SPECIFICATION_DRAFT)
    form = forms.RequirementForm(request.POST or None)
    return _content_form(
        request,
        version=outcome.version,
        form=form,
        service=lambda: services.requirement_create(
            outcome=outcome, by=request.user, **form.cleaned_data
        ),
        title=f"Add a requirement to outcome {outcome.code}",
        success="The requirement has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def requirement_edit(request, pk):
    requirement = get_object_or_404(
        ServiceRequirement.objects.select_related("outcome__version"), pk=pk
    )
    _visible_version(request, requirement.outcome.version, Perm.SPECIFICATION_DRAFT)
    form = forms.RequirementForm(
        request.POST or None, initial={"code": requirement.code, "text": requirement.text}
    )
    return _content_form(
        request,
        version=requirement.outcome.version,
        form=form,
        service=lambda: services.requirement_update(
            requirement=requirement, by=request.user, **form.cleaned_data
        ),
        title=f"Edit requirement {requirement.code}",
        success=f"Requirement {requirement.code} has been saved.",
    )


@login_required
@require_POST
def requirement_delete(request, pk):
    requirement = get_object_or_404(
        ServiceRequirement.objects.select_related("outcome__version"), pk=pk
    )
    _visible_version(request, requirement.outcome.version, Perm.SPECIFICATION_DRAFT)
    response, done = _refusal_redirect(
        request,
        _version_url(requirement.outcome.version),
        lambda: services.requirement_delete(requirement=requirement, by=request.user) or True,
    )
    if done:
        messages.success(request, f"Requirement {requirement.code} was removed.")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def kpi_create(request, pk):
    version = get_object_or_404(SpecificationVersion, pk=pk)
    _visible_version(request, version, Perm.SPECIFICATION_DRAFT)
    form = forms.KPIForm(
        request.POST or None,
        version=version,
        initial={
            "higher_is_better": "yes",
            "is_activity": "no",
            "frequency": "monthly",
            "annual_aggregation": "sum",
        },
    )
    return _content_form(
        request,
        version=version,
        form=form,
        service=lambda: services.kpi_create(
            version=version, by=request.user, **form.service_fields()
        ),
        title="Add a KPI",
        success="The KPI has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request, pk):
    kpi = get_object_or_404(KPI.objects.select_related("version"), pk=pk)
    _visible_version(request, kpi.version, Perm.SPECIFICATION_DRAFT)
    form = forms.KPIForm(
        request.POST or None, version=kpi.version, initial=forms.KPIForm.initial_for(kpi)
    )
    return _content_form(
        request,
        version=kpi.version,
        form=form,
        service=lambda: services.kpi_update(kpi=kpi, by=request.user, **form.service_fields()),
        title=f"Edit KPI {kpi.code}",
        success=f"KPI {kpi.code} has been saved.",
    )


@login_required
@require_POST
def kpi_delete(request, pk):
    kpi = get_object_or_404(KPI.objects.select_related("version"), pk=pk)
    _visible_version(request, kpi.version, Perm.SPECIFICATION_DRAFT)
    response, done = _refusal_redirect(
        request,
        _version_url(kpi.version),
        lambda: services.kpi_delete(kpi=kpi, by=request.user) or True,
    )
    if done:
        messages.success(request, f"KPI {kpi.code} was removed.")
    return response


# Staff: public comments ------------------------------------------------------------------


@login_required
@require_GET
def comment_list(request):
    require(request.user, Perm.COMMENT_MODERATE)
    status = request.GET.get("status", CommentStatus.PENDING)
    if status not in CommentStatus.values and status != "all":
        status = CommentStatus.PENDING
    comments = list(
        selectors.comments_for_moderation(status=None if status == "all" else status)[:500]
    )
    return render(
        request,
        "specifications/staff/comments.html",
        {
            "comments": comments,
            "status": status,
            "statuses": [*CommentStatus.choices, ("all", "All")],
            "counts": selectors.comment_counts(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_detail(request, pk):
    require(request.user, Perm.COMMENT_MODERATE)
    comment = get_object_or_404(selectors.comments_for_moderation(), pk=pk)
    form = forms.ResponseForm(request.POST or None, initial={"response": comment.response})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.comment_respond(
                comment=comment, response=form.cleaned_data["response"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, "The response is published beneath the comment.")
            return redirect("specifications:comment_detail", pk=comment.pk)
    return render(
        request,
        "specifications/staff/comment.html",
        {
            "comment": comment,
            "form": form,
            "can_publish": services.COMMENT_WORKFLOW.allowed(comment.status, "publish"),
            "can_reject": services.COMMENT_WORKFLOW.allowed(comment.status, "reject"),
            "can_respond": services.COMMENT_WORKFLOW.allowed(comment.status, "respond"),
            "history": history_entries(comment),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def comment_decide(request, pk):
    require(request.user, Perm.COMMENT_MODERATE)
    comment = get_object_or_404(PublicComment, pk=pk)
    decision = request.POST.get("decision")
    service = {"publish": services.comment_publish, "reject": services.comment_reject}.get(decision)
    url = reverse("specifications:comment_detail", args=[comment.pk])
    if service is None:
        messages.error(request, "Choose whether to publish or reject the comment.")
        return redirect(url)
    response, done = _refusal_redirect(
        request, url, lambda: service(comment=comment, by=request.user)
    )
    if done:
        messages.success(request, f"The comment has been {done.get_status_display().lower()}.")
    return response


@login_required
@require_GET
def comment_export(request):
    require(request.user, Perm.COMMENT_MODERATE)
    rows = (
        (
            c.pk,
            c.received_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M"),
            str(c.version),
            c.section.heading if c.section else "The whole specification",
            c.get_status_display(),
            c.body,
            c.name,
            c.email,
            c.response,
        )
        for c in selectors.comments_for_moderation().iterator(chunk_size=500)
    )
    return csv_response(
        f"specification-comments-{_today():%Y-%m-%d}.csv",
        ["id", "received", "version", "about", "status", "comment", "name", "e-mail", "response"],
        rows,
    )


# Staff: business plans -------------------------------------------------------------------


def _plan_url(plan):
    return reverse("specifications:plan_detail", args=[plan.financial_year.start_year])


@login_required
@require_GET
def plan_list(request):
    require(request.user, Perm.BUSINESS_PLAN_VIEW)
    plans = selectors.business_plans_for_user(request.user)
    startable = []
    if can(request.user, Perm.BUSINESS_PLAN_WRITE):
        startable = list(
            FinancialYear.objects.filter(
                specification__versions__status=VersionStatus.PUBLISHED,
                business_plan__isnull=True,
            )
            .distinct()
            .order_by("start_year")
        )
    return render(
        request,
        "specifications/staff/plans.html",
        {"plans": plans, "startable": startable},
    )


@login_required
@require_POST
def plan_start(request):
    require(request.user, Perm.BUSINESS_PLAN_WRITE)
    year = FinancialYear.objects.filter(start_year=request.POST.get("start_year") or 0).first()
    if year is None:
        messages.error(request, "Choose a financial year with a published specification.")
        return redirect("specifications:plan_list")
    response, done = _refusal_redirect(
        request,
        reverse("specifications:plan_list"),
        lambda: services.business_plan_start(financial_year=year, by=request.user),
    )
    if done:
        messages.success(request, f"The {year.label} business plan has been started.")
        return redirect(_plan_url(done))
    return response


def _visible_plan(request, plan, permission=None):
    """The plan, if this person may see it and (given a permission) act on it: 403 for
    people who never see plans, 404 for a plan not theirs to see (a draft, to the
    commissioner and the board), then 403 if they may see it but not do this."""
    require(request.user, Perm.BUSINESS_PLAN_VIEW)
    require_visible(request.user, Perm.BUSINESS_PLAN_VIEW, plan)
    if permission:
        require(request.user, permission, plan)
    return plan


def _plan(request, start_year, permission=None):
    return _visible_plan(
        request, selectors.business_plan_with_content(start_year=start_year), permission
    )


@login_required
@require_GET
def plan_detail(request, start_year):
    plan = _plan(request, start_year)
    user = request.user
    allowed = set(services.BUSINESS_PLAN_WORKFLOW.actions_from(plan.status))
    summary, sections = selectors.business_plan_as_seen_by(user, plan)
    history = history_entries(plan) if can(user, Perm.RECORDS_VIEW_HISTORY) else None
    if history and plan.status == "returned" and not can(user, Perm.BUSINESS_PLAN_WRITE):
        # While the service revises a returned plan, its changes since are its draft.
        history = [e for e in history if e.when <= plan.reviewed_at]
    return render(
        request,
        "specifications/staff/plan.html",
        {
            "plan": plan,
            "summary": summary,
            "sections": sections,
            "can_write": "edit" in allowed and can(user, Perm.BUSINESS_PLAN_WRITE),
            "can_submit": "submit" in allowed and can(user, Perm.BUSINESS_PLAN_WRITE),
            "can_review": "accept" in allowed and can(user, Perm.BUSINESS_PLAN_REVIEW),
            "history": history,
        },
    )


def _plan_editable_or_redirect(request, plan):
    if not plan.is_editable:
        messages.error(
            request,
            f"The business plan is {plan.get_status_display().lower()}, so it cannot be "
            "changed now.",
        )
        return redirect(_plan_url(plan))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def plan_summary_edit(request, start_year):
    plan = _plan(request, start_year, Perm.BUSINESS_PLAN_WRITE)
    if (blocked := _plan_editable_or_redirect(request, plan)) is not None:
        return blocked
    form = forms.PlanSummaryForm(request.POST or None, initial={"summary": plan.summary})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.business_plan_update(
                plan=plan, summary=form.cleaned_data["summary"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, "The summary has been saved.")
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        {"plan": plan},
        form,
        f"Summary of the {plan.financial_year.label} business plan",
        _plan_url(plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_section_edit(request, pk):
    section = get_object_or_404(
        BusinessPlanSection.objects.select_related("plan__financial_year", "outcome"), pk=pk
    )
    plan = _visible_plan(request, section.plan, Perm.BUSINESS_PLAN_WRITE)
    if (blocked := _plan_editable_or_redirect(request, plan)) is not None:
        return blocked
    form = forms.PlanSectionForm(request.POST or None, initial={"approach": section.approach})
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.business_plan_section_update(
                section=section, approach=form.cleaned_data["approach"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, f"The section on {section.outcome.code} has been saved.")
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        {"plan": plan, "plan_section": section},
        form,
        f"{section.outcome.code}: {section.outcome.title}",
        _plan_url(plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_action_create(request, pk):
    section = get_object_or_404(
        BusinessPlanSection.objects.select_related("plan__financial_year", "outcome"), pk=pk
    )
    plan = _visible_plan(request, section.plan, Perm.BUSINESS_PLAN_WRITE)
    if (blocked := _plan_editable_or_redirect(request, plan)) is not None:
        return blocked
    form = forms.PlanActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.business_plan_action_create(
                section=section, by=request.user, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "The action has been added.")
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        {"plan": plan},
        form,
        f"Add an action for {section.outcome.code}",
        _plan_url(plan),
    )


@login_required
@require_POST
def plan_action_delete(request, pk):
    action = get_object_or_404(
        BusinessPlanAction.objects.select_related("section__plan__financial_year"), pk=pk
    )
    _visible_plan(request, action.section.plan, Perm.BUSINESS_PLAN_WRITE)
    response, done = _refusal_redirect(
        request,
        _plan_url(action.section.plan),
        lambda: services.business_plan_action_delete(action=action, by=request.user) or True,
    )
    if done:
        messages.success(request, "The action was removed.")
    return response


@login_required
@require_POST
def plan_submit(request, start_year):
    plan = _plan(request, start_year, Perm.BUSINESS_PLAN_WRITE)
    response, done = _refusal_redirect(
        request,
        _plan_url(plan),
        lambda: services.business_plan_submit(plan=plan, by=request.user),
    )
    if done:
        messages.success(request, "The business plan has been submitted to the commissioner.")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request, start_year):
    plan = _plan(request, start_year, Perm.BUSINESS_PLAN_REVIEW)
    if plan.status != BusinessPlanStatus.SUBMITTED:
        messages.error(
            request,
            f"The business plan is {plan.get_status_display().lower()}, so there is nothing "
            "to review.",
        )
        return redirect(_plan_url(plan))
    sections = list(plan.sections.all())
    form = forms.PlanReviewForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == "accept":
            done = attempt_on_form(
                form,
                lambda: services.business_plan_accept(
                    plan=plan, by=request.user, comment=form.cleaned_data["comment"]
                ),
            )
            success = "The business plan has been accepted."
        else:
            done = attempt_on_form(
                form,
                lambda: services.business_plan_return(
                    plan=plan,
                    by=request.user,
                    comment=form.cleaned_data["comment"],
                    section_comments=form.section_comments(),
                ),
            )
            success = "The business plan has been returned to the service with your comments."
        if done is not None:
            messages.success(request, success)
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        {"plan": plan},
        form,
        f"Review the {plan.financial_year.label} business plan",
        _plan_url(plan),
    )
