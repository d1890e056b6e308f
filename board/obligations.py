"""When the board's records say each of its obligations was met (see
lra_commissioning.obligations). Registered in apps.py.

    board_papers:<meeting id>   the meeting's papers published to the members
    board_action:<action id>    the action marked done

The review of the commissioning approach (`approach_review:`) has no record of
its own: the board's decision meets it through the listener, or a commissioner
records it met by hand. Each resolver costs one query however many keys.
"""

from django.utils import timezone

from lra_commissioning import obligations
from lra_commissioning.links import int_part

from .models import ActionStatus, BoardAction, Meeting


def _ids(keys) -> dict[str, int]:
    ids = {key: int_part(key, 0) for key in keys}
    return {key: pk for key, pk in ids.items() if pk is not None}


def papers_met(keys):
    ids = _ids(keys)
    if not ids:
        return {}
    published = {
        pk: obligations.Met(timezone.localdate(at), by_id)
        for pk, at, by_id in Meeting.objects.filter(
            pk__in=set(ids.values()), papers_published_at__isnull=False
        ).values_list("pk", "papers_published_at", "papers_published_by_id")
    }
    return {key: published[pk] for key, pk in ids.items() if pk in published}


def actions_met(keys):
    ids = _ids(keys)
    if not ids:
        return {}
    done = {
        pk: obligations.Met(on, by_id)
        for pk, on, by_id in BoardAction.objects.filter(
            pk__in=set(ids.values()), status=ActionStatus.DONE
        ).values_list("pk", "done_on", "done_by_id")
    }
    return {key: done[pk] for key, pk in ids.items() if pk in done}


def register():
    obligations.register_resolver("board_papers", papers_met)
    obligations.register_resolver("board_action", actions_met)
