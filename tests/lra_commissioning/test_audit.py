"""The audit trail: every save through save_with_history leaves a history row
naming the person, through a `history` manager whose class is made once
(lra_commissioning/audit.py)."""

import pytest

from lra_commissioning.audit import HistoryManager, save_with_history, update_with_history
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


@pytest.mark.django_db
def test_many_records_given_the_same_change_each_keep_a_history_line_naming_the_person(
    django_assert_num_queries,
):
    by = User.objects.create_user(email="by@example.org", full_name="Changer")
    people = [
        User.objects.create_user(email=f"p{n}@example.org", full_name=f"Person {n}")
        for n in range(5)
    ]
    untouched = User.objects.create_user(email="other@example.org", full_name="Other")
    with django_assert_num_queries(2):
        update_with_history(people, by, full_name="Renamed")

    assert {p.full_name for p in people} == {"Renamed"}
    for person in people:
        person.refresh_from_db()
        latest = person.history.latest("history_date")
        assert (person.full_name, latest.full_name, latest.history_type) == (
            "Renamed",
            "Renamed",
            "~",
        )
        assert latest.history_user == by
    untouched.refresh_from_db()
    assert untouched.full_name == "Other"
    assert untouched.history.count() == 1
    assert update_with_history([], by, full_name="Nobody") == []
