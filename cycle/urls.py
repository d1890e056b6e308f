from django.urls import include, path

from . import views

app_name = "cycle"

calendar_patterns = [
    path("", views.calendar, name="calendar"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline"),
    path("feed/", views.feed_manage, name="feed"),
    path("feed/<str:token>.ics", views.feed_private, name="feed_private"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("reminders/new/", views.offset_edit, name="offset_add"),
    path("reminders/<int:pk>/", views.offset_edit, name="offset_edit"),
]

annual_reports_patterns = [
    path("manage/", views.reports, name="reports"),
    path("manage/<int:pk>/", views.report_detail, name="report"),
    path("manage/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("manage/<int:pk>/foreword/", views.report_foreword, name="report_foreword"),
    path(
        "manage/<int:pk>/outcomes/<int:chapter_pk>/",
        views.report_chapter,
        name="report_chapter",
    ),
    path(
        "manage/<int:pk>/outcomes/<int:chapter_pk>/assess/",
        views.report_chapter_assess,
        name="report_chapter_assess",
    ),
    path(
        "manage/<int:pk>/actions/<int:action_pk>/",
        views.report_action_return,
        name="report_action_return",
    ),
    path(
        "manage/<int:pk>/assessment/",
        views.report_overall_assess,
        name="report_overall_assess",
    ),
    path("manage/<int:pk>/send/", views.report_submit, name="report_submit"),
    path("manage/<int:pk>/return/", views.report_return, name="report_return"),
    path(
        "manage/<int:pk>/committee/",
        views.report_committee,
        name="report_committee",
    ),
    path("manage/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
    path("", views.public_annual_reports, name="public_annual_reports"),
    path("publication-dates.ics", views.feed_public, name="feed_public"),
    path("<int:start_year>/", views.public_annual_report, name="public_annual_report"),
    path(
        "<int:start_year>/committee-report/pdf/",
        views.public_cabinet_report_pdf,
        name="public_cabinet_report_pdf",
    ),
    path(
        "<int:start_year>/pdf/",
        views.public_annual_report_pdf,
        name="public_annual_report_pdf",
    ),
]

commissioning_approach_patterns = [
    path(
        "reviews/<int:start_year>/",
        views.approach_review,
        name="approach_review",
    ),
    path(
        "reviews/<int:start_year>/edit/",
        views.approach_review_edit,
        name="approach_review_edit",
    ),
    path(
        "reviews/<int:start_year>/service-input/",
        views.approach_review_input,
        name="approach_review_input",
    ),
    path(
        "reviews/<int:start_year>/considered/",
        views.approach_review_consideration,
        name="approach_review_consideration",
    ),
]

urlpatterns = [
    path("calendar/", include(calendar_patterns)),
    path("annual-reports/", include(annual_reports_patterns)),
    path("commissioning-approach/", include(commissioning_approach_patterns)),
]
