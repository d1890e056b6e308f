from django.urls import include, path

from . import views

app_name = "funding"

budget_patterns = [
    path("", views.index, name="index"),
    path("versions/new/", views.version_new, name="version_new"),
    path("versions/<int:number>/", views.version_detail, name="version_detail"),
    path("versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:number>/board/", views.version_decide, name="version_decide"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path(
        "monitoring/<int:year>/<int:month>/",
        views.monitoring_month,
        name="monitoring_month",
    ),
    path(
        "monitoring/<int:year>/<int:month>/enter/",
        views.monitoring_enter,
        name="monitoring_enter",
    ),
    path(
        "monitoring/<int:year>/<int:month>/upload/",
        views.monitoring_upload,
        name="monitoring_upload",
    ),
    path(
        "monitoring/<int:year>/<int:month>/explain/<str:category>/",
        views.exception_explain,
        name="exception_explain",
    ),
    path("full-cost/", views.full_cost, name="full_cost"),
]

urlpatterns = [
    path("budget/", include(budget_patterns)),
]
