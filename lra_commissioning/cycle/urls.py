from django.urls import path

from . import views

app_name = "cycle"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/deadlines/<int:pk>/", views.deadline_detail, name="deadline"),
    path("calendar/notifications/", views.notifications, name="notifications"),
    path("calendar/feed/", views.feed_manage, name="feed"),
    path("calendar/feed/<str:token>.ics", views.feed_private, name="feed_private"),
    path("calendar/rules/", views.rules, name="rules"),
    path("calendar/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("calendar/reminders/new/", views.offset_edit, name="offset_add"),
    path("calendar/reminders/<int:pk>/", views.offset_edit, name="offset_edit"),
    path("annual-reports/manage/", views.reports, name="reports"),
    path("annual-reports/manage/<int:pk>/", views.report_detail, name="report"),
    path("annual-reports/manage/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path(
        "annual-reports/manage/<int:pk>/<slug:action>/", views.report_action, name="report_action"
    ),
    path("annual-reports/", views.public_annual_reports, name="public_annual_reports"),
    path("annual-reports/publication-dates.ics", views.feed_public, name="feed_public"),
    path(
        "annual-reports/<int:start_year>/", views.public_annual_report, name="public_annual_report"
    ),
    path(
        "annual-reports/<int:start_year>/pdf/",
        views.public_annual_report_pdf,
        name="public_annual_report_pdf",
    ),
]
