"""The audit trail: every save through save_with_history leaves a history row
naming the person, through a `history` manager whose class is made once
(lra_commissioning/audit.py)."""

import pytest

from lra_commissioning.audit import HistoryManager, save_with_history
from lra_commissioning.models import User


@pytest.mark.django_db
def test_each_record_reads_its_own_history_through_one_manager_class():
    first = User.objects.create_user(email="first@example.org", full_name="First Person")
    second = User.objects.create_user(email="second@example.org", full_name="Second Person")
    first.full_name = "First Person Renamed"
    save_with_history(first, second)

    assert isinstance(first.history, HistoryManager)
    assert type(first.history) is type(second.history)
    assert [h.full_name for h in first.history.order_by("history_date")] == [
        "First Person",
        "First Person Renamed",
    ]
    assert first.history.latest("history_date").history_user == second
    assert [h.full_name for h in second.history.all()] == ["Second Person"]
