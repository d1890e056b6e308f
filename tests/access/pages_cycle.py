"""The commissioning cycle's pages: calendar, notifications, feeds, rules, reports."""

from lra_commissioning.roles import Role

from .expectations import STAFF, Page, public, staff

C = Role.COMMISSIONER
SM = Role.SERVICE_MANAGER
B = Role.BOARD_MEMBER
SL = Role.SUPPORT_LEAD
A = Role.ADMINISTRATOR


def _overdue_return():
    from lra_commissioning.cycle.models import Deadline

    return {"pk": Deadline.objects.get(key="kpi_return:2018-02").pk}


def _offset():
    from lra_commissioning.cycle.models import ReminderOffset

    return {"pk": ReminderOffset.objects.get(days=7).pk}


def _rule():
    from lra_commissioning.cycle.models import DeadlineRule

    return {"pk": DeadlineRule.objects.get(kind="kpi_return").pk}


def _report():
    from lra_commissioning.cycle.models import AnnualReport

    return {"pk": AnnualReport.objects.get(financial_year__start_year=2016, kind="annual").pk}


def _report_with_pdf():
    """The demo report, its PDF put into this test's media folder (each test has its own)."""
    from django.core.files.base import ContentFile

    from lra_commissioning.cycle.models import AnnualReport

    report = AnnualReport.objects.get(financial_year__start_year=2016, kind="annual")
    storage = report.pdf.storage
    if not storage.exists(report.pdf.name):
        storage.save(report.pdf.name, ContentFile(b"%PDF-1.7 demo"))
    return {"pk": report.pk}


def _feed_token():
    from lra_commissioning.cycle import services
    from lra_commissioning.models import User

    user = User.objects.get(email="manager@example.org")
    return {"token": services.calendar_feed_issue(user=user, by=user).token}


PAGES = {
    "cycle:calendar": Page(allowed=STAFF),
    # The February 2018 return is the service managers'; commissioners and the
    # administrator see every deadline; the board received its escalation but the
    # deadline is not theirs, so it is not found for them (nor for a support lead).
    "cycle:deadline": staff(C, SM, A, kwargs=_overdue_return, denied=404),
    "cycle:notifications": Page(allowed=STAFF),
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
    "cycle:public_annual_reports": public(),
    "cycle:public_annual_report": public(kwargs=lambda: {"start_year": 2016}),
    "cycle:public_annual_report_pdf": public(
        kwargs=lambda: {"start_year": 2016} if _report_with_pdf() else {}, html=False
    ),
}
