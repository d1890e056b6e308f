"""Who is told when funding work moves to them (see lra_commissioning.notifications).

One function per transition, called once by its service inside the transaction.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm


def _stamp(when) -> str:
    return when.isoformat() if when else ""


def version_proposed(version, *, by):
    """Proposed to the board: the board members agree it or return it."""
    notify(
        event=f"budget_version:{version.pk}:proposed:{_stamp(version.proposed_at)}",
        kind=K.TO_DECIDE,
        recipients=people_who_can(Perm.BUDGET_AGREE, version),
        title=f"{version} ({version.years_label}) is with the board to agree",
        url=reverse("funding:version_decide", kwargs={"number": version.number}),
        by=by,
    )


def version_decided(version, *, agreed: bool, by):
    """The board's decision: the commissioners confirm it to the service, or revise it."""
    notify(
        event=f"budget_version:{version.pk}:decided:{_stamp(version.proposed_at)}",
        kind=K.DECIDED if agreed else K.RETURNED,
        recipients=people_who_can(Perm.BUDGET_DRAFT, version),
        title=f"The board agreed {version}: confirm it to the service"
        if agreed
        else f"The board returned {version}",
        body="" if agreed else version.board_comments,
        url=reverse("funding:version_detail", kwargs={"number": version.number}),
        by=by,
    )


def notice_issued(notice, *, by):
    """A budget confirmation or change notice: the head of service acknowledges it."""
    notify(
        event=f"budget_notice:{notice.pk}:issued",
        kind=K.BUDGET_NOTICE,
        recipients=people_who_can(Perm.BUDGET_NOTICE_ACKNOWLEDGE, notice.version),
        title=f"{notice.get_kind_display()} for budget version {notice.version.number}: "
        "acknowledge it",
        url=reverse("funding:notice_detail", kwargs={"pk": notice.pk}),
        by=by,
    )
