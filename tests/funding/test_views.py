"""The budget pages: stale edits, bad input, refusals on the server, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import selectors, services
from funding.forms import VersionEditForm
from funding.models import VersionKind, VersionStatus

from .factories import agreed, confirmed, draft, support_services

D = Decimal


def _post_data(version, **changes):
    grid = selectors.budget_grid(version)
    data = {k: str(v) for k, v in VersionEditForm.initial_for(grid).items()}
    data.update(changes)
    return data


def test_second_person_saving_a_stale_draft_is_told_and_keeps_their_input(commissioner, client):
    support_services(commissioner)
    version = draft(commissioner)
    client.force_login(commissioner)
    url = reverse("funding:version_edit", kwargs={"number": version.number})
    first = _post_data(version, **{"amount__staffing__2016": "1111111"})
    second = _post_data(version, **{"amount__staffing__2016": "2222222"})  # opened at the same time
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this draft since you opened it" in page
    assert 'value="2222222"' in page  # their figure is still on the form
    version.refresh_from_db()
    assert version.lines.get(start_year=2016, category="staffing").amount == D("1111111")
    # Saving again, knowingly, replaces the other person's figure.
    response = client.post(
        url, {**second, "revision": response.context["form"]["revision"].value()}
    )
    assert response.status_code == 302
    assert version.lines.get(start_year=2016, category="staffing").amount == D("2222222")


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "12.345",
            "Staffing in 2017/18 must be in pounds and pence, with no more than 2 decimal places",
        ),
        ("twelve", "Staffing in 2017/18 must be an amount in pounds"),
        ("5000000000", "Staffing in 2017/18 must be less than £1 billion"),
        ("-10", "Staffing in 2017/18 cannot be negative"),
        ("", "Enter an amount for Staffing in 2017/18, or 0"),
    ],
)
def test_bad_amount_on_the_form_gets_a_specific_message_and_nothing_is_saved(
    value, message, commissioner, client
):
    support_services(commissioner)
    version = draft(commissioner)
    client.force_login(commissioner)
    url = reverse("funding:version_edit", kwargs={"number": version.number})
    response = client.post(
        url, _post_data(version, **{"amount__staffing__2017": value, "amount__premises__2016": "7"})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not version.lines.filter(amount=D("7")).exists()


def test_an_agreed_version_cannot_be_edited_through_the_page(commissioner, board_member, client):
    support_services(commissioner)
    version = agreed(commissioner, board_member)
    client.force_login(commissioner)
    url = reverse("funding:version_edit", kwargs={"number": version.number})
    response = client.post(url, _post_data(version, **{"amount__staffing__2016": "1"}))
    assert "can no longer be changed" in response.content.decode()
    assert version.lines.get(start_year=2016, category="staffing").amount == D("1000000")


def test_board_decision_form_needs_a_real_date_and_a_minute(commissioner, board_member, client):
    support_services(commissioner)
    version = draft(commissioner)
    services.budget_version_propose(version=version, by=commissioner)
    client.force_login(board_member)
    url = reverse("funding:version_decide", kwargs={"number": version.number})
    page = client.post(url, {"decision": "agree", "day": "31", "month": "2", "year": "2016"})
    text = page.content.decode()
    assert "The date of the board&#x27;s decision must be a real date" in text
    assert "Enter the minute reference of the board&#x27;s agreement" in text
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    response = client.post(
        url,
        {
            "decision": "agree",
            "day": "9",
            "month": "12",
            "year": "2015",
            "minute_reference": "SB/3",
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.board_decided_on, version.board_minute_reference) == (
        VersionStatus.AGREED,
        datetime.date(2015, 12, 9),
        "SB/3",
    )


def test_acknowledging_is_for_the_head_of_service_only(
    commissioner, board_member, service_manager, head_of_service, client
):
    support_services(commissioner)
    _version, notice = confirmed(commissioner, board_member)
    url = reverse("funding:notice_detail", kwargs={"pk": notice.pk})
    client.force_login(service_manager)
    assert client.post(url).status_code == 403
    client.force_login(head_of_service)
    assert client.post(url).status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_by == head_of_service


def test_index_shows_the_december_deadline_met(commissioner, board_member, client):
    support_services(commissioner)
    confirmed(commissioner, board_member)
    client.force_login(commissioner)
    page = client.get(reverse("funding:index")).content.decode()
    assert "31 December 2015" in page and "14 December 2015 (version 1)" in page
    assert ">Met<" in page


def _grow(commissioner, board_member, n_services, n_versions, n_months):
    support_services(commissioner, names=[f"Service {i}" for i in range(n_services)])
    version = agreed(commissioner, board_member)
    for i in range(n_versions - 1):
        version = services.budget_change_propose(
            budget_version=version,
            changes={(2016, "ict"): D(i)},
            reason=f"Change {i}",
            by=commissioner,
            board_decided_on=datetime.date(2016, 1, 1),
            board_minute_reference=f"SB/{i}",
        )
    from .test_monitoring import lines

    for m in range(n_months):
        services.monitoring_month_save(
            month=datetime.date(2016, 4 + m, 1), lines=lines(), by=commissioner_sm(commissioner)
        )
    return version


def commissioner_sm(commissioner):
    from lra_commissioning.roles import Role
    from tests.factories import make_user

    return make_user(Role.SERVICE_MANAGER, email="sm-grow@example.org")


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("funding:index", {}),
        ("funding:version_detail", "latest"),
        ("funding:version_edit", "draft"),
        ("funding:monitoring", {}),
        ("funding:monitoring_month", {"year": 2016, "month": 4}),
        ("funding:full_cost", {}),
    ],
)
@pytest.mark.parametrize("size", [(2, 1, 1), (12, 4, 6)])
def test_budget_pages_cost_a_fixed_number_of_queries(
    url_name, kwargs, size, commissioner, board_member, client, django_assert_max_num_queries
):
    version = _grow(commissioner, board_member, *size)
    if kwargs == "latest":
        kwargs = {"number": version.number}
    elif kwargs == "draft":
        kwargs = {
            "number": services.budget_version_start(
                kind=VersionKind.ANNUAL, reason="Refresh", by=commissioner
            ).number
        }
    client.force_login(commissioner)
    with django_assert_max_num_queries(28):
        assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 200


def test_query_count_does_not_grow_with_years_lines_versions_and_months(
    commissioner, board_member, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_monitoring import lines

    support_services(commissioner)
    version = agreed(commissioner, board_member)
    # A version based on another, so its page shows the changes from the start.
    version = services.budget_change_propose(
        budget_version=version,
        changes={(2016, "ict"): D(1)},
        reason="First change",
        by=commissioner,
        board_decided_on=datetime.date(2016, 1, 1),
        board_minute_reference="SB/0",
    )
    sm = commissioner_sm(commissioner)
    services.monitoring_month_save(month=datetime.date(2016, 4, 1), lines=lines(), by=sm)
    client.force_login(commissioner)
    client.get(reverse("home"))  # the session's expiry moves on here, not in a measured page
    urls = lambda v: [  # noqa: E731
        reverse("funding:index"),
        reverse("funding:version_detail", kwargs={"number": v.number}),
        reverse("funding:monitoring"),
        reverse("funding:monitoring_month", kwargs={"year": 2016, "month": 4}),
        reverse("funding:full_cost"),
    ]

    def counts(v):
        # The person is read again once after the arranging changed people: not measured.
        client.get(reverse("home"))
        result = []
        for url in urls(v):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    small = counts(version)
    support_services(commissioner, names=[f"Service {i}" for i in range(10)])
    for i in range(3):
        version = services.budget_change_propose(
            budget_version=version,
            changes={(2016, "ict"): D(i)},
            reason=f"Change {i}",
            by=commissioner,
            board_decided_on=datetime.date(2016, 1, 1),
            board_minute_reference=f"SB/x{i}",
        )
    for m in range(5, 12):
        services.monitoring_month_save(month=datetime.date(2016, m, 1), lines=lines(), by=sm)
    assert counts(version) == small
