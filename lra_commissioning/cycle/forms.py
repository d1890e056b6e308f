"""Forms of the commissioning cycle: GOV.UK fields, a specific message on each."""

from crispy_forms_gds.layout import Field, Fieldset
from django import forms

from lra_commissioning.forms import GovukDateField, GovukFormHelperMixin
from lra_commissioning.roles import Role

from .models import Escalation, ReportKind

YEAR_OFFSETS = [
    (
        -1,
        "The calendar year before the financial year starts (December 2016 for 2017/18)",
    ),
    (0, "The calendar year the financial year starts (for example March 2017 for 2017/18)"),
    (1, "The calendar year after it starts (for example July 2018 for 2017/18)"),
    (2, "Two calendar years after it starts"),
]


def _number(label, required_message, invalid_message, lo, hi, required=True, hint=""):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=lo,
        max_value=hi,
        help_text=hint,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": required_message,
            "invalid": invalid_message,
            "min_value": invalid_message,
            "max_value": invalid_message,
        },
    )


class DeadlineRuleForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the rule"

    responsible_role = forms.ChoiceField(
        label="Who is responsible",
        choices=Role.choices,
        error_messages={"required": "Select who is responsible"},
    )
    is_active = forms.BooleanField(label="Generate deadlines from this rule", required=False)

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule.is_monthly:
            self.fields["working_days"] = _number(
                "Working days after the month ends",
                "Enter the number of working days",
                "Enter a number of working days from 1 to 40",
                1,
                40,
                hint="Weekends and England and Wales bank holidays are not working days.",
            )
            fields = [Field.text("working_days", field_width=2)]
        else:
            self.fields["day"] = _number(
                "Day", "Enter the day of the month", "Enter a day from 1 to 31", 1, 31
            )
            self.fields["month"] = _number(
                "Month", "Enter the month", "Enter a month from 1 to 12", 1, 12
            )
            self.fields["year_offset"] = forms.TypedChoiceField(
                label="Which calendar year",
                choices=YEAR_OFFSETS,
                coerce=int,
                error_messages={"required": "Select which calendar year the date falls in"},
            )
            fields = [
                Fieldset(
                    Field.text("day", field_width=2),
                    Field.text("month", field_width=2),
                    legend="Due on",
                ),
                Field.radios("year_offset", legend_size="s"),
            ]
        self.helper = self.build_helper(
            *fields, Field.select("responsible_role"), Field.checkbox("is_active")
        )


class ReminderOffsetForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the reminder"

    days = _number(
        "Days from the due date",
        "Enter the number of days from the due date",
        "Enter a whole number of days from -90 to 90",
        -90,
        90,
        hint="A minus sign for days before the deadline (-14 is 14 days before), 0 for the "
        "day itself, and a plain number for days overdue (7 is 7 days overdue).",
    )
    escalate_to = forms.ChoiceField(
        label="Escalation",
        choices=Escalation.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Only an overdue reminder can escalate.",
    )
    is_active = forms.BooleanField(label="Send this reminder", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(
            Field.text("days", field_width=3),
            Field.radios("escalate_to", legend_size="s"),
            Field.checkbox("is_active"),
        )

    def clean(self):
        data = super().clean()
        if data.get("escalate_to") and data.get("days") is not None and data["days"] <= 0:
            self.add_error("escalate_to", "Only an overdue reminder (1 day or more) can escalate")
        return data


class GenerateDeadlinesForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Generate the deadlines"

    start_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={"required": "Select a financial year"},
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_year"].choices = [(y.start_year, y.label) for y in years]
        self.helper = self.build_helper(Field.select("start_year"))


class MarkMetForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Record as met"

    met_on = GovukDateField(label="Date it was met", help_text="For example, 27 3 2017")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met_on"].error_messages.update(
            {
                "required": "Enter the date it was met",
                "incomplete": "Enter the date it was met as a day, month and year",
                "invalid": "Enter a real date it was met",
            }
        )
        self.helper = self.build_helper(Field("met_on"))


class ReportRequestForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Produce the report"

    start_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={"required": "Select the financial year the report is for"},
    )
    kind = forms.ChoiceField(
        label="Which report",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which report to produce"},
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_year"].choices = [(y.start_year, y.label) for y in years]
        self.helper = self.build_helper(
            Field.select("start_year"), Field.radios("kind", legend_size="s")
        )
