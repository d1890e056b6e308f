"""The monthly loop done right (issue 15): each fault the issue lists, pinned.

Entry and review never lose what people type or flip a decision; unsubmitted
work stays with its authors; reads never write and concurrent first saves are
safe; numbers and charts tell the truth; the year at a glance.
"""

import datetime
import re
import threading
from decimal import Decimal as D

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from lra_commissioning.audit import history_entries
from performance import charts, periods, rag, selectors, services
from performance.models import (
    KpiCorrection,
    KpiReturn,
    ManagementReport,
    MonthlyReturn,
    ReturnStatus,
    ValueStatus,
)

from .factories import accept_all, make_version, submitted_return

JUNE = datetime.date(2016, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return make_version()


def _review(client, month="2016-06", **data):
    return client.post(reverse("performance:review", args=[month]), {"action": "save", **data})


def _checked(html, name, index):
    """Whether the radio `name`'s option `index` is checked in the page."""
    tag = re.search(rf'<input[^>]*id="id_{re.escape(name)}_{index}"[^>]*>', html)
    return tag is not None and " checked" in tag.group()


# 1. Review that cannot flip ---------------------------------------------------------------


def test_the_review_page_preselects_no_decision(client, version, service_manager, commissioner):
    submitted_return(JUNE, service_manager)
    client.force_login(commissioner)
    page = client.get(reverse("performance:review", args=["2016-06"])).content.decode()
    assert page.count('type="radio"') == 6
    assert " checked" not in page


def test_a_query_without_a_comment_keeps_its_choice_and_then_reaches_the_service(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    client.force_login(commissioner)
    data = {"decision-LIB01": "query", "decision-REG01": "accept", "decision-REG05": "accept"}
    response = _review(client, **data, **{"comment-REG01": "Fine"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a comment saying what is wrong with LIB01" in page
    # The query is still chosen (not flipped to accept), the other comment kept.
    assert _checked(page, "decision-LIB01", 1) and not _checked(page, "decision-LIB01", 0)
    assert ">Fine</textarea>" in page
    assert not ret.values.exclude(status=ValueStatus.SUBMITTED).exists()

    response = _review(client, **data, **{"comment-LIB01": "Check the door counters"})
    assert response.status_code == 302
    lib01 = ret.values.get(kpi_code="LIB01")
    assert (lib01.status, lib01.review_comment) == ("queried", "Check the door counters")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.QUERIED


def test_saving_the_review_needs_an_explicit_decision_on_every_value(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    client.force_login(commissioner)
    response = _review(client, **{"decision-LIB01": "accept"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose whether to accept or query REG01" in page
    assert "Choose whether to accept or query REG05" in page
    assert not ret.values.exclude(status=ValueStatus.SUBMITTED).exists()


def test_accept_all_within_tolerance_accepts_those_and_leaves_the_rest_waiting(
    client, version, service_manager, commissioner
):
    # LIB01 green (year to date against the profiled target), REG01 red, REG05 in range.
    ret = submitted_return(JUNE, service_manager, values={"LIB01": 1000, "REG01": 50, "REG05": 300})
    client.force_login(commissioner)
    page = client.get(reverse("performance:review", args=["2016-06"])).content.decode()
    assert "Accept all values within tolerance" in page
    response = client.post(
        reverse("performance:review", args=["2016-06"]), {"action": "within_tolerance"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:review", args=["2016-06"])
    statuses = dict(ret.values.values_list("kpi_code", "status"))
    assert statuses == {"LIB01": "accepted", "REG01": "submitted", "REG05": "accepted"}
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    page = client.get(reverse("performance:review", args=["2016-06"])).content.decode()
    assert "REG01" in page and "LIB01 Library visits" not in page


def test_the_review_shows_target_floor_rating_last_month_last_year_commentary_and_evidence(
    client, service_manager, commissioner
):
    make_version(2015)
    make_version(2016)
    accept_all(submitted_return(datetime.date(2015, 6, 1), service_manager), commissioner)
    accept_all(
        submitted_return(datetime.date(2016, 5, 1), service_manager, values={"REG01": 88}),
        commissioner,
    )
    submitted_return(JUNE, service_manager, values={"REG01": D("91.5")})
    client.force_login(commissioner)
    page = client.get(reverse("performance:review", args=["2016-06"])).content.decode()
    card = page[page.index('id="kpi-REG01"') : page.index('id="kpi-REG05"')]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert "Value 91.5%" in text
    assert "Rating Green" in text
    assert "Target 90 " in text and "Floor 85 " in text
    assert "Last month May 2016: 88" in text
    assert "Same month last year 100" in text
    assert "Commentary ok" in text
    assert "Evidence No evidence attached" in text


# 2. The return never loses what was typed ----------------------------------------------------


def _post_return(client, month="2016-06", **data):
    return client.post(reverse("performance:return", args=[month]), {"action": "save", **data})


def test_one_bad_value_keeps_every_other_value_and_commentary_with_the_error_beside_it(
    client, version, service_manager
):
    client.force_login(service_manager)
    response = _post_return(
        client,
        **{
            "value-LIB01": "lots",
            "commentary-LIB01": "Doors counted by hand",
            "value-REG01": "91.5",
            "commentary-REG01": "A good month",
            "value-REG05": "1,098",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="91.5"' in page and 'value="1,098"' in page
    assert "A good month</textarea>" in page and "Doors counted by hand</textarea>" in page
    # The message sits beside the field (and in the summary, linking to it).
    assert re.search(
        r'id="id_value-LIB01-error"[^>]*>.*Enter the value for LIB01 as a number', page
    )
    assert 'href="#id_value-LIB01"' in page
    assert not MonthlyReturn.objects.exists() and not KpiReturn.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("value-LIB01", "12\x00", "Enter the value for LIB01 as a number"),
        ("value-LIB01", "1e30", "Enter the value for LIB01 as a number"),
        ("value-LIB01", "123456789012345", "must be less than 1,000,000,000,000"),
        ("value-LIB01", "NaN", "Enter the value for LIB01 as a number"),
        ("value-REG01", "101", "is a percentage, so it must be 100 or less"),
        ("commentary-LIB01", "bad\x00text", "contains a character that cannot be stored"),
        ("commentary-LIB01", "x" * 4001, "must be 4,000 characters or fewer"),
        ("evidence_url-LIB01", "javascript:alert(1)", "as a web address starting https://"),
        ("evidence_url-LIB01", "https://" + "a" * 600, "must be 500 characters or fewer"),
    ],
)
def test_hostile_input_on_the_return_is_refused_beside_its_field_and_nothing_is_stored(
    client, version, service_manager, field, typed, message
):
    client.force_login(service_manager)
    response = _post_return(client, **{field: typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not KpiReturn.objects.exists()


def test_a_ten_megabyte_commentary_is_refused_without_an_error_page(
    client, version, service_manager
):
    client.force_login(service_manager)
    response = _post_return(client, **{"commentary-LIB01": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 400
    assert not KpiReturn.objects.exists()


# 3. Unsubmitted work stays with its authors -------------------------------------------------


def test_a_saved_correction_stays_with_the_service_until_resubmitted(
    client, version, service_manager, commissioner, board_member
):
    ret = submitted_return(JUNE, service_manager)
    lib01 = ret.values.get(kpi_code="LIB01")
    decisions = {v.pk: ("accept", "") for v in ret.values.all()}
    decisions[lib01.pk] = ("query", "Check the door counters")
    services.monthly_return_review(monthly_return=ret, decisions=decisions, by=commissioner)

    client.force_login(service_manager)
    response = _post_return(
        client,
        **{
            "value-LIB01": "140",
            "commentary-LIB01": "Counter fixed",
            "reason-LIB01": "The counter at Maidstone was broken",
        },
    )
    assert response.status_code == 302
    lib01.refresh_from_db()
    assert lib01.value == 100 and lib01.status == "queried"
    assert KpiCorrection.objects.get().value == 140
    # The service sees its draft correction, and the reason it typed, on the page.
    page = client.get(reverse("performance:return", args=["2016-06"])).content.decode()
    assert 'value="140"' in page and "The counter at Maidstone was broken</textarea>" in page

    for person in (commissioner, board_member):
        client.force_login(person)
        page = client.get(reverse("performance:return", args=["2016-06"])).content.decode()
        # Not the draft (its value, commentary or reason); a bare "140" could be
        # part of the page's CSRF token or a nonce.
        for draft in ('value="140"', ">140<", "Counter fixed", "Maidstone was broken"):
            assert draft not in page
        assert "Check the door counters" in page
        row = selectors.kpi_rows(month=JUNE, codes={"LIB01"})[1][0]
        assert row.value == 100

    client.force_login(service_manager)
    response = _post_return(
        client,
        action="resubmit",
        **{
            "value-LIB01": "140",
            "commentary-LIB01": "Counter fixed",
            "reason-LIB01": "The counter at Maidstone was broken",
        },
    )
    assert response.status_code == 302
    lib01.refresh_from_db()
    assert (lib01.value, lib01.status, lib01.commentary) == (D(140), "submitted", "Counter fixed")
    assert list(lib01.revisions.values_list("value", "reason")) == [
        (D(100), ""),
        (D(140), "The counter at Maidstone was broken"),
    ]
    assert not KpiCorrection.objects.exists()


def test_resubmitting_without_a_reason_says_so_beside_the_field(
    client, version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    lib01 = ret.values.get(kpi_code="LIB01")
    decisions = {v.pk: ("accept", "") for v in ret.values.all()}
    decisions[lib01.pk] = ("query", "Too low")
    services.monthly_return_review(monthly_return=ret, decisions=decisions, by=commissioner)
    client.force_login(service_manager)
    response = _post_return(client, action="resubmit", **{"value-LIB01": "140"})
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="id_reason-LIB01-error"[^>]*>.*Say what you changed in LIB01', page)
    assert 'value="140"' in page
    lib01.refresh_from_db()
    assert lib01.value == 100 and not KpiCorrection.objects.exists()


# 4. Reads never write; concurrent first writes are safe ---------------------------------------


def test_opening_a_new_month_creates_nothing(client, version, service_manager):
    client.force_login(service_manager)
    for name in ("return", "upload"):
        response = client.get(reverse(f"performance:{name}", args=["2016-06"]))
        assert response.status_code == 200
    assert client.get(reverse("performance:report", args=["2016-06"])).status_code == 200
    assert not MonthlyReturn.objects.exists() and not KpiReturn.objects.exists()
    assert not ManagementReport.objects.exists()


@pytest.mark.parametrize("month", ["2100-12", "2016-13", "2016-00", "1999-01", "2015-03"])
@pytest.mark.parametrize("name", ["return", "review", "upload", "report"])
def test_a_month_out_of_range_is_not_found_and_creates_nothing(
    client, version, service_manager, commissioner, month, name
):
    client.force_login(service_manager)
    assert client.get(reverse(f"performance:{name}", args=[month])).status_code in (403, 404)
    assert client.post(reverse(f"performance:{name}", args=[month])).status_code in (403, 404)
    if name != "review":  # reviewing is the commissioner's; the service gets 403 for it
        assert client.get(reverse(f"performance:{name}", args=[month])).status_code == 404
    client.force_login(commissioner)
    assert client.get(reverse(f"performance:{name}", args=[month])).status_code in (403, 404)
    assert not MonthlyReturn.objects.exists() and not ManagementReport.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["month=9999-12", "month=2016-13", "month=abc", "month=2100-01", "month=0001-01"],
)
@pytest.mark.parametrize("page", ["dashboard", "kpi"])
def test_a_bad_month_on_the_dashboard_or_a_kpi_page_is_not_found(
    client, version, commissioner, page, query
):
    client.force_login(commissioner)
    url = reverse(f"performance:{page}", **({"args": ["LIB01"]} if page == "kpi" else {}))
    assert client.get(f"{url}?{query}").status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-06", datetime.date(2016, 6, 1)),
        ("2016-12", datetime.date(2016, 12, 1)),
        ("1900-01", datetime.date(1900, 1, 1)),
        ("2200-12", datetime.date(2200, 12, 1)),
        ("9999-12", None),
        ("0001-01", None),
        ("2016-13", None),
        ("2016-00", None),
        ("2016-6", None),
        ("16-06", None),
        (" 2016-06", None),
        ("2016-06\x00", None),
        ("２０１６-06", None),
        ("2016/06", None),
        ("", None),
        (None, None),
    ],
)
def test_the_month_parameter_table(text, expected):
    assert periods.parse_month(text) == expected


def _at_once(count, work):
    """Run `work` in `count` threads released together; their results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - the test asserts there are none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return results


@pytest.mark.django_db(transaction=True)
def test_three_first_saves_of_a_month_at_once_make_one_return_and_no_error(service_manager):
    make_version()
    results = _at_once(
        3,
        lambda: services.monthly_return_save(
            month=JUNE, entries={"LIB01": {"value": "101"}}, action="save", by=service_manager
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert MonthlyReturn.objects.count() == 1
    assert KpiReturn.objects.count() == 3
    assert KpiReturn.objects.get(kpi_code="LIB01").value == 101


@pytest.mark.django_db(transaction=True)
def test_three_first_saves_of_a_report_at_once_make_one_report_and_no_error(service_manager):
    make_version()
    results = _at_once(
        3,
        lambda: services.management_report_write(
            month=JUNE,
            highlights="Busy",
            risks_and_issues="",
            finance_summary="",
            by=service_manager,
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ManagementReport.objects.count() == 1


# 5. Truthful numbers and charts -------------------------------------------------------------


def _points(values, target=None, floor=None, label="M"):
    return [
        selectors.ChartPoint(f"{label}{i}", datetime.date(2016, 4, 1), v, "", target, floor)
        for i, v in enumerate(values)
    ]


class _Kpi:
    code, title, unit = "LIB01", "Library visits", "count"


def test_the_chart_leaves_a_gap_where_a_period_has_no_value():
    chart = charts.trend_chart(_Kpi, _points([D(10), D(12), None, None, D(11), D(13)]))
    # Two separate runs of the line: it is never drawn across the missing months.
    assert chart["path"].count("M") == 2
    assert chart["gaps"] == 2 and "2 periods without a value" in chart["title"]


def test_a_counts_axis_starts_at_zero_and_never_goes_below_it():
    chart = charts.trend_chart(_Kpi, _points([D(30000), D(31000), D(40000)]))
    labels = [t["label"] for t in chart["ticks"]]
    assert labels[0] == "0"
    assert not any(label.startswith(("−", "-")) for label in labels)
    assert all("E" not in label for label in labels)


def test_the_chart_draws_the_target_and_floor_in_force_in_each_period(
    client, commissioner, service_manager
):
    lib = {
        "code": "LIB01",
        "title": "Library visits",
        "unit": "count",
        "annual_aggregation": "sum",
    }
    make_version(2015, kpis=[{**lib, "annual_target": D(1200), "floor": D(1080)}])
    make_version(2016, kpis=[{**lib, "annual_target": D(2400), "floor": D(2160)}])
    for month in (datetime.date(2016, 2, 1), datetime.date(2016, 4, 1)):
        submitted_return(month, service_manager)
    page = selectors.kpi_page(code="LIB01", month=datetime.date(2016, 5, 1))
    by_label = {p.label: p for p in page.history}
    assert (by_label["February 2016"].target, by_label["February 2016"].floor) == (100, 90)
    assert (by_label["April 2016"].target, by_label["April 2016"].floor) == (200, 180)
    assert by_label["March 2016"].value is None  # a gap, not joined
    chart = charts.trend_chart(page.kpi, page.history)
    assert chart["target_path"] and chart["floor_path"]
    client.force_login(commissioner)
    html = client.get(reverse("performance:kpi", args=["LIB01"]) + "?month=2016-05").content
    assert b"the red dots are the floor" in html


def test_the_forecast_uses_only_the_months_with_values_and_says_so():
    kpi = type("K", (), {"annual_aggregation": "sum", "frequency": "monthly"})()
    months = [datetime.date(2016, m, 1) for m in range(4, 11)]  # April to October
    values = [D(100), D(120)] + [None] * 5  # two months entered of seven
    forecast, basis = selectors._forecast(kpi, list(zip(months, values, strict=True)), [])
    assert forecast == 1320  # (100 + 120) / 2 * 12, not (220 / 7) * 12
    assert "2 months with values (April and May 2016)" in basis


def test_a_late_value_keeps_its_colour_and_the_summary_adds_up(
    client, version, service_manager, commissioner
):
    # Submitted late: REG01 is red and late, LIB01 green and late, REG05 in range and late.
    submitted_return(
        JUNE,
        service_manager,
        values={"LIB01": 1000, "REG01": 50, "REG05": 300},
        submit_on=datetime.date(2016, 7, 20),
    )
    board = selectors.dashboard(month=JUNE, user=commissioner)
    reg01 = next(r for r in board.rows if r.kpi.code == "REG01")
    assert reg01.rating.label == "Late, red" and reg01.rating.tag_class == "govuk-tag--red"
    assert board.counts["red"] == 1 and board.counts["late"] == 3
    assert sum(board.counts[key] for key, _ in selectors.COUNTED) == len(board.rows)
    client.force_login(commissioner)
    page = client.get(reverse("performance:dashboard") + "?month=2016-06&show=all")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert "Red 1 " in text and "Every KPI 3 ; of which late: 3" in text


def test_rating_within_tolerance_is_green_amber_or_in_range_without_a_breach():
    assert rag.rate(value=D(100), target=D(90), floor=D(85)).within_tolerance
    assert rag.rate(value=D(86), target=D(90), floor=D(85)).within_tolerance
    assert not rag.rate(value=D(80), target=D(90), floor=D(85)).within_tolerance
    late_green = rag.rate(value=D(95), target=D(90), floor=D(85), submitted_late=True)
    assert late_green.within_tolerance and late_green.label == "Late, green"
    outside = rag.rate(value=D(86), target=D(90), floor=D(85), tolerance_percent=D(2))
    assert not outside.within_tolerance


# 6. The year at a glance --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("commissioner", 200),
        ("board_member", 200),
        ("service_manager", 200),
        ("support_lead", 403),
        ("administrator", 403),
    ],
)
def test_the_year_at_a_glance_is_for_commissioners_the_board_and_the_service(
    client, version, who, expected, request
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("performance:year") + "?year=2016").status_code == expected


def test_the_year_at_a_glance_rates_each_month_and_links_each_value(
    client, version, service_manager, commissioner
):
    accept_all(submitted_return(datetime.date(2016, 4, 1), service_manager), commissioner)
    submitted_return(
        datetime.date(2016, 5, 1),
        service_manager,
        values={"REG01": 50},
        submit_on=datetime.date(2016, 6, 30),
    )
    grid = selectors.year_at_a_glance(start_year=2016, today=datetime.date(2016, 7, 20))
    reg01 = next(r for r in grid.rows if r.kpi.code == "REG01")
    april, may, june = reg01.cells[:3]
    assert april.rating.label == "Green" and may.rating.label == "Late, red"
    assert june.rating.label == "Missing"  # due 14 July, nothing submitted
    assert reg01.cells[4].rating is None  # August has not begun
    assert reg01.ytd == 75  # the average of 100 and 50
    client.force_login(commissioner)
    page = client.get(reverse("performance:year") + "?year=2016").content.decode()
    assert reverse("performance:return", args=["2016-05"]) + "#kpi-REG01" in page
    assert "Late, red" in page and "govuk-tag--red" in page
    assert "How the forecast is made" in page


@pytest.mark.parametrize("year", ["9999", "2015", "abc", "20166", "２０１６"])
def test_a_year_out_of_range_is_not_found(client, version, commissioner, year):
    client.force_login(commissioner)
    assert client.get(reverse("performance:year") + f"?year={year}").status_code == 404
    assert client.get(reverse("performance:status") + f"?year={year}").status_code == 404


@pytest.mark.parametrize("extra", [0, 20])
def test_the_year_at_a_glance_costs_a_fixed_number_of_queries(
    client, commissioner, service_manager, django_assert_max_num_queries, extra
):
    make_version(extra=extra)
    for month in (datetime.date(2016, 4, 1), datetime.date(2016, 5, 1)):
        submitted_return(month, service_manager)
    client.force_login(commissioner)
    # 15 for the page with the header's count of unread notifications, and one
    # for the session's question whether a write waits for its move.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("performance:year") + "?year=2016")
    assert response.status_code == 200


def test_the_year_at_a_glance_pdf_is_tagged_for_the_board_pack(
    client, version, service_manager, commissioner
):
    import io

    from pypdf import PdfReader

    submitted_return(datetime.date(2016, 4, 1), service_manager)
    client.force_login(commissioner)
    response = client.get(reverse("performance:year_pdf") + "?year=2016")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "kpis-at-a-glance-2016-17.pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert reader.metadata.title == "KPIs at a glance, 2016/17"
    text = reader.pages[0].extract_text()
    assert "LIB01" in text and "Green" in text


# 7. The rest of the list ------------------------------------------------------------------------


def test_a_bad_due_date_on_the_add_action_form_keeps_what_was_typed(
    client, version, service_manager
):
    plan = services.action_plan_open(
        kpi_code="REG01", month=JUNE, trigger="Red", summary="Recover", by=service_manager
    )
    client.force_login(service_manager)
    response = client.post(
        reverse("performance:plan", args=[plan.pk]),
        {
            "action": "add",
            "add-description": "Extra registrar sessions",
            "add-owner": "Sam Manager",
            "add-due_on_0": "31",
            "add-due_on_1": "2",
            "add-due_on_2": "2017",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The due date must be a real date" in page
    assert "Extra registrar sessions</textarea>" in page and 'value="Sam Manager"' in page
    assert not plan.actions.exists()


def test_history_shows_labels_names_and_dates_as_people_read_them(version, service_manager):
    ret = submitted_return(JUNE, service_manager, submit_on=datetime.date(2016, 7, 8))
    changed = next(e for e in history_entries(ret) if e.action == "Changed")
    changes = {label: (old, new) for label, old, new in changed.changes}
    assert changes["status"] == ("Draft", "Submitted")
    assert changes["submitted by"] == ("nothing", "Sam Manager")
    assert changes["submitted at"] == ("nothing", "8 July 2016 at 10am")
    assert changed.when_text.endswith(("am", "pm", "midday", "midnight"))
    assert "None" not in str(changed.changes)


def test_an_escalation_needs_a_kpi_code_that_exists(client, version, service_manager):
    client.force_login(service_manager)
    response = client.post(
        reverse("performance:escalations"),
        {"title": "Staffing", "kind": "performance", "kpi_code": "NOPE", "description": "x"},
    )
    assert response.status_code == 400
    assert "NOPE is not a KPI in the specification in force" in response.content.decode()
