"""Forms parse what people type; the services decide what is allowed."""

from django import forms

from specifications.forms import Form, date_field, decimal_field
from specifications.models import SectionKind

from .models import IMPACT_FIELDS, Decision, IdeaDecision

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label, help_text=""):
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no"},
    )


def text_area(label, message, required=True, rows=5):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message},
    )


class ChangeRequestForm(Form):
    submit_label = "Raise the change"
    title = forms.CharField(
        label="Title",
        max_length=255,
        error_messages={"required": "Enter a short title for the change"},
    )
    description = text_area("What should change", "Enter what should change")
    reason = text_area("Why", "Enter why the change is needed")
    effective_on = date_field("Takes effect from", what="the date the change takes effect")
    alters_objectives = yes_no("Does it alter the specification's overarching objectives?")
    contravenes_policy = yes_no("Does it contravene council policy or procedure?")
    affects_budget = yes_no("Does it affect the agreed budget?")
    field_widths = {"effective_on": 10}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("alters_objectives", "contravenes_policy", "affects_budget"):
            self.fields[name].error_messages["required"] = (
                f"Select yes or no: {self.fields[name].label[0].lower()}"
                f"{self.fields[name].label[1:]}"
            )

    def answers(self) -> dict:
        return {
            name: self.cleaned_data[name] == "yes"
            for name in ("alters_objectives", "contravenes_policy", "affects_budget")
        }


class ChangeEditForm(Form):
    submit_label = "Save"
    title = forms.CharField(
        label="Title", max_length=255, error_messages={"required": "Enter a short title"}
    )
    description = text_area("What should change", "Enter what should change")
    reason = text_area("Why", "Enter why the change is needed")
    effective_on = date_field("Takes effect from", what="the date the change takes effect")
    field_widths = {"effective_on": 10}


class ImpactForm(Form):
    submit_label = "Save the impact assessment"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    # Every part may be saved empty while drafting; submitting to the board needs all.
    impact_financial = text_area(dict(IMPACT_FIELDS)["impact_financial"], "", required=False)
    impact_service_users = text_area(
        dict(IMPACT_FIELDS)["impact_service_users"], "", required=False
    )
    impact_equalities = text_area(dict(IMPACT_FIELDS)["impact_equalities"], "", required=False)
    impact_legal = text_area(dict(IMPACT_FIELDS)["impact_legal"], "", required=False)
    impact_staffing = text_area(dict(IMPACT_FIELDS)["impact_staffing"], "", required=False)


class KpiItemForm(Form):
    submit_label = "Add the KPI change"
    key = forms.ChoiceField(
        label="KPI",
        error_messages={"required": "Choose the KPI", "invalid_choice": "Choose the KPI"},
    )
    annual_target = decimal_field("New annual target", "the new annual target")
    floor = decimal_field("New floor (optional)", "the new floor", required=False)
    field_widths = {"annual_target": 10, "floor": 10}

    def __init__(self, *args, kpis=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "Choose a KPI")] + [
            (k.code, f"{k.code} {k.title} (target {k.annual_target.normalize():f})")
            for k in kpis
            if not k.is_activity and k.annual_target is not None
        ]


class SectionItemForm(Form):
    submit_label = "Add the section change"
    key = forms.ChoiceField(
        label="Section",
        choices=[("", "Choose a section"), *SectionKind.choices],
        error_messages={"required": "Choose the section", "invalid_choice": "Choose the section"},
    )
    text = text_area("New text of the section", "Enter the new text of the section", rows=10)


class RequirementItemForm(Form):
    submit_label = "Add the requirement change"
    key = forms.CharField(
        label="Requirement code",
        max_length=30,
        help_text="An existing code changes that requirement; a new code adds one.",
        error_messages={"required": "Enter the requirement code, like O1.R3"},
    )
    outcome_code = forms.ChoiceField(label="Outcome (for a new requirement)", required=False)
    text = text_area("Requirement (leave empty to remove it)", "", required=False, rows=4)
    field_widths = {"key": 10}

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_code"].choices = [("", "Not a new requirement")] + [
            (o.code, f"{o.code} {o.title}") for o in outcomes
        ]


class ToleranceItemForm(Form):
    submit_label = "Add the tolerance change"
    performance_tolerance_percent = decimal_field(
        "Performance tolerance (%)", "the performance tolerance", unit="percentage"
    )
    budget_tolerance_percent = decimal_field(
        "Budget tolerance (%)", "the budget tolerance", unit="percentage"
    )
    budget_tolerance_amount = decimal_field(
        "Budget tolerance (£)", "the budget tolerance in pounds", unit="money"
    )
    field_widths = {
        "performance_tolerance_percent": 5,
        "budget_tolerance_percent": 5,
        "budget_tolerance_amount": 10,
    }


class BudgetLineForm(Form):
    submit_label = "Add the budget change"
    start_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={"required": "Choose the year", "invalid_choice": "Choose the year"},
    )
    line_key = forms.ChoiceField(
        label="Budget line",
        error_messages={"required": "Choose the budget line", "invalid_choice": "Choose the line"},
    )
    amount = decimal_field("New amount (£)", "the new amount", unit="money", min_value=None)
    field_widths = {"amount": 10}

    def __init__(self, *args, years=(), lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        from lra_commissioning.dates import financial_year_label

        self.fields["start_year"].choices = [("", "Choose a year")] + [
            (y, financial_year_label(y)) for y in years
        ]
        self.fields["line_key"].choices = [("", "Choose a line")] + list(lines)


class RaiseToFundamentalForm(Form):
    submit_label = "Raise to a fundamental change"
    reason = text_area(
        "Why does this need the board's decision?", "Enter why this needs the board's decision"
    )


class DecisionForm(Form):
    submit_label = "Record the decision"
    decision = forms.ChoiceField(
        label="The board's decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the board's decision"},
    )
    decided_on = date_field("Date of the board's decision", what="the date of the board's decision")
    minute_reference = forms.CharField(
        label="Board minute reference",
        max_length=100,
        error_messages={"required": "Enter the board minute reference, like LRA-SB/2017/12"},
    )
    conditions = text_area("Conditions (for an approval with conditions)", "", required=False)
    comments = text_area("Comments (optional)", "", required=False, rows=3)
    field_widths = {"decided_on": 10, "minute_reference": 20}

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == Decision.APPROVED_WITH_CONDITIONS
            and not (data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Enter the conditions the board set")
        return data


class IdeaForm(Form):
    submit_label = "Propose to the board"
    title = forms.CharField(
        label="Title", max_length=255, error_messages={"required": "Enter a short title"}
    )
    description = text_area("Description", "Describe the idea")
    benefits = text_area("Benefits", "Enter the benefits")
    costs = text_area("Costs", "Enter the costs, or say there are none")
    risks = text_area("Risks", "Enter the risks, or say there are none")


class IdeaDecisionForm(Form):
    submit_label = "Record the board's view"
    decision = forms.ChoiceField(
        label="The board's view",
        choices=IdeaDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the board's view"},
    )
    decided_on = date_field("Date of the board's decision", what="the date of the board's decision")
    minute_reference = forms.CharField(
        label="Board minute reference",
        max_length=100,
        error_messages={"required": "Enter the board minute reference, like LRA-SB/2017/12"},
    )
    comments = text_area("Comments (optional)", "", required=False, rows=3)
    field_widths = {"decided_on": 10, "minute_reference": 20}
