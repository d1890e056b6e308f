"""The Django admin site, for administrators who have passed two-factor sign-in.

The admin edits raw records, so it always asks for the second factor, even
where `OTP_REQUIRED` is off for a demo. Its own sign-in form is not used: a
visitor is sent to the service's sign-in, a signed-in person without a
verified code to the code step (or to set up an authenticator app).
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device


class LraAdminSite(admin.AdminSite):
    site_header = "LRA Commissioning administration"
    site_title = "LRA Commissioning administration"

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and user.is_verified()

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        query = urlencode({"next": next_url})
        if request.user.is_authenticated:
            step = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
            return redirect(f"{reverse(step)}?{query}")
        return redirect(f"{reverse('login')}?{query}")


class LraAdminConfig(AdminConfig):
    default_site = "lra_commissioning.admin_site.LraAdminSite"
