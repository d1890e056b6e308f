"""The shared pages: public home, signed-in home, static pages, health."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import attention, page_cache, two_factor
from .access import require
from .forms import NewPasswordForm, PasswordResetRequestForm, SignInForm
from .selectors import public_home_context


@require_GET
@page_cache.keep_public_page
def public_home(request):
    return render(request, "pages/public_home.html", public_home_context())


@login_required
def home(request):
    if not request.user.roles:
        # Signed in but holding no role: nothing here is theirs yet.
        return render(request, "pages/no_role.html", status=403)
    require(request.user, "staff.home")
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
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


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


def error_400(request, exception):
    return render(request, "errors/400.html", status=400)
