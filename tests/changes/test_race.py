"""Board decisions are final even when several board members decide at the same moment."""

import threading

import pytest
from django.db import connection

from changes import services
from changes.models import BoardDecision, ChangeRequest
from lra_commissioning.roles import Role
from tests.factories import make_user

from .factories import decide, in_force, raise_change

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_several_board_members_deciding_at_once_give_one_decision_and_one_audit_entry(
    transactional_db, commissioner, board_member, head_of_service
):
    assert connection.vendor == "postgresql"
    in_force(commissioner, board_member, head_of_service)
    change = raise_change(commissioner, fundamental=True)
    services.change_request_submit(change=change, by=commissioner)
    members = [make_user(Role.BOARD_MEMBER) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def attempt(member, decision):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            decide(ChangeRequest.objects.get(pk=change.pk), member, decision)
            outcomes.append("decided")
        except services.AlreadyDecided as exc:
            outcomes.append(str(exc))
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=attempt, args=(m, "approved" if i % 2 else "rejected"))
        for i, m in enumerate(members)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("decided") == 1
    assert sum("already recorded" in o for o in outcomes) == THREADS - 1
    assert BoardDecision.objects.filter(change=change).count() == 1
    decided_entries = ChangeRequest.history.filter(id=change.pk, decision__isnull=False)
    assert decided_entries.count() == 1
    change.refresh_from_db()
    assert change.decided_by == BoardDecision.objects.get().decided_by
