"""Who is told when change work moves to them (see lra_commissioning.notifications).

One function per transition, called once by its service inside the transaction.
"""

from django.urls import reverse

from lra_commissioning.models import NotificationKind as K
from lra_commissioning.notifications import notify, people_who_can
from lra_commissioning.permissions import Perm

from .models import APPROVING_DECISIONS


def _stamp(when) -> str:
    return when.isoformat() if when else ""


def _url(change) -> str:
    return reverse("changes:detail", args=[change.pk])


def change_submitted(change, *, by):
    """A fundamental change goes to the board members, who decide it; a minor
    variation to a commissioner and the head of service, who each agree it."""
    if change.is_fundamental:
        recipients = people_who_can(Perm.CHANGE_DECIDE, change)
        kind, what = K.TO_DECIDE, "is with the board for a decision"
    else:
        recipients = people_who_can(Perm.CHANGE_AGREE_FOR_COUNCIL, change) + people_who_can(
            Perm.CHANGE_AGREE_FOR_SERVICE, change
        )
        kind, what = K.TO_AGREE, "is a minor variation waiting for your agreement"
    notify(
        event=f"change_request:{change.pk}:submitted:{_stamp(change.submitted_at)}",
        kind=kind,
        recipients=recipients,
        title=f"{change.reference} {change.title} {what}",
        url=_url(change),
        by=by,
    )


def change_decided(change, *, by):
    """The board's decision: an approved change goes to the head of service to agree it
    for the service (then the commissioners apply it); any other decision goes back to
    the person who raised it."""
    approved = change.decision in APPROVING_DECISIONS
    notify(
        event=f"change_request:{change.pk}:decided",
        kind=K.TO_AGREE if approved else K.DECIDED,
        recipients=(
            people_who_can(Perm.CHANGE_AGREE_FOR_SERVICE, change)
            if approved
            else [change.raised_by]
        ),
        title=f"The board decided {change.reference} {change.title}: "
        f"{change.get_decision_display().lower()}"
        + (": agree it for the service" if approved else ""),
        url=_url(change),
        by=by,
    )


def change_agreed_for_service(change, *, by):
    """A fundamental change the board approved, now agreed for the service: the
    commissioners apply it."""
    notify(
        event=f"change_request:{change.pk}:agreed_for_service",
        kind=K.DECIDED,
        recipients=people_who_can(Perm.CHANGE_APPLY, change),
        title=f"{change.reference} {change.title} is agreed for the service: apply it",
        url=_url(change),
        by=by,
    )


def idea_proposed(idea, *, by):
    notify(
        event=f"idea:{idea.pk}:proposed",
        kind=K.TO_DECIDE,
        recipients=people_who_can(Perm.IDEA_DECIDE, idea),
        title=f"{idea.reference} {idea.title} is with the board for its view",
        url=reverse("changes:idea_detail", args=[idea.pk]),
        by=by,
    )


def idea_decided(idea, *, by):
    notify(
        event=f"idea:{idea.pk}:decided",
        kind=K.DECIDED,
        recipients=[idea.proposed_by],
        title=f"The board's view of {idea.reference} {idea.title}: "
        f"{idea.get_decision_display().lower()}",
        url=reverse("changes:idea_detail", args=[idea.pk]),
        by=by,
    )
