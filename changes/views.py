"""Thin views: check the role on the server, call a service, show its refusal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lra_commissioning import meetings
from lra_commissioning.access import require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.forms import attempt_on_form
from lra_commissioning.permissions import Perm, can, visible_q
from lra_commissioning.workflow import DomainError

from . import forms, selectors, services
from .models import (
    BoardDecision,
    ChangeBudgetLine,
    ChangeItem,
    ChangeRequest,
    IdeaStatus,
    ItemKind,
    ServiceIdea,
    Status,
)

REFUSALS = (DomainError,)  # TransitionNotAllowed is a DomainError


def _form_page(request, form, title, back_url, caption="", status=None, extra=None):
    return render(
        request,
        "changes/form.html",
        {"form": form, "title": title, "back_url": back_url, "caption": caption, **(extra or {})},
        status=status or (400 if form.errors else 200),
    )


def _visible_change(request, change) -> ChangeRequest:
    """The change, or 404 when this person may not open it (someone else's draft), so
    its existence is not revealed; 403 for people who never see changes."""
    require(request.user, Perm.CHANGE_REQUEST_VIEW)
    return require_visible(request.user, Perm.CHANGE_REQUEST_VIEW, change)


def _change(request, pk) -> ChangeRequest:
    return _visible_change(request, selectors.change_request_detail(pk))


def _detail_url(change):
    return reverse("changes:detail", args=[change.pk])


def _draft_or_redirect(request, change):
    if change.status != Status.DRAFT:
        messages.error(
            request,
            f"{change.reference} is {change.get_status_display().lower()}, so it can no longer "
            "be edited.",
        )
        return redirect(_detail_url(change))
    return None


# Change requests -------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    require(request.user, Perm.CHANGE_VIEW)
    status = request.GET.get("status") or ""
    if status and status not in Status.values:
        status = ""
    changes = list(selectors.change_requests_for(request.user, status=status or None))
    return render(
        request,
        "changes/index.html",
        {
            "changes": changes,
            "status": status,
            "statuses": Status.choices,
            "can_raise": can(request.user, Perm.CHANGE_RAISE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    require(request.user, Perm.CHANGE_RAISE)
    idea = None
    if request.GET.get("idea", "").isdigit():
        idea = ServiceIdea.objects.filter(pk=request.GET["idea"], status=IdeaStatus.ADOPTED).first()
    initial = {"title": idea.title, "description": idea.description} if idea else None
    form = forms.ChangeRequestForm(request.POST or None, initial=initial)
    from django.utils import timezone

    from specifications.selectors import version_in_force

    in_force = version_in_force(on=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        change = attempt_on_form(
            form,
            lambda: services.change_request_raise(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
                idea=idea,
                by=request.user,
                **form.answers(),
            ),
        )
        if change is not None:
            messages.success(
                request,
                f"{change.reference} raised as a {change.get_kind_display().lower()}. "
                "Now say what it changes.",
            )
            return redirect(_detail_url(change))
    caption = (
        f"Against {in_force.specification.financial_year.label} version {in_force.number}"
        if in_force
        else ""
    )
    return _form_page(
        request,
        form,
        "Raise a change",
        reverse("changes:index"),
        caption,
        extra={"intro": True, "idea": idea},
    )


@login_required
@require_GET
def detail(request, pk):
    require(request.user, Perm.CHANGE_VIEW)
    change = _change(request, pk)
    user = request.user
    allowed = set(services.CHANGE_WORKFLOW.actions_from(change.status))
    draft = change.status == Status.DRAFT
    raise_ok = can(user, Perm.CHANGE_RAISE)
    minor = not change.is_fundamental
    council_open = minor and "agree" in allowed and change.council_agreed_by_id is None
    service_open = change.service_agreed_by_id is None and (
        (minor and "agree" in allowed) or (not minor and "agree_for_service" in allowed)
    )
    diff = None
    if change.applied_version_id:
        from specifications.diff import versions_diff
        from specifications.selectors import version_with_content

        diff = versions_diff(
            version_with_content(change.version_id), version_with_content(change.applied_version_id)
        )
    from funding.selectors import line_labels

    labels = line_labels(keys={line.line_key for line in change.budget_lines.all()})
    budget_lines = [
        (line, labels.get(line.line_key, line.line_key)) for line in change.budget_lines.all()
    ]
    return render(
        request,
        "changes/detail.html",
        {
            "change": change,
            "items": list(change.items.all()),
            "budget_lines": budget_lines,
            "can_edit": draft and raise_ok,
            "can_submit": "submit" in allowed and raise_ok,
            "can_raise_to_fundamental": minor and "raise_to_fundamental" in allowed and raise_ok,
            "can_agree_council": council_open
            and can(user, Perm.CHANGE_AGREE_FOR_COUNCIL)
            and change.service_agreed_by_id != user.pk,
            "can_agree_service": service_open
            and can(user, Perm.CHANGE_AGREE_FOR_SERVICE)
            and change.council_agreed_by_id != user.pk,
            "can_decide": "decide" in allowed and can(user, Perm.CHANGE_DECIDE),
            "can_apply": "apply" in allowed
            and can(user, Perm.CHANGE_APPLY)
            and change.service_agreed_by_id is not None,
            "can_withdraw": "withdraw" in allowed and raise_ok,
            "can_publish_notice": (
                can(user, Perm.CHANGE_APPLY)
                and hasattr(change, "board_decision")
                and change.board_decision.decision in ("approved", "approved_with_conditions")
                and not change.board_decision.is_published
            ),
            "item_kinds": ItemKind.choices,
            "diff": diff,
            "budget_version_visible": change.budget_version_id is not None
            and can(user, Perm.BUDGET_VERSION_VIEW, change.budget_version),
            "history": history_entries(change) if can(user, Perm.RECORDS_VIEW_HISTORY) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_RAISE)
    if (response := _draft_or_redirect(request, change)) is not None:
        return response
    form = forms.ChangeEditForm(
        request.POST or None,
        initial={
            "title": change.title,
            "description": change.description,
            "reason": change.reason,
            "effective_on": change.effective_on,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt_on_form(
            form,
            lambda: services.change_request_update(
                change=change, by=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The change has been saved.")
        return redirect(_detail_url(change))
    return _form_page(request, form, "Edit the change", _detail_url(change), str(change))


@login_required
@require_http_methods(["GET", "POST"])
def impact(request, pk):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_RAISE)
    if (response := _draft_or_redirect(request, change)) is not None:
        return response
    form = forms.ImpactForm(
        request.POST or None,
        initial={name: getattr(change, name) for name in forms.ImpactForm.base_fields},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt_on_form(
            form,
            lambda: services.change_request_update(
                change=change, by=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The impact assessment has been saved.")
        return redirect(_detail_url(change))
    return _form_page(
        request,
        form,
        "Impact assessment",
        _detail_url(change),
        str(change),
        extra={"impact_intro": True},
    )


ITEM_FORMS = {
    ItemKind.KPI: (forms.KpiItemForm, "Change a KPI's target"),
    ItemKind.SECTION: (forms.SectionItemForm, "Change a section's text"),
    ItemKind.REQUIREMENT: (forms.RequirementItemForm, "Change a service requirement"),
    ItemKind.TOLERANCES: (forms.ToleranceItemForm, "Change the tolerances"),
}


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, pk, kind):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_RAISE)
    if kind not in ITEM_FORMS:
        raise Http404
    if (response := _draft_or_redirect(request, change)) is not None:
        return response
    form_class, title = ITEM_FORMS[kind]
    kwargs = {}
    if kind == ItemKind.KPI:
        kwargs["kpis"] = list(change.version.kpis.all())
    elif kind == ItemKind.REQUIREMENT:
        kwargs["outcomes"] = list(change.version.outcomes.all())
    initial = None
    if kind == ItemKind.TOLERANCES:
        v = change.version
        initial = {
            "performance_tolerance_percent": v.performance_tolerance_percent,
            "budget_tolerance_percent": v.budget_tolerance_percent,
            "budget_tolerance_amount": v.budget_tolerance_amount,
        }
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("key", "")
        if attempt_on_form(
            form,
            lambda: services.change_item_save(
                change=change, kind=kind, key=key, by=request.user, **data
            ),
        ):
            messages.success(request, "The change to the specification has been added.")
            return redirect(_detail_url(change))
    return _form_page(request, form, title, _detail_url(change), str(change))


@login_required
@require_POST
def item_delete(request, pk, item_pk):
    item = get_object_or_404(ChangeItem.objects.select_related("change"), pk=item_pk, change_id=pk)
    _visible_change(request, item.change)
    require(request.user, Perm.CHANGE_RAISE)
    try:
        services.change_item_delete(item=item, by=request.user)
        messages.success(request, "The change to the specification has been removed.")
    except REFUSALS as exc:
        messages.error(request, str(exc))
    return redirect("changes:detail", pk=pk)


def _budget_choices():
    from funding import budget as calc
    from funding import services as funding_services
    from funding.selectors import line_labels

    base = funding_services.latest_agreed_version()
    if base is None:
        return [], []
    keys = []
    for line in base.lines.all():
        if line.key not in keys:
            keys.append(line.key)
    labels = line_labels(keys=keys)
    order = {c: i for i, c in enumerate(calc.CATEGORY_ORDER)}
    keys.sort(key=lambda k: (order.get(calc.parse_line_key(k)[0], 99), labels.get(k, k)))
    return base.years, [(k, labels.get(k, k)) for k in keys]


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_add(request, pk):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_RAISE)
    if (response := _draft_or_redirect(request, change)) is not None:
        return response
    years, lines = _budget_choices()
    form = forms.BudgetLineForm(request.POST or None, years=years, lines=lines)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt_on_form(
            form,
            lambda: services.change_budget_line_save(
                change=change, by=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "The change to the budget has been added.")
        return redirect(_detail_url(change))
    return _form_page(
        request,
        form,
        "Change the budget",
        _detail_url(change),
        str(change),
        extra={"budget_intro": not change.is_fundamental},
    )


@login_required
@require_POST
def budget_line_delete(request, pk, line_pk):
    line = get_object_or_404(
        ChangeBudgetLine.objects.select_related("change"), pk=line_pk, change_id=pk
    )
    _visible_change(request, line.change)
    require(request.user, Perm.CHANGE_RAISE)
    try:
        services.change_budget_line_delete(line=line, by=request.user)
        messages.success(request, "The change to the budget has been removed.")
    except REFUSALS as exc:
        messages.error(request, str(exc))
    return redirect("changes:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def raise_to_fundamental(request, pk):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_RAISE)
    if change.is_fundamental or not services.CHANGE_WORKFLOW.allowed(
        change.status, "raise_to_fundamental"
    ):
        messages.error(request, f"{change.reference} cannot be raised to a fundamental change now.")
        return redirect(_detail_url(change))
    form = forms.RaiseToFundamentalForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt_on_form(
            form,
            lambda: services.change_request_raise_to_fundamental(
                change=change, reason=form.cleaned_data["reason"], by=request.user
            ),
        )
    ):
        messages.success(
            request,
            f"{change.reference} is now a fundamental change. Complete the impact "
            "assessment, then submit it to the board.",
        )
        return redirect(_detail_url(change))
    return _form_page(
        request, form, "Raise to a fundamental change", _detail_url(change), str(change)
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    change = _change(request, pk)
    require(request.user, Perm.CHANGE_DECIDE)
    if change.decision is not None or change.status != Status.WITH_BOARD:
        if change.decision is not None:
            messages.error(
                request,
                f"The board's decision on {change.reference} was already recorded: "
                f"{change.get_decision_display().lower()}.",
            )
        else:
            messages.error(request, f"{change.reference} is not with the board.")
        return redirect(_detail_url(change))
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt_on_form(
            form,
            lambda: services.change_request_decide(
                change=change, by=request.user, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(
                request, f"The board's decision on {change.reference} has been recorded."
            )
            return redirect(_detail_url(change))
        if (
            form.non_field_errors()
            and ChangeRequest.objects.filter(pk=change.pk, decision__isnull=False).exists()
        ):
            messages.error(request, form.non_field_errors()[0])
            return redirect(_detail_url(change))
    return _form_page(
        request,
        form,
        "Record the board's decision",
        _detail_url(change),
        str(change),
        extra={"change": change, "board_subject": ("change_request", change.pk)},
    )


ACTIONS = {
    "submit": (
        lambda c, u: services.change_request_submit(change=c, by=u),
        lambda c: "sent for agreement" if not c.is_fundamental else "submitted to the board",
    ),
    "agree_council": (
        lambda c, u: services.change_request_agree(change=c, side="council", by=u),
        lambda c: "agreed for the council",
    ),
    "agree_service": (
        lambda c, u: services.change_request_agree(change=c, side="service", by=u),
        lambda c: "agreed for the service",
    ),
    "apply": (
        lambda c, u: services.change_request_apply(change=c, by=u),
        lambda c: "applied",
    ),
    "withdraw": (
        lambda c, u: services.change_request_withdraw(change=c, by=u),
        lambda c: "withdrawn",
    ),
}


@login_required
@require_POST
def act(request, pk, action):
    require(request.user, Perm.CHANGE_VIEW)
    if action not in ACTIONS:
        raise Http404
    change = _visible_change(request, ChangeRequest.objects.filter(pk=pk).first())
    run, said = ACTIONS[action]
    try:
        done = run(change, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        text = f"{done.reference} has been {said(done)}."
        if done.status == Status.APPLIED and done.applied_version_id:
            text += f" Version {done.applied_version.number} is published."
        elif action.startswith("agree") and done.status == Status.AGREED:
            text += " It could not be applied yet: a commissioner can apply it from this page."
        messages.success(request, text)
    return redirect("changes:detail", pk=pk)


@login_required
@require_POST
def decision_publish(request, pk):
    require(request.user, Perm.CHANGE_APPLY)
    decision = get_object_or_404(BoardDecision, pk=pk)
    try:
        services.decision_notice_publish(decision=decision, by=request.user)
        messages.success(request, "The decision notice is on the public site.")
    except REFUSALS as exc:
        messages.error(request, str(exc))
    subject = decision.subject
    if decision.change_id:
        return redirect("changes:detail", pk=subject.pk)
    return redirect("changes:idea_detail", pk=subject.pk)


# Service ideas -------------------------------------------------------------------------


@login_required
@require_GET
def ideas(request):
    require(request.user, Perm.CHANGE_VIEW)
    return render(
        request,
        "changes/ideas.html",
        {
            "ideas": list(selectors.ideas_for(request.user)),
            "can_propose": can(request.user, Perm.IDEA_PROPOSE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request):
    require(request.user, Perm.IDEA_PROPOSE)
    form = forms.IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        idea = attempt_on_form(
            form, lambda: services.idea_propose(by=request.user, **form.cleaned_data)
        )
        if idea is not None:
            messages.success(request, f"{idea.reference} has been put to the board.")
            return redirect("changes:idea_detail", pk=idea.pk)
    return _form_page(request, form, "Propose a new service or idea", reverse("changes:ideas"))


@login_required
@require_GET
def idea_detail(request, pk):
    require(request.user, Perm.CHANGE_VIEW)
    idea = get_object_or_404(
        ServiceIdea.objects.select_related("proposed_by", "decided_by", "board_decision"), pk=pk
    )
    user = request.user
    decision = getattr(idea, "board_decision", None)
    return render(
        request,
        "changes/idea.html",
        {
            "idea": idea,
            "decision": decision,
            "due": selectors.idea_due(idea),
            "can_decide": idea.status == IdeaStatus.PROPOSED and can(user, Perm.IDEA_DECIDE),
            "can_raise_change": idea.status == IdeaStatus.ADOPTED and can(user, Perm.CHANGE_RAISE),
            "can_publish_notice": decision is not None
            and decision.decision == "adopted"
            and not decision.is_published
            and can(user, Perm.CHANGE_APPLY),
            "changes": list(idea.change_requests.filter(visible_q(user, Perm.CHANGE_REQUEST_VIEW))),
            "history": history_entries(idea) if can(user, Perm.RECORDS_VIEW_HISTORY) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_decide(request, pk):
    require(request.user, Perm.IDEA_DECIDE)
    idea = get_object_or_404(ServiceIdea, pk=pk)
    back = reverse("changes:idea_detail", args=[idea.pk])
    if idea.decision is not None:
        messages.error(
            request,
            f"The board's view of {idea.reference} was already recorded: "
            f"{idea.get_decision_display().lower()}.",
        )
        return redirect(back)
    form = forms.IdeaDecisionForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt_on_form(
            form, lambda: services.idea_decide(idea=idea, by=request.user, **form.cleaned_data)
        )
    ):
        messages.success(request, f"The board's view of {idea.reference} has been recorded.")
        return redirect(back)
    return _form_page(
        request,
        form,
        "Record the board's view",
        back,
        str(idea),
        extra={"board_subject": ("service_idea", idea.pk)},
    )


# Public decision notices -------------------------------------------------------------


def _with_meetings(decisions):
    """Each decision with the board meeting that took it (`meeting`, or None)."""
    links = meetings.links_for_minutes(d.minute_reference for d in decisions)
    for d in decisions:
        d.meeting = links.get(d.minute_reference)
    return decisions


@require_GET
def notices(request):
    return render(
        request,
        "changes/public/notices.html",
        {"notices": _with_meetings(list(selectors.published_decisions()))},
    )


@require_GET
def notice(request, pk):
    decision = selectors.published_decisions().filter(pk=pk).first()
    if decision is None:
        raise Http404
    return render(request, "changes/public/notice.html", {"notice": _with_meetings([decision])[0]})
