"""Who is told when specification work moves to them (see lra_commissioning.notifications).

One function per transition, called once by its service inside the transaction.
Event keys carry the submission they belong to, so a version returned twice
tells the commissioners twice, and a repeated call tells nobody twice.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm


def _version_event(version, what) -> str:
    stamp = version.submitted_at.isoformat() if version.submitted_at else ""
    return f"specification_version:{version.pk}:{what}:{stamp}"


def _title(version) -> str:
    return (
        f"The {version.specification.financial_year.label} specification, version {version.number}"
    )


def _url(version) -> str:
    return reverse("specifications:version_detail", args=[version.pk])


def version_submitted(version, *, by):
    """Sent to the board: the board members sign it off or return it."""
    notify(
        event=_version_event(version, "submitted"),
        kind=K.TO_DECIDE,
        recipients=people_who_can(Perm.SPECIFICATION_SIGN_OFF, version),
        title=f"{_title(version)} is with the board for sign-off",
        url=_url(version),
        by=by,
    )


def version_signed_off(version, *, by):
    """Signed off by the board: the head of service agrees it for the service."""
    notify(
        event=_version_event(version, "signed_off"),
        kind=K.TO_AGREE,
        recipients=people_who_can(Perm.SPECIFICATION_AGREE, version),
        title=f"{_title(version)} is signed off by the board: agree it for the service",
        url=_url(version),
        by=by,
    )


def version_returned(version, *, by):
    """Returned by the board: the commissioners change it and submit it again."""
    notify(
        event=_version_event(version, "returned"),
        kind=K.RETURNED,
        recipients=people_who_can(Perm.SPECIFICATION_DRAFT, version),
        title=f"{_title(version)} was returned by the board",
        body=version.board_comments,
        url=_url(version),
        by=by,
    )


def version_returned_by_service(version, *, by):
    """Returned by the head of service: the commissioners revise it for the board again."""
    stamp = version.service_returned_at.isoformat() if version.service_returned_at else ""
    notify(
        event=f"specification_version:{version.pk}:returned_by_service:{stamp}",
        kind=K.RETURNED,
        recipients=people_who_can(Perm.SPECIFICATION_DRAFT, version),
        title=f"{_title(version)} was returned by the head of service",
        body=version.service_return_reasons,
        url=_url(version),
        by=by,
    )


def version_agreed(version, *, by):
    """Agreed by the head of service: the commissioners publish it."""
    notify(
        event=_version_event(version, "agreed"),
        kind=K.DECIDED,
        recipients=people_who_can(Perm.SPECIFICATION_PUBLISH, version),
        title=f"{_title(version)} is agreed by the service: publish it",
        url=_url(version),
        by=by,
    )


def _plan_url(plan) -> str:
    return reverse("specifications:plan_detail", args=[plan.financial_year.start_year])


def business_plan_submitted(plan, *, by):
    """Submitted (or resubmitted): the commissioners review it."""
    again = plan.submission_count > 1
    notify(
        event=f"business_plan:{plan.financial_year.start_year}:submitted:{plan.submission_count}",
        kind=K.TO_REVIEW,
        recipients=people_who_can(Perm.BUSINESS_PLAN_REVIEW, plan),
        title=f"The {plan.financial_year.label} business plan was "
        f"{'resubmitted' if again else 'submitted'}: review it",
        url=_plan_url(plan),
        by=by,
    )


def business_plan_returned(plan, sections, *, by):
    """Returned with comments on sections: the service changes them and resubmits."""
    names = ", ".join(s.outcome.code for s in sections)
    notify(
        event=f"business_plan:{plan.financial_year.start_year}:returned:{plan.submission_count}",
        kind=K.RETURNED,
        recipients=people_who_can(Perm.BUSINESS_PLAN_WRITE, plan),
        title=f"The {plan.financial_year.label} business plan was returned: revise {names}",
        body=plan.review_comment,
        url=_plan_url(plan),
        by=by,
    )
