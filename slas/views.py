"""Pages for support-service SLAs. Thin: check the role, call a selector or a
service, show the result. State rules live in services.py."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lra_commissioning.access import require, require_visible
from lra_commissioning.audit import history_entries
from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import Perm, can
from lra_commissioning.workflow import DomainError

from . import selectors, services
from .forms import (
    EscalationContactForm,
    ResponsibilityForm,
    ResultForm,
    ResultUpdateForm,
    ReturnForm,
    ServiceLevelForm,
    SlaContentForm,
    SlaCreateForm,
)
from .models import AGREED_STATUSES, SlaStatus, level_periods
from .services import SLA_WORKFLOW


def _year_from(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return selectors.default_year()
    return year if 2000 <= year <= 2100 else selectors.default_year()


def _visible_sla(request, pk):
    """403 for people with no SLA role; 404 for an SLA they may not see."""
    require(request.user, Perm.SLA_VIEW)
    return require_visible(request.user, Perm.SLA_VIEW, selectors.sla_for(user=request.user, pk=pk))


def _draftable_sla(request, pk):
    sla = _visible_sla(request, pk)
    require(request.user, Perm.SLA_DRAFT, sla)
    return sla


def _refuse_unless_editable(request, sla):
    if not sla.is_editable:
        messages.error(
            request,
            f"This SLA is {sla.get_status_display().lower()}, so its content cannot change. "
            "Return it to drafting first.",
        )
        return redirect("slas:detail", pk=sla.pk)
    return None


def _form_error(form, exc, hints=()):
    """Put a service's refusal on the field it is about, or on the form."""
    message = str(exc)
    lowered = message.lower()
    for word, field in hints:
        if word in lowered and field in form.fields:
            form.add_error(field, message)
            return
    form.add_error(None, message)


def _year_links(current: int) -> list[dict]:
    years = sorted(set(selectors.years_with_slas()) | {current})
    return [
        {"year": y, "label": f"{y}/{(y + 1) % 100:02d}", "current": y == current} for y in years
    ]


# Lists -----------------------------------------------------------------------


@login_required
def index(request):
    require(request.user, Perm.SLA_VIEW)
    year = _year_from(request)
    rows = selectors.sla_index(user=request.user, start_year=year)
    counts = {}
    for row in rows:
        counts[row.status.key] = counts.get(row.status.key, 0) + 1
    return render(
        request,
        "slas/index.html",
        {
            "rows": rows,
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "deadline": datetime.date(year, 4, 1),
            "years": _year_links(year),
            "counts": counts,
            "can_create": can(request.user, Perm.SLA_DRAFT),
        },
    )


@login_required
def overview(request):
    require(request.user, Perm.SLA_VIEW)
    with_slas = selectors.years_with_slas()
    end = _year_from(request) if "year" in request.GET or not with_slas else with_slas[-1]
    # Years before the first SLA was ever drafted are not "missing": leave them out.
    years = [y for y in (end - 2, end - 1, end) if y == end or (with_slas and y >= with_slas[0])]
    return render(
        request,
        "slas/overview.html",
        {
            "rows": selectors.overview(user=request.user, years=years),
            "years": [{"year": y, "label": f"{y}/{(y + 1) % 100:02d}"} for y in years],
            "end": end,
            "previous": end - 1,
            "next": end + 1,
        },
    )


@login_required
def create(request):
    require(request.user, Perm.SLA_DRAFT)
    support_services = selectors.support_services_for(request.user)
    years = FinancialYear.objects.order_by("start_year")
    form = SlaCreateForm(
        request.POST or None,
        support_services=support_services,
        years=years,
        initial={"start_year": request.GET.get("year")},
    )
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["support_service"]
        require(request.user, Perm.SLA_DRAFT, service)
        try:
            sla = services.sla_create(
                support_service=service,
                start_year=form.cleaned_data["start_year"],
                by=request.user,
            )
        except DomainError as exc:
            _form_error(
                form, exc, [("already has", "support_service"), ("financial year", "start_year")]
            )
        else:
            messages.success(request, f"You started drafting the {sla}.")
            return redirect("slas:detail", pk=sla.pk)
    return render(request, "slas/form.html", {"form": form, "title": "Start an SLA"})


# One SLA ---------------------------------------------------------------------

ACTIONS = {
    # action in the URL: (permission, workflow action, button label, service call)
    "propose": (Perm.SLA_DRAFT, "propose", "Propose the SLA to both parties"),
    "agree_for_service": (Perm.SLA_AGREE_FOR_SERVICE, "agree", "Agree the SLA for the LRA service"),
    "agree_for_support_service": (
        Perm.SLA_AGREE_FOR_SUPPORT_SERVICE,
        "agree",
        "Agree the SLA for the support service",
    ),
    "bring_into_force": (Perm.SLA_DRAFT, "bring_into_force", "Put the SLA in force"),
    "start_review": (Perm.SLA_DRAFT, "start_review", "Start the review"),
    "renew": (Perm.SLA_DRAFT, "renew", "Renew the SLA for next year"),
    "end": (Perm.SLA_DRAFT, "end", "End the SLA"),
    "start_next_year": (Perm.SLA_DRAFT, "start_next_year", "Start next year's SLA as a copy"),
}


def _available_actions(user, sla) -> list[dict]:
    available = []
    has_successor = any(True for _ in sla.successors.all())
    for name, (permission, action, label) in ACTIONS.items():
        if not SLA_WORKFLOW.allowed(sla.status, action) or not can(user, permission, sla):
            continue
        if name == "agree_for_service" and (
            sla.service_agreed_by_id or sla.support_agreed_by_id == user.pk
        ):
            continue
        if name == "agree_for_support_service" and (
            sla.support_agreed_by_id or sla.service_agreed_by_id == user.pk
        ):
            continue
        if name == "start_next_year" and has_successor:
            continue
        available.append(
            {
                "name": name,
                "label": label,
                "warning": name in ("end",),
                "secondary": name == "start_next_year",
            }
        )
    return available


@login_required
def detail(request, pk):
    sla = _visible_sla(request, pk)
    user = request.user
    can_draft = can(user, Perm.SLA_DRAFT, sla)
    context = {
        "sla": sla,
        "status": selectors.agreement_status(sla, sla.financial_year.start_year, selectors.today()),
        "actions": _available_actions(user, sla),
        "can_edit": can_draft and sla.is_editable,
        "can_return": can_draft and SLA_WORKFLOW.allowed(sla.status, "return_to_drafting"),
        "successor": next(iter(sla.successors.all()), None),
        "performance": selectors.level_performance(sla, with_charts=False),
        "is_agreed": sla.status in AGREED_STATUSES,
    }
    if can(user, Perm.RECORDS_VIEW_HISTORY, sla):
        context["history"] = history_entries(sla)
        context["show_history"] = True
    return render(request, "slas/detail.html", context)


@require_POST
@login_required
def act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    sla = _visible_sla(request, pk)
    permission, _workflow_action, _label = ACTIONS[action]
    require(request.user, permission, sla)
    by = request.user
    try:
        if action == "propose":
            services.sla_propose(sla=sla, by=by)
            done = "You proposed the SLA. Each side now agrees it."
        elif action == "agree_for_service":
            sla = services.sla_agree(sla=sla, side=services.SERVICE_SIDE, by=by)
            done = "You agreed the SLA for the LRA service."
        elif action == "agree_for_support_service":
            sla = services.sla_agree(sla=sla, side=services.SUPPORT_SIDE, by=by)
            done = "You agreed the SLA for the support service."
        elif action == "bring_into_force":
            services.sla_bring_into_force(sla=sla, by=by)
            done = "The SLA is in force."
        elif action == "start_review":
            services.sla_start_review(sla=sla, by=by)
            done = "The SLA is under review."
        elif action == "renew":
            services.sla_renew(sla=sla, by=by)
            done = "The SLA is renewed; next year's SLA is being drafted."
        elif action == "end":
            services.sla_end(sla=sla, by=by)
            done = "The SLA has ended."
        else:
            new = services.sla_start_next_year(sla=sla, by=by)
            messages.success(request, f"You started the {new} as a copy of this one.")
            return redirect("slas:detail", pk=new.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("slas:detail", pk=pk)
    if sla.status == SlaStatus.AGREED and action.startswith("agree"):
        done = "Both sides have agreed the SLA."
    messages.success(request, done)
    return redirect("slas:detail", pk=pk)


@login_required
def return_to_drafting(request, pk):
    sla = _draftable_sla(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_return_to_drafting(
                sla=sla, by=request.user, comment=form.cleaned_data["comment"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "The SLA is back in drafting; any agreement given was withdrawn."
            )
            return redirect("slas:detail", pk=pk)
    return render(
        request, "slas/form.html", {"form": form, "sla": sla, "title": "Return the SLA to drafting"}
    )


@login_required
def edit(request, pk):
    sla = _draftable_sla(request, pk)
    if refused := _refuse_unless_editable(request, sla):
        return refused
    initial = {
        "scope": sla.scope,
        "bespoke": sla.bespoke,
        "annual_charge": sla.annual_charge,
        "charge_basis": sla.charge_basis,
        "starts_on": sla.starts_on,
        "review_on": sla.review_on,
    }
    form = SlaContentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_update(sla=sla, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(
                form,
                exc,
                [
                    ("review date", "review_on"),
                    ("start date", "starts_on"),
                    ("charge", "annual_charge"),
                ],
            )
        else:
            messages.success(request, "You saved the SLA.")
            return redirect("slas:detail", pk=pk)
    return render(request, "slas/form.html", {"form": form, "sla": sla, "title": "Edit the SLA"})


@login_required
def responsibility_add(request, pk):
    sla = _draftable_sla(request, pk)
    if refused := _refuse_unless_editable(request, sla):
        return refused
    form = ResponsibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_add(sla=sla, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(
                form,
                exc,
                [
                    ("accountable", "service_raci"),
                    ("responsible", "service_raci"),
                    ("activity", "activity"),
                ],
            )
        else:
            messages.success(request, "You added the activity.")
            return redirect("slas:detail", pk=pk)
    return render(
        request,
        "slas/form.html",
        {
            "form": form,
            "sla": sla,
            "title": "Add an activity to the roles and responsibilities",
            "intro": "For each side, choose whether it is responsible (does the work), accountable "
            "(answers for it; exactly one side), consulted or informed.",
        },
    )


def _child_or_404(queryset, sla, pk):
    obj = get_object_or_404(queryset, pk=pk, sla=sla)
    return obj


@require_POST
@login_required
def responsibility_delete(request, pk, row):
    sla = _draftable_sla(request, pk)
    obj = _child_or_404(sla.responsibilities.all(), sla, row)
    try:
        services.responsibility_delete(responsibility=obj, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You removed “{obj.activity}”.")
    return redirect("slas:detail", pk=pk)


@login_required
def level_edit(request, pk, level=None):
    sla = _draftable_sla(request, pk)
    if refused := _refuse_unless_editable(request, sla):
        return refused
    service_level = _child_or_404(sla.service_levels.all(), sla, level) if level else None
    initial = {"frequency": "quarterly", "higher_is_better": "yes", "clock": "working_hours"}
    if service_level:
        initial = {
            "measure": service_level.measure,
            "unit": service_level.unit,
            "target": service_level.target,
            "higher_is_better": "yes" if service_level.higher_is_better else "no",
            "how_measured": service_level.how_measured,
            "frequency": service_level.frequency,
            "time_limit_hours": service_level.time_limit_hours,
            "clock": service_level.clock,
        }
    form = ServiceLevelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_level_save(
                sla=sla, by=request.user, service_level=service_level, **form.cleaned_data
            )
        except DomainError as exc:
            _form_error(
                form,
                exc,
                [
                    ("time limit", "time_limit_hours"),
                    ("target", "target"),
                    ("measured", "measure"),
                    ("unit", "unit"),
                ],
            )
        else:
            messages.success(request, "You saved the service level.")
            return redirect("slas:detail", pk=pk)
    title = "Change a service level" if service_level else "Add a service level"
    return render(request, "slas/form.html", {"form": form, "sla": sla, "title": title})


@require_POST
@login_required
def level_delete(request, pk, level):
    sla = _draftable_sla(request, pk)
    obj = _child_or_404(sla.service_levels.all(), sla, level)
    try:
        services.service_level_delete(service_level=obj, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You removed “{obj.measure}”.")
    return redirect("slas:detail", pk=pk)


@login_required
def contact_add(request, pk):
    sla = _draftable_sla(request, pk)
    if refused := _refuse_unless_editable(request, sla):
        return refused
    form = EscalationContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_contact_add(sla=sla, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc, [("name", "name"), ("level", "level")])
        else:
            messages.success(request, "You added the escalation contact.")
            return redirect("slas:detail", pk=pk)
    return render(
        request, "slas/form.html", {"form": form, "sla": sla, "title": "Add an escalation contact"}
    )


@require_POST
@login_required
def contact_delete(request, pk, contact):
    sla = _draftable_sla(request, pk)
    obj = _child_or_404(sla.escalation_contacts.all(), sla, contact)
    try:
        services.escalation_contact_delete(contact=obj, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You removed {obj.name}.")
    return redirect("slas:detail", pk=pk)


# Performance -----------------------------------------------------------------


@login_required
def performance(request, pk):
    sla = _visible_sla(request, pk)
    return render(
        request,
        "slas/performance.html",
        {
            "sla": sla,
            "levels": selectors.level_performance(sla),
            "can_report": can(request.user, Perm.SLA_REPORT_PERFORMANCE, sla)
            and SLA_WORKFLOW.allowed(sla.status, "report"),
        },
    )


def _reporting_sla(request, pk):
    sla = _visible_sla(request, pk)
    require(request.user, Perm.SLA_REPORT_PERFORMANCE, sla)
    return sla


@login_required
def result_add(request, pk, level):
    sla = _reporting_sla(request, pk)
    service_level = _child_or_404(sla.service_levels.all(), sla, level)
    if not SLA_WORKFLOW.allowed(sla.status, "report"):
        messages.error(
            request,
            f"This SLA is {sla.get_status_display().lower()}: results are reported "
            "once it is in force.",
        )
        return redirect("slas:detail", pk=pk)
    reported = {r.period_start for r in service_level.results.all()}
    today = selectors.today()
    periods = [
        p
        for p in level_periods(
            service_level.frequency, sla.starts_on, sla.financial_year.start_year
        )
        if p.start not in reported and p.end < today
    ]
    form = ResultForm(
        request.POST or None,
        periods=periods,
        timed=service_level.is_timed,
        initial={"period": request.GET.get("period")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.result_report(
                service_level=service_level,
                period_start=datetime.date.fromisoformat(form.cleaned_data["period"]),
                value=form.cleaned_data["value"],
                cases=form.cleaned_data.get("cases"),
                commentary=form.cleaned_data["commentary"],
                by=request.user,
            )
        except DomainError as exc:
            _form_error(
                form,
                exc,
                [
                    ("period", "period"),
                    ("cases", "value"),
                    ("result", "value"),
                    ("over yet", "period"),
                ],
            )
        else:
            if result.needs_commentary:
                messages.success(
                    request,
                    f"You reported {result.service_level.measure} for {result.period_start:%B %Y}: "
                    "the target was breached, so add a commentary.",
                )
                return redirect("slas:result_edit", pk=pk, result=result.pk)
            messages.success(request, "You reported the result.")
            return redirect("slas:performance", pk=pk)
    return render(
        request,
        "slas/result_form.html",
        {
            "form": form,
            "sla": sla,
            "level": service_level,
            "title": "Report a result",
            "no_periods": not periods,
        },
    )


@login_required
def result_edit(request, pk, result):
    sla = _reporting_sla(request, pk)
    levels = {level.pk: level for level in sla.service_levels.all()}
    results = {r.pk: r for level in levels.values() for r in level.results.all()}
    if result not in results:
        raise Http404
    obj = results[result]
    perf = next(
        p
        for p in selectors.level_performance(sla, with_charts=False)
        if p.level.pk == obj.service_level_id
    )
    period = next(p for p in perf.periods if p.result and p.result.pk == obj.pk)
    form = ResultUpdateForm(
        request.POST or None,
        initial={
            "value": obj.value,
            "commentary": obj.commentary,
            "improvement_action": obj.improvement_action,
            "improvement_owner": obj.improvement_owner,
            "improvement_due_on": obj.improvement_due_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.result_update(result=obj, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc, [("improvement", "improvement_action"), ("result", "value")])
        else:
            messages.success(request, "You saved the result.")
            return redirect("slas:performance", pk=pk)
    return render(
        request,
        "slas/result_form.html",
        {
            "form": form,
            "sla": sla,
            "level": obj.service_level,
            "period": period,
            "result": obj,
            "title": f"Result for {period.label}",
        },
    )
