from django.urls import path, register_converter

from . import views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MonthConverter, "month")

app_name = "performance"

urlpatterns = [
    path("performance/", views.dashboard, name="dashboard"),
    path("performance/kpis/<slug:code>/", views.kpi_detail, name="kpi"),
    path("performance/status/", views.status_board, name="status"),
    path("performance/year/", views.year_glance, name="year"),
    path("performance/year/kpis-at-a-glance.pdf", views.year_glance_pdf, name="year_pdf"),
    path("performance/returns/<month:month>/", views.return_detail, name="return"),
    path("performance/returns/<month:month>/review/", views.return_review, name="review"),
    path("performance/returns/<month:month>/upload/", views.return_upload, name="upload"),
    path(
        "performance/returns/<month:month>/upload/<uuid:pk>/",
        views.upload_preview,
        name="upload_preview",
    ),
    path(
        "performance/returns/<month:month>/template.<str:fmt>",
        views.return_template,
        name="template",
    ),
    path("performance/values/<int:pk>/revise/", views.value_revise, name="revise"),
    path("performance/values/<int:pk>/evidence/", views.value_evidence, name="evidence"),
    path("performance/reports/", views.report_list, name="reports"),
    path("performance/reports/<month:month>/", views.report_detail, name="report"),
    path("performance/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("performance/action-plans/", views.plan_list, name="plans"),
    path("performance/action-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("performance/escalations/", views.escalation_list, name="escalations"),
    path("performance/escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("performance/comparators/import/", views.comparators_import, name="comparators_import"),
    path(
        "performance/comparators/import/<uuid:pk>/",
        views.comparators_preview,
        name="comparators_preview",
    ),
    path("open-data/", views.open_data, name="open_data"),
]
