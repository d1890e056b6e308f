from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("budget/", views.index, name="index"),
    path("budget/versions/new/", views.version_new, name="version_new"),
    path("budget/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("budget/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path("budget/versions/<int:number>/board/", views.version_decide, name="version_decide"),
    path("budget/notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("budget/monitoring/", views.monitoring, name="monitoring"),
    path(
        "budget/monitoring/<int:year>/<int:month>/",
        views.monitoring_month,
        name="monitoring_month",
    ),
    path(
        "budget/monitoring/<int:year>/<int:month>/enter/",
        views.monitoring_enter,
        name="monitoring_enter",
    ),
    path(
        "budget/monitoring/<int:year>/<int:month>/upload/",
        views.monitoring_upload,
        name="monitoring_upload",
    ),
    path(
        "budget/monitoring/<int:year>/<int:month>/explain/<str:category>/",
        views.exception_explain,
        name="exception_explain",
    ),
    path("budget/full-cost/", views.full_cost, name="full_cost"),
]
