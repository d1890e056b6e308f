"""Forms for the budget pages. Each field has its own GOV.UK error message.

Amounts are text inputs (inputmode decimal) parsed by `budget.parse_amount`,
which says exactly what is wrong (text, pence, magnitude, sign).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from lra_commissioning import dates
from lra_commissioning.forms import GovukDecimalField

from . import budget as calc
from .models import Category, IncomeRule, VersionKind


class AmountField(GovukDecimalField):
    """The site's one decimal field for an amount in pounds, with the budget's own
    rules and words (`budget.parse_amount`: negatives only where the category allows
    them, under £1 billion)."""

    def __init__(self, *, label, category=None, **kwargs):
        self.category = category
        super().__init__(
            label=label,
            what=label,
            unit="money",
            min_value=None,
            widget=forms.TextInput(
                attrs={
                    "class": "govuk-input govuk-input--width-10 lra-numeric",
                    "spellcheck": "false",
                }
            ),
            **kwargs,
        )
        self.error_messages["required"] = f"Enter an amount for {label}, or 0"

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return calc.parse_amount(value, label=self.label, category=self.category)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class VersionStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is this version for?",
        choices=VersionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this is the annual agreement or a change"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Shown to the board and on the notice to the head of service.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        max_length=4000,
        error_messages={"required": "Enter the reason for this version"},
    )
    start_year = forms.CharField(
        label="First financial year",
        help_text="The year the five years start, for example 2016 for 2016/17.",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, first_budget: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_budget = first_budget
        if first_budget:
            self.fields["kind"].choices = [(VersionKind.ANNUAL, VersionKind.ANNUAL.label)]

    def clean_start_year(self):
        raw = (self.cleaned_data.get("start_year") or "").strip()
        if not self.first_budget:
            return None
        if not raw:
            raise ValidationError("Enter the first financial year, for example 2016")
        if not raw.isdigit() or not 2000 <= int(raw) <= 2095:
            raise ValidationError("The first financial year must be a year like 2016")
        return int(raw)


class VersionEditForm(forms.Form):
    """Every line of every year, the savings, the income rule and the reason."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for this version",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        max_length=4000,
        error_messages={"required": "Enter the reason for this version"},
    )
    income_rule = forms.ChoiceField(
        label="How building-related income is split with Property",
        choices=IncomeRule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how building-related income is split with Property"},
    )
    income_service_percent = forms.CharField(
        label="The service's share (percentage rule)",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "decimal"}
        ),
    )
    income_threshold = forms.CharField(
        label="Threshold kept by Property each year (threshold rule)",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
    )

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.cells = []  # (row, [bound fields per year])
        for row in grid.rows:
            names = []
            for year in grid.years:
                name = f"amount__{row.key}__{year}"
                self.fields[name] = AmountField(
                    label=f"{row.label} in {dates.financial_year_label(year)}",
                    category=row.category,
                )
                names.append(name)
            self.cells.append((row, names))
        self.savings_names = []
        for year in grid.years:
            name = f"savings__{year}"
            self.fields[name] = AmountField(
                label=f"Savings required in {dates.financial_year_label(year)}"
            )
            self.savings_names.append(name)

    @classmethod
    def initial_for(cls, grid):
        version = grid.version
        initial = {
            "revision": version.revision,
            "reason": version.reason,
            "income_rule": version.income_rule,
            "income_service_percent": f"{version.income_service_percent.normalize():f}",
            "income_threshold": f"{version.income_threshold:f}",
        }
        for row in grid.rows:
            for year, amount in zip(grid.years, row.amounts, strict=True):
                initial[f"amount__{row.key}__{year}"] = f"{amount:f}"
        for total in grid.totals:
            initial[f"savings__{total.start_year}"] = f"{total.savings_required:f}"
        return initial

    def clean_income_service_percent(self):
        raw = (self.cleaned_data.get("income_service_percent") or "").strip().rstrip("%")
        if self.data.get("income_rule") != IncomeRule.PERCENTAGE:
            return None
        if not raw:
            raise ValidationError("Enter the service's share of building income, from 0 to 100")
        try:
            value = calc.parse_amount(raw, label="The service's share")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if value > 100:
            raise ValidationError("The service's share must be between 0 and 100%")
        return value

    def clean_income_threshold(self):
        raw = self.cleaned_data.get("income_threshold") or ""
        if self.data.get("income_rule") != IncomeRule.THRESHOLD:
            return None
        if not raw.strip():
            raise ValidationError("Enter the threshold Property keeps each year")
        try:
            return calc.parse_amount(raw, label="The threshold")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def amounts(self):
        return {
            (year, row.key): self.cleaned_data[name]
            for row, names in self.cells
            for year, name in zip(self.grid.years, names, strict=True)
        }

    def savings(self):
        return {
            year: self.cleaned_data[name]
            for year, name in zip(self.grid.years, self.savings_names, strict=True)
        }

    def rows_with_fields(self):
        return [(row, [self[n] for n in names]) for row, names in self.cells]

    def savings_fields(self):
        return [self[n] for n in self.savings_names]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="The board's decision",
        choices=[("agree", "Agreed"), ("return", "Returned to the commissioner")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the board agreed the budget or returned it"},
    )
    day = forms.CharField(required=False, label="Day")
    month = forms.CharField(required=False, label="Month")
    year = forms.CharField(required=False, label="Year")
    minute_reference = forms.CharField(
        label="Minute reference",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    comments = forms.CharField(
        label="The board's comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        parts = [(data.get(k) or "").strip() for k in ("day", "month", "year")]
        if not any(parts):
            self.add_error("day", "Enter the date of the board's decision")
        elif not all(p.isdigit() for p in parts):
            self.add_error("day", "The date of the board's decision must be a real date")
        else:
            try:
                decided = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                self.add_error("day", "The date of the board's decision must be a real date")
            else:
                if decided > self.today:
                    self.add_error(
                        "day", "The date of the board's decision must be today or in the past"
                    )
                else:
                    data["decided_on"] = decided
        if data.get("decision") == "agree" and not (data.get("minute_reference") or "").strip():
            self.add_error(
                "minute_reference", "Enter the minute reference of the board's agreement"
            )
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "Enter the board's comments: say what must change")
        return data


class MonitoringForm(forms.Form):
    """A month's actual and forecast outturn for every category."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = []
        for category in calc.CATEGORY_ORDER:
            label = Category(category).label
            a, f = f"actual__{category}", f"forecast__{category}"
            self.fields[a] = AmountField(label=f"{label} actual in the month", category=category)
            self.fields[f] = AmountField(label=f"{label} forecast outturn", category=category)
            self.pairs.append((category, label, a, f))

    def rows(self):
        return [(c, label, self[a], self[f]) for c, label, a, f in self.pairs]

    def lines(self):
        return {c: (self.cleaned_data[a], self.cleaned_data[f]) for c, _label, a, f in self.pairs}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the month's figures",
        help_text="A CSV or Excel (.xlsx) file with the columns category, actual and forecast.",
        error_messages={"required": "Choose a CSV or Excel file to upload"},
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )


class ExplanationForm(forms.Form):
    text = forms.CharField(
        label="Explanation",
        help_text="Why the category is outside tolerance and what the service is doing about it.",
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        error_messages={"required": "Enter the explanation: why the category is outside tolerance"},
    )
