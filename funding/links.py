"""Where each funding obligation's work is, for the person asking (see
lra_commissioning.links). Registered in apps.py.
"""

from django.urls import reverse

from lra_commissioning import links
from lra_commissioning.permissions import Perm, can


def funding_confirmation_links(user, keys):
    """funding_confirmation:<start year>: the five-year budget, where it is confirmed."""
    if not can(user, Perm.BUDGET_VIEW):
        return {}
    return dict.fromkeys(keys, reverse("funding:index"))


def register():
    links.register("funding_confirmation", funding_confirmation_links)
