"""When the records say each change obligation was met (see
lra_commissioning.obligations). Registered in apps.py.

    change_request:<id>   the board's decision on a fundamental change recorded
                          (met on the date of the board's decision)

One query however many keys.
"""

from lra_commissioning import obligations
from lra_commissioning.links import int_part

from .models import BoardDecision


def change_requests_met(keys):
    ids = {key: int_part(key, 0) for key in keys}
    ids = {key: pk for key, pk in ids.items() if pk is not None}
    if not ids:
        return {}
    decided = {
        change_id: obligations.Met(on, by_id)
        for change_id, on, by_id in BoardDecision.objects.filter(
            change_id__in=set(ids.values())
        ).values_list("change_id", "decided_on", "decided_by_id")
    }
    return {key: decided[pk] for key, pk in ids.items() if pk in decided}


def register():
    obligations.register_resolver("change_request", change_requests_met)
