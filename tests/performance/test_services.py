"""The return workflow, late marking, revisions, uploads, reports and plans."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lra_commissioning import obligations
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from performance import periods, services
from performance.models import (
    KpiRevision,
    MonthlyReturn,
    PerformanceSettings,
    ReturnStatus,
    ReturnUpload,
    ValueStatus,
)

from .factories import accept_all, at, make_version, submitted_return

JUNE = datetime.date(2016, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def met(monkeypatch):
    calls = []
    monkeypatch.setattr(obligations, "_listeners", [lambda key, on, by: calls.append(key)])
    return calls


def test_return_is_due_on_the_nth_working_day_after_the_month_skipping_bank_holidays(version):
    # May 2016 ends on Tuesday 31 May; no bank holiday in June: 10th working day is 14 June.
    assert periods.due_date(datetime.date(2016, 5, 1)) == datetime.date(2016, 6, 14)
    # March 2016 ends Thursday 31 March; Easter Monday 28 March is before; 10th is 14 April.
    PerformanceSettings.objects.create(pk=1, return_due_working_days=3)
    # August 2016 ends Wed 31 Aug: 1, 2, 5 September.
    assert periods.due_date(datetime.date(2016, 8, 1)) == datetime.date(2016, 9, 5)


def test_quarterly_and_annual_kpis_fall_due_only_in_their_last_month():
    assert periods.period_ending_in("quarterly", datetime.date(2016, 5, 1)) is None
    assert periods.period_ending_in("quarterly", JUNE).start == datetime.date(2016, 4, 1)
    assert periods.period_ending_in("annual", datetime.date(2017, 3, 1)).label == "2016/17"
    assert periods.period_ending_in("annual", datetime.date(2017, 2, 1)) is None


def test_submit_on_time_is_not_late_and_meets_the_obligation(version, service_manager, met):
    ret = submitted_return(JUNE, service_manager, submit_on=datetime.date(2016, 7, 14))
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.is_late is False
    assert met == ["kpi_return:2016-06"]
    assert set(ret.values.values_list("status", flat=True)) == {ValueStatus.SUBMITTED}


def test_kpi_return_submit_after_deadline_is_marked_late(version, service_manager):
    ret = submitted_return(JUNE, service_manager, submit_on=datetime.date(2016, 7, 15))
    assert ret.due_on == datetime.date(2016, 7, 14)
    assert ret.is_late is True


def test_submit_refuses_a_month_not_yet_ended(version, service_manager):
    ret = services.monthly_return_open(month=JUNE, by=service_manager)
    entries = {v.pk: {"value": D(1)} for v in ret.values.all()}
    services.kpi_values_save(monthly_return=ret, entries=entries, by=service_manager)
    with pytest.raises(DomainError, match="has not ended"):
        services.monthly_return_submit(
            monthly_return=ret, by=service_manager, now=at(datetime.date(2016, 6, 20))
        )
    assert MonthlyReturn.objects.get(pk=ret.pk).status == ReturnStatus.DRAFT


def test_submit_refuses_a_return_with_a_missing_value_and_saves_nothing(version, service_manager):
    ret = services.monthly_return_open(month=JUNE, by=service_manager)
    first = ret.values.first()
    services.kpi_values_save(
        monthly_return=ret, entries={first.pk: {"value": "5"}}, by=service_manager
    )
    with pytest.raises(DomainError, match="Enter a value for"):
        services.monthly_return_submit(
            monthly_return=ret, by=service_manager, now=at(datetime.date(2016, 7, 5))
        )
    assert not ret.values.filter(status=ValueStatus.SUBMITTED).exists()


def test_percentage_above_100_is_refused(version, service_manager):
    ret = services.monthly_return_open(month=JUNE, by=service_manager)
    pct = ret.values.get(kpi_code="REG01")
    with pytest.raises(DomainError, match="100 or less"):
        services.kpi_values_save(
            monthly_return=ret, entries={pct.pk: {"value": "100.5"}}, by=service_manager
        )


def test_query_one_value_and_accept_the_rest_makes_the_return_queried(
    version, service_manager, commissioner
):
    ret = submitted_return(JUNE, service_manager)
    values = {v.kpi_code: v for v in ret.values.all()}
    decisions = {v.pk: ("accept", "") for v in values.values()}
    decisions[values["LIB01"].pk] = ("query", "Check the door counter figure")
    ret = services.monthly_return_review(monthly_return=ret, decisions=decisions, by=commissioner)
    assert ret.status == ReturnStatus.QUERIED
    assert ret.values.get(kpi_code="LIB01").status == ValueStatus.QUERIED
    assert ret.values.filter(status=ValueStatus.ACCEPTED).count() == 2


def test_query_without_comment_is_refused(version, service_manager, commissioner):
    ret = submitted_return(JUNE, service_manager)
    value = ret.values.first()
    with pytest.raises(DomainError, match="Enter a comment"):
        services.monthly_return_review(
            monthly_return=ret, decisions={value.pk: ("query", " ")}, by=commissioner
        )


def test_correct_and_resubmit_keeps_every_revision(version, service_manager, commissioner):
    ret = submitted_return(JUNE, service_manager)
    value = ret.values.get(kpi_code="LIB01")
    decisions = {v.pk: ("accept", "") for v in ret.values.all()}
    decisions[value.pk] = ("query", "Too low")
    services.monthly_return_review(monthly_return=ret, decisions=decisions, by=commissioner)
    services.kpi_values_save(
        monthly_return=ret, entries={value.pk: {"value": "140"}}, by=service_manager
    )
    with pytest.raises(DomainError, match="Say what you changed"):
        services.monthly_return_resubmit(monthly_return=ret, reasons={}, by=service_manager)
    services.monthly_return_resubmit(
        monthly_return=ret, reasons={value.pk: "Counter fixed"}, by=service_manager
    )
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    revisions = list(KpiRevision.objects.filter(kpi_return=value).values_list("value", "reason"))
    assert revisions == [(D(100), ""), (D(140), "Counter fixed")]


def test_accepted_value_changes_only_through_a_revision_with_a_reason(
    version, service_manager, commissioner
):
    ret = accept_all(submitted_return(JUNE, service_manager), commissioner)
    assert ret.status == ReturnStatus.ACCEPTED
    value = ret.values.get(kpi_code="LIB01")
    # Saving over it directly is refused.
    with pytest.raises(TransitionNotAllowed):
        services.kpi_values_save(
            monthly_return=ret, entries={value.pk: {"value": "1"}}, by=service_manager
        )
    with pytest.raises(DomainError, match="reason"):
        services.kpi_return_revise(
            kpi_return=value, value="120", commentary="", reason="", by=service_manager
        )
    services.kpi_return_revise(
        kpi_return=value,
        value="120",
        commentary="",
        reason="Late library counts",
        by=service_manager,
    )
    value.refresh_from_db()
    ret.refresh_from_db()
    assert (value.value, value.status, ret.status) == (D(120), "submitted", "submitted")
    assert value.revisions.count() == 2


# Every state × action of the return workflow -----------------------------------------

ACTIONS = ["save", "submit", "review", "resubmit"]
# Which actions each state allows, and the state each leads to (a review that
# accepts every value accepts the return); every other pair is refused.
ALLOWED = {
    ReturnStatus.DRAFT: {"save": ReturnStatus.DRAFT, "submit": ReturnStatus.SUBMITTED},
    ReturnStatus.SUBMITTED: {"review": ReturnStatus.ACCEPTED},
    ReturnStatus.QUERIED: {"save": ReturnStatus.QUERIED, "resubmit": ReturnStatus.SUBMITTED},
    ReturnStatus.ACCEPTED: {},
}


def _return_in(state, manager, commissioner):
    if state == ReturnStatus.DRAFT:
        ret = services.monthly_return_open(month=JUNE, by=manager)
        entries = {v.pk: {"value": D(100)} for v in ret.values.all()}
        services.kpi_values_save(monthly_return=ret, entries=entries, by=manager)
        return ret
    ret = submitted_return(JUNE, manager)
    if state == ReturnStatus.QUERIED:
        value = ret.values.first()
        decisions = {v.pk: ("accept", "") for v in ret.values.all()}
        decisions[value.pk] = ("query", "Check it")
        services.monthly_return_review(monthly_return=ret, decisions=decisions, by=commissioner)
    elif state == ReturnStatus.ACCEPTED:
        accept_all(ret, commissioner)
    ret.refresh_from_db()
    assert ret.status == state
    return ret


def _do(action, ret, manager, commissioner):
    now = at(datetime.date(2016, 7, 5))
    if action == "save":
        return services.kpi_values_save(monthly_return=ret, entries={}, by=manager)
    if action == "submit":
        return services.monthly_return_submit(monthly_return=ret, by=manager, now=now)
    if action == "review":
        decisions = {v.pk: ("accept", "") for v in ret.values.filter(status="submitted")}
        return services.monthly_return_review(
            monthly_return=ret, decisions=decisions or {0: ("accept", "")}, by=commissioner
        )
    reasons = {v.pk: "fixed" for v in ret.values.all()}
    return services.monthly_return_resubmit(monthly_return=ret, reasons=reasons, by=manager)


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_return_workflow_every_state_and_action(
    state, action, version, service_manager, commissioner
):
    ret = _return_in(state, service_manager, commissioner)
    if action in ALLOWED[state]:
        _do(action, ret, service_manager, commissioner)
        assert MonthlyReturn.objects.get(pk=ret.pk).status == ALLOWED[state][action]
    else:
        with pytest.raises((TransitionNotAllowed, DomainError)):
            _do(action, ret, service_manager, commissioner)
        assert MonthlyReturn.objects.get(pk=ret.pk).status == state


# Uploads ------------------------------------------------------------------------------


def _csv(text, name="return.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def draft(version, service_manager):
    return services.monthly_return_open(month=JUNE, by=service_manager)


TODAY = datetime.date(2016, 7, 5)


def _parse(draft, manager, text, name="return.csv"):
    return services.return_upload_parse(
        monthly_return=draft, uploaded=_csv(text, name), by=manager, today=TODAY
    )


CLEAN = (
    "kpi_code,period,value,commentary\n"
    "LIB01,2016-06,101,ok\nREG01,2016-06,91.5,\nREG05,2016-06,98,\n"
)


def test_clean_upload_saves_nothing_until_confirmed(draft, service_manager):
    upload = _parse(draft, service_manager, CLEAN)
    assert upload.is_clean
    assert not draft.values.filter(value__isnull=False).exists()
    assert services.return_upload_confirm(upload=upload, by=service_manager) == 3
    assert draft.values.get(kpi_code="REG01").value == D("91.5")
    with pytest.raises(DomainError, match="already been saved"):
        services.return_upload_confirm(upload=upload, by=service_manager)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("NOPE1,2016-06,5", "NOPE1 is not a KPI code"),
        ("LIB01,2016-05,5", "The period May 2016 is wrong"),
        ("LIB01,2016-06,lots", "Enter the value for LIB01 as a number"),
        ("REG01,2016-06,100.01", "REG01 is a percentage, so it must be 100 or less"),
        ("LIB01,2016-06,-1", "The value for LIB01 must be 0 or more"),
        ("LIB01,2016-06,1.005", "LIB01 must have no more than 2 decimal places"),
        ("NOPE1,2016-06,lots", "Enter the value for NOPE1 as a number"),
        ("LIB01,2016-06,5\nLIB01,2016-06,6", "appears more than once"),
        ("LIB01,2016-07,5", "July 2016 has not ended yet"),
        ("LIB01,June,5", "Enter the period as a year and month"),
    ],
)
def test_upload_row_errors_are_listed_and_nothing_can_be_saved(
    draft, service_manager, row, message
):
    upload = _parse(draft, service_manager, "kpi_code,period,value\n" + row + "\n")
    assert any(message in e["message"] for e in upload.errors), upload.errors
    with pytest.raises(DomainError, match="Correct the errors"):
        services.return_upload_confirm(upload=upload, by=service_manager)
    assert not draft.values.filter(value__isnull=False).exists()


def test_upload_missing_a_column_is_refused_as_a_whole(draft, service_manager):
    with pytest.raises(ValidationError, match="missing the column"):
        _parse(draft, service_manager, "kpi_code,value\nLIB01,5\n")
    assert not ReturnUpload.objects.exists()


def test_upload_whose_content_does_not_match_its_name_is_refused(draft, service_manager):
    workbook = Workbook()
    workbook.active.append(["kpi_code", "period", "value"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    fake = SimpleUploadedFile("return.csv", buffer.getvalue())
    with pytest.raises(ValidationError, match="does not match its content"):
        services.return_upload_parse(
            monthly_return=draft, uploaded=fake, by=service_manager, today=TODAY
        )


def test_xlsx_upload_is_read(draft, service_manager):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kpi_code", "period", "value"])
    sheet.append(["LIB01", "2016-06", 101])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = services.return_upload_parse(
        monthly_return=draft,
        uploaded=SimpleUploadedFile("r.xlsx", buffer.getvalue()),
        by=service_manager,
        today=TODAY,
    )
    assert upload.rows[0]["value"] == "101" and upload.is_clean


# Reports, plans, escalations -----------------------------------------------------------


def test_report_submit_meets_obligation_and_review_needs_comments(
    version, service_manager, commissioner, met
):
    report = services.management_report_save(
        month=JUNE,
        highlights="Good month",
        risks_and_issues="",
        finance_summary="",
        by=service_manager,
    )
    services.management_report_submit(
        report=report, by=service_manager, now=at(datetime.date(2016, 7, 20))
    )
    report.refresh_from_db()
    assert report.is_late is True and met == ["management_report:2016-06"]
    with pytest.raises(DomainError):
        services.management_report_review(report=report, comments="", by=commissioner)
    services.management_report_review(report=report, comments="Fine", by=commissioner)
    with pytest.raises(TransitionNotAllowed):
        services.management_report_review(report=report, comments="Again", by=commissioner)


def test_attachment_checked_by_content_not_name(version, service_manager):
    report = services.management_report_save(
        month=JUNE, highlights="x", risks_and_issues="", finance_summary="", by=service_manager
    )
    with pytest.raises(services.FieldProblems, match="does not match"):
        services.report_attachment_add(
            report=report,
            uploaded=SimpleUploadedFile("notes.pdf", b"a,b\n1,2\n"),
            by=service_manager,
        )
    ok = services.report_attachment_add(
        report=report, uploaded=SimpleUploadedFile("notes.csv", b"a,b\n1,2\n"), by=service_manager
    )
    assert ok.kind == "csv" and not ok.file.name.endswith("notes.csv")


def test_action_done_meets_obligation_and_plan_closes_only_when_recovered_or_board_accepts(
    version, service_manager, commissioner, met
):
    plan = services.action_plan_open(
        kpi_code="LIB01", month=JUNE, trigger="Red", summary="Fix it", by=service_manager
    )
    with pytest.raises(DomainError, match="already has an open"):
        services.action_plan_open(
            kpi_code="LIB01", month=JUNE, trigger="Red", summary="Again", by=service_manager
        )
    action = services.action_add(
        plan=plan,
        description="Do",
        owner="Ann",
        due_on=datetime.date(2016, 9, 1),
        by=service_manager,
    )
    services.action_update_status(action=action, status="done", by=service_manager)
    assert met == [f"action:{action.pk}"]
    with pytest.raises(DomainError, match="has not recovered"):
        services.action_plan_close(
            plan=plan, reason="recovered", note="", by=commissioner, latest_rating="red"
        )
    with pytest.raises(DomainError, match="board decided"):
        services.action_plan_close(plan=plan, reason="board_accepted", note="", by=commissioner)
    services.action_plan_close(
        plan=plan, reason="recovered", note="", by=commissioner, latest_rating="green"
    )
    plan.refresh_from_db()
    assert plan.status == "closed"


def test_escalation_response_is_recorded_once(version, service_manager, board_member):
    esc = services.escalation_raise(
        title="Risk", kind="financial", description="Money", by=service_manager
    )
    services.escalation_respond(escalation=esc, response="Noted", by=board_member)
    with pytest.raises(TransitionNotAllowed):
        services.escalation_respond(escalation=esc, response="Again", by=board_member)


def test_comparator_import_is_previewed_then_all_or_nothing(version, administrator):
    from performance.models import ComparatorValue

    bad = _csv("kpi_code,year,authority,value\nLIB01,2016/17,Essex,5\nLIB01,20x,Kent,x\n")
    upload = services.comparators_upload_parse(uploaded=bad, by=administrator)
    assert [e["row"] for e in upload.errors] == [3, 3]
    assert "Enter the value for LIB01 as a number" in upload.errors[1]["message"]
    with pytest.raises(DomainError, match="Correct the errors"):
        services.comparators_upload_confirm(upload=upload, by=administrator)
    assert not ComparatorValue.objects.exists()

    ComparatorValue.objects.create(kpi_code="LIB01", start_year=2016, authority="Essex", value=4)
    good = _csv("kpi_code,year,authority,value\nLIB01,2016/17,essex,5\nLIB01,2016,Surrey,7\n")
    upload = services.comparators_upload_parse(uploaded=good, by=administrator)
    assert [(r["authority"], r["value"], r["replaces"]) for r in upload.rows] == [
        ("essex", "5", "4.00"),
        ("Surrey", "7", None),
    ]
    assert ComparatorValue.objects.get(authority="Essex").value == 4  # nothing saved yet
    assert services.comparators_upload_confirm(upload=upload, by=administrator) == 2
    assert ComparatorValue.objects.get(authority__iexact="essex").value == 5
    assert ComparatorValue.objects.count() == 2
    with pytest.raises(DomainError, match="already been imported"):
        services.comparators_upload_confirm(upload=upload, by=administrator)


def test_open_actions_are_deadlines_in_the_calendar_until_done_or_the_plan_closes(
    version, service_manager, commissioner
):
    from cycle import services as cycle
    from cycle.models import Deadline

    plan = services.action_plan_open(
        kpi_code="LIB01", month=JUNE, trigger="Red", summary="Fix it", by=service_manager
    )
    done, open_, next_year = (
        services.action_add(
            plan=plan, description=text, owner="Ann", due_on=due, by=service_manager
        )
        for text, due in (
            ("Extend opening hours", datetime.date(2016, 9, 1)),
            ("Survey users", datetime.date(2016, 11, 30)),
            ("Review in spring", datetime.date(2017, 5, 1)),
        )
    )
    cycle.deadlines_generate(start_year=2016)
    deadline = Deadline.objects.get(key=f"action:{open_.pk}")
    assert deadline.kind == "action" and deadline.due_on == datetime.date(2016, 11, 30)
    assert deadline.title == "LIB01 action: Survey users"
    assert deadline.responsible_role == "service_manager"
    assert not Deadline.objects.filter(key=f"action:{next_year.pk}").exists()  # 2017/18's

    services.action_update_status(
        action=done, status="done", by=service_manager, today=datetime.date(2016, 8, 30)
    )
    assert Deadline.objects.get(key=f"action:{done.pk}").met_on == datetime.date(2016, 8, 30)

    services.action_plan_close(plan=plan, reason="board_accepted", note="LRA-SB/7", by=commissioner)
    cycle.deadlines_generate(start_year=2016)
    assert Deadline.objects.get(key=f"action:{open_.pk}").withdrawn
    assert not Deadline.objects.get(key=f"action:{done.pk}").withdrawn  # met: history
