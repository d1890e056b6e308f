import datetime
import re
from decimal import Decimal

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from . import numbers
from .workflow import DomainError


def attempt_on_form(form, action):
    """Run a service; put its refusal on the form (on the field it names, if any).

    Returns the service's result, or None when it was refused.
    """
    try:
        return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    except DomainError as exc:
        form.add_error(None, str(exc))
    return None


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month and year boxes), with messages that name the date.

    `what` is the date in words, with its article: "the start date". The one
    date field of every form (specifications, changes, SLAs, the calendar).
    """

    def __init__(self, *, what="the date", **kwargs):
        super().__init__(**kwargs)
        self.what = what
        what_cap = what[:1].upper() + what[1:]
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"{what_cap} must include a day, month and year"
        self.error_messages["invalid"] = f"{what_cap} must be a real date"
        for field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            field.error_messages["incomplete"] = f"{what_cap} must include a {part}"
            field.validators[0].message = f"{what_cap} must be a real date"
        for widget in self.widget.widgets:
            widget.attrs["inputmode"] = "numeric"

    def compress(self, data_list):
        day, month, year = data_list
        if day and month and year:
            try:
                if not 1900 <= int(year) <= 2200:
                    raise ValueError
                return datetime.date(day=int(day), month=int(month), year=int(year))
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return None


class GovukDecimalField(forms.Field):
    """The one number field of the whole site (KPI values and targets, money, tolerances).

    Accepts "1,500", "1500.0" and, where the unit says so, "95%" or "£1,500";
    refuses exponents, text, more than `decimal_places` decimals, and values
    outside [min_value, max_value] or beyond what the database holds, each with
    a message that names `what` ("the annual target"). Shows a value without
    an exponent. unit: "percentage", "money" or "" (lra_commissioning.numbers).
    """

    def __init__(
        self,
        *,
        what="the number",
        unit="",
        min_value=Decimal(0),
        max_value=None,
        decimal_places=2,
        widget=None,
        **kwargs,
    ):
        if unit == numbers.PERCENTAGE and max_value is None:
            max_value = Decimal(100)
        self.what, self.unit = what, unit
        self.min_value, self.max_value = min_value, max_value
        self.decimal_places = decimal_places
        widget = widget or forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"})
        super().__init__(widget=widget, **kwargs)
        self.error_messages["required"] = f"Enter {what}"

    def prepare_value(self, value):
        """A stored value as people write it: 1450.00 as "1450", never "1.45E+3"."""
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            if self.unit == numbers.MONEY and value != int(value):
                return numbers.format_number(value, 2, grouping=False)
            return numbers.format_number(value, grouping=False)
        return value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return numbers.parse_decimal(
                value,
                what=self.what,
                unit=self.unit,
                min_value=self.min_value,
                max_value=self.max_value,
                decimal_places=self.decimal_places,
            )
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")
        return attrs


# C0 control characters (but tab, line feed and carriage return) and DEL: they
# cannot be typed, break exports and PDFs, and PostgreSQL refuses NUL outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class GovukTextField(forms.CharField):
    """Free text with a length bound and messages that name `what`; control
    characters (NUL among them) are refused with a message, never stored."""

    def __init__(self, *, what="the text", max_length=4000, textarea=False, rows=4, **kwargs):
        widget = kwargs.pop("widget", None) or (
            forms.Textarea(attrs={"rows": rows}) if textarea else forms.TextInput()
        )
        super().__init__(max_length=max_length, widget=widget, **kwargs)
        what_cap = what[:1].upper() + what[1:]
        self.what = what
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["max_length"] = (
            f"{what_cap} must be {numbers.format_number(max_length)} characters or fewer"
        )
        self.error_messages["null_characters_not_allowed"] = self._control_message()
        self.validators.append(self._refuse_control)

    def _control_message(self):
        return (
            f"{self.what[:1].upper() + self.what[1:]} contains a character that cannot be "
            "stored (a control character): remove it"
        )

    def _refuse_control(self, value):
        if value and _CONTROL.search(value):
            raise ValidationError(self._control_message(), code="control")


class GovukFormHelperMixin:
    """Give a form a crispy-forms GOV.UK helper with one submit button."""

    submit_label = "Continue"

    def build_helper(self, *fields):
        helper = FormHelper()
        # Templates write the <form> and its CSRF token; the helper renders fields.
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(*fields, Button("submit", self.submit_label))
        return helper


class SignInForm(GovukFormHelperMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both are case-sensitive.",
        "inactive": "This account has been closed. Ask an administrator to reopen it.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        self.fields["username"].error_messages["required"] = "Enter your e-mail address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = self.build_helper(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
        )


class PasswordResetRequestForm(GovukFormHelperMixin, auth_forms.PasswordResetForm):
    submit_label = "Send the reset link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your e-mail address",
                "invalid": "Enter an e-mail address in the correct format, like name@example.org",
            }
        )
        self.helper = self.build_helper(Field.text("email", field_width=20))


class NewPasswordForm(GovukFormHelperMixin, auth_forms.SetPasswordForm):
    submit_label = "Save the new password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters. Avoid common passwords and anything like your name "
            "or e-mail address."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm the new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.helper = self.build_helper(
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
        )


class ChoosePasswordForm(NewPasswordForm):
    """The first step of an invitation."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Create a password"
        self.fields["new_password2"].label = "Confirm your password"
        self.fields["new_password1"].error_messages["required"] = "Enter a password"
        self.fields["new_password2"].error_messages["required"] = "Enter the password again"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"


class OneTimeCodeForm(GovukFormHelperMixin, forms.Form):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, setup=False, **kwargs):
        super().__init__(*args, **kwargs)
        if setup:
            self.submit_label = "Turn on two-factor sign-in"
            self.fields["code"].label = "Code from the app"
            self.fields["code"].help_text = "The 6-digit code the app shows now"
        else:
            self.submit_label = "Sign in"
            self.fields[
                "code"
            ].help_text = (
                "The 6-digit code your authenticator app shows now, or one of your recovery codes"
            )
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper = self.build_helper(Field.text("code", field_width=10))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code:
            raise forms.ValidationError("Enter the code from your authenticator app")
        return code


class ConfirmItIsYouForm(GovukFormHelperMixin, forms.Form):
    """Before a change to two-factor sign-in: the password and a current code again."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=32,
        help_text="The 6-digit code your app shows now, or one of your unused recovery codes",
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, submit_label="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.submit_label = submit_label
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper = self.build_helper(
            Field.text("password", field_width=20),
            Field.text("code", field_width=10),
        )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code:
            raise forms.ValidationError("Enter the code from your authenticator app")
        return code
