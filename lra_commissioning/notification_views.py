"""A person's notifications and which of them they get by e-mail."""

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import notifications
from .access import permission_required
from .forms import GovukFormHelperMixin
from .models import NotificationKind
from .permissions import Perm


class EmailPreferencesForm(GovukFormHelperMixin, forms.Form):
    submit_label = "Save"

    email_kinds = forms.MultipleChoiceField(
        label="Send me an e-mail for",
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select the notifications you want by e-mail as well. Every notification "
        "is listed in the app whatever you choose here.",
        error_messages={"invalid_choice": "Select from the kinds of notification listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self.build_helper(Field.checkboxes("email_kinds", legend_size="m"))


@permission_required(Perm.STAFF_HOME)
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        n = notifications.notifications_mark_read(user=request.user)
        messages.success(request, f"{n} notification{'s' if n != 1 else ''} marked as read.")
        return redirect("notifications")
    items = notifications.notifications_for(request.user)
    return render(
        request,
        "notifications/list.html",
        {
            "unread_items": [n for n in items if n.is_unread],
            "read_items": [n for n in items if not n.is_unread],
        },
    )


@permission_required(Perm.STAFF_HOME)
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            notifications.email_preferences_save(
                user=request.user, email_kinds=form.cleaned_data["email_kinds"], by=request.user
            )
            messages.success(request, "Your e-mail choices have been saved.")
            return redirect("notification_settings")
    else:
        form = EmailPreferencesForm(
            initial={"email_kinds": sorted(notifications.email_kinds_for(request.user))}
        )
    return render(request, "notifications/settings.html", {"form": form})
