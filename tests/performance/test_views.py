"""Pages: who may do what, fixed query counts, downloads, uploads and open data."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo_data.history import load_history
from performance import services
from performance.models import MonthlyReturn, ReturnUpload, ValueStatus

from .factories import accept_all, make_version, submitted_return

JUNE = datetime.date(2016, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return make_version()


def test_dashboard_shows_only_what_needs_attention_until_asked_for_all(
    client, version, service_manager, commissioner
):
    # LIB01 green (ytd 1000 against profiled target 300), REG01 red, REG05 in range.
    ret = submitted_return(JUNE, service_manager, values={"LIB01": 1000, "REG01": 50, "REG05": 300})
    accept_all(ret, commissioner)
    client.force_login(commissioner)
    page = client.get(reverse("performance:dashboard") + "?month=2016-06").content.decode()
    assert "REG01 Deaths registered" in page and "LIB01 Library visits" not in page
    page = client.get(reverse("performance:dashboard") + "?month=2016-06&show=all").content.decode()
    assert "LIB01 Library visits" in page and "In range" in page


@pytest.mark.parametrize(("years", "kpis"), [(1, 5), (10, 60)])
def test_dashboard_and_kpi_page_cost_a_fixed_number_of_queries(
    client, commissioner, django_assert_max_num_queries, years, kpis
):
    last = load_history(years=years, kpis=kpis)
    client.force_login(commissioner)
    # 19 for the dashboard (the residents' population asked whether or not
    # comparators exist), plus the budget exceptions read (funding) and the
    # header's count of unread notifications.
    with django_assert_max_num_queries(23):
        response = client.get(reverse("performance:dashboard") + f"?month={last:%Y-%m}&show=all")
    assert response.status_code == 200
    assert response.content.decode().count("lra-sparkline") == kpis
    # The KPI page reads the residents' population for its row and for its
    # comparisons, whether or not there are any: the count never follows the data.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("performance:kpi", args=["LIB01"]) + f"?month={last:%Y-%m}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("service_manager", 302),
        # A draft return is the service's until it is submitted: not found for the others.
        ("commissioner", 404),
        ("board_member", 404),
        ("support_lead", 403),
        ("administrator", 403),
    ],
)
def test_only_a_service_manager_may_save_or_submit_a_return(
    client, version, who, expected, request
):
    services.monthly_return_open(month=JUNE, by=None)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("performance:return", args=["2016-06"]), {"action": "save"})
    assert response.status_code == expected


@pytest.mark.parametrize("who", ["commissioner", "board_member", "support_lead", "administrator"])
def test_only_a_service_manager_may_post_to_a_submitted_return(
    client, version, service_manager, who, request
):
    ret = submitted_return(JUNE, service_manager)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("performance:return", args=["2016-06"]), {"action": "save"})
    assert response.status_code == 403
    ret.refresh_from_db()
    assert ret.status == "submitted"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("service_manager", 403), ("commissioner", 302), ("board_member", 403)],
)
def test_only_a_commissioner_may_review(client, version, service_manager, who, expected, request):
    ret = submitted_return(JUNE, service_manager)
    client.force_login(request.getfixturevalue(who))
    data = {f"decision-{v.kpi_code}": "accept" for v in ret.values.all()}
    response = client.post(reverse("performance:review", args=["2016-06"]), data)
    assert response.status_code == expected
    ret.refresh_from_db()
    assert (ret.status == "accepted") is (expected == 302)


def test_review_query_without_comment_shows_an_error_and_saves_nothing(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    client.force_login(commissioner)
    data = {f"decision-{v.kpi_code}": "accept" for v in ret.values.all()}
    data[f"decision-{ret.values.first().kpi_code}"] = "query"
    response = client.post(reverse("performance:review", args=["2016-06"]), data)
    assert response.status_code == 400
    assert "Enter a comment saying what is wrong" in response.content.decode()
    assert not ret.values.exclude(status=ValueStatus.SUBMITTED).exists()


def test_return_page_shows_a_specific_error_for_a_bad_number(client, version, service_manager):
    ret = services.monthly_return_open(month=JUNE, by=service_manager)
    value = ret.values.get(kpi_code="REG01")
    client.force_login(service_manager)
    response = client.post(
        reverse("performance:return", args=["2016-06"]),
        {"action": "save", "value-REG01": "101"},
    )
    assert response.status_code == 400
    assert "is a percentage, so it must be 100 or less" in response.content.decode()
    value.refresh_from_db()
    assert value.value is None


def test_upload_preview_is_kept_server_side_and_confirmed(client, version, service_manager):
    client.force_login(service_manager)
    csv = b"kpi_code,period,value\nLIB01,2016-06,101\nREG01,2016-06,90\nREG05,2016-06,99\n"
    response = client.post(
        reverse("performance:upload", args=["2016-06"]),
        {"file": SimpleUploadedFile("june.csv", csv)},
    )
    upload = ReturnUpload.objects.get()
    assert response.status_code == 302 and str(upload.pk) in response["Location"]
    preview = client.get(response["Location"]).content.decode()
    assert "Save these values to the draft return" in preview
    assert MonthlyReturn.objects.get().values.filter(value__isnull=False).count() == 0
    client.post(response["Location"])
    assert MonthlyReturn.objects.get().values.filter(value__isnull=False).count() == 3


def test_upload_with_a_mismatched_name_is_refused_on_the_page(client, version, service_manager):
    client.force_login(service_manager)
    response = client.post(
        reverse("performance:upload", args=["2016-06"]),
        {"file": SimpleUploadedFile("june.xlsx", b"kpi_code,period,value\n")},
    )
    assert response.status_code == 400
    assert "does not match its content" in response.content.decode()


def test_templates_download_in_both_formats(client, version, service_manager):
    client.force_login(service_manager)
    csv = client.get(reverse("performance:template", args=["2016-06", "csv"]))
    assert b"LIB01" in csv.content and b"2016-06" in csv.content
    xlsx = client.get(reverse("performance:template", args=["2016-06", "xlsx"]))
    assert xlsx.content[:2] == b"PK"


@pytest.fixture
def draft_attachment(version, service_manager):
    report = services.management_report_save(
        month=JUNE, highlights="x", risks_and_issues="", finance_summary="", by=service_manager
    )
    return services.report_attachment_add(
        report=report, uploaded=SimpleUploadedFile("money.csv", b"a,b\n1,2\n"), by=service_manager
    )


@pytest.fixture
def attachment(draft_attachment, service_manager):
    services.management_report_submit(report=draft_attachment.report, by=service_manager)
    return draft_attachment


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("service_manager", 200),
        ("commissioner", 200),
        ("board_member", 200),
        ("support_lead", 404),
        ("administrator", 404),
    ],
)
def test_attachment_downloads_only_for_staff_who_may_see_the_report(
    client, attachment, who, expected, request
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("performance:attachment", args=[attachment.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith('attachment; filename="money.csv"')
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("service_manager", 200), ("commissioner", 404), ("board_member", 404)],
)
def test_a_draft_reports_attachment_stays_with_the_service(
    client, draft_attachment, who, expected, request
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("performance:attachment", args=[draft_attachment.pk]))
    assert response.status_code == expected


def test_open_data_publishes_accepted_values_with_definitions_safely(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    accept_all(ret, commissioner)
    value = ret.values.get(kpi_code="LIB01")
    services.kpi_return_revise(
        kpi_return=value, value="5", commentary="", reason="r", by=service_manager
    )  # back to submitted: not open
    csv = client.get(reverse("performance:open_data") + "?format=csv").content.decode()
    assert "REG01" in csv and "LIB01" not in csv.split("\n", 1)[1]
    data = json.loads(client.get(reverse("performance:open_data") + "?format=json").content)
    assert {k["code"] for k in data["kpis"]} == {"LIB01", "REG01", "REG05"}
    assert all("email" not in json.dumps(v) for v in data["values"])


def test_a_retried_return_submission_is_saved_once(client, service_manager, db):
    """A double click or a lost response: the same key replays the first outcome."""
    from performance.models import KpiReturn
    from tests.performance.factories import make_version

    make_version()
    client.force_login(service_manager)
    url = reverse("performance:return", args=["2016-04"])
    page = client.get(url)
    key = page.context["idempotency_key"]
    assert not KpiReturn.objects.exists()  # opening the month created nothing
    value = page.context["lines"][0]["kpi"]
    data = {f"value-{value.code}": "123", "action": "save", "idempotency_key": key}
    first = client.post(url, data)
    assert first.status_code == 302
    data[f"value-{value.code}"] = "456"
    retry = client.post(url, data)
    assert retry.status_code == 302
    assert retry["Idempotent-Replayed"] == "true"
    assert KpiReturn.objects.get(kpi_code=value.code).value == 123


def test_a_repeat_visit_to_the_dashboard_is_served_from_the_page_cache(
    client, commissioner, django_assert_max_num_queries
):
    last = load_history(years=2, kpis=10)
    client.force_login(commissioner)
    url = reverse("performance:dashboard") + f"?month={last:%Y-%m}&show=all"
    first = client.get(url)
    # Signing the person in reads nothing from the database (the session and the
    # person with their roles are kept in the cache): what remains is the first
    # month that can be shown (to read ?month=) and the check that no write is
    # still waiting to make kept pages stale.
    with django_assert_max_num_queries(2):
        again = client.get(url)
    # The same main content (the layout's sign-out form has a fresh CSRF token).
    main = re.compile(r"<main.*</main>", re.DOTALL)
    assert (
        main.search(again.content.decode()).group() == main.search(first.content.decode()).group()
    )
    kpi = reverse("performance:kpi", args=["LIB01"]) + f"?month={last:%Y-%m}"
    client.get(kpi)
    with django_assert_max_num_queries(2):
        assert client.get(kpi).status_code == 200


def test_the_dashboard_shows_a_change_as_soon_as_it_is_saved(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager, values={"LIB01": 1000, "REG01": 50, "REG05": 300})
    client.force_login(commissioner)
    url = reverse("performance:dashboard") + "?month=2016-06"
    assert "Submitted" in client.get(url).content.decode()
    accept_all(ret, commissioner)
    page = client.get(url).content.decode()
    assert "Accepted" in page and "Submitted" not in page


def test_each_person_gets_their_own_kept_dashboard(client, version, service_manager, commissioner):
    # REG01 is red and needs an action plan: only the service writes it.
    submitted_return(JUNE, service_manager, values={"LIB01": 1000, "REG01": 50, "REG05": 300})
    url = reverse("performance:dashboard") + "?month=2016-06"
    client.force_login(commissioner)
    assert "Write it" not in client.get(url).content.decode()
    client.force_login(service_manager)
    assert "Write it" in client.get(url).content.decode()


def test_signing_out_works_from_a_kept_page(version, commissioner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(commissioner)
    url = reverse("performance:dashboard") + "?month=2016-06"
    client.get(url)
    kept = client.get(url).content.decode()  # served from the page cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept).group(1)
    assert "placeholder" not in token
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(url).status_code == 302  # signed out: to the sign-in page


def test_comparator_import_shows_a_preview_and_imports_on_confirmation(
    client, version, administrator
):
    from lra_commissioning.roles import Role
    from performance.models import ComparatorValue
    from tests.factories import force_login_verified, make_user

    force_login_verified(client, administrator)
    csv = SimpleUploadedFile(
        "comparators.csv", b"kpi_code,year,authority,value\nLIB01,2016/17,Essex,512\n"
    )
    response = client.post(reverse("performance:comparators_import"), {"file": csv})
    assert response.status_code == 302
    preview = response["Location"]
    page = client.get(preview).content.decode()
    assert "Essex" in page and "512" in page and "Not held (new)" in page
    assert not ComparatorValue.objects.exists()
    # Another administrator cannot open or confirm someone else's file.
    other = make_user(Role.ADMINISTRATOR, email="admin2@example.org")
    second = client.__class__()
    force_login_verified(second, other)
    assert second.get(preview).status_code == 404
    assert second.post(preview).status_code == 404
    assert not ComparatorValue.objects.exists()
    response = client.post(preview)
    assert response.status_code == 302
    assert ComparatorValue.objects.get().value == 512
    response = client.post(preview)  # a second click
    assert response.status_code == 400
    assert "already been imported" in response.content.decode()
    assert ComparatorValue.objects.count() == 1


@pytest.fixture
def two_versions_in_a_year(db):
    """2016/17 version 1.0 from 1 April and version 1.1 from 1 October, both published."""
    from decimal import Decimal

    from specifications.models import KPI, SpecificationVersion, VersionStatus

    first = make_version(2016)
    second = SpecificationVersion.objects.create(
        specification=first.specification,
        major=1,
        minor=1,
        status=VersionStatus.PUBLISHED,
        starts_on=datetime.date(2016, 10, 1),
    )
    for kpi in first.kpis.all():
        KPI.objects.create(
            version=second,
            code=kpi.code,
            title=kpi.title,
            service_area=kpi.service_area,
            unit=kpi.unit,
            annual_aggregation=kpi.annual_aggregation,
            is_activity=kpi.is_activity,
            annual_target=Decimal(1100) if kpi.code == "LIB01" else kpi.annual_target,
            floor=kpi.floor,
            order=kpi.order,
        )
    return first, second


def test_open_data_lists_each_year_once(client, two_versions_in_a_year):
    html = client.get(reverse("performance:open_data")).content.decode()
    assert html.count("2016/17") == 1


def test_open_data_gives_each_kpi_definition_with_its_version_and_dates(
    client, two_versions_in_a_year
):
    data = json.loads(client.get(reverse("performance:open_data") + "?format=json").content)
    lib01 = [
        (k["specification_version"], k["applies_from"], k["applies_to"], k["annual_target"])
        for k in data["kpis"]
        if k["code"] == "LIB01"
    ]
    assert lib01 == [
        ("1.0", "2016-04-01", "2016-09-30", 1200),
        ("1.1", "2016-10-01", None, 1100),
    ]
