from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("home/", views.home, name="home"),
    path("accessibility/", views.static_page("pages/accessibility.html"), name="accessibility"),
    path("privacy/", views.static_page("pages/privacy.html"), name="privacy"),
    path("cookies/", views.static_page("pages/cookies.html"), name="cookies"),
    path("healthz", views.healthz, name="healthz"),
    # Signing in and out.
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("administration/", include("lra_commissioning.admin_urls")),
    path("admin/", admin.site.urls),
    path("", include("specifications.urls")),
    path("", include("performance.urls")),
    path("", include("funding.urls")),
    path("", include("changes.urls")),
    path("", include("slas.urls")),
    path("", include("lra_commissioning.cycle.urls")),
]

handler400 = "lra_commissioning.views.error_400"
handler403 = "lra_commissioning.views.error_403"
handler404 = "lra_commissioning.views.error_404"
handler500 = "lra_commissioning.views.error_500"
