"""The commissioning cycle's pages: calendar, notifications, feeds, rules, reports."""

from lra_commissioning.roles import Role

from .expectations import STAFF, Page, public, staff

C = Role.COMMISSIONER
SM = Role.SERVICE_MANAGER
B = Role.BOARD_MEMBER
SL = Role.SUPPORT_LEAD
A = Role.ADMINISTRATOR


def _last_return():
    from django.utils import timezone

    from cycle.models import Deadline
    from lra_commissioning import dates

    month = dates.add_months(timezone.localdate().replace(day=1), -1)
    return {"pk": Deadline.objects.get(key=f"kpi_return:{month:%Y-%m}").pk}


def _offset():
    from cycle.models import ReminderOffset

    return {"pk": ReminderOffset.objects.get(days=7).pk}


def _rule():
    from cycle.models import DeadlineRule

    return {"pk": DeadlineRule.objects.get(kind="kpi_return").pk}


def _report():
    from cycle.models import AnnualReport

    return {"pk": AnnualReport.objects.get(financial_year__start_year=2016, kind="annual").pk}


def _report_with_pdf():
    """The demo report, its PDF put into this test's media folder (each test has its own)."""
    from django.core.files.base import ContentFile

    from cycle.models import AnnualReport

    report = AnnualReport.objects.get(financial_year__start_year=2016, kind="annual")
    storage = report.pdf.storage
    if not storage.exists(report.pdf.name):
        storage.save(report.pdf.name, ContentFile(b"%PDF-1.7 demo"))
    return {"pk": report.pk}


def _chapter():
    from cycle.models import ReportOutcome

    chapter = ReportOutcome.objects.filter(
        report__financial_year__start_year=2016, report__kind="annual"
    ).first()
    return {"pk": chapter.report_id, "chapter_pk": chapter.pk}


def _action_return():
    from cycle.models import ReportActionReturn

    action = ReportActionReturn.objects.filter(
        report__financial_year__start_year=2016, report__kind="annual"
    ).first()
    return {"pk": action.report_id, "action_pk": action.pk}


def _cabinet_report():
    from cycle.models import AnnualReport

    return {"pk": AnnualReport.objects.get(financial_year__start_year=2016, kind="cabinet").pk}


def _cabinet_report_with_pdf():
    """The demo's cabinet report, its PDF put into this test's media folder."""
    from django.core.files.base import ContentFile

    from cycle.models import AnnualReport

    report = AnnualReport.objects.get(financial_year__start_year=2016, kind="cabinet")
    storage = report.pdf.storage
    if not storage.exists(report.pdf.name):
        storage.save(report.pdf.name, ContentFile(b"%PDF-1.7 demo"))
    return {"start_year": 2016}


def _feed_token():
    from cycle import services
    from lra_commissioning.models import User

    user = User.objects.get(email="manager@example.org")
    return {"token": services.calendar_feed_issue(user=user, by=user).token}


PAGES = {
    "cycle:calendar": Page(allowed=STAFF),
    # Last month's return is the service managers'; commissioners and the
    # administrator see every deadline; the board and a support lead, who have
    # nothing to do with it, do not find it.
    "cycle:deadline": staff(C, SM, A, kwargs=_last_return, denied=404),
    "cycle:feed": Page(allowed=STAFF),
    # A secret address answers anyone who has it, signed in or not.
    "cycle:feed_private": public(kwargs=_feed_token, html=False),
    "cycle:feed_public": public(html=False),
    "cycle:rules": staff(A),
    "cycle:rule_edit": staff(A, kwargs=_rule),
    "cycle:offset_add": staff(A),
    "cycle:offset_edit": staff(A, kwargs=_offset),
    "cycle:reports": staff(C, SM, B),
    "cycle:report": staff(C, SM, B, kwargs=_report),
    "cycle:report_pdf": staff(C, SM, B, kwargs=_report_with_pdf, html=False),
    # POST only: a GET is refused for those who may act (405) and for others (403).
    "cycle:report_action": Page(
        allowed=frozenset({C}), ok=405, kwargs=lambda: {**_report(), "action": "approve"}
    ),
    # The demo's 2016/17 report is published: the pages where it is written and
    # assessed send those who may write or assess back to the report (302).
    "cycle:report_foreword": staff(SM, kwargs=_report, ok=302),
    "cycle:report_chapter": staff(SM, kwargs=_chapter, ok=302),
    "cycle:report_action_return": staff(SM, kwargs=_action_return, ok=302),
    "cycle:report_chapter_assess": staff(C, kwargs=_chapter, ok=302),
    "cycle:report_overall_assess": staff(C, kwargs=_report, ok=302),
    "cycle:report_return": staff(C, kwargs=_report, ok=302),
    # The demo's cabinet committee report is approved: its committee's record can change.
    "cycle:report_committee": staff(C, kwargs=_cabinet_report),
    # POST only.
    "cycle:report_submit": Page(allowed=frozenset({SM}), ok=405, kwargs=_report),
    # The demo's review of the approach for 2016/17 is completed.
    "cycle:approach_review": staff(C, SM, B, kwargs=lambda: {"start_year": 2016}),
    "cycle:approach_review_edit": staff(C, kwargs=lambda: {"start_year": 2016}, ok=302),
    "cycle:approach_review_input": staff(SM, kwargs=lambda: {"start_year": 2016}, ok=302),
    "cycle:approach_review_consideration": staff(C, kwargs=lambda: {"start_year": 2016}, ok=302),
    "cycle:public_cabinet_report_pdf": public(kwargs=_cabinet_report_with_pdf, html=False),
    "cycle:public_annual_reports": public(),
    "cycle:public_annual_report": public(kwargs=lambda: {"start_year": 2016}),
    "cycle:public_annual_report_pdf": public(
        kwargs=lambda: {"start_year": 2016} if _report_with_pdf() else {}, html=False
    ),
}
