"""The shared pages: public home, signed-in home, static pages, health."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import attention, page_cache, services, two_factor
from .access import require
from .forms import ChoosePasswordForm, NewPasswordForm, PasswordResetRequestForm, SignInForm
from .models import Invitation
from .permissions import Perm
from .selectors import public_home_context
from .workflow import DomainError


@require_GET
@page_cache.keep_public_page
def public_home(request):
    return render(request, "pages/public_home.html", public_home_context())


@login_required
def home(request):
    if not request.user.roles:
        # Signed in but holding no role: nothing here is theirs yet.
        return render(request, "pages/no_role.html", status=403)
    require(request.user, Perm.STAFF_HOME)
    return render(
        request,
        "pages/home.html",
        {"attention": attention.items_for(request.user), "roles": request.user.role_labels},
    )


def static_page(template):
    @require_GET
    def view(request):
        return render(request, template, {"settings": settings})

    view.__name__ = template.replace("/", "_").replace(".html", "")
    return view


@never_cache
@require_GET
def healthz(request):
    """JSON state of the database and Redis; 503 when either is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"down: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "down: no answer"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"down: {exc.__class__.__name__}"
    else:
        checks["redis"] = "not configured"
    healthy = all(v in ("ok", "not configured") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503
    )


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        """A correct password signs in only where no second factor is needed."""
        user = form.get_user()
        if two_factor.needs_second_factor(user):
            return two_factor.start_pending_sign_in(
                self.request, user, next_url=self.get_redirect_url()
            )
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """ "I have forgotten my password": the same answer for every address.

    What the address gets (a reset link, a fresh invitation, or nothing) is
    decided by `services.password_help_request`; the e-mails go out from a
    task, so the page takes about as long whoever the address belongs to.
    """

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"

    def form_valid(self, form):
        services.password_help_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, pk, token):
    """An invitation's link: choose a password, then set up two-factor sign-in."""
    invitation = Invitation.objects.select_related("user").filter(pk=pk).first()
    if (
        invitation is None
        or not invitation.check_token(token)
        or not invitation.is_open()
        or not invitation.user.is_active
    ):
        return render(
            request,
            "registration/invitation_invalid.html",
            {"invitation_days": settings.INVITATION_DAYS},
        )
    person = invitation.user
    form = ChoosePasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_password_set(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return two_factor.start_invited_enrolment(request, person, invitation)
    return render(
        request,
        "registration/invitation.html",
        {"form": form, "person": person, "invitation": invitation},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    # Never sign in from the reset link: the person signs in afterwards,
    # with the second factor where one is needed.
    post_reset_login = False


def error_404(request, exception):
    return render(request, "errors/404.html", status=404)


def error_403(request, exception):
    return render(request, "errors/403.html", status=403)


def error_500(request):
    # No context processors: the fault may be the database they would query.
    html = loader.get_template("errors/500.html").render(
        {"service_name": settings.SERVICE_NAME, "council_name": settings.COUNCIL_NAME}
    )
    return HttpResponseServerError(html)


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token or cookie (CSRF_FAILURE_VIEW): the house 403.

    Django's own page is unstyled and carries an inline style the CSP refuses.
    The reason is for the log, not the person.
    """
    return render(request, "errors/403_csrf.html", status=403)


def error_400(request, exception):
    return render(request, "errors/400.html", status=400)
