"""Browser journeys: a return submitted, then queried in part; a query without a comment
kept through the error; one bad value among twenty; the year at a glance on a phone; axe."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from performance import services
from performance.models import MonthlyReturn, ReturnUpload

from .factories import make_version, submitted_return

pytestmark = [pytest.mark.browser]
JUNE = datetime.date(2016, 6, 1)


def test_manager_submits_a_return_and_commissioner_queries_one_value_and_accepts_the_rest(
    transactional_db, page_for, assert_accessible, service_manager, commissioner
):
    make_version()
    page = page_for(service_manager)
    page.goto("/performance/returns/2016-06/")
    assert_accessible(page)
    page.get_by_label("Value for LIB01").fill("101")
    page.get_by_label("Value for REG01 (per cent)").fill("91.5")
    page.get_by_label("Value for REG05").fill("98")
    page.get_by_label("Commentary for LIB01").fill("Summer reading started")
    page.get_by_role("button", name="Submit the return").click()
    page.get_by_text("The June 2016 return has been submitted.").wait_for()
    assert MonthlyReturn.objects.get().status == "submitted"

    page = page_for(commissioner)
    page.goto("/performance/returns/2016-06/review/")
    assert_accessible(page)
    page.locator("#id_decision-LIB01_1").check()
    page.locator("#id_decision-REG01_0").check()
    page.locator("#id_decision-REG05_0").check()
    page.get_by_label("Comment on LIB01 (needed to query)").fill("Check the door counters")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Your review of the June 2016 return has been saved.").wait_for()
    ret = MonthlyReturn.objects.get()
    assert ret.status == "queried"
    assert dict(ret.values.values_list("kpi_code", "status")) == {
        "LIB01": "queried",
        "REG01": "accepted",
        "REG05": "accepted",
    }


def test_dashboard_kpi_page_and_upload_preview_pass_axe(
    transactional_db, page_for, assert_accessible, service_manager, commissioner
):
    make_version()
    for month in (datetime.date(2016, 4, 1), datetime.date(2016, 5, 1), JUNE):
        ret = services.monthly_return_open(month=month, by=service_manager)
        entries = {v.pk: {"value": "95"} for v in ret.values.all()}
        services.kpi_values_save(monthly_return=ret, entries=entries, by=service_manager)
        services.monthly_return_submit(monthly_return=ret, by=service_manager)
    page = page_for(commissioner)
    page.goto("/performance/?month=2016-06&show=all")
    assert page.locator("h1").inner_text() == "Performance in June 2016"
    assert_accessible(page)
    page.goto("/performance/kpis/LIB01/?month=2016-06")
    assert page.locator("svg.lra-chart").count() == 1
    assert_accessible(page)

    draft = services.monthly_return_open(month=datetime.date(2016, 7, 1), by=service_manager)
    upload = services.return_upload_parse(
        monthly_return=draft,
        uploaded=SimpleUploadedFile(
            "july.csv", b"kpi_code,period,value\nLIB01,2016-07,lots\nNOPE,2016-07,4\n"
        ),
        by=service_manager,
    )
    assert ReturnUpload.objects.get().errors
    page = page_for(service_manager)
    page.goto(f"/performance/returns/2016-07/upload/{upload.pk}/")
    page.get_by_text("The file has 2 problems").wait_for()
    assert_accessible(page)


def test_commissioner_queries_without_a_comment_then_adds_it_and_the_value_is_queried(
    transactional_db, page_for, assert_accessible, service_manager, commissioner
):
    make_version()
    submitted_return(JUNE, service_manager)
    page = page_for(commissioner)
    page.goto("/performance/returns/2016-06/review/")
    assert page.locator("input[type=radio]:checked").count() == 0
    page.locator("#id_decision-LIB01_1").check()  # query, with no comment yet
    page.locator("#id_decision-REG01_0").check()
    page.locator("#id_decision-REG05_0").check()
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page)
    # The choice survived the error: still a query, not an accept.
    assert page.locator("#id_decision-LIB01_1").is_checked()
    assert not page.locator("#id_decision-LIB01_0").is_checked()
    assert page.locator("#id_decision-REG01_0").is_checked()
    page.get_by_label("Comment on LIB01 (needed to query)").fill("Check the door counters")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Your review of the June 2016 return has been saved.").wait_for()
    value = MonthlyReturn.objects.get().values.get(kpi_code="LIB01")
    assert (value.status, value.review_comment) == ("queried", "Check the door counters")


def test_manager_posts_one_bad_value_among_twenty_and_finds_the_other_nineteen_still_filled(
    transactional_db, page_for, assert_accessible, service_manager
):
    make_version(extra=17)  # 20 KPIs
    page = page_for(service_manager)
    page.goto("/performance/returns/2016-06/")
    inputs = page.locator("input[name^=value-]")
    assert inputs.count() == 20
    typed = {}
    for i in range(20):
        name = inputs.nth(i).get_attribute("name")
        typed[name] = "lots" if i == 7 else f"{90 + i}"
        inputs.nth(i).fill(typed[name])
    page.get_by_label("Commentary for LIB01").fill("Summer reading started")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page)
    bad = [n for n, v in typed.items() if v == "lots"][0]
    code = bad.split("-", 1)[1]
    assert (
        page.locator(f"#id_{bad}-error")
        .inner_text()
        .endswith(f"Enter the value for {code} as a number, like 1,500 or 95.5")
    )
    for name, value in typed.items():
        assert page.locator(f"input[name='{name}']").input_value() == value
    assert page.get_by_label("Commentary for LIB01").input_value() == "Summer reading started"
    assert not MonthlyReturn.objects.exists()


@pytest.mark.parametrize("width", [320, 390, 1280, 1920])
def test_the_year_at_a_glance_has_no_page_overflow_from_phone_to_desktop(
    transactional_db, page_for, assert_accessible, service_manager, commissioner, width
):
    make_version(extra=5)
    for month in (datetime.date(2016, 4, 1), datetime.date(2016, 5, 1), JUNE):
        submitted_return(month, service_manager)
    page = page_for(commissioner)
    for url in (
        "/performance/year/?year=2016",
        "/performance/?month=2016-06&show=all",
        "/performance/kpis/LIB01/?month=2016-06",
        "/performance/returns/2016-06/review/",
    ):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} at {width} px overflows the page by {overflow} px"
        if width == 390:
            assert_accessible(page)
    entry = page_for(service_manager)
    entry.set_viewport_size({"width": width, "height": 900})
    entry.goto("/performance/returns/2016-07/")
    overflow = entry.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the return page at {width} px overflows the page by {overflow} px"
