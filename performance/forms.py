"""Forms for the performance pages: they parse what people type; the services decide.

Every input goes through one of these: errors beside each field and in the
summary, everything typed comes back on an error, control characters refused,
lengths bounded, numbers and dates bounded to what the database holds
(lra_commissioning.forms). Field names of the return and review forms carry the
KPI code (`value-LIB01`), so the services' refusals (`FieldProblems`) land
beside the field they are about.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from lra_commissioning import dates
from lra_commissioning.forms import GovukDateField, GovukDecimalField, GovukTextField
from specifications.forms import Form as LaidOutForm

from . import periods, services
from .models import ActionStatus, CloseReason, EscalationKind, ValueStatus
from .services import FieldProblems

COMMENTARY_MAX = 4000
NOTE_MAX = 4000
REPORT_MAX = 10000


def put_problems(form, exc):
    """Show a service's refusal on the form: beside the fields it names, or at the top."""
    if isinstance(exc, FieldProblems):
        for name, message in exc.problems.items():
            form.add_error(name if name in form.fields else None, message)
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def _file_field(label, *, required=False, what="a file"):
    return forms.FileField(
        label=label,
        required=required,
        error_messages={
            "required": f"Select {what}",
            "empty": "The selected file is empty",
            "invalid": "The selected file could not be read: choose it again",
            "max_length": "The file name is too long: rename the file and choose it again",
        },
    )


class EvidenceLinkField(GovukTextField):
    """A web link starting http:// or https://; nothing else is ever linked to."""

    def __init__(self, *, code, **kwargs):
        super().__init__(what=f"the evidence link for {code}", max_length=500, **kwargs)
        self.code = code

    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                raise ValidationError(
                    f"Enter the evidence link for {self.code} as a web address starting https://"
                ) from None
        return value


class ReturnForm(forms.Form):
    """The month's KPI return: value, commentary and evidence for each KPI the service
    may still change (draft values, or queried values with the reason for the change).

    rows: [(kpi, KpiReturn or None, KpiCorrection or None)] in page order.
    """

    action = forms.ChoiceField(
        choices=[("save", "Save"), ("submit", "Submit"), ("resubmit", "Resubmit")],
        required=False,
    )

    def __init__(self, *args, rows, editable_statuses, month, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month
        self.rows = []
        self.corrections = {}
        for kpi, record, correction in rows:
            if correction is not None:
                self.corrections[kpi.code] = correction
            status = record.status if record is not None else ValueStatus.DRAFT
            editable = status in editable_statuses
            self.rows.append((kpi, record, editable))
            if not editable:
                continue
            code = kpi.code
            source = correction or record
            percent = " (per cent)" if kpi.unit == "percentage" else ""
            self.fields[f"value-{code}"] = GovukDecimalField(
                label=f"Value for {code}{percent}",
                what=f"the value for {code}",
                required=False,
                **services.value_bounds(kpi),
            )
            self.fields[f"commentary-{code}"] = GovukTextField(
                label=f"Commentary for {code}",
                what=f"the commentary for {code}",
                max_length=COMMENTARY_MAX,
                textarea=True,
                rows=2,
                required=False,
            )
            self.fields[f"evidence_url-{code}"] = EvidenceLinkField(
                code=code, label=f"Evidence link for {code} (optional)", required=False
            )
            self.fields[f"evidence_file-{code}"] = _file_field(
                f"Evidence file for {code} (optional: PDF, Word, Excel or CSV)"
            )
            if source is not None:
                self.initial.setdefault(f"value-{code}", source.value)
                self.initial.setdefault(f"commentary-{code}", source.commentary)
                self.initial.setdefault(f"evidence_url-{code}", source.evidence_url)
            if status == ValueStatus.QUERIED:
                self.fields[f"reason-{code}"] = GovukTextField(
                    label=f"What you changed in {code} and why",
                    what=f"what you changed in {code} and why",
                    max_length=COMMENTARY_MAX,
                    textarea=True,
                    rows=2,
                    required=False,
                )
                if correction is not None:
                    self.initial.setdefault(f"reason-{code}", correction.reason)

    @property
    def chosen_action(self) -> str:
        return (self.cleaned_data.get("action") if hasattr(self, "cleaned_data") else "") or "save"

    def entries(self) -> dict:
        """{KPI code: entry} for services.monthly_return_save."""
        data, entries = self.cleaned_data, {}
        for kpi, _record, editable in self.rows:
            if not editable:
                continue
            code = kpi.code
            entry = {
                "value": data.get(f"value-{code}"),
                "commentary": data.get(f"commentary-{code}") or "",
                "evidence_url": data.get(f"evidence_url-{code}") or "",
                "evidence_file": data.get(f"evidence_file-{code}"),
            }
            if f"reason-{code}" in self.fields:
                entry["reason"] = data.get(f"reason-{code}") or ""
            entries[code] = entry
        return entries

    def lines(self) -> list[dict]:
        """One line per KPI for the page: the KPI, its saved value, its period, whether
        it may be changed here, and its bound fields (by kind) when it may."""
        found = []
        for kpi, record, editable in self.rows:
            fields = {}
            if editable:
                for kind in ("value", "commentary", "evidence_url", "evidence_file", "reason"):
                    name = f"{kind}-{kpi.code}"
                    if name in self.fields:
                        fields[kind] = self[name]
            found.append(
                {
                    "kpi": kpi,
                    "record": record,
                    "period": (
                        dates.Period(record.period_start, record.period_end, "")
                        if record is not None
                        else periods.period_ending_in(kpi.frequency, self.month)
                    ),
                    "correction": self.corrections.get(kpi.code),
                    "editable": editable,
                    "fields": fields,
                }
            )
        return found


DECISIONS = [("accept", "Accept"), ("query", "Query")]


class ReviewForm(forms.Form):
    """Accept or query each submitted value. Nothing is chosen beforehand: each value
    needs an explicit choice, unless the commissioner asks to accept every value
    within tolerance (the rest then wait)."""

    action = forms.ChoiceField(
        choices=[("save", "Save"), ("within_tolerance", "Accept within tolerance")],
        required=False,
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            code = row.value_record.kpi_code
            self.fields[f"decision-{code}"] = forms.ChoiceField(
                label=f"Your decision on {code}",
                choices=DECISIONS,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Choose whether to accept or query {code}"},
            )
            self.fields[f"comment-{code}"] = GovukTextField(
                label=f"Comment on {code} (needed to query)",
                what=f"the comment on {code}",
                max_length=NOTE_MAX,
                textarea=True,
                rows=2,
                required=False,
            )

    def clean(self):
        data = super().clean()
        if (data.get("action") or "save") == "save":
            for row in self.rows:
                code = row.value_record.kpi_code
                if not data.get(f"decision-{code}") and f"decision-{code}" not in self.errors:
                    self.add_error(f"decision-{code}", f"Choose whether to accept or query {code}")
        return data

    def lines(self) -> list[dict]:
        return [
            {
                "row": row,
                "decision": self[f"decision-{row.value_record.kpi_code}"],
                "comment": self[f"comment-{row.value_record.kpi_code}"],
            }
            for row in self.rows
        ]

    @property
    def within_tolerance(self) -> bool:
        return self.cleaned_data.get("action") == "within_tolerance"

    def decisions(self) -> dict:
        """{kpi_return id: (decision, comment)} for the values decided on the page."""
        found = {}
        for row in self.rows:
            code = row.value_record.kpi_code
            decision = self.cleaned_data.get(f"decision-{code}")
            if decision:
                found[row.value_record.pk] = (
                    decision,
                    self.cleaned_data.get(f"comment-{code}") or "",
                )
        return found


class ReviseForm(LaidOutForm):
    submit_label = "Save the revision"
    value = GovukDecimalField(label="New value", what="the new value")
    reason = GovukTextField(
        label="Reason for the revision",
        what="the reason for the revision",
        max_length=NOTE_MAX,
        textarea=True,
        rows=3,
    )
    commentary = GovukTextField(
        label="Commentary (optional)",
        what="the commentary",
        max_length=COMMENTARY_MAX,
        textarea=True,
        rows=3,
        required=False,
    )
    field_widths = {"value": 10}

    def __init__(self, *args, kpi, **kwargs):
        super().__init__(*args, **kwargs)
        # The one value rule for this KPI (a percentage is at most 100).
        self.fields["value"] = GovukDecimalField(
            label="New value", what="the new value", **services.value_bounds(kpi)
        )


class UploadForm(LaidOutForm):
    submit_label = "Check the file"
    file = _file_field("Upload a file", required=True, what="a CSV or Excel file")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = "A CSV or Excel (XLSX) file with the columns kpi_code, period and value"


class ComparatorUploadForm(LaidOutForm):
    submit_label = "Upload and check"
    file = _file_field("CSV file", required=True, what="a CSV file")


class ReportForm(forms.Form):
    highlights = GovukTextField(
        label="Highlights",
        what="the highlights",
        max_length=REPORT_MAX,
        textarea=True,
        rows=5,
        required=False,
    )
    risks_and_issues = GovukTextField(
        label="Risks and issues",
        what="the risks and issues",
        max_length=REPORT_MAX,
        textarea=True,
        rows=5,
        required=False,
    )
    finance_summary = GovukTextField(
        label="Finance summary",
        what="the finance summary",
        max_length=REPORT_MAX,
        textarea=True,
        rows=5,
        required=False,
    )
    attachment = _file_field("Add an attachment (optional)")
    action = forms.ChoiceField(choices=[("save", "Save"), ("submit", "Submit")], required=False)


class ReportReviewForm(LaidOutForm):
    submit_label = "Save the review"
    comments = GovukTextField(
        label="Your comments on the report",
        what="your comments on the report",
        max_length=REPORT_MAX,
        textarea=True,
        rows=4,
    )


class PlanOpenForm(LaidOutForm):
    submit_label = "Open the plan"
    kpi_code = GovukTextField(label="KPI code", what="the KPI code", max_length=20)
    summary = GovukTextField(
        label="What the plan will do",
        what="what the plan will do",
        max_length=REPORT_MAX,
        textarea=True,
        rows=4,
    )
    month = forms.CharField(required=False, widget=forms.HiddenInput, max_length=7)
    trigger = forms.CharField(required=False, widget=forms.HiddenInput, max_length=255)
    field_widths = {"kpi_code": 5}

    def clean_kpi_code(self):
        return self.cleaned_data["kpi_code"].strip().upper()

    def clean_trigger(self):
        text = self.cleaned_data.get("trigger") or ""
        return "" if any(ord(c) < 32 for c in text) else text


class ActionAddForm(LaidOutForm):
    submit_label = "Add the action"
    description = GovukTextField(
        label="What will be done",
        what="what will be done",
        max_length=2000,
        textarea=True,
        rows=2,
    )
    owner = GovukTextField(label="Owner", what="who owns the action", max_length=150)
    due_on = GovukDateField(
        label="Due date", what="the due date", help_text="For example, 31 3 2017"
    )
    field_widths = {"owner": 20}


class ActionStatusForm(forms.Form):
    """An action's progress, as the service reports it (the service checks the move)."""

    action_id = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    progress = forms.ChoiceField(
        choices=ActionStatus.choices, error_messages={"required": "Choose the action's status"}
    )


class PlanCloseForm(LaidOutForm):
    submit_label = "Close the plan"
    reason = forms.ChoiceField(
        label="Why is the plan closing?",
        choices=CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the plan is being closed"},
    )
    note = GovukTextField(
        label="Note (the board's decision and minute reference, if the board accepts the position)",
        what="the note",
        max_length=NOTE_MAX,
        textarea=True,
        rows=2,
        required=False,
    )


class EscalationForm(LaidOutForm):
    submit_label = "Escalate to the board"
    title = GovukTextField(label="Title", what="the title", max_length=255)
    kind = forms.ChoiceField(
        label="Kind of risk",
        choices=EscalationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is a performance or a financial risk"},
    )
    kpi_code = GovukTextField(
        label="KPI code (optional)", what="the KPI code", max_length=20, required=False
    )
    description = GovukTextField(
        label="What the risk is and what the board must decide",
        what="what the risk is and what the board must decide",
        max_length=REPORT_MAX,
        textarea=True,
        rows=5,
    )
    field_widths = {"kpi_code": 5}

    def clean_kpi_code(self):
        return (self.cleaned_data.get("kpi_code") or "").strip().upper()


class EscalationResponseForm(LaidOutForm):
    submit_label = "Record the response"
    response = GovukTextField(
        label="The board's response",
        what="the board's response",
        max_length=REPORT_MAX,
        textarea=True,
        rows=5,
    )
