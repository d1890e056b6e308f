from django.urls import include, path, register_converter

from . import views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MonthConverter, "month")

app_name = "performance"

performance_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpis/<slug:code>/", views.kpi_detail, name="kpi"),
    path("status/", views.status_board, name="status"),
    path("year/", views.year_glance, name="year"),
    path("year/kpis-at-a-glance.pdf", views.year_glance_pdf, name="year_pdf"),
    path("returns/<month:month>/", views.return_detail, name="return"),
    path("returns/<month:month>/review/", views.return_review, name="review"),
    path("returns/<month:month>/upload/", views.return_upload, name="upload"),
    path(
        "returns/<month:month>/upload/<uuid:pk>/",
        views.upload_preview,
        name="upload_preview",
    ),
    path(
        "returns/<month:month>/template.<str:fmt>",
        views.return_template,
        name="template",
    ),
    path("values/<int:pk>/revise/", views.value_revise, name="revise"),
    path("values/<int:pk>/evidence/", views.value_evidence, name="evidence"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<month:month>/", views.report_detail, name="report"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("action-plans/", views.plan_list, name="plans"),
    path("action-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("comparators/import/", views.comparators_import, name="comparators_import"),
    path(
        "comparators/import/<uuid:pk>/",
        views.comparators_preview,
        name="comparators_preview",
    ),
]

urlpatterns = [
    path("performance/", include(performance_patterns)),
    path("open-data/", views.open_data, name="open_data"),
]
