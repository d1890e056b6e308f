"""Forms of the commissioning cycle: GOV.UK fields, a specific message on each."""

from crispy_forms_gds.layout import Field, Fieldset
from django import forms

from lra_commissioning.forms import GovukDateField, GovukFormHelperMixin, GovukTextField
from lra_commissioning.roles import Role

from .models import Delivery, Escalation, ReportKind

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
    """Record an obligation with no record in the system as met: when, who, and why."""

    submit_label = "Record as met"

    met_on = GovukDateField(label="Date it was met", help_text="For example, 27 3 2017")
    who = GovukTextField(
        what="who met it",
        max_length=150,
        label="Who met it",
        help_text="The person or body, for example the Strategic Board or the head of service",
    )
    reason = GovukTextField(
        what="why you are recording it as met",
        max_length=2000,
        textarea=True,
        label="Why you are recording it as met here",
        help_text="For example, where the evidence is: the minute, the meeting or the document",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met_on"].error_messages.update(
            {
                "required": "Enter the date it was met",
                "incomplete": "Enter the date it was met as a day, month and year",
                "invalid": "Enter a real date it was met",
            }
        )
        self.helper = self.build_helper(
            Field("met_on"), Field.text("who"), Field.textarea("reason", rows=4)
        )


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


# The annual report, written by the people who own it ---------------------------


class StartReportForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Start the annual report"

    start_year = forms.TypedChoiceField(
        label="Financial year of the annual report to start",
        coerce=int,
        error_messages={"required": "Select the financial year the report is for"},
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_year"].choices = [(y.start_year, y.label) for y in years]
        self.helper = self.build_helper(Field.select("start_year"))


class _FieldsInOrderForm(GovukFormHelperMixin, forms.Form):
    """A form whose page shows every field in the order declared, then its button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(*(Field(name) for name in self.fields))


class ForewordForm(_FieldsInOrderForm):
    submit_label = "Save the foreword"

    foreword = GovukTextField(
        label="Foreword",
        what="the foreword",
        max_length=6000,
        textarea=True,
        rows=10,
        help_text="From the head of service: the year in a few paragraphs, for the public.",
    )


class ChapterForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save this outcome"

    narrative = GovukTextField(
        label="What the service did for this outcome",
        what="what the service did for this outcome",
        max_length=6000,
        textarea=True,
        rows=8,
    )
    highlights = GovukTextField(
        label="Highlights (optional)",
        what="the highlights",
        max_length=3000,
        textarea=True,
        rows=4,
        required=False,
        help_text="One highlight a line.",
    )
    case_study = GovukTextField(
        label="Case study (optional)",
        what="the case study",
        max_length=4000,
        textarea=True,
        rows=6,
        required=False,
        help_text="One person's or group's story, with their permission and without names.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(
            Field("narrative"), Field("highlights"), Field("case_study")
        )


class ActionReturnForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the report back"

    delivery = forms.ChoiceField(
        label="Was it delivered?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the action was delivered"},
    )
    comment = GovukTextField(
        label="Comment",
        what="a comment",
        max_length=2000,
        textarea=True,
        rows=3,
        required=False,
        help_text="What was done; if it was not delivered in full, what was not and why.",
    )

    def __init__(self, *args, legend="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].label = legend or "Was it delivered?"
        self.helper = self.build_helper(
            Field.radios("delivery", legend_size="s", inline=True), Field("comment")
        )

    def clean(self):
        data = super().clean()
        delivery = data.get("delivery")
        if delivery and delivery != Delivery.DELIVERED and not data.get("comment", "").strip():
            self.add_error("comment", "Say what was not delivered and why")
        return data


class AssessmentForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the assessment"

    assessment = GovukTextField(
        label="Your assessment",
        what="your assessment",
        max_length=4000,
        textarea=True,
        rows=6,
    )

    def __init__(self, *args, label="Your assessment", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].label = label
        self.helper = self.build_helper(Field("assessment"))


class ReturnReportForm(_FieldsInOrderForm):
    submit_label = "Return it to the service"

    comment = GovukTextField(
        label="What should the service change?",
        what="what the service should change",
        max_length=4000,
        textarea=True,
        rows=5,
    )


class CommitteeForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save the committee's record"

    committee = GovukTextField(label="Committee", what="the committee's name", max_length=200)
    meeting_on = GovukDateField(label="Meeting date", what="the meeting date")
    recommendation = GovukTextField(
        label="Recommendation to the committee",
        what="the recommendation",
        max_length=3000,
        textarea=True,
    )
    resolution = GovukTextField(
        label="The committee's resolution",
        what="the resolution",
        max_length=3000,
        textarea=True,
        required=False,
        help_text="Once the committee has met.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(
            Field("committee"), Field("meeting_on"), Field("recommendation"), Field("resolution")
        )


# The review of the commissioning approach ------------------------------------------


class ApproachReviewForm(_FieldsInOrderForm):
    submit_label = "Save the review"

    scope = GovukTextField(
        label="Scope", what="the scope of the review", max_length=4000, textarea=True
    )
    findings = GovukTextField(
        label="Findings", what="the findings", max_length=6000, textarea=True, required=False
    )
    recommendations = GovukTextField(
        label="Recommendations",
        what="the recommendations",
        max_length=6000,
        textarea=True,
        required=False,
    )


class ServiceInputForm(_FieldsInOrderForm):
    submit_label = "Save the service's input"

    service_input = GovukTextField(
        label="The service's input",
        what="the service's input",
        max_length=6000,
        textarea=True,
        rows=8,
    )


class ConsiderationForm(_FieldsInOrderForm):
    submit_label = "Save who considered it"

    board_considered_on = GovukDateField(
        label="Date the Strategic Board considered it",
        what="the date the board considered it",
        required=False,
    )
    board_conclusion = GovukTextField(
        label="What the board concluded",
        what="what the board concluded",
        max_length=3000,
        textarea=True,
        required=False,
    )
    committee = GovukTextField(
        label="Committee (optional)", what="the committee's name", max_length=200, required=False
    )
    committee_considered_on = GovukDateField(
        label="Date the committee considered it",
        what="the date the committee considered it",
        required=False,
    )
    committee_conclusion = GovukTextField(
        label="What the committee concluded",
        what="what the committee concluded",
        max_length=3000,
        textarea=True,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("board_conclusion") and not data.get("board_considered_on"):
            self.add_error("board_considered_on", "Enter the date the board considered it")
        if data.get("committee_conclusion") and not data.get("committee_considered_on"):
            self.add_error("committee_considered_on", "Enter the date the committee considered it")
        if data.get("committee_considered_on") and not data.get("committee"):
            self.add_error("committee", "Enter the committee's name")
        return data
