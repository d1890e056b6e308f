"""Where each change obligation's work is, for the person asking (see
lra_commissioning.links). Registered in apps.py.
"""

from django.urls import reverse

from lra_commissioning import links
from lra_commissioning.permissions import Perm, can, visible_q

from .models import ChangeRequest


def change_request_links(user, keys):
    """change_request:<id>: the change request, when this person may open it."""
    if not can(user, Perm.CHANGE_VIEW):
        return {}
    ids = {key: links.int_part(key, 0) for key in keys}
    visible = set(
        ChangeRequest.objects.filter(
            visible_q(user, Perm.CHANGE_REQUEST_VIEW), pk__in=[i for i in ids.values() if i]
        ).values_list("pk", flat=True)
    )
    return {key: reverse("changes:detail", args=[i]) for key, i in ids.items() if i in visible}


def register():
    links.register("change_request", change_request_links)
