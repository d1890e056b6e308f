"""Forms for SLAs. They check shapes (a number, a date); the services check the rules."""

import datetime

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils import timezone

from lra_commissioning.forms import (
    GovukDateField,
    GovukDecimalField,
    GovukFormHelperMixin,
    GovukTextField,
)

from .models import Clock, EscalationContact, LevelUnit, Raci, ReportingFrequency


def _decimal_field(label, required_message, *, what, unit="", **kwargs):
    """The site's one decimal field (lra_commissioning.forms.GovukDecimalField)."""
    field = GovukDecimalField(label=label, what=what, unit=unit, **kwargs)
    field.error_messages["required"] = required_message
    return field


class SlaCreateForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Start drafting"

    support_service = forms.ModelChoiceField(
        queryset=None,
        label="Support service",
        empty_label="Choose a support service",
        error_messages={
            "required": "Choose the support service",
            "invalid_choice": "Choose the support service",
        },
    )
    start_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Choose the financial year",
            "invalid_choice": "Choose the financial year",
        },
    )

    def __init__(self, *args, support_services, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_service"].queryset = support_services
        self.fields["start_year"].choices = [("", "Choose a financial year")] + [
            (y.start_year, y.label) for y in years
        ]
        self.helper = self.build_helper(Field.select("support_service"), Field.select("start_year"))


class SlaContentForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the SLA"

    scope = forms.CharField(
        label="Scope",
        help_text="What the support service provides to the LRA service.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the scope of the SLA"},
    )
    bespoke = forms.CharField(
        label="What is bespoke to the service",
        help_text="How this SLA differs from the council-wide service description.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    annual_charge = _decimal_field(
        "Annual charge or recharge",
        "Enter the annual charge in pounds (0 if there is none)",
        what="the annual charge",
        unit="money",
        help_text="In pounds, like 48500.00. It feeds the full cost of the service.",
    )
    charge_basis = forms.CharField(
        label="How the charge is worked out", required=False, max_length=255
    )
    starts_on = GovukDateField(
        what="the start date", label="Start date", help_text="For example, 1 4 2016"
    )
    review_on = GovukDateField(
        what="the review date", label="Review date", help_text="For example, 1 1 2017"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charge_basis"].error_messages["max_length"] = (
            "How the charge is worked out must be 255 characters or fewer"
        )
        self.helper = self.build_helper(
            Field.textarea("scope"),
            Field.textarea("bespoke"),
            Field.text("annual_charge", field_width=10),
            Field.text("charge_basis"),
            Field("starts_on"),
            Field("review_on"),
        )


RACI_CHOICES = [(c.value, c.label) for c in Raci]


class ResponsibilityForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Add the activity"

    activity = forms.CharField(
        label="Activity", max_length=255, error_messages={"required": "Enter the activity"}
    )
    service_raci = forms.MultipleChoiceField(
        label="The LRA service's part",
        choices=RACI_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    service_who = forms.CharField(label="Who in the LRA service", required=False, max_length=150)
    support_raci = forms.MultipleChoiceField(
        label="The support service's part",
        choices=RACI_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_who = forms.CharField(
        label="Who in the support service", required=False, max_length=150
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].error_messages["max_length"] = (
            "The activity must be 255 characters or fewer"
        )
        for name in ("service_who", "support_who"):
            self.fields[name].error_messages["max_length"] = "Who must be 150 characters or fewer"
        self.helper = self.build_helper(
            Field.text("activity"),
            Fieldset(
                Field.checkboxes("service_raci", small=True, legend_size=Size.SMALL),
                Field.text("service_who", field_width=20),
                legend="The LRA service",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkboxes("support_raci", small=True, legend_size=Size.SMALL),
                Field.text("support_who", field_width=20),
                legend="The support service",
                legend_size=Size.MEDIUM,
            ),
        )


class ServiceLevelForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the service level"

    measure = forms.CharField(
        label="What is measured",
        max_length=255,
        help_text="For example, P1 incidents resolved within 4 working hours.",
        error_messages={
            "required": "Enter what is measured",
            "max_length": "What is measured must be 255 characters or fewer",
        },
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=LevelUnit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the unit", "invalid_choice": "Choose the unit"},
    )
    target = _decimal_field(
        "Target", "Enter the target", what="the target", help_text="For example, 95 for 95%."
    )
    higher_is_better = forms.TypedChoiceField(
        label="The target is met when the result is",
        choices=[("yes", "At or above the target"), ("no", "At or below the target")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the target is a minimum or a maximum",
            "invalid_choice": "Choose whether the target is a minimum or a maximum",
        },
    )
    how_measured = forms.CharField(
        label="How it is measured", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    frequency = forms.ChoiceField(
        label="Reporting frequency",
        choices=ReportingFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often results are reported",
            "invalid_choice": "Choose how often results are reported",
        },
    )

    time_limit_hours = _decimal_field(
        "Time limit for each case, in hours (optional)",
        "",
        what="the time limit",
        required=False,
        max_value=2000,
        help_text="For a percentage of cases dealt with in time, for example 4 for "
        "'resolved within 4 working hours'. The result can then be worked out from the cases.",
    )
    clock = forms.ChoiceField(
        label="The time limit counts",
        choices=Clock.choices,
        initial=Clock.WORKING_HOURS,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how the time limit is counted"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(
            Field.text("measure"),
            Field.radios("unit", small=True, legend_size=Size.SMALL),
            Field.text("target", field_width=5),
            Field.radios("higher_is_better", small=True, legend_size=Size.SMALL),
            Field.textarea("how_measured"),
            Field.radios("frequency", small=True, inline=True, legend_size=Size.SMALL),
            Field.text("time_limit_hours", field_width=5),
            Field.radios("clock", small=True, legend_size=Size.SMALL),
        )

    def clean_clock(self):
        # Only a time limit is counted on a clock: working hours unless chosen otherwise.
        return self.cleaned_data["clock"] or Clock.WORKING_HOURS


class EscalationContactForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Add the contact"

    side = forms.ChoiceField(
        label="Which side",
        choices=EscalationContact.Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which side the contact is on"},
    )
    level = forms.TypedChoiceField(
        label="Escalation level",
        choices=[(n, f"Level {n}") for n in range(1, 6)],
        coerce=int,
        help_text="Level 1 is the first person to go to.",
        error_messages={
            "required": "Choose the escalation level",
            "invalid_choice": "Choose the escalation level",
        },
    )
    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the contact's name"}
    )
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.org"
        },
    )
    phone = forms.CharField(label="Telephone", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "job_title", "phone"):
            limit = self.fields[name].max_length
            self.fields[name].error_messages["max_length"] = (
                f"{self.fields[name].label} must be {limit} characters or fewer"
            )
        self.helper = self.build_helper(
            Field.radios("side", small=True, inline=True, legend_size=Size.SMALL),
            Field.select("level"),
            Field.text("name", field_width=20),
            Field.text("job_title", field_width=20),
            Field.text("email", field_width=20),
            Field.text("phone", field_width=10),
        )


class ReturnForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Return it to drafting"

    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what needs to change"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(Field.textarea("comment"))


class ResultForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Report the result"

    period = forms.ChoiceField(
        label="Reporting period",
        error_messages={
            "required": "Choose the reporting period",
            "invalid_choice": "Choose a reporting period within the SLA",
        },
    )
    value = _decimal_field("Result", "Enter the result", what="the result")
    commentary = forms.CharField(
        label="Commentary",
        help_text="Needed when the target is breached: what happened and what is being done.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    cases = GovukTextField(
        what="the cases",
        label="Or list the cases",
        textarea=True,
        rows=6,
        max_length=100_000,
        required=False,
        help_text="One case a line: when it was opened, then when it was responded to or "
        "resolved, for example 3/6/2016 16:00, 6/6/2016 10:30. The result is the "
        "percentage dealt with in time.",
    )

    def __init__(self, *args, periods, timed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "Choose a period")] + [
            (p.start.isoformat(), p.label) for p in periods
        ]
        fields = [Field.select("period"), Field.text("value", field_width=5)]
        if timed:
            self.fields["value"].required = False
            fields.append(Field.textarea("cases"))
        else:
            del self.fields["cases"]
        self.helper = self.build_helper(*fields, Field.textarea("commentary"))

    def clean_cases(self):
        return parse_cases(self.cleaned_data["cases"])

    def clean(self):
        cleaned = super().clean()
        if (
            "cases" in self.fields
            and cleaned.get("value") is None
            and not cleaned.get("cases")
            and "value" not in self.errors
            and "cases" not in self.errors
        ):
            self.add_error("value", "Enter the result, or list the cases")
        return cleaned


_CASE_FORMATS = ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M")


def _moment(text) -> datetime.datetime:
    for fmt in _CASE_FORMATS:
        try:
            moment = datetime.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return timezone.make_aware(moment)  # the council's time (Europe/London)
    raise ValueError(text)


def parse_cases(text) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Lines of "opened, dealt with" times (3/6/2016 16:00, 6/6/2016 10:30) as pairs."""
    cases = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(",")
        try:
            if len(parts) != 2:
                raise ValueError(line)
            opened, dealt_with = _moment(parts[0]), _moment(parts[1])
        except ValueError:
            raise forms.ValidationError(
                f"Line {number}: enter when the case was opened and when it was dealt "
                "with, for example 3/6/2016 16:00, 6/6/2016 10:30"
            ) from None
        if dealt_with < opened:
            raise forms.ValidationError(
                f"Line {number}: a case cannot be dealt with before it was opened"
            )
        cases.append((opened, dealt_with))
    return cases


class ResultUpdateForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the result"

    value = _decimal_field("Result", "Enter the result", what="the result")
    commentary = forms.CharField(
        label="Commentary on the breach",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    improvement_action = forms.CharField(
        label="Improvement action",
        help_text="Needed when a breach repeats: what will change, so that the target is met.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    improvement_owner = forms.CharField(
        label="Owner of the improvement action", required=False, max_length=150
    )
    improvement_due_on = GovukDateField(
        what="the improvement action's due date", label="Improvement action due by", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["improvement_owner"].error_messages["max_length"] = (
            "The owner must be 150 characters or fewer"
        )
        self.helper = self.build_helper(
            Field.text("value", field_width=5),
            Field.textarea("commentary"),
            Field.textarea("improvement_action"),
            Field.text("improvement_owner", field_width=20),
            Field("improvement_due_on"),
        )
