"""Records that belong to someone or are not yet published: who may open them.

Beside the URL × role matrix (which walks the published demo data), each case
below builds one record in one state and opens every URL that addresses it:
the people who may not see it get 404 on every one (existence is not
revealed, and nothing changes), the people who may see it get the page (or,
where their role may not act, 403 rather than 404). The rules themselves are
in `lra_commissioning/permissions.py`; lists are checked against the same
rules at the end.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changes import services as change_services
from changes.models import BoardDecision
from cycle import report as report_module
from cycle import services as cycle_services
from demo_data.report import sample_report_data
from funding import services as funding_services
from lra_commissioning.models import FinancialYear
from lra_commissioning.permissions import can, visible_q
from lra_commissioning.roles import Role
from performance import services as performance_services
from slas import services as sla_services
from slas.models import level_periods
from specifications import services as spec_services
from tests.changes.factories import decide, in_force, raise_change
from tests.cycle.factories import make_report_ready_to_produce
from tests.factories import make_user
from tests.funding.factories import draft as budget_draft
from tests.funding.factories import support_services
from tests.performance.factories import accept_all, at, make_version
from tests.slas.factories import sla_in, support_service
from tests.specifications.factories import draft_version, published_version, take_to

pytestmark = pytest.mark.django_db

D = Decimal
JUNE = datetime.date(2016, 6, 1)
C = "commissioner"
C2 = "another commissioner"
SM = "service manager"
SM2 = "another service manager"
HOS = "head of service"
B = "board member"
SL = "support lead"
SL2 = "another support lead"
ANON = "anonymous"


@pytest.fixture
def people(commissioner, service_manager, head_of_service, board_member, support_lead):
    return {
        C: commissioner,
        C2: make_user(Role.COMMISSIONER, email="c2@example.org", full_name="Cleo Other"),
        SM: service_manager,
        SM2: make_user(Role.SERVICE_MANAGER, email="sm2@example.org", full_name="Sid Other"),
        HOS: head_of_service,
        B: board_member,
        SL: support_lead,
        SL2: make_user(Role.SUPPORT_LEAD, email="sl2@example.org", full_name="Sol Other"),
        ANON: None,
    }


@dataclass(frozen=True)
class Url:
    """One URL that addresses the record: how to build it and what those who see it get."""

    name: str
    kwargs: Callable[[dict], dict]
    ok: dict  # person -> status, for people who may see the record
    method: str = "get"
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[dict], dict]  # people -> the world: {"record": ..., and what URLs need}
    hidden: tuple  # people who may not see the record: 404 on every URL
    urls: tuple


def _get(name, kwargs, ok):
    return Url(name, kwargs, ok)


def _post(name, kwargs, ok, data=None):
    return Url(name, kwargs, ok, "post", data or {})


# Specification versions -------------------------------------------------------------


def _spec(state):
    def build(p):
        version = draft_version(p[C])
        take_to(version, state, p[C], p[B], p[HOS])
        version.refresh_from_db()
        outcome = version.outcomes.get()
        return {
            "record": version,
            "section": version.sections.first(),
            "outcome": outcome,
            "requirement": outcome.requirements.get(),
            "kpi": version.kpis.get(),
        }

    return build


def _v(w):
    return {"pk": w["record"].pk}


def _public_v(w):
    v = w["record"]
    return {
        "start_year": v.specification.financial_year.start_year,
        "major": v.major,
        "minor": v.minor,
    }


def _pk(key):
    return lambda w: {"pk": w[key].pk}


S = "specifications:"
# A draft (or a returned draft) is the commissioners': every URL that addresses
# it or its content. Commissioners may not sign off or agree (403, not 404).
SPEC_DRAFT_URLS = (
    _get(S + "version_detail", _v, {C: 200}),
    _get(S + "version_pdf", _v, {C: 200}),
    _get(S + "version_edit", _v, {C: 200}),
    _get(S + "version_sign_off", _v, {C: 403}),
    _get(S + "version_return", _v, {C: 403}),
    _get(S + "version_return_by_service", _v, {C: 403}),
    _post(S + "version_agree", _v, {C: 403}),
    _post(S + "version_publish", _v, {C: 302}),
    _get(S + "outcome_create", _v, {C: 200}),
    _get(S + "kpi_create", _v, {C: 200}),
    _get(S + "section_edit", _pk("section"), {C: 200}),
    _get(S + "outcome_edit", _pk("outcome"), {C: 200}),
    _get(S + "requirement_create", _pk("outcome"), {C: 200}),
    _get(S + "requirement_edit", _pk("requirement"), {C: 200}),
    _get(S + "kpi_edit", _pk("kpi"), {C: 200}),
    _post(S + "requirement_delete", _pk("requirement"), {C: 302}),
    _post(S + "outcome_delete", _pk("outcome"), {C: 302}),
    _post(S + "kpi_delete", _pk("kpi"), {C: 302}),
    _post(S + "version_submit", _v, {C: 302}),
)
SPEC_PUBLIC_URLS = (
    _get(S + "public_version", _public_v, {}),
    _get(S + "public_version_pdf", _public_v, {}),
)
SPEC_SEEN_BY_ALL = {C: 200, SM: 200, HOS: 200, B: 200}

SPEC_CASES = [
    Case("specification draft", _spec("draft"), (SM, HOS, B), SPEC_DRAFT_URLS),
    Case("specification returned", _spec("returned"), (SM, HOS, B), SPEC_DRAFT_URLS),
    Case(
        "specification returned by the service",
        _spec("returned_by_service"),
        (SM, HOS, B),
        SPEC_DRAFT_URLS,
    ),
    *[
        Case(
            f"specification {state}",
            _spec(state),
            (),
            (
                _get(S + "version_detail", _v, SPEC_SEEN_BY_ALL),
                _get(S + "version_pdf", _v, SPEC_SEEN_BY_ALL),
            ),
        )
        for state in ("with_board", "signed_off", "agreed", "published")
    ],
    Case(
        "specification with the board: the board decides",
        _spec("with_board"),
        (),
        (_get(S + "version_sign_off", _v, {B: 200}),),
    ),
    Case(
        "specification signed off: the head of service agrees it or returns it",
        _spec("signed_off"),
        (),
        (_get(S + "version_return_by_service", _v, {HOS: 200, SM: 403, C: 403, B: 403}),),
    ),
    # The public site shows published versions only, to everyone.
    *[
        Case(f"specification {state} on the public site", _spec(state), (ANON, C), SPEC_PUBLIC_URLS)
        for state in (
            "draft",
            "returned",
            "returned_by_service",
            "with_board",
            "signed_off",
            "agreed",
        )
    ],
    Case(
        "specification published on the public site",
        _spec("published"),
        (),
        tuple(Url(u.name, u.kwargs, {ANON: 200, C: 200}) for u in SPEC_PUBLIC_URLS),
    ),
]


# Business plans --------------------------------------------------------------------


def _plan(state):
    def build(p):
        version = published_version(p[C], p[B], p[HOS])
        plan = spec_services.business_plan_start(
            financial_year=version.specification.financial_year, by=p[SM]
        )
        section = plan.sections.get()
        action = spec_services.business_plan_action_create(
            section=section,
            description="Open on Sundays",
            milestone_on=datetime.date(2016, 9, 1),
            by=p[SM],
        )
        if state != "draft":
            spec_services.business_plan_section_update(
                section=section, approach="Longer hours.", by=p[SM]
            )
            spec_services.business_plan_submit(plan=plan, by=p[SM])
        if state == "returned":
            spec_services.business_plan_return(
                plan=plan, section_comments={section.pk: "Say how."}, by=p[C]
            )
        if state == "accepted":
            spec_services.business_plan_accept(plan=plan, by=p[C])
        plan.refresh_from_db()
        return {"record": plan, "section": section, "action": action}

    return build


def _year(w):
    return {"start_year": w["record"].financial_year.start_year}


PLAN_DRAFT_URLS = (
    _get(S + "plan_detail", _year, {SM: 200}),
    _get(S + "plan_summary_edit", _year, {SM: 200}),
    _get(S + "plan_review", _year, {SM: 403}),
    _post(S + "plan_review", _year, {SM: 403}, {"decision": "accept"}),
    _get(S + "plan_section_edit", _pk("section"), {SM: 200}),
    _get(S + "plan_action_create", _pk("section"), {SM: 200}),
    _post(S + "plan_action_delete", _pk("action"), {SM: 302}),
    _post(S + "plan_submit", _year, {SM: 302}),
)
PLAN_CASES = [
    Case("business plan draft", _plan("draft"), (C, B), PLAN_DRAFT_URLS),
    *[
        Case(
            f"business plan {state}",
            _plan(state),
            (),
            (_get(S + "plan_detail", _year, {C: 200, SM: 200, B: 200}),),
        )
        for state in ("submitted", "returned", "accepted")
    ],
    Case(
        "business plan submitted: the commissioner reviews",
        _plan("submitted"),
        (),
        (_get(S + "plan_review", _year, {C: 200}),),
    ),
]


# Monthly KPI returns and their evidence ---------------------------------------------------


def _return(state):
    def build(p):
        make_version()
        ret = performance_services.monthly_return_open(month=JUNE, by=p[SM])
        values = list(ret.values.order_by("pk"))
        entries = {v.pk: {"value": D(100), "commentary": "On profile."} for v in values}
        entries[values[0].pk]["evidence_file"] = SimpleUploadedFile(
            "evidence.csv", b"branch,visits\nNorth,100\n"
        )
        performance_services.kpi_values_save(monthly_return=ret, entries=entries, by=p[SM])
        if state != "draft":
            performance_services.monthly_return_submit(
                monthly_return=ret, by=p[SM], now=at(datetime.date(2016, 7, 8))
            )
        if state == "queried":
            decisions = {v.pk: ("accept", "") for v in values}
            decisions[values[0].pk] = ("query", "Check the North branch count.")
            performance_services.monthly_return_review(
                monthly_return=ret, decisions=decisions, by=p[C]
            )
        if state == "accepted":
            accept_all(ret, p[C])
        ret.refresh_from_db()
        return {"record": ret, "value": values[0]}

    return build


def _month(w):
    return {"month": f"{w['record'].month:%Y-%m}"}


P = "performance:"
RETURN_DRAFT_URLS = (
    _get(P + "return", _month, {SM: 200}),
    _get(P + "review", _month, {SM: 403}),
    _post(P + "review", _month, {SM: 403}),
    _get(P + "revise", _pk("value"), {SM: 200}),
    _get(P + "evidence", _pk("value"), {SM: 200}),
    _post(P + "return", _month, {SM: 302}, {"action": "save"}),
)
RETURN_SEEN_BY_ALL = {C: 200, SM: 200, B: 200}


def _upload(p):
    make_version()
    ret = performance_services.monthly_return_open(month=JUNE, by=p[SM])
    upload = performance_services.return_upload_parse(
        monthly_return=ret,
        uploaded=SimpleUploadedFile(
            "june.csv",
            b"kpi_code,period,value\nLIB01,2016-06,101\nREG01,2016-06,90\nREG05,2016-06,99\n",
        ),
        by=p[SM],
    )
    return {"record": ret, "upload": upload}


def _upload_kwargs(w):
    return {"month": f"{w['record'].month:%Y-%m}", "pk": w["upload"].pk}


RETURN_CASES = [
    Case("KPI return draft", _return("draft"), (C, B), RETURN_DRAFT_URLS),
    *[
        Case(
            f"KPI return {state}",
            _return(state),
            (),
            (
                _get(P + "return", _month, RETURN_SEEN_BY_ALL),
                _get(P + "evidence", _pk("value"), RETURN_SEEN_BY_ALL),
            ),
        )
        for state in ("submitted", "queried", "accepted")
    ],
    Case(
        "KPI return submitted: the commissioner reviews",
        _return("submitted"),
        (),
        (_get(P + "review", _month, {C: 200}),),
    ),
    # An upload waiting for confirmation is its uploader's alone.
    Case(
        "KPI return upload awaiting confirmation",
        _upload,
        (SM2,),
        (
            _get(P + "upload_preview", _upload_kwargs, {SM: 200}),
            _post(P + "upload_preview", _upload_kwargs, {SM: 302}),
        ),
    ),
]


# Management reports and their attachments ----------------------------------------


def _report(state):
    def build(p):
        report = performance_services.management_report_save(
            month=JUNE,
            highlights="Summer Reading Challenge ahead of last year.",
            risks_and_issues="",
            finance_summary="",
            by=p[SM],
        )
        attachment = performance_services.report_attachment_add(
            report=report, uploaded=SimpleUploadedFile("money.csv", b"a,b\n1,2\n"), by=p[SM]
        )
        if state != "draft":
            performance_services.management_report_submit(report=report, by=p[SM])
        if state == "reviewed":
            performance_services.management_report_review(report=report, comments="Noted.", by=p[C])
        report.refresh_from_db()
        return {"record": report, "attachment": attachment}

    return build


REPORT_DRAFT_URLS = (
    _get(P + "report", _month, {SM: 200}),
    _get(P + "attachment", _pk("attachment"), {SM: 200}),
    _post(P + "report", _month, {SM: 403}, {"action": "review", "comments": "Seen."}),
    _post(P + "report", _month, {SM: 302}, {"action": "save", "highlights": "More."}),
)
REPORT_CASES = [
    Case("management report draft", _report("draft"), (C, B), REPORT_DRAFT_URLS),
    *[
        Case(
            f"management report {state}",
            _report(state),
            (),
            (
                _get(P + "report", _month, RETURN_SEEN_BY_ALL),
                _get(P + "attachment", _pk("attachment"), RETURN_SEEN_BY_ALL),
            ),
        )
        for state in ("submitted", "reviewed")
    ],
]


# Budget versions and notices -----------------------------------------------------------

AGREED_ON = datetime.date(2015, 12, 9)


def _budget(state):
    def build(p):
        support_services(p[C])
        version = budget_draft(p[C])
        notice = None
        if state != "draft":
            funding_services.budget_version_propose(version=version, by=p[C])
        if state == "returned":
            funding_services.budget_version_decide(
                version=version, agree=False, decided_on=AGREED_ON, comments="Less.", by=p[B]
            )
        if state in ("agreed", "confirmed", "acknowledged"):
            funding_services.budget_version_decide(
                version=version,
                agree=True,
                decided_on=AGREED_ON,
                minute_reference="SB/1",
                by=p[B],
            )
        if state in ("confirmed", "acknowledged"):
            notice = funding_services.budget_version_confirm(
                version=version, by=p[C], on=datetime.date(2015, 12, 14)
            )
        if state == "acknowledged":
            funding_services.budget_notice_acknowledge(notice=notice, by=p[HOS])
        version.refresh_from_db()
        return {"record": version, "notice": notice}

    return build


def _number(w):
    return {"number": w["record"].number}


F = "funding:"
BUDGET_DRAFT_URLS = (
    _get(F + "version_detail", _number, {C: 200}),
    _get(F + "version_edit", _number, {C: 200}),
    _get(F + "version_decide", _number, {C: 403}),
    _post(F + "version_decide", _number, {C: 403}, {"decision": "agree"}),
    _post(F + "version_detail", _number, {C: 302}, {"action": "propose"}),
)
BUDGET_CASES = [
    Case("budget draft", _budget("draft"), (SM, HOS, B), BUDGET_DRAFT_URLS),
    Case("budget returned", _budget("returned"), (SM, HOS, B), BUDGET_DRAFT_URLS),
    # With the board and agreed: the board's, not yet the service's.
    Case(
        "budget proposed",
        _budget("proposed"),
        (SM, HOS),
        (
            _get(F + "version_detail", _number, {C: 200, B: 200}),
            _get(F + "version_decide", _number, {B: 200}),
            _get(F + "version_edit", _number, {C: 200, B: 403}),
            _post(F + "version_decide", _number, {B: 200}, {"decision": "agree"}),
        ),
    ),
    Case(
        "budget agreed",
        _budget("agreed"),
        (SM, HOS),
        (
            _get(F + "version_detail", _number, {C: 200, B: 200}),
            _get(F + "version_decide", _number, {B: 200}),
            _post(F + "version_detail", _number, {C: 302}, {"action": "confirm"}),
        ),
    ),
    # Confirmed to the service: everyone's, with its notice.
    *[
        Case(
            f"budget {state}",
            _budget(state),
            (),
            (
                _get(F + "version_detail", _number, {C: 200, SM: 200, HOS: 200, B: 200}),
                _get(F + "notice_detail", _pk("notice"), {C: 200, SM: 200, HOS: 200, B: 200}),
            ),
        )
        for state in ("confirmed", "acknowledged")
    ],
]


# Change requests ----------------------------------------------------------------------


def _change(state, raiser):
    def build(p):
        in_force(p[C], p[B], p[HOS])
        change = raise_change(p[raiser], fundamental=state == "with_board")
        line = None
        if state == "draft":
            line = change_services.change_budget_line_save(
                change=change, start_year=2016, line_key="staffing", amount="1000", by=p[raiser]
            )
        else:
            change_services.change_request_submit(change=change, by=p[raiser])
        change.refresh_from_db()
        return {"record": change, "item": change.items.first(), "line": line}

    return build


def _change_pk(w):
    return {"pk": w["record"].pk}


CH = "changes:"


def _change_draft_urls(raiser):
    return (
        _get(CH + "detail", _change_pk, {raiser: 200}),
        _get(CH + "edit", _change_pk, {raiser: 200}),
        _get(CH + "impact", _change_pk, {raiser: 200}),
        _get(CH + "item_add", lambda w: {**_change_pk(w), "kind": "kpi"}, {raiser: 200}),
        _get(CH + "budget_line_add", _change_pk, {raiser: 200}),
        _get(CH + "raise_to_fundamental", _change_pk, {raiser: 200}),
        _get(CH + "decide", _change_pk, {raiser: 403}),
        _post(
            CH + "item_delete",
            lambda w: {**_change_pk(w), "item_pk": w["item"].pk},
            {raiser: 302},
        ),
        _post(
            CH + "budget_line_delete",
            lambda w: {**_change_pk(w), "line_pk": w["line"].pk},
            {raiser: 302},
        ),
        _post(CH + "act", lambda w: {**_change_pk(w), "action": "submit"}, {raiser: 302}),
    )


CHANGE_CASES = [
    # A draft belongs to the person who raised it, even from others of their role.
    Case(
        "change draft raised by a service manager",
        _change("draft", SM),
        (SM2, HOS, C, B),
        _change_draft_urls(SM),
    ),
    Case(
        "change draft raised by a commissioner",
        _change("draft", C),
        (C2, SM, HOS, B),
        _change_draft_urls(C),
    ),
    Case(
        "change awaiting agreement",
        _change("awaiting_agreement", SM),
        (),
        (_get(CH + "detail", _change_pk, {SM: 200, SM2: 200, HOS: 200, C: 200, B: 200}),),
    ),
    Case(
        "change with the board",
        _change("with_board", SM),
        (),
        (
            _get(CH + "detail", _change_pk, {SM2: 200, C2: 200, B: 200}),
            _get(CH + "decide", _change_pk, {B: 200}),
        ),
    ),
]


# SLAs: a support lead sees only their own support service's -------------------------------


def _sla(state):
    def build(p):
        hr = support_service("HR", leads=[p[SL]])
        support_service("ICT", leads=[p[SL2]])
        sla = sla_in(state, service=hr, manager=p[SM], lead=p[SL])
        world = {
            "record": sla,
            "row": sla.responsibilities.first(),
            "level": sla.service_levels.first(),
        }
        if state == "drafting":
            world["contact"] = sla_services.escalation_contact_add(
                sla=sla, by=p[SM], side="service", level=1, name="Pat Doe"
            )
        else:
            level = world["level"]
            first = level_periods(level.frequency, sla.starts_on, 2016)[0]
            world["result"] = sla_services.result_report(
                service_level=level,
                period_start=first.start,
                value=D("90"),
                commentary="Short staffed.",
                by=p[SL],
            )
        return world

    return build


def _sla_pk(w):
    return {"pk": w["record"].pk}


def _sla_child(key, arg):
    return lambda w: {"pk": w["record"].pk, arg: w[key].pk}


SL_ = "slas:"
SLA_CASES = [
    Case(
        "SLA drafting, another service's lead",
        _sla("drafting"),
        (SL2,),
        (
            _get(SL_ + "detail", _sla_pk, {SL: 200, C: 200, B: 200}),
            _get(SL_ + "performance", _sla_pk, {SL: 200}),
            _get(SL_ + "edit", _sla_pk, {SL: 200, C: 403}),
            _get(SL_ + "return", _sla_pk, {SL: 200}),
            _get(SL_ + "responsibility_add", _sla_pk, {SL: 200}),
            _get(SL_ + "level_add", _sla_pk, {SL: 200}),
            _get(SL_ + "level_edit", _sla_child("level", "level"), {SL: 200}),
            _get(SL_ + "contact_add", _sla_pk, {SL: 200}),
            _post(SL_ + "responsibility_delete", _sla_child("row", "row"), {SL: 302}),
            _post(SL_ + "level_delete", _sla_child("level", "level"), {SL: 302}),
            _post(SL_ + "contact_delete", _sla_child("contact", "contact"), {SL: 302}),
            _post(SL_ + "act", lambda w: {**_sla_pk(w), "action": "propose"}, {SL: 302}),
        ),
    ),
    Case(
        "SLA in force, another service's lead",
        _sla("in_force"),
        (SL2,),
        (
            _get(SL_ + "detail", _sla_pk, {SL: 200}),
            _get(SL_ + "performance", _sla_pk, {SL: 200, SM: 200}),
            _get(SL_ + "result_add", _sla_child("level", "level"), {SL: 200}),
            _get(SL_ + "result_edit", _sla_child("result", "result"), {SL: 200}),
        ),
    ),
]


# Public pages: annual reports and decision notices -------------------------------------


def _annual_report(state):
    def build(p):
        FinancialYear.objects.get_or_create(start_year=2016)
        make_report_ready_to_produce(2016)
        with mock.patch("cycle.tasks.render_annual_report.delay_on_commit"):
            report = cycle_services.annual_report_request(
                start_year=2016, kind="annual", by=p[C], today=datetime.date(2017, 4, 1)
            )
        if state != "pending":
            with mock.patch.object(
                report_module, "build_report_data", return_value=sample_report_data(kpi_count=2)
            ):
                cycle_services.annual_report_render(report_id=report.pk)
            report.refresh_from_db()
        if state in ("approved", "published"):
            report = cycle_services.annual_report_approve(report=report, by=p[C])
        if state == "published":
            report = cycle_services.annual_report_publish(report=report, by=p[C])
        report.refresh_from_db()
        return {"record": report}

    return build


def _report_year(w):
    return {"start_year": w["record"].financial_year.start_year}


ANNUAL_REPORT_URLS = (
    _get("cycle:public_annual_report", _report_year, {}),
    _get("cycle:public_annual_report_pdf", _report_year, {}),
)


def _decision(published):
    def build(p):
        in_force(p[C], p[B], p[HOS])
        change = raise_change(p[SM], fundamental=True)
        change_services.change_request_submit(change=change, by=p[SM])
        decide(change, p[B])
        decision = BoardDecision.objects.get(change=change)
        if published:
            decision = change_services.decision_notice_publish(decision=decision, by=p[C])
        return {"record": change, "decision": decision}

    return build


PUBLIC_CASES = [
    *[
        Case(f"annual report {state}", _annual_report(state), (ANON, C), ANNUAL_REPORT_URLS)
        for state in ("pending", "generated", "approved")
    ],
    Case(
        "annual report published",
        _annual_report("published"),
        (),
        tuple(Url(u.name, u.kwargs, {ANON: 200, C: 200}) for u in ANNUAL_REPORT_URLS),
    ),
    Case(
        "decision notice not yet published",
        _decision(published=False),
        (ANON, C, B),
        (_get(CH + "notice", _pk("decision"), {}),),
    ),
    Case(
        "decision notice published",
        _decision(published=True),
        (),
        (_get(CH + "notice", _pk("decision"), {ANON: 200, B: 200}),),
    ),
]

# The board's papers and actions ---------------------------------------------------------


def _board(p):
    from django.utils import timezone

    from board import services as board_services
    from board.models import Position

    admin = make_user(Role.ADMINISTRATOR, email="a@example.org", full_name="Ada Admin")
    for who, position in ((B, Position.CABINET_MEMBER), (C, Position.CORPORATE_DIRECTOR)):
        board_services.membership_add(
            user=p[who], position=position, starts_on=datetime.date(2016, 4, 1), by=admin
        )
    board_services.membership_add(
        user=p[HOS],
        position=Position.HEAD_OF_SERVICE,
        starts_on=datetime.date(2016, 4, 1),
        by=admin,
    )
    meeting = board_services.meeting_schedule(
        date=timezone.localdate(),
        starts_at=datetime.time(10),
        location="Sessions House",
        by=p[C],
    )
    item = board_services.agenda_item_add(
        meeting=meeting, title="Fees", what_is_asked="To agree them.", by=p[C]
    )
    return board_services, meeting, item


def _papers(published):
    def build(p):
        board_services, meeting, _item = _board(p)
        board_services.papers_produce(meeting=meeting, by=p[C])
        board_services.papers_render(meeting_id=meeting.pk)
        meeting.refresh_from_db()
        if published:
            board_services.papers_publish(meeting=meeting, by=p[C])
        return {"record": meeting}

    return build


def _board_action(p):
    from board.models import Membership

    board_services, meeting, item = _board(p)
    board_services.attendance_record(
        meeting=meeting,
        statuses={m.pk: "present" for m in Membership.objects.all()},
        by=p[B],
    )
    board_services.item_decide(
        item=item,
        outcome="agreed",
        condition="Publish the fees",
        owner=p[HOS],
        due_on=meeting.date + datetime.timedelta(days=30),
        by=p[B],
    )
    return {"record": item.actions.get()}


BOARD_CASES = [
    Case(
        "board papers produced, not published",
        _papers(published=False),
        (B, SM, HOS, SL),
        (_get("board:papers_pdf", _v, {C: 200}),),
    ),
    Case(
        "board papers published: the members (the head of service sits on the board)",
        _papers(published=True),
        (SM, SL),
        (_get("board:papers_pdf", _v, {C: 200, B: 200, HOS: 200}),),
    ),
    Case(
        "a board action owned by the head of service",
        _board_action,
        (SM, SL),
        (
            _get("board:action", _v, {C: 200, B: 200, HOS: 200}),
            _post("board:action", _v, {HOS: 302}, {"note": "Done."}),
        ),
    ),
]

CASES = [
    *SPEC_CASES,
    *PLAN_CASES,
    *RETURN_CASES,
    *REPORT_CASES,
    *BUDGET_CASES,
    *CHANGE_CASES,
    *SLA_CASES,
    *PUBLIC_CASES,
    *BOARD_CASES,
]


def _sign_in(client, people, who):
    client.logout()
    if people[who] is not None:
        client.force_login(people[who])


def _history_rows() -> int:
    """Every change to every record writes a history row: the count tells whether anything
    changed."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


@pytest.mark.parametrize(
    ("case", "url"),
    [(case, url) for case in CASES for url in case.urls],
    ids=[f"{case.id}: {url.method.upper()} {url.name}" for case in CASES for url in case.urls],
)
def test_a_record_is_not_found_by_those_who_may_not_see_it(case, url, people, client):
    world = case.build(people)
    address = reverse(url.name, kwargs=url.kwargs(world))
    failures = []
    for who in case.hidden:
        _sign_in(client, people, who)
        before = _history_rows() if url.method == "post" else None
        response = getattr(client, url.method)(address, url.data)
        if response.status_code != 404:
            failures.append(f"{who}: got {response.status_code}, expected 404")
        if before is not None and _history_rows() != before:
            failures.append(f"{who}: the POST changed something")
    for who, expected in url.ok.items():
        _sign_in(client, people, who)
        response = getattr(client, url.method)(address, url.data)
        if response.status_code != expected:
            failures.append(f"{who}: got {response.status_code}, expected {expected}")
    assert not failures, f"{url.method.upper()} {address}: " + "; ".join(failures)


# Public comments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "public"),
    [("pending", False), ("rejected", False), ("published", True)],
)
def test_only_a_published_comment_is_on_any_public_page(status, public, people, client):
    version = published_version(people[C], people[B], people[HOS])
    comment = spec_services.comment_submit(
        version=version, body="Please open the Riverside branch on Sundays.", address="192.0.2.1"
    )
    if status == "published":
        spec_services.comment_publish(comment=comment, by=people[C])
    elif status == "rejected":
        spec_services.comment_reject(comment=comment, by=people[C])
    # Comments are shown beneath the version in force; no other public page shows one.
    pages = [
        (reverse(S + "public_current"), public),
        (reverse(S + "public_version", kwargs=_public_v({"record": version})), False),
        (reverse(S + "public_versions"), False),
        (reverse(S + "public_compare"), False),
    ]
    for who in (ANON, C):
        _sign_in(client, people, who)
        for page, shown in pages:
            response = client.get(page)
            assert response.status_code == 200
            assert ("Riverside branch" in response.content.decode()) is shown, (who, page)
    # Commissioners see every comment in moderation; no one else may open it.
    detail = reverse(S + "comment_detail", args=[comment.pk])
    for who, expected in ((C, 200), (SM, 403), (B, 403), (ANON, 302)):
        _sign_in(client, people, who)
        assert client.get(detail).status_code == expected, who
    _sign_in(client, people, C)
    listing = client.get(reverse(S + "comment_list") + f"?status={status}").content.decode()
    assert "Riverside branch" in listing


# Lists and dashboards show only what their pages open ------------------------------------


@dataclass(frozen=True)
class Listing:
    id: str
    build: Callable[[dict], dict]
    pages: Callable[[dict], tuple]  # addresses of the lists, built from the world
    marker: Callable[[dict], str]  # what the list shows of the record: a link to it
    shown_to: tuple
    hidden_from: tuple
    permission: str
    path: str = ""  # from the record's model to what the rule is about


def _href(name, kwargs):
    return lambda w: f'href="{reverse(name, kwargs=kwargs(w))}"'


def _spec_pages(w):
    return (reverse(S + "staff_index"),)


LISTINGS = [
    Listing(
        "specification draft",
        _spec("draft"),
        _spec_pages,
        _href(S + "version_detail", lambda w: {"pk": w["record"].pk}),
        (C,),
        (SM, B),
        "specification_version.view",
    ),
    Listing(
        "specification with the board",
        _spec("with_board"),
        _spec_pages,
        _href(S + "version_detail", lambda w: {"pk": w["record"].pk}),
        (C, SM, B),
        (),
        "specification_version.view",
    ),
    Listing(
        "business plan draft",
        _plan("draft"),
        lambda w: (reverse(S + "plan_list"),),
        _href(S + "plan_detail", _year),
        (SM,),
        (C, B),
        "business_plan.view",
    ),
    Listing(
        "business plan draft, named on the specification page",
        _plan("draft"),
        _spec_pages,
        lambda w: f"{w['record'].financial_year.label} (draft)",
        (SM,),
        (C, B),
        "business_plan.view",
    ),
    Listing(
        "business plan submitted",
        _plan("submitted"),
        lambda w: (reverse(S + "plan_list"),),
        _href(S + "plan_detail", _year),
        (SM, C, B),
        (),
        "business_plan.view",
    ),
    Listing(
        "KPI return draft",
        _return("draft"),
        lambda w: (reverse(P + "dashboard") + "?month=2016-06",),
        _href(P + "return", _month),
        (SM,),
        (C, B),
        "kpi_return.view",
    ),
    Listing(
        "KPI return submitted",
        _return("submitted"),
        lambda w: (
            reverse(P + "dashboard") + "?month=2016-06",
            reverse(P + "status") + "?year=2016",
        ),
        _href(P + "return", _month),
        (SM, C, B),
        (),
        "kpi_return.view",
    ),
    Listing(
        "management report draft",
        _report("draft"),
        lambda w: (reverse(P + "reports"),),
        _href(P + "report", _month),
        (SM,),
        (C, B),
        "management_report.view",
    ),
    Listing(
        "management report submitted",
        _report("submitted"),
        lambda w: (reverse(P + "reports"), reverse(P + "status") + "?year=2016"),
        _href(P + "report", _month),
        (SM, C, B),
        (),
        "management_report.view",
    ),
    Listing(
        "budget draft",
        _budget("draft"),
        lambda w: (reverse(F + "index"),),
        _href(F + "version_detail", _number),
        (C,),
        (SM, B),
        "budget_version.view",
    ),
    Listing(
        "budget agreed",
        _budget("agreed"),
        lambda w: (reverse(F + "index"),),
        _href(F + "version_detail", _number),
        (C, B),
        (SM,),
        "budget_version.view",
    ),
    Listing(
        "budget agreed, in the full cost",
        _budget("agreed"),
        lambda w: (reverse(F + "full_cost"),),
        lambda w: f"From budget version {w['record'].number} (",
        (C, B),
        (SM,),
        "budget_version.view",
    ),
    Listing(
        "budget confirmed, with its notice",
        _budget("confirmed"),
        lambda w: (reverse(F + "index"),),
        _href(F + "notice_detail", _pk("notice")),
        (C, SM, B),
        (),
        "budget_version.view",
    ),
    Listing(
        "change draft",
        _change("draft", SM),
        lambda w: (reverse(CH + "index"),),
        _href(CH + "detail", _change_pk),
        (SM,),
        (SM2, C, B),
        "change_request.view",
    ),
    Listing(
        "change awaiting agreement",
        _change("awaiting_agreement", SM),
        lambda w: (reverse(CH + "index"),),
        _href(CH + "detail", _change_pk),
        (SM, SM2, C, B),
        (),
        "change_request.view",
    ),
    Listing(
        "SLA of another support service",
        _sla("drafting"),
        lambda w: (reverse(SL_ + "index") + "?year=2016", reverse(SL_ + "overview") + "?year=2016"),
        _href(SL_ + "detail", _sla_pk),
        (SL, C),
        (SL2,),
        "sla.view",
        "support_service__",
    ),
]


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.id for listing in LISTINGS])
def test_lists_link_only_to_records_the_reader_may_open(listing, people, client):
    world = listing.build(people)
    record = world["record"]
    marker = listing.marker(world)
    for who in (*listing.shown_to, *listing.hidden_from):
        shown = who in listing.shown_to
        user = people[who]
        # The rule's two forms agree: the record's own page and the list's filter.
        in_filter = (
            type(record)
            .objects.filter(visible_q(user, listing.permission, path=listing.path))
            .filter(pk=record.pk)
            .exists()
        )
        assert can(user, listing.permission, record) is shown, who
        assert in_filter is shown, who
        _sign_in(client, people, who)
        for page in listing.pages(world):
            response = client.get(page)
            assert response.status_code == 200, (who, page)
            assert (marker in response.content.decode()) is shown, (who, page)


def test_the_commissioners_overdue_return_leads_to_the_status_board_not_to_the_draft(people):
    from performance.attention import items_for

    make_version(start_year=2016)
    performance_services.monthly_return_open(month=JUNE, by=people[SM])
    with time_machine.travel(datetime.datetime(2016, 8, 20, 12, tzinfo=datetime.UTC), tick=False):
        overdue = [i for i in items_for(people[C]) if i.group == "Overdue returns to chase"]
    june = [i for i in overdue if i.title == "June 2016 KPI return"]
    assert june, [i.title for i in overdue]
    assert june[0].url == reverse(P + "status") + "?year=2016"
    assert all(reverse(P + "return", kwargs={"month": "2016-06"}) != i.url for i in overdue)


# Filtering lists costs no queries per record ---------------------------------------------


def _more_changes(p, start, count):
    if start == 0:
        in_force(p[C], p[B], p[HOS])
    for _ in range(count):
        raise_change(p[SM2], item=False)  # a draft, hidden from the reader
        change = raise_change(p[SM])
        change_services.change_request_submit(change=change, by=p[SM])


def _more_reports(p, start, count):
    for i in range(start, start + count):
        month = datetime.date(2016 + (3 + i) // 12, (3 + i) % 12 + 1, 1)
        report = performance_services.management_report_save(
            month=month, highlights="Fine.", risks_and_issues="", finance_summary="", by=p[SM]
        )
        if i % 2:
            performance_services.management_report_submit(report=report, by=p[SM])


def _more_versions(p, start, count):
    for i in range(start, start + count):
        version = draft_version(p[C], start_year=2016 + i)
        if i % 2:
            take_to(version, "with_board", p[C], p[B], p[HOS])


FLAT_LISTS = [
    ("changes:index", _more_changes, C),
    ("performance:reports", _more_reports, B),
    ("specifications:staff_index", _more_versions, B),
    ("specifications:staff_compare", _more_versions, SM),
]


@pytest.mark.parametrize(("url_name", "grow", "reader"), FLAT_LISTS, ids=[f[0] for f in FLAT_LISTS])
def test_a_list_costs_the_same_queries_however_many_records_it_hides(
    url_name, grow, reader, people, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people[reader])
    client.get(reverse("home"))  # the session's expiry moves on now, not in a measured request
    counts = []
    for start, count in ((0, 2), (2, 6)):
        grow(people, start, count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
