from lra_commissioning.roles import Role

from .expectations import EVERYONE, Page, public, staff


def _month(offset=0):
    """This month (offset 0) or one before it (-1), as "YYYY-MM": the demo story follows today."""
    from django.utils import timezone

    from lra_commissioning import dates

    return f"{dates.add_months(timezone.localdate().replace(day=1), offset):%Y-%m}"


C, SM, B, A = Role.COMMISSIONER, Role.SERVICE_MANAGER, Role.BOARD_MEMBER, Role.ADMINISTRATOR
VIEW = (C, SM, B)


def _value_pk():
    from performance.models import KpiReturn

    return {"pk": KpiReturn.objects.get(kpi_code="LIB05", period_start="2016-04-01").pk}


def _attachment_pk():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from performance.models import ReportAttachment

    attachment = ReportAttachment.objects.first()
    # The demo world is loaded once per module; each test has its own media folder.
    if not default_storage.exists(attachment.file.name):
        default_storage.save(attachment.file.name, ContentFile(b"category,budget\n"))
    return {"pk": attachment.pk}


def _plan_pk():
    from performance.models import ActionPlan

    return {"pk": ActionPlan.objects.first().pk}


def _escalation_pk():
    from performance.models import Escalation

    return {"pk": Escalation.objects.first().pk}


def _comparator_upload_pk():
    from lra_commissioning.models import User
    from performance.models import ComparatorUpload

    upload = ComparatorUpload.objects.create(
        file_name="comparators.csv",
        rows=[
            {
                "row": 2,
                "code": "LIB01",
                "year": 2016,
                "authority": "Essex",
                "value": "5.00",
                "replaces": None,
            }
        ],
        created_by=User.objects.get(email="admin@example.org"),
    )
    return {"pk": upload.pk}


def _upload_pk():
    from lra_commissioning.models import User
    from performance.models import MonthlyReturn, ReturnUpload

    ret = MonthlyReturn.objects.get(month=f"{_month(-1)}-01")
    upload = ReturnUpload.objects.create(
        monthly_return=ret,
        file_name="x.csv",
        rows=[],
        errors=[],
        created_by=User.objects.get(email="manager@example.org"),
    )
    return {"month": _month(-1), "pk": upload.pk}


PAGES: dict[str, Page] = {
    "performance:dashboard": staff(*VIEW),
    "performance:kpi": staff(*VIEW, kwargs=lambda: {"code": "LIB05"}),
    "performance:status": staff(*VIEW),
    # The year at a glance and its PDF for the board pack: whoever sees performance.
    "performance:year": staff(*VIEW, query="year=2016"),
    "performance:year_pdf": staff(*VIEW, query="year=2016", html=False),
    "performance:return": staff(*VIEW, kwargs=lambda: {"month": "2016-11"}),
    # Only submitted returns can be reviewed; last month's waits for review.
    "performance:review": staff(C, kwargs=lambda: {"month": _month(-1)}),
    "performance:upload": staff(SM, kwargs=lambda: {"month": _month()}),
    "performance:upload_preview": staff(SM, kwargs=_upload_pk),
    "performance:template": staff(SM, kwargs=lambda: {"month": _month(), "fmt": "xlsx"}),
    "performance:revise": staff(SM, kwargs=_value_pk),
    # No evidence file on the demo value: 404 for those who may see it, 404 for the rest too.
    "performance:evidence": Page(allowed=frozenset(VIEW), kwargs=_value_pk, ok=404, denied=404),
    "performance:reports": staff(*VIEW),
    "performance:report": staff(*VIEW, kwargs=lambda: {"month": "2017-09"}),
    "performance:attachment": Page(allowed=frozenset(VIEW), kwargs=_attachment_pk, denied=404),
    "performance:plans": staff(*VIEW),
    "performance:plan": staff(*VIEW, kwargs=_plan_pk),
    "performance:escalations": staff(*VIEW),
    "performance:escalation": staff(*VIEW, kwargs=_escalation_pk),
    "performance:comparators_import": staff(A),
    "performance:comparators_preview": staff(A, kwargs=_comparator_upload_pk),
    "performance:open_data": public(),
}
assert EVERYONE
