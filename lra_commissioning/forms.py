import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

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
