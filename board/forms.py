"""Forms parse what people type; the services decide what is allowed."""

import datetime
import re

from crispy_forms_gds.layout import Field
from django import forms
from django.utils.html import format_html

from lra_commissioning.forms import GovukDateField
from lra_commissioning.models import User
from specifications.forms import Form, date_field

from .models import AttendanceStatus, Position


def text_area(label, message="", required=True, rows=5, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message},
    )


def whole_number(label, what, *, minimum=0, maximum=20, help_text=""):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a whole number, like 1",
            "min_value": f"Enter {what} of {minimum} or more",
            "max_value": f"Enter {what} of {maximum} or less",
        },
    )


def person_field(label, message, help_text=""):
    return forms.ModelChoiceField(
        label=label,
        help_text=help_text,
        queryset=User.objects.filter(is_active=True, role_grants__isnull=False)
        .distinct()
        .order_by("full_name"),
        empty_label="Choose a person",
        error_messages={"required": message, "invalid_choice": message},
    )


class DynamicForm(Form):
    """A form whose fields are made per record: lays them out once they are added."""

    def lay_out(self):
        layout = []
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(field, GovukDateField):
                layout.append(Field(name))
            elif isinstance(widget, forms.Textarea):
                layout.append(Field.textarea(name, rows=widget.attrs.get("rows", 5)))
            elif isinstance(widget, forms.RadioSelect):
                layout.append(Field.radios(name, legend_size="s", inline=len(field.choices) <= 3))
            elif isinstance(widget, forms.Select):
                layout.append(Field.select(name))
            elif isinstance(widget, forms.CheckboxInput):
                layout.append(Field.checkbox(name))
            else:
                layout.append(Field.text(name, field_width=self.field_widths.get(name)))
        self.helper = self.build_helper(*layout)


# Settings and membership -----------------------------------------------------------------


class SettingsForm(Form):
    submit_label = "Save the settings"
    papers_working_days = whole_number(
        "Papers are due this many working days before the meeting",
        "the number of working days",
        minimum=1,
        maximum=20,
    )
    quorum_cabinet_members = whole_number("Cabinet Members", "the number of Cabinet Members")
    quorum_elected_members = whole_number("Other elected members", "the number of elected members")
    quorum_corporate_directors = whole_number(
        "Corporate Directors", "the number of Corporate Directors"
    )
    quorum_heads_of_service = whole_number("Heads of service", "the number of heads of service")
    quorum_total = whole_number(
        "Members present in all", "the number of members in all", minimum=1, maximum=30
    )
    field_widths = dict.fromkeys(("papers_working_days",), 2) | {
        f"quorum_{p}": 2
        for p in (
            "cabinet_members",
            "elected_members",
            "corporate_directors",
            "heads_of_service",
            "total",
        )
    }


class MembershipForm(Form):
    submit_label = "Add the member"
    user = person_field("Who", "Choose the person who joins the board")
    position = forms.ChoiceField(
        label="Position",
        choices=Position.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the member's position"},
    )
    title = forms.CharField(
        label="Title in the minutes (optional)",
        max_length=150,
        required=False,
        help_text="For example, Cabinet Member for Community Services",
    )
    starts_on = date_field("Member from", what="the date the membership starts")


class MembershipEndForm(Form):
    submit_label = "End the membership"
    ends_on = date_field("Last day as a member", what="the last day of the membership")


# Meetings ----------------------------------------------------------------------------------

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


class TimeOfDayField(forms.CharField):
    """A time typed the way people write it: 10am, 2:30pm, 14:30."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _TIME.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if half == "pm" else 0)
        try:
            return datetime.time(hour, minute)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, datetime.time):
            return value.strftime("%-I:%M%p").lower().replace(":00", "")
        return value


class MeetingForm(Form):
    submit_label = "Schedule the meeting"
    date = date_field("Date", what="the date of the meeting")
    starts_at = TimeOfDayField(
        label="Starts at",
        help_text="For example, 10am or 2:30pm",
        error_messages={
            "required": "Enter the time the meeting starts",
            "invalid": "Enter the time like 10am, 2:30pm or 14:30",
        },
    )
    location = forms.CharField(
        label="Where",
        max_length=200,
        error_messages={"required": "Enter where the meeting is held"},
    )
    field_widths = {"starts_at": 5}


class MeetingEditForm(MeetingForm):
    submit_label = "Save the changes"


class CancelForm(Form):
    submit_label = "Cancel the meeting"
    reason = text_area("Why is it cancelled?", "Enter why the meeting is cancelled", rows=3)


class ItemForm(DynamicForm):
    """Business added by hand (or, for a record's item, its confidentiality and note)."""

    submit_label = "Add to the agenda"
    title = forms.CharField(
        label="Title", max_length=255, error_messages={"required": "Enter the item's title"}
    )
    what_is_asked = text_area(
        "What is the board asked to do?", "Enter what the board is asked to do", rows=3
    )
    paper_text = text_area(
        "The paper",
        required=False,
        rows=8,
        help_text="Printed in the papers pack under the item.",
    )
    is_confidential = forms.BooleanField(
        label="Confidential: the public record withholds it", required=False
    )
    confidential_reason = text_area(
        "Why is it confidential?",
        required=False,
        rows=2,
        help_text="Shown on the public page instead of the item, for example: commercially "
        "sensitive (Local Government Act 1972, Schedule 12A, paragraph 3)",
    )

    def __init__(self, *args, hand_added=True, submit_label=None, **kwargs):
        if submit_label:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if not hand_added:
            del self.fields["title"]
            del self.fields["what_is_asked"]
            self.fields["paper_text"].label = "The commissioner's note (optional)"
            self.fields[
                "paper_text"
            ].help_text = "Printed in the papers pack after the paper generated from the record."
            self.lay_out()


class AttendanceForm(DynamicForm):
    submit_label = "Save the attendance"

    def __init__(self, *args, members=(), initial_statuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_statuses = initial_statuses or {}
        for m in members:
            name = f"member_{m.pk}"
            self.fields[name] = forms.ChoiceField(
                # crispy-forms-gds shows labels unescaped: escape what people typed.
                label=format_html("{}, {}", m.user, m.title or m.get_position_display()),
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=initial_statuses.get(m.pk),
                error_messages={"required": f"Select whether {m.user} was present"},
            )
        self.fields["in_attendance"] = text_area(
            "Also in attendance (optional)",
            required=False,
            rows=3,
            help_text="Officers and others who are not members, one a line",
        )
        self.members = list(members)
        self.lay_out()

    def statuses(self) -> dict:
        return {m.pk: self.cleaned_data.get(f"member_{m.pk}") for m in self.members}


class DeclarationForm(Form):
    submit_label = "Record the declaration"
    membership = forms.ChoiceField(
        label="Member",
        error_messages={"required": "Choose the member", "invalid_choice": "Choose the member"},
    )
    interest = text_area("The interest declared", "Enter the interest the member declared", rows=3)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["membership"].choices = [("", "Choose a member")] + [
            (str(m.pk), f"{m.user}, {m.title or m.get_position_display()}") for m in members
        ]

    def clean_membership(self):
        return self.members[self.cleaned_data["membership"]]


class DecisionForm(DynamicForm):
    submit_label = "Record the decision"

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"] = forms.ChoiceField(
            label="The board's decision",
            choices=[(o.value, o.label) for o in source.outcomes],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose the board's decision",
                "invalid_choice": "Choose the board's decision",
            },
        )
        self.fields["resolution"] = text_area(source.resolution_label, required=False, rows=4)
        self.fields["condition"] = text_area(
            "A condition or action (optional)",
            required=False,
            rows=3,
            help_text="It becomes a board action in its owner's calendar, with reminders "
            "until it is done. More can be added after the decision.",
        )
        self.fields["owner"] = person_field("Owner of the action", "Choose who owns the action")
        self.fields["owner"].required = False
        self.fields["due_on"] = date_field(
            "Action due by", required=False, what="the date the action is due"
        )
        self.lay_out()


class ActionForm(Form):
    submit_label = "Add the action"
    description = text_area("The action", "Enter the action", rows=3)
    owner = person_field("Owner", "Choose who owns the action")
    due_on = date_field("Due by", what="the date the action is due")


class ActionDoneForm(Form):
    submit_label = "Mark as done"
    note = text_area("What was done (optional)", required=False, rows=3)


class MinutesForm(DynamicForm):
    submit_label = "Save the minutes"

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"minute_{item.pk}"] = text_area(
                format_html("Minute {}: {}", item.minute_reference, item.title),
                f"Enter the minute of item {item.position}",
                rows=6,
            )
            self.fields[f"minute_{item.pk}"].initial = item.minute_text
        self.items = list(items)
        self.lay_out()

    def texts(self) -> dict:
        return {i.pk: self.cleaned_data[f"minute_{i.pk}"] for i in self.items}
