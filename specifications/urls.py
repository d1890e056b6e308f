from django.urls import include, path

from . import views

app_name = "specifications"

VERSION = "versions/<int:start_year>/<int:major>.<int:minor>/"  # under "specification/"

public_patterns = [
    # The public site: stable addresses, no sign-in.
    path("", views.public_current, name="public_current"),
    path("comment/", views.public_comment, name="public_comment"),
    path("comment-received/", views.comment_received, name="comment_received"),
    path("versions/", views.public_versions, name="public_versions"),
    path("compare/", views.public_compare, name="public_compare"),
    path(VERSION, views.public_version, name="public_version"),
    path(VERSION + "specification.pdf", views.public_version_pdf, name="public_version_pdf"),
]

staff_patterns = [
    # Staff pages.
    path("", views.staff_index, name="staff_index"),
    path("start-next-year/", views.start_next_year, name="start_next_year"),
    path("compare/", views.staff_compare, name="staff_compare"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path(
        "versions/<int:pk>/sign-off/",
        views.version_sign_off,
        name="version_sign_off",
    ),
    path("versions/<int:pk>/return/", views.version_return, name="version_return"),
    path("versions/<int:pk>/agree/", views.version_agree, name="version_agree"),
    path(
        "versions/<int:pk>/return-by-service/",
        views.version_return_by_service,
        name="version_return_by_service",
    ),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path(
        "versions/<int:pk>/outcomes/new/",
        views.outcome_create,
        name="outcome_create",
    ),
    path("versions/<int:pk>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/delete/", views.outcome_delete, name="outcome_delete"),
    path(
        "outcomes/<int:pk>/requirements/new/",
        views.requirement_create,
        name="requirement_create",
    ),
    path(
        "requirements/<int:pk>/edit/",
        views.requirement_edit,
        name="requirement_edit",
    ),
    path(
        "requirements/<int:pk>/delete/",
        views.requirement_delete,
        name="requirement_delete",
    ),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("kpis/<int:pk>/delete/", views.kpi_delete, name="kpi_delete"),
    # Public comments, for commissioners.
    path("comments/", views.comment_list, name="comment_list"),
    path("comments/export.csv", views.comment_export, name="comment_export"),
    path("comments/<int:pk>/", views.comment_detail, name="comment_detail"),
    path("comments/<int:pk>/decide/", views.comment_decide, name="comment_decide"),
    # The annual business plan.
    path("business-plans/", views.plan_list, name="plan_list"),
    path("business-plans/start/", views.plan_start, name="plan_start"),
    path("business-plans/<int:start_year>/", views.plan_detail, name="plan_detail"),
    path(
        "business-plans/<int:start_year>/summary/",
        views.plan_summary_edit,
        name="plan_summary_edit",
    ),
    path(
        "business-plans/<int:start_year>/submit/",
        views.plan_submit,
        name="plan_submit",
    ),
    path(
        "business-plans/<int:start_year>/review/",
        views.plan_review,
        name="plan_review",
    ),
    path(
        "business-plans/sections/<int:pk>/edit/",
        views.plan_section_edit,
        name="plan_section_edit",
    ),
    path(
        "business-plans/sections/<int:pk>/actions/new/",
        views.plan_action_create,
        name="plan_action_create",
    ),
    path(
        "business-plans/actions/<int:pk>/delete/",
        views.plan_action_delete,
        name="plan_action_delete",
    ),
]

urlpatterns = [
    path("specification/", include(public_patterns)),
    path("specifications/", include(staff_patterns)),
]
