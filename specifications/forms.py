"""Forms parse what people type; the services decide what is allowed.

Each field has a specific GOV.UK-style error message. Business rules (a floor
on the wrong side of the target, a start date outside the year) come back from
the services as ValidationErrors and are shown beside the field.
"""

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.utils.html import format_html

from lra_commissioning.forms import (
    GovukDateField,
    GovukDecimalField,
    GovukFormHelperMixin,
    GovukTextField,
)

from .models import (
    COMMENT_MAX_LENGTH,
    Aggregation,
    Frequency,
    ServiceArea,
    StrategicOutcome,
    Unit,
)


def date_field(label, required=True, what="the date"):
    """A GOV.UK date input: day, month and year boxes."""
    return GovukDateField(
        label=label, required=required, what=what, help_text="For example, 1 4 2017"
    )


def decimal_field(label, what, required=True, help_text="", unit="", min_value=Decimal(0)):
    """The site's one decimal field (lra_commissioning.forms.GovukDecimalField):
    "1,500", "1500.0" and, by unit, "95%" or "£1,500"; never shown with an exponent."""
    return GovukDecimalField(
        label=label,
        what=what,
        required=required,
        help_text=help_text,
        unit=unit,
        min_value=min_value,
    )


class Form(GovukFormHelperMixin, forms.Form):
    """A form with a GOV.UK helper laying out every field with its own widget style."""

    submit_label = "Save"
    field_widths: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        layout = []
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(field, GovukDateField):
                layout.append(Field(name))  # a fieldset with a legend and three boxes
                continue
            if isinstance(widget, forms.Textarea):
                layout.append(Field.textarea(name, rows=widget.attrs.get("rows", 5)))
            elif isinstance(widget, forms.RadioSelect):
                layout.append(Field.radios(name, legend_size="s", inline=len(field.choices) <= 2))
            elif isinstance(widget, forms.Select):
                layout.append(Field.select(name))
            elif isinstance(widget, forms.CheckboxInput):
                layout.append(Field.checkbox(name))
            else:
                layout.append(Field.text(name, field_width=self.field_widths.get(name)))
        self.helper = self.build_helper(*layout)


class VersionForm(Form):
    starts_on = date_field("In force from", what="the date this version comes into force")
    summary = forms.CharField(
        label="What this version is for",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    performance_tolerance_percent = decimal_field(
        "Performance tolerance (%)",
        "the performance tolerance",
        unit="percentage",
        help_text="How far below target, as a percentage of the target, a KPI with no floor "
        "of its own may fall before it is an exception.",
    )
    budget_tolerance_percent = decimal_field(
        "Budget tolerance (%)",
        "the budget tolerance percentage",
        unit="percentage",
        help_text="How far a budget category may stray from its budget, as a percentage.",
    )
    budget_tolerance_amount = decimal_field(
        "Budget tolerance (£)",
        "the budget tolerance in pounds",
        unit="money",
        help_text="A category is an exception when its variance is beyond both the percentage "
        "and this amount.",
    )
    field_widths = {
        "starts_on": 10,
        "performance_tolerance_percent": 5,
        "budget_tolerance_percent": 5,
        "budget_tolerance_amount": 10,
    }


class SectionForm(Form):
    heading = forms.CharField(
        label="Heading", max_length=255, error_messages={"required": "Enter the section heading"}
    )
    body = forms.CharField(label="Text", required=False, widget=forms.Textarea(attrs={"rows": 10}))


class OutcomeForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Stays the same from version to version, like O1.",
        error_messages={"required": "Enter the outcome code, like O1"},
    )
    title = forms.CharField(
        label="Outcome", max_length=255, error_messages={"required": "Enter the outcome"}
    )
    strategic_outcome = forms.ModelChoiceField(
        label="Council strategic outcome it serves",
        queryset=StrategicOutcome.objects.all(),
        empty_label="Choose a strategic outcome",
        error_messages={
            "required": "Choose the council strategic outcome it serves",
            "invalid_choice": "Choose one of the council's strategic outcomes",
        },
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_widths = {"code": 5}


class RequirementForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Stays the same from version to version, like O1.R2.",
        error_messages={"required": "Enter the requirement code, like O1.R1"},
    )
    text = forms.CharField(
        label="Requirement",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the requirement"},
    )
    field_widths = {"code": 10}


YES_NO = [("yes", "Yes"), ("no", "No")]


class KPIForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Stays the same from version to version, like LIB01.",
        error_messages={"required": "Enter the KPI code, like LIB01"},
    )
    title = forms.CharField(
        label="Title", max_length=255, error_messages={"required": "Enter the KPI title"}
    )
    outcome = forms.ModelChoiceField(
        label="Outcome it measures",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose an outcome of this version"},
    )
    service_area = forms.ChoiceField(
        label="Service area",
        choices=ServiceArea.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the service area"},
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the unit"},
    )
    higher_is_better = forms.ChoiceField(
        label="Is a higher value better?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether a higher value is better"},
    )
    frequency = forms.ChoiceField(
        label="How often it is reported",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often it is reported"},
    )
    annual_aggregation = forms.ChoiceField(
        label="The annual figure is",
        choices=Aggregation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the annual figure is worked out"},
    )
    is_activity = forms.ChoiceField(
        label="Is it an activity measure, reported but not rated against a target?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it is an activity measure"},
    )
    annual_target = decimal_field("Annual target", "the annual target", required=False)
    floor = decimal_field(
        "Floor",
        "the floor",
        required=False,
        help_text="The worst value still within tolerance. Leave blank to use the "
        "specification's performance tolerance.",
    )
    expected_low = decimal_field(
        "Lowest expected value (activity measures)", "the lowest expected value", required=False
    )
    expected_high = decimal_field(
        "Highest expected value (activity measures)", "the highest expected value", required=False
    )
    monthly_profile = forms.CharField(
        label="Monthly profile (optional)",
        required=False,
        help_text="Twelve monthly figures, April first, separated by commas. Leave blank to "
        "spread the annual target evenly.",
    )
    definition = forms.CharField(
        label="Definition", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    guidance = forms.CharField(
        label="Guidance for reporting", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    data_source = forms.CharField(label="Data source", required=False, max_length=255)
    owner = forms.CharField(label="Owner in the service", required=False, max_length=150)
    last_reviewed_on = date_field("Last reviewed", required=False, what="the date last reviewed")
    next_review_on = date_field("Next review due", required=False, what="the next review date")
    field_widths = {
        "code": 10,
        "annual_target": 10,
        "floor": 10,
        "expected_low": 10,
        "expected_high": 10,
        "last_reviewed_on": 10,
        "next_review_on": 10,
    }

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = version.outcomes.all()

    def clean_monthly_profile(self):
        text = self.cleaned_data["monthly_profile"].strip()
        return [v.strip() for v in text.split(",")] if text else []

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["higher_is_better"] = data["higher_is_better"] == "yes"
        data["is_activity"] = data["is_activity"] == "yes"
        return data

    @staticmethod
    def initial_for(kpi) -> dict:
        initial = {name: getattr(kpi, name) for name in KPIForm.base_fields if name != "outcome"}
        initial["outcome"] = kpi.outcome_id
        initial["higher_is_better"] = "yes" if kpi.higher_is_better else "no"
        initial["is_activity"] = "yes" if kpi.is_activity else "no"
        initial["monthly_profile"] = ", ".join(kpi.monthly_profile or [])
        for name in ("annual_target", "floor", "expected_low", "expected_high"):
            value = initial[name]
            initial[name] = None if value is None else value.normalize()
        return initial


class SignOffForm(Form):
    submit_label = "Record the sign-off"
    decided_on = date_field("Date of the board's decision", what="the date of the board's decision")
    minute_reference = forms.CharField(
        label="Board minute reference",
        max_length=100,
        error_messages={"required": "Enter the board minute reference, like LRA-SB/2016/8"},
    )
    comments = forms.CharField(
        label="Board comments (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_widths = {"decided_on": 10, "minute_reference": 20}


class ReturnForm(Form):
    submit_label = "Return to the commissioner"
    decided_on = date_field("Date of the board's decision", what="the date of the board's decision")
    minute_reference = forms.CharField(
        label="Board minute reference (optional)", max_length=100, required=False
    )
    comments = forms.CharField(
        label="What should change",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the board's comments, so the commissioner knows what to change"
        },
    )
    field_widths = {"decided_on": 10, "minute_reference": 20}


class ServiceReturnForm(Form):
    """The head of service returns a signed-off version instead of agreeing it."""

    submit_label = "Return to the commissioner"
    reasons = GovukTextField(
        label="Why the service cannot agree it, and what should change",
        what="the service's reasons, so the commissioner knows what to change",
        max_length=5000,
        textarea=True,
        rows=6,
    )


class CommentForm(Form):
    """The public comment form.

    The page also carries a `website` input placed off-screen: people never see
    or fill it, bots do (`is_bot`).
    """

    submit_label = "Send your comment"
    section = forms.TypedChoiceField(
        label="What is your comment about?",
        coerce=int,
        choices=(),
        error_messages={
            "required": "Choose what your comment is about",
            "invalid_choice": "Choose the whole specification or one of its sections",
        },
    )
    body = forms.CharField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"Up to {COMMENT_MAX_LENGTH:,} characters. Do not include personal "
        "details: comments may be published.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer",
        },
    )
    name = forms.CharField(
        label="Your name (optional)",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": "Your name must be 150 characters or fewer"},
    )
    email = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        help_text="Only if you would like a reply. We never publish it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.org"
        },
    )
    field_widths = {"name": 20, "email": 20}

    WHOLE = 0

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        # GOV.UK's character count lets people type past the limit and then says so;
        # a maxlength attribute would cut their text off silently.
        self.fields["body"].widget.attrs.pop("maxlength", None)
        self.fields["section"].choices = [(self.WHOLE, "The whole specification")] + [
            (s.pk, s.heading) for s in sections
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("section"),
            Field.textarea("body", rows=8, max_characters=COMMENT_MAX_LENGTH),
            Field.text("name", field_width=20),
            Field.text("email", field_width=20),
            Button("submit", self.submit_label),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ResponseForm(Form):
    submit_label = "Publish the response"
    response = forms.CharField(
        label="The council's response",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on the public site beneath the comment.",
        error_messages={
            "required": "Enter the response",
            "max_length": f"The response must be {COMMENT_MAX_LENGTH:,} characters or fewer",
        },
    )


class PlanSummaryForm(Form):
    summary = forms.CharField(
        label="Summary of the plan", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class PlanSectionForm(Form):
    approach = forms.CharField(
        label="How the service will meet this outcome",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter how the service will meet this outcome"},
    )


class PlanActionForm(Form):
    submit_label = "Add the action"
    description = forms.CharField(
        label="Action", max_length=500, error_messages={"required": "Enter the action"}
    )
    milestone_on = date_field("Milestone date", what="the milestone date")
    owner = forms.CharField(label="Owner (optional)", required=False, max_length=150)
    field_widths = {"milestone_on": 10, "owner": 20}


class PlanReviewForm(Form):
    submit_label = "Record the decision"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept the plan"), ("return", "Return it with comments")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept the plan or return it"},
    )
    comment = forms.CharField(
        label="Overall comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, sections, **kwargs):
        self._sections = sections
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[f"section_{section.pk}"] = forms.CharField(
                # crispy-forms-gds prints labels with |safe: escape the outcome's words here.
                label=format_html(
                    "Comment on {}: {} (optional)", section.outcome.code, section.outcome.title
                ),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        layout = [Field.radios("decision", legend_size="s"), Field.textarea("comment", rows=3)]
        layout += [Field.textarea(f"section_{s.pk}", rows=3) for s in sections]
        self.helper = self.build_helper(*layout)

    def section_comments(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"section_{s.pk}", "") for s in self._sections}
