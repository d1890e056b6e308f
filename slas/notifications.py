"""Who is told when SLA work moves to them (see lra_commissioning.notifications).

One function per transition, called once by its service inside the transaction.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm


def sla_proposed(sla, *, by):
    """Proposed: each side agrees it, a service manager for the service and a lead of
    the support service for theirs (proposing agrees neither)."""
    notify(
        event=f"sla:{sla.pk}:proposed:{sla.proposed_on.isoformat() if sla.proposed_on else ''}",
        kind=K.TO_AGREE,
        recipients=people_who_can(Perm.SLA_AGREE_FOR_SERVICE, sla)
        + people_who_can(Perm.SLA_AGREE_FOR_SUPPORT_SERVICE, sla),
        title=f"{sla} is proposed: agree it for your side",
        url=reverse("slas:detail", args=[sla.pk]),
        by=by,
    )
