"""Forms for the administrator's pages: people and roles, financial years."""

from crispy_forms_gds.layout import Field
from django import forms

from .dates import financial_year_label
from .forms import GovukFormHelperMixin
from .models import FinancialYear, User
from .roles import Role


class PersonForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save"

    email = forms.EmailField(
        label="E-mail address",
        error_messages={
            "required": "Enter the person's e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the person's name"}
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select every role the person holds.",
    )
    is_head_of_service = forms.BooleanField(
        label="This person is the head of service", required=False
    )
    is_active = forms.BooleanField(label="The account is open", required=False, initial=True)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.helper = self.build_helper(
            Field.text("email", field_width=30),
            Field.text("full_name", field_width=30),
            Field.text("job_title", field_width=30),
            Field.checkboxes("roles", legend_size="s"),
            Field.checkbox("is_head_of_service"),
            Field.checkbox("is_active"),
        )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email=email)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError("Another person already uses this e-mail address")
        return email

    def clean(self):
        data = super().clean()
        if data.get("is_head_of_service") and Role.SERVICE_MANAGER not in data.get("roles", []):
            self.add_error(
                "is_head_of_service",
                "Only a service manager can be the head of service: select the service "
                "manager role too",
            )
        return data


class FinancialYearForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Add the financial year"

    start_year = forms.IntegerField(
        label="Calendar year in which the financial year starts",
        help_text="For example, 2027 for the year from 1 April 2027 to 31 March 2028.",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the year in which the financial year starts",
            "invalid": "Enter the year as four digits, like 2027",
            "min_value": "Enter a year from 2000 to 2100",
            "max_value": "Enter a year from 2000 to 2100",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(Field.text("start_year", field_width=4))

    def clean_start_year(self):
        year = self.cleaned_data["start_year"]
        if FinancialYear.objects.filter(start_year=year).exists():
            raise forms.ValidationError(
                f"The financial year {financial_year_label(year)} exists already"
            )
        return year


class ResidentPopulationForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Record the population"

    start_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={"required": "Select the financial year"},
    )
    residents = forms.IntegerField(
        label="Resident population",
        help_text=(
            "The council area's mid-year estimate, such as the Office for National "
            "Statistics publishes. Comparisons of counts with other authorities are made "
            "per 1,000 residents."
        ),
        min_value=1,
        max_value=100_000_000,
        error_messages={
            "required": "Enter the resident population",
            "invalid": "Enter the resident population as a whole number, like 1568623",
            "min_value": "Enter a population of at least 1",
            "max_value": "Enter a population of at most 100,000,000",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_year"].choices = [(y.start_year, y.label) for y in years]
        self.helper = self.build_helper(
            Field.select("start_year"), Field.text("residents", field_width=10)
        )
