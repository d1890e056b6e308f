"""Browser journeys: a return submitted, then queried in part; axe on the main pages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from performance import services
from performance.models import MonthlyReturn, ReturnUpload

from .factories import make_version

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
    lib01 = MonthlyReturn.objects.get().values.get(kpi_code="LIB01")
    page.locator(f"#query-{lib01.pk}").check()
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
