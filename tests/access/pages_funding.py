from .expectations import SM, B, C, Page, staff  # noqa: F401


def _notice():
    from funding.models import BudgetNotice

    return {"pk": BudgetNotice.objects.order_by("-id").first().pk}


def _latest_version():
    from funding.models import BudgetVersion

    return {"number": BudgetVersion.objects.order_by("-number").first().number}


def _latest_confirmed_version():
    """The budget the service has been given (the latest, next year's, is with the board)."""
    from funding.models import BudgetVersion

    confirmed = BudgetVersion.objects.filter(status__in=["confirmed", "acknowledged"])
    return {"number": confirmed.order_by("-number").first().number}


MARCH_2017 = {"year": 2017, "month": 3}

PAGES: dict[str, Page] = {
    "funding:index": staff(C, SM, B),
    "funding:version_new": staff(C),
    "funding:version_detail": staff(C, SM, B, kwargs=_latest_confirmed_version),
    # The demo's latest version is agreed: the commissioner gets the page that says
    # it can no longer be changed, the board the page that says it is not with them.
    # Next year's budget is with the board: the service does not see it yet (404).
    "funding:version_edit": staff(C, kwargs=_latest_version, special={SM: 404}),
    "funding:version_decide": staff(B, kwargs=_latest_version, special={SM: 404}),
    "funding:notice_detail": staff(C, SM, B, kwargs=_notice),
    "funding:monitoring": staff(C, SM, B),
    "funding:monitoring_month": staff(C, SM, B, kwargs=lambda: MARCH_2017),
    "funding:monitoring_enter": staff(SM, kwargs=lambda: MARCH_2017),
    "funding:monitoring_upload": staff(SM, kwargs=lambda: MARCH_2017),
    "funding:exception_explain": staff(SM, kwargs=lambda: {**MARCH_2017, "category": "premises"}),
    "funding:full_cost": staff(C, SM, B),
}
