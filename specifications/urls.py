from django.urls import path

from . import views

app_name = "specifications"

VERSION = "specification/versions/<int:start_year>/<int:major>.<int:minor>/"

urlpatterns = [
    # The public site: stable addresses, no sign-in.
    path("specification/", views.public_current, name="public_current"),
    path("specification/comment/", views.public_comment, name="public_comment"),
    path("specification/comment-received/", views.comment_received, name="comment_received"),
    path("specification/versions/", views.public_versions, name="public_versions"),
    path("specification/compare/", views.public_compare, name="public_compare"),
    path(VERSION, views.public_version, name="public_version"),
    path(VERSION + "specification.pdf", views.public_version_pdf, name="public_version_pdf"),
    # Staff pages.
    path("specifications/", views.staff_index, name="staff_index"),
    path("specifications/start-next-year/", views.start_next_year, name="start_next_year"),
    path("specifications/compare/", views.staff_compare, name="staff_compare"),
    path("specifications/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("specifications/versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
    path("specifications/versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("specifications/versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path(
        "specifications/versions/<int:pk>/sign-off/",
        views.version_sign_off,
        name="version_sign_off",
    ),
    path("specifications/versions/<int:pk>/return/", views.version_return, name="version_return"),
    path("specifications/versions/<int:pk>/agree/", views.version_agree, name="version_agree"),
    path(
        "specifications/versions/<int:pk>/return-by-service/",
        views.version_return_by_service,
        name="version_return_by_service",
    ),
    path(
        "specifications/versions/<int:pk>/publish/", views.version_publish, name="version_publish"
    ),
    path(
        "specifications/versions/<int:pk>/outcomes/new/",
        views.outcome_create,
        name="outcome_create",
    ),
    path("specifications/versions/<int:pk>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("specifications/sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("specifications/outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("specifications/outcomes/<int:pk>/delete/", views.outcome_delete, name="outcome_delete"),
    path(
        "specifications/outcomes/<int:pk>/requirements/new/",
        views.requirement_create,
        name="requirement_create",
    ),
    path(
        "specifications/requirements/<int:pk>/edit/",
        views.requirement_edit,
        name="requirement_edit",
    ),
    path(
        "specifications/requirements/<int:pk>/delete/",
        views.requirement_delete,
        name="requirement_delete",
    ),
    path("specifications/kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("specifications/kpis/<int:pk>/delete/", views.kpi_delete, name="kpi_delete"),
    # Public comments, for commissioners.
    path("specifications/comments/", views.comment_list, name="comment_list"),
    path("specifications/comments/export.csv", views.comment_export, name="comment_export"),
    path("specifications/comments/<int:pk>/", views.comment_detail, name="comment_detail"),
    path("specifications/comments/<int:pk>/decide/", views.comment_decide, name="comment_decide"),
    # The annual business plan.
    path("specifications/business-plans/", views.plan_list, name="plan_list"),
    path("specifications/business-plans/start/", views.plan_start, name="plan_start"),
    path("specifications/business-plans/<int:start_year>/", views.plan_detail, name="plan_detail"),
    path(
        "specifications/business-plans/<int:start_year>/summary/",
        views.plan_summary_edit,
        name="plan_summary_edit",
    ),
    path(
        "specifications/business-plans/<int:start_year>/submit/",
        views.plan_submit,
        name="plan_submit",
    ),
    path(
        "specifications/business-plans/<int:start_year>/review/",
        views.plan_review,
        name="plan_review",
    ),
    path(
        "specifications/business-plans/sections/<int:pk>/edit/",
        views.plan_section_edit,
        name="plan_section_edit",
    ),
    path(
        "specifications/business-plans/sections/<int:pk>/actions/new/",
        views.plan_action_create,
        name="plan_action_create",
    ),
    path(
        "specifications/business-plans/actions/<int:pk>/delete/",
        views.plan_action_delete,
        name="plan_action_delete",
    ),
]
