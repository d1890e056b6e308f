from django.urls import path

from . import views

app_name = "cycle"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/deadlines/<int:pk>/", views.deadline_detail, name="deadline"),
    path("calendar/feed/", views.feed_manage, name="feed"),
    path("calendar/feed/<str:token>.ics", views.feed_private, name="feed_private"),
    path("calendar/rules/", views.rules, name="rules"),
    path("calendar/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("calendar/reminders/new/", views.offset_edit, name="offset_add"),
    path("calendar/reminders/<int:pk>/", views.offset_edit, name="offset_edit"),
    path("annual-reports/manage/", views.reports, name="reports"),
    path("annual-reports/manage/<int:pk>/", views.report_detail, name="report"),
    path("annual-reports/manage/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("annual-reports/manage/<int:pk>/foreword/", views.report_foreword, name="report_foreword"),
    path(
        "annual-reports/manage/<int:pk>/outcomes/<int:chapter_pk>/",
        views.report_chapter,
        name="report_chapter",
    ),
    path(
        "annual-reports/manage/<int:pk>/outcomes/<int:chapter_pk>/assess/",
        views.report_chapter_assess,
        name="report_chapter_assess",
    ),
    path(
        "annual-reports/manage/<int:pk>/actions/<int:action_pk>/",
        views.report_action_return,
        name="report_action_return",
    ),
    path(
        "annual-reports/manage/<int:pk>/assessment/",
        views.report_overall_assess,
        name="report_overall_assess",
    ),
    path("annual-reports/manage/<int:pk>/send/", views.report_submit, name="report_submit"),
    path("annual-reports/manage/<int:pk>/return/", views.report_return, name="report_return"),
    path(
        "annual-reports/manage/<int:pk>/committee/",
        views.report_committee,
        name="report_committee",
    ),
    path(
        "annual-reports/manage/<int:pk>/<slug:action>/", views.report_action, name="report_action"
    ),
    path(
        "commissioning-approach/reviews/<int:start_year>/",
        views.approach_review,
        name="approach_review",
    ),
    path(
        "commissioning-approach/reviews/<int:start_year>/edit/",
        views.approach_review_edit,
        name="approach_review_edit",
    ),
    path(
        "commissioning-approach/reviews/<int:start_year>/service-input/",
        views.approach_review_input,
        name="approach_review_input",
    ),
    path(
        "commissioning-approach/reviews/<int:start_year>/considered/",
        views.approach_review_consideration,
        name="approach_review_consideration",
    ),
    path("annual-reports/", views.public_annual_reports, name="public_annual_reports"),
    path("annual-reports/publication-dates.ics", views.feed_public, name="feed_public"),
    path(
        "annual-reports/<int:start_year>/", views.public_annual_report, name="public_annual_report"
    ),
    path(
        "annual-reports/<int:start_year>/committee-report/pdf/",
        views.public_cabinet_report_pdf,
        name="public_cabinet_report_pdf",
    ),
    path(
        "annual-reports/<int:start_year>/pdf/",
        views.public_annual_report_pdf,
        name="public_annual_report_pdf",
    ),
]
