"""The administrator's pages: people and their roles, financial years."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from .access import permission_required
from .admin_forms import FinancialYearForm, PersonForm
from .audit import history_entries
from .models import FinancialYear, User, UserRole
from .services import financial_year_create, user_create_or_update, user_update
from .workflow import DomainError


@permission_required("users.manage")
def people(request):
    people = User.objects.prefetch_related(
        Prefetch("role_grants", queryset=UserRole.objects.order_by("role"))
    ).order_by("full_name")
    return render(request, "administration/people.html", {"people": people})


@permission_required("users.manage")
def person_create(request):
    form = PersonForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = user_create_or_update(
            email=data["email"],
            full_name=data["full_name"],
            job_title=data["job_title"],
            roles=data["roles"],
            is_head_of_service=data["is_head_of_service"],
            by=request.user,
        )
        messages.success(
            request,
            f"{person.full_name} has been added. They can set a password with "
            "“I have forgotten my password” on the sign-in page.",
        )
        return redirect("administration:people")
    return render(request, "administration/person_form.html", {"form": form, "person": None})


@permission_required("users.manage")
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
        {"form": form, "person": person, "history": history_entries(person)},
    )


@permission_required("users.manage")
def financial_years(request):
    form = FinancialYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
        {"years": FinancialYear.objects.order_by("-start_year"), "form": form},
    )
