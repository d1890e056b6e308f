"""Who may open each specifications page, on the demo data.

Demo versions are all published (frozen), so the edit pages send the
commissioner back to the version (302); POST-only actions answer a GET with 405.
"""

from .expectations import SM, STAFF, B, C, Page, public, staff  # noqa: E402


def _version_pk(major=2):
    from specifications.models import SpecificationVersion

    return SpecificationVersion.objects.get(major=major, minor=0).pk


def _version():
    return {"pk": _version_pk()}


def _public_version():
    return {"start_year": 2017, "major": 2, "minor": 0}


def _first(model_path, **filters):
    def kwargs():
        from importlib import import_module

        module, name = model_path.rsplit(".", 1)
        model = getattr(import_module(module), name)
        return {"pk": model.objects.filter(**filters).order_by("pk").first().pk}

    return kwargs


M = "specifications.models"
POST_ONLY = {"allowed": STAFF, "ok": 405}
FROZEN_EDIT = {"ok": 302}

PAGES = {
    # Public.
    "specifications:public_current": public(),
    "specifications:public_comment": public(),
    "specifications:comment_received": public(),
    "specifications:public_versions": public(),
    "specifications:public_compare": public(),
    "specifications:public_version": public(kwargs=_public_version),
    "specifications:public_version_pdf": public(kwargs=_public_version, html=False),
    # Staff: versions.
    "specifications:staff_index": staff(C, SM, B),
    "specifications:start_next_year": staff(C),
    "specifications:staff_compare": staff(C, SM, B),
    "specifications:version_detail": staff(C, SM, B, kwargs=_version),
    "specifications:version_pdf": staff(C, SM, B, kwargs=_version, html=False),
    "specifications:version_edit": staff(C, kwargs=_version, **FROZEN_EDIT),
    "specifications:version_submit": Page(kwargs=_version, **POST_ONLY),
    "specifications:version_agree": Page(kwargs=_version, **POST_ONLY),
    "specifications:version_publish": Page(kwargs=_version, **POST_ONLY),
    # A published version has no board decision to record: back to the version.
    "specifications:version_sign_off": staff(B, kwargs=_version, **FROZEN_EDIT),
    "specifications:version_return": staff(B, kwargs=_version, **FROZEN_EDIT),
    # Nor one for the head of service to return: back to the version.
    "specifications:version_return_by_service": staff(SM, kwargs=_version, **FROZEN_EDIT),
    # Content of a frozen version: the commissioner is sent back to the version.
    "specifications:outcome_create": staff(C, kwargs=_version, **FROZEN_EDIT),
    "specifications:kpi_create": staff(C, kwargs=_version, **FROZEN_EDIT),
    "specifications:section_edit": staff(C, kwargs=_first(f"{M}.Section"), **FROZEN_EDIT),
    "specifications:outcome_edit": staff(C, kwargs=_first(f"{M}.Outcome"), **FROZEN_EDIT),
    "specifications:outcome_delete": Page(kwargs=_first(f"{M}.Outcome"), **POST_ONLY),
    "specifications:requirement_create": staff(C, kwargs=_first(f"{M}.Outcome"), **FROZEN_EDIT),
    "specifications:requirement_edit": staff(
        C, kwargs=_first(f"{M}.ServiceRequirement"), **FROZEN_EDIT
    ),
    "specifications:requirement_delete": Page(
        kwargs=_first(f"{M}.ServiceRequirement"), **POST_ONLY
    ),
    "specifications:kpi_edit": staff(C, kwargs=_first(f"{M}.KPI"), **FROZEN_EDIT),
    "specifications:kpi_delete": Page(kwargs=_first(f"{M}.KPI"), **POST_ONLY),
    # Public comments: commissioners moderate.
    "specifications:comment_list": staff(C),
    "specifications:comment_export": staff(C, html=False),
    "specifications:comment_detail": staff(C, kwargs=_first(f"{M}.PublicComment")),
    "specifications:comment_decide": Page(kwargs=_first(f"{M}.PublicComment"), **POST_ONLY),
    # Business plans (2016/17 accepted, 2017/18 submitted in the demo).
    "specifications:plan_list": staff(C, SM, B),
    "specifications:plan_start": Page(**POST_ONLY),
    "specifications:plan_detail": staff(C, SM, B, kwargs=lambda: {"start_year": 2016}),
    "specifications:plan_summary_edit": staff(
        SM, kwargs=lambda: {"start_year": 2016}, **FROZEN_EDIT
    ),
    "specifications:plan_submit": Page(kwargs=lambda: {"start_year": 2016}, **POST_ONLY),
    # Every finished year's plan is accepted: its review page sends to the plan.
    "specifications:plan_review": staff(C, kwargs=lambda: {"start_year": 2017}, ok=302),
    "specifications:plan_section_edit": staff(
        SM, kwargs=_first(f"{M}.BusinessPlanSection"), **FROZEN_EDIT
    ),
    "specifications:plan_action_create": staff(
        SM, kwargs=_first(f"{M}.BusinessPlanSection"), **FROZEN_EDIT
    ),
    "specifications:plan_action_delete": Page(
        kwargs=_first(f"{M}.BusinessPlanAction"), **POST_ONLY
    ),
}
