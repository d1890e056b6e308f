"""The administrator's pages: people and their roles, financial years."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import permission_required
from .admin_forms import FinancialYearForm, PersonForm, ResidentPopulationForm
from .audit import history_entries
from .models import FinancialYear, Invitation, User, UserRole
from .permissions import Perm
from .services import (
    financial_year_create,
    financial_year_set_population,
    invitation_send,
    person_add,
    user_update,
)
from .workflow import DomainError


@permission_required(Perm.USERS_MANAGE)
def people(request):
    people = (
        User.objects.prefetch_related(
            Prefetch("role_grants", queryset=UserRole.objects.order_by("role"))
        )
        .annotate(invited=Exists(Invitation.objects.open().filter(user=OuterRef("pk"))))
        .order_by("full_name")
    )
    return render(request, "administration/people.html", {"people": people})


@permission_required(Perm.USERS_MANAGE)
def person_create(request):
    form = PersonForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = person_add(
                email=data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                roles=data["roles"],
                is_head_of_service=data["is_head_of_service"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{person.full_name} has been added. We have e-mailed them an invitation to "
                f"choose a password and set up two-factor sign-in; the link works for "
                f"{settings.INVITATION_DAYS} days.",
            )
            return redirect("administration:people")
    return render(request, "administration/person_form.html", {"form": form, "person": None})


@permission_required(Perm.USERS_MANAGE)
def person_edit(request, pk):
    person = get_object_or_404(User, pk=pk)
    initial = {
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "roles": list(person.roles),
        "is_head_of_service": person.is_head_of_service,
        "is_active": person.is_active,
    }
    form = PersonForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(user=person, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{person.full_name}'s details have been saved.")
            return redirect("administration:people")
    return render(
        request,
        "administration/person_form.html",
        {
            "form": form,
            "person": person,
            "history": history_entries(person),
            "invitation": Invitation.objects.open().filter(user=person).first(),
            "has_password": person.has_usable_password(),
            "has_app": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        },
    )


@permission_required(Perm.USERS_MANAGE)
@require_POST
def person_invite(request, pk):
    """Send the person a new invitation: a new password and two-factor sign-in.

    For someone who never used theirs, or who lost their phone and their
    recovery codes. What they have keeps working until they use the new link.
    """
    person = get_object_or_404(User, pk=pk)
    try:
        invitation_send(user=person, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"We have e-mailed {person.full_name} a new invitation. Any earlier invitation "
            "no longer works.",
        )
    return redirect("administration:person_edit", pk=person.pk)


@permission_required(Perm.USERS_MANAGE)
def financial_years(request):
    years = FinancialYear.objects.order_by("-start_year")
    which = request.POST.get("form", "year") if request.method == "POST" else None
    form = FinancialYearForm(request.POST if which == "year" else None)
    population_form = ResidentPopulationForm(
        request.POST if which == "population" else None, years=years, prefix="population"
    )
    if which == "population" and population_form.is_valid():
        try:
            year = financial_year_set_population(
                start_year=population_form.cleaned_data["start_year"],
                residents=population_form.cleaned_data["residents"],
                by=request.user,
            )
        except DomainError as error:
            population_form.add_error("residents", str(error))
        else:
            messages.success(
                request,
                f"The resident population for {year.label} is recorded: "
                f"{year.resident_population:,}.",
            )
            return redirect("administration:financial_years")
    elif which == "year" and form.is_valid():
        try:
            year = financial_year_create(
                start_year=form.cleaned_data["start_year"], by=request.user
            )
        except DomainError as error:
            form.add_error("start_year", str(error))
        else:
            messages.success(request, f"The financial year {year.label} has been added.")
            return redirect("administration:financial_years")
    return render(
        request,
        "administration/financial_years.html",
        {"years": years, "form": form, "population_form": population_form},
    )


@permission_required(Perm.USERS_MANAGE)
def data_export(request):
    """Download every record of the service as a zip of CSV and JSON (see data_export.py)."""
    from django.http import HttpResponse
    from django.utils import timezone

    from .data_export import build_export, exported_models

    if request.method == "POST":
        response = HttpResponse(build_export(), content_type="application/zip")
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="lra-export-{stamp}.zip"'
        return response
    tables = [
        f"{m._meta.app_config.verbose_name}: {m._meta.verbose_name_plural}"
        for m in exported_models()
        if not m.__name__.startswith("Historical")
    ]
    return render(request, "administration/export.html", {"tables": tables})
