from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import notification_views, two_factor, views

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("home/", views.home, name="home"),
    path("accessibility/", views.static_page("pages/accessibility.html"), name="accessibility"),
    path("privacy/", views.static_page("pages/privacy.html"), name="privacy"),
    path("cookies/", views.static_page("pages/cookies.html"), name="cookies"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/settings/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    # Signing in and out.
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", two_factor.verify, name="two_factor_verify"),
    path("sign-in/set-up/", two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/", two_factor.manage, name="two_factor_manage"),
    path("account/two-factor/new-app/", two_factor.replace, name="two_factor_replace"),
    path(
        "account/two-factor/new-recovery-codes/",
        two_factor.new_recovery_codes,
        name="two_factor_new_recovery_codes",
    ),
    path(
        "account/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # An administrator's invitation (or one asked for on the reset page): set a
    # password, then two-factor sign-in.
    path("invitation/<int:pk>/<str:token>/", views.invitation, name="invitation"),
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
    # The apps of the public pages (the specification, annual reports) first:
    # Django tries URL patterns in order, and these are read the most. Each app
    # groups its patterns under their first segment ("performance/", "budget/"),
    # so an address is matched against its own app's patterns only.
    path("", include("specifications.urls")),
    path("", include("cycle.urls")),
    path("", include("performance.urls")),
    path("", include("funding.urls")),
    path("", include("changes.urls")),
    path("", include("slas.urls")),
    path("", include("board.urls")),
]

handler400 = "lra_commissioning.views.error_400"
handler403 = "lra_commissioning.views.error_403"
handler404 = "lra_commissioning.views.error_404"
handler500 = "lra_commissioning.views.error_500"
