"""The sources of board business: what waits in each app below, how it is decided, its paper.

Each source reads its app through that app's models and selectors and decides
through that app's service, so the rules of a decision stay where the record
lives (`version_sign_off`, `budget_version_decide`, `change_request_decide`,
`idea_decide`, `escalation_respond`). The board's own business (the quarter's
performance exceptions, the annual report, the review of the approach, the
previous minutes, other business) is decided here, at the meeting.
"""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates, obligations
from lra_commissioning.workflow import DomainError

from .agenda import Outcome, Paper, Pending, Source, Table, register
from .models import AgendaItem, ItemKind, ItemState, Meeting, MeetingStatus

# An escalation is due for the board's response within 20 working days.
ESCALATION_WORKING_DAYS = 20
# The review of the commissioning approach comes to the board this close to its deadline.
REVIEW_LEAD_DAYS = 90


def _money(value) -> str:
    if value is None:
        return "none"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def _number(value) -> str:
    if value is None:
        return "none"
    value = Decimal(value)
    text = f"{value.normalize():f}"
    if "." not in text:
        return f"{int(value):,}"
    return text


def _date(day) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def _decided_at_a_meeting(keys) -> set[str]:
    """Which of these board-only items a meeting has already decided (one query)."""
    return set(
        AgendaItem.objects.filter(subject_key__in=list(keys), state=ItemState.DECIDED).values_list(
            "subject_key", flat=True
        )
    )


# Minutes of the previous meeting ---------------------------------------------------


class MinutesSource(Source):
    kind = ItemKind.MINUTES
    order = 0
    outcomes = (Outcome("approved", "Approved as a correct record"),)

    def pending(self, *, today):
        return [
            Pending(
                kind=self.kind,
                subject_key=f"minutes:{m.pk}",
                title=f"Minutes of the meeting on {_date(m.date)}",
                url=reverse("board:meeting", args=[m.pk]),
            )
            for m in Meeting.objects.filter(status=MeetingStatus.HELD).order_by("date", "id")
        ]

    def record(self, subject_key):
        return Meeting.objects.filter(pk=self._pk(subject_key)).first()

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from .services import minutes_approve

        minutes_approve(meeting=record, at_meeting=item.meeting, by=by)

    def paper(self, *, item, record):
        from .selectors import minutes_of

        if record is None:
            return Paper(asked="To approve the minutes of the previous meeting.")
        minutes = minutes_of(record, public=False)
        facts = [
            ("Present", ", ".join(minutes.present) or "No one recorded"),
            ("Apologies", ", ".join(minutes.apologies) or "No apologies"),
        ]
        if record.in_attendance:
            facts.append(("In attendance", record.in_attendance))
        text = [(f"Minute {m.minute_reference}: {m.title}", m.minute_text) for m in minutes.decided]
        return Paper(
            asked=f"To approve the minutes of the meeting held on {_date(record.date)} as a "
            "correct record.",
            options=["Approve them as a correct record (amend the draft first if needed)."],
            facts=facts,
            text=text,
            background=[("The meeting's page", reverse("board:meeting", args=[record.pk]))],
        )


# Specifications ---------------------------------------------------------------------


class SpecificationSource(Source):
    kind = ItemKind.SPECIFICATION
    order = 10
    outcomes = (
        Outcome("sign_off", "Signed off"),
        Outcome(
            "return",
            "Returned with comments",
            needs_resolution="Enter the board's comments, so the commissioner knows what to change",
        ),
    )

    def pending(self, *, today):
        from specifications.models import SpecificationVersion, VersionStatus

        items = []
        for v in SpecificationVersion.objects.filter(
            status=VersionStatus.WITH_BOARD
        ).select_related("specification__financial_year"):
            year = v.specification.financial_year
            items.append(
                Pending(
                    kind=self.kind,
                    subject_key=f"specification_version:{v.pk}",
                    title=f"{year.label} specification, version {v.number}",
                    url=reverse("specifications:version_detail", args=[v.pk]),
                    due=v.starts_on,
                    deadline_key=f"specification:{year.start_year}:sign_off",
                )
            )
        return items

    def record(self, subject_key):
        from specifications.selectors import version_with_content

        return version_with_content(self._pk(subject_key))

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from specifications import services

        if outcome == "sign_off":
            services.version_sign_off(
                version=record,
                decided_on=decided_on,
                minute_reference=minute,
                comments=resolution,
                by=by,
            )
        else:
            services.version_return(
                version=record,
                comments=resolution,
                decided_on=decided_on,
                minute_reference=minute,
                by=by,
            )

    def paper(self, *, item, record):
        from specifications.diff import versions_diff
        from specifications.selectors import version_with_content

        v = record
        year = v.specification.financial_year
        facts = [
            ("In force from", _date(v.starts_on)),
            ("Submitted to the board", _date(v.submitted_at)),
            ("Performance tolerance", f"{_number(v.performance_tolerance_percent)}%"),
            (
                "Budget tolerance",
                f"{_number(v.budget_tolerance_percent)}% or {_money(v.budget_tolerance_amount)}",
            ),
        ]
        text = [("What this version is for", v.summary)] if v.summary else []
        if v.service_return_reasons and v.service_returned_at:
            # Back round after the head of service returned the board's signed-off version.
            text.append(
                (
                    f"Returned by the head of service on "
                    f"{_date(timezone.localdate(v.service_returned_at))}, with these reasons",
                    v.service_return_reasons,
                )
            )
        tables = []
        if v.based_on_id:
            base = version_with_content(v.based_on_id)
            diff = versions_diff(base, v)
            facts.append(
                (
                    f"Changes from version {base.number} of "
                    f"{base.specification.financial_year.label}",
                    diff.summary(),
                )
            )
            if diff.kpis:
                tables.append(
                    Table(
                        "What changes in the KPIs",
                        ["KPI", "Change", "Details"],
                        [
                            [
                                f"{c.key} {c.title}",
                                c.kind,
                                "; ".join(
                                    f"{f.label}: {_plain(f.old)} to {_plain(f.new)}"
                                    for f in c.fields
                                ),
                            ]
                            for c in diff.kpis
                        ],
                    )
                )
        tables.append(
            Table(
                "The outcomes",
                ["Code", "Outcome", "Requirements"],
                [[o.code, o.title, str(len(o.requirements.all()))] for o in v.outcomes.all()],
            )
        )
        tables.append(
            Table(
                "The KPIs and their targets",
                ["KPI", "Title", "Annual target", "Floor"],
                [
                    [
                        k.code,
                        k.title,
                        _number(k.annual_target) if k.annual_target is not None else "activity",
                        _number(k.floor) if k.floor is not None else "",
                    ]
                    for k in sorted(v.kpis.all(), key=lambda k: (k.order, k.code))
                ],
            )
        )
        return Paper(
            asked=f"To sign off the {year.label} specification, version {v.number}, so that the "
            "head of service can agree it and it can be published.",
            options=[
                "Sign it off.",
                "Return it with comments: the commissioner revises it and submits it again.",
            ],
            facts=facts,
            text=text,
            tables=tables,
            background=[
                ("The version's page", reverse("specifications:version_detail", args=[v.pk])),
                ("The version as a PDF", reverse("specifications:version_pdf", args=[v.pk])),
            ],
        )


def _plain(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# Budgets and funding changes ------------------------------------------------------------


class BudgetSource(Source):
    kind = ItemKind.BUDGET
    order = 20
    outcomes = (
        Outcome("agree", "Agreed"),
        Outcome(
            "return",
            "Returned",
            needs_resolution="Enter the board's comments: say what must change",
        ),
    )

    def pending(self, *, today):
        from funding.models import BudgetVersion, VersionKind, VersionStatus

        items = []
        for b in BudgetVersion.objects.filter(status=VersionStatus.PROPOSED):
            annual = b.kind == VersionKind.ANNUAL
            items.append(
                Pending(
                    kind=self.kind,
                    subject_key=f"budget_version:{b.pk}",
                    title=(
                        f"Five-year budget {b.years_label} (version {b.number})"
                        if annual
                        else f"Change to the agreed budget (version {b.number})"
                    ),
                    url=reverse("funding:version_detail", kwargs={"number": b.number}),
                    due=datetime.date(b.start_year - 1, 12, 31) if annual else None,
                    deadline_key=f"funding_confirmation:{b.start_year}" if annual else "",
                    kind_label="Budget to agree" if annual else "Funding change to agree",
                )
            )
        return items

    def record(self, subject_key):
        from funding.models import BudgetVersion

        return (
            BudgetVersion.objects.select_related("based_on")
            .filter(pk=self._pk(subject_key))
            .first()
        )

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from funding import services

        services.budget_version_decide(
            version=record,
            agree=outcome == "agree",
            decided_on=decided_on,
            minute_reference=minute,
            comments=resolution,
            by=by,
        )

    def paper(self, *, item, record):
        from funding.selectors import budget_grid
        from funding.services import notice_lines

        v = record
        grid = budget_grid(v)
        totals = Table(
            "The five years",
            ["Year", "Gross expenditure", "Service income", "Net budget", "Savings required"],
            [
                [
                    dates.financial_year_label(t.start_year),
                    _money(t.gross_expenditure),
                    _money(t.service_income),
                    _money(t.net),
                    _money(t.savings_required),
                ]
                for t in grid.totals
            ],
        )
        tables = [totals]
        if v.based_on_id:
            rows = notice_lines(old=v.based_on, new=v)
            tables.append(
                Table(
                    f"What changes from version {v.based_on.number}",
                    ["Year", "Line", "Now", "Proposed"],
                    [
                        [
                            dates.financial_year_label(year),
                            label,
                            _money(before),
                            _money(after),
                        ]
                        for year, label, _order, before, after in rows
                    ],
                )
            )
        annual = v.kind == "annual"
        return Paper(
            asked=(
                f"To agree the rolling five-year budget for {v.years_label}, so that the "
                "commissioner can confirm the funding for "
                f"{dates.financial_year_label(v.start_year)} by 31 December {v.start_year - 1}."
                if annual
                else "To agree this change to the agreed budget; the head of service is then "
                "sent a notice of the new amounts."
            ),
            options=["Agree it.", "Return it with comments: the commissioner revises it."],
            facts=[("Why this version", v.reason), ("Income rule", v.get_income_rule_display())],
            tables=tables,
            background=[
                (
                    f"Budget version {v.number}",
                    reverse("funding:version_detail", kwargs={"number": v.number}),
                )
            ],
        )


# Fundamental changes and service ideas ---------------------------------------------------


class ChangeSource(Source):
    kind = ItemKind.CHANGE
    order = 30
    outcomes = (
        Outcome("approved", "Approved"),
        Outcome("approved_with_conditions", "Approved with conditions", needs_condition=True),
        Outcome("deferred", "Deferred"),
        Outcome("rejected", "Rejected"),
    )

    def pending(self, *, today):
        from changes.models import ChangeRequest, Status

        return [
            Pending(
                kind=self.kind,
                subject_key=f"change_request:{c.pk}",
                title=f"{c.reference} {c.title}",
                url=reverse("changes:detail", args=[c.pk]),
                due=c.effective_on,
                deadline_key=f"change_request:{c.pk}",
            )
            for c in ChangeRequest.objects.filter(status=Status.WITH_BOARD)
        ]

    def record(self, subject_key):
        from changes.selectors import change_request_detail

        return change_request_detail(self._pk(subject_key))

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from changes import services

        services.change_request_decide(
            change=record,
            decision=outcome,
            decided_on=decided_on,
            minute_reference=minute,
            conditions=conditions,
            comments=resolution,
            by=by,
        )

    def paper(self, *, item, record):
        c = record
        yes_no = {True: "Yes", False: "No"}
        tables = []
        items = list(c.items.all())
        if items:
            tables.append(
                Table(
                    "What it changes in the specification",
                    ["Change"],
                    [[i.describe()] for i in items],
                )
            )
        lines = list(c.budget_lines.all())
        if lines:
            from funding.selectors import line_labels

            labels = line_labels(keys={line.line_key for line in lines})
            tables.append(
                Table(
                    "What it changes in the budget",
                    ["Year", "Line", "New amount"],
                    [
                        [
                            dates.financial_year_label(line.start_year),
                            labels.get(line.line_key, line.line_key),
                            _money(line.amount),
                        ]
                        for line in lines
                    ],
                )
            )
        return Paper(
            asked=f"To decide on the fundamental change {c.reference}: {c.title}.",
            options=[
                "Approve it: the commissioner applies it as a new version of the specification.",
                "Approve it with conditions: each condition becomes an action with an owner "
                "and a due date.",
                "Defer it: it can be raised again when the board asks for it.",
                "Reject it.",
            ],
            facts=[
                ("Takes effect from", _date(c.effective_on)),
                ("Raised by", f"{c.raised_by} on {_date(c.raised_at.date())}"),
                ("Alters the overarching objectives", yes_no[c.alters_objectives]),
                ("Contravenes council policy or procedure", yes_no[c.contravenes_policy]),
                ("Affects the agreed budget", yes_no[c.affects_budget]),
            ],
            text=[("What should change", c.description), ("Why", c.reason)],
            impact=list(c.impacts),
            tables=tables,
            background=[
                (f"{c.reference} in the change register", reverse("changes:detail", args=[c.pk]))
            ],
        )


class IdeaSource(Source):
    kind = ItemKind.IDEA
    order = 40
    outcomes = (
        Outcome("adopted", "Adopted"),
        Outcome("deferred", "Deferred"),
        Outcome("declined", "Declined"),
    )

    def pending(self, *, today):
        from changes.models import IdeaStatus, ServiceIdea
        from changes.selectors import idea_due

        return [
            Pending(
                kind=self.kind,
                subject_key=f"service_idea:{i.pk}",
                title=f"{i.reference} {i.title}",
                url=reverse("changes:idea_detail", args=[i.pk]),
                due=idea_due(i),
            )
            for i in ServiceIdea.objects.filter(status=IdeaStatus.PROPOSED)
        ]

    def record(self, subject_key):
        from changes.models import ServiceIdea

        return (
            ServiceIdea.objects.select_related("proposed_by")
            .filter(pk=self._pk(subject_key))
            .first()
        )

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from changes import services

        services.idea_decide(
            idea=record,
            decision=outcome,
            decided_on=decided_on,
            minute_reference=minute,
            comments=resolution,
            by=by,
        )

    def paper(self, *, item, record):
        i = record
        return Paper(
            asked=f"To give the board's view of the idea {i.reference}: {i.title}.",
            options=[
                "Adopt it: it may become a change request.",
                "Defer it.",
                "Decline it.",
            ],
            facts=[("Proposed by", f"{i.proposed_by} on {_date(i.proposed_at.date())}")],
            text=[
                ("The idea", i.description),
                ("Benefits", i.benefits),
                ("Costs", i.costs),
                ("Risks", i.risks),
            ],
            background=[(f"{i.reference}", reverse("changes:idea_detail", args=[i.pk]))],
        )


# Escalations and performance ----------------------------------------------------------------


def _kpi_glance(code: str, month: datetime.date) -> list[Table]:
    """One KPI's last twelve results, as a table (the year at a glance for an escalation)."""
    from performance.selectors import kpi_rows

    _version, rows = kpi_rows(month=month, codes={code})
    if not rows:
        return []
    row = rows[0]
    return [
        Table(
            f"{row.kpi.code} {row.kpi.title}: the last twelve results",
            ["Period", "Value"],
            [
                [label, _number(value) if value is not None else "no result"]
                for label, value in row.spark
            ],
        ),
        Table(
            f"{row.kpi.code} now",
            ["Latest rating", "Year to date", "Target", "Floor"],
            [[row.rating.label, _number(row.ytd), _number(row.target), _number(row.floor)]],
        ),
    ]


class EscalationSource(Source):
    kind = ItemKind.ESCALATION
    order = 50
    resolution_label = "The board's response"
    outcomes = (
        Outcome("responded", "Response agreed", needs_resolution="Enter the board's response"),
    )

    def pending(self, *, today):
        from performance.models import Escalation, EscalationStatus

        return [
            Pending(
                kind=self.kind,
                subject_key=f"escalation:{e.pk}",
                title=e.title,
                url=reverse("performance:escalation", args=[e.pk]),
                due=dates.nth_working_day_after(e.raised_at.date(), ESCALATION_WORKING_DAYS),
            )
            for e in Escalation.objects.filter(status=EscalationStatus.OPEN)
        ]

    def record(self, subject_key):
        from performance.models import Escalation

        return (
            Escalation.objects.select_related("raised_by").filter(pk=self._pk(subject_key)).first()
        )

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        from performance import services

        services.escalation_respond(
            escalation=record, response=f"{resolution.strip()}\n\n(Minute {minute})", by=by
        )

    def paper(self, *, item, record):
        e = record
        month = (e.raised_at.date().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        tables = _kpi_glance(e.kpi_code, month) if e.kpi_code else []
        return Paper(
            asked="To respond to a risk the service has escalated to the board.",
            options=["Agree the board's response, with any actions it sets."],
            facts=[
                ("Kind of risk", e.get_kind_display()),
                ("Raised by", f"{e.raised_by or 'the service'} on {_date(e.raised_at.date())}"),
                *([("KPI", e.kpi_code)] if e.kpi_code else []),
            ],
            text=[("The risk", e.description)],
            tables=tables,
            background=[("The escalation", reverse("performance:escalation", args=[e.pk]))],
        )


def _last_ended_quarter(today: datetime.date) -> dates.Period:
    return dates.quarter_of(dates.quarter_of(today).start - datetime.timedelta(days=1))


def _quarter_from_key(subject_key: str) -> dates.Period | None:
    try:
        start = datetime.date.fromisoformat(subject_key.rsplit(":", 1)[1] + "-01")
    except (IndexError, ValueError):
        return None
    return dates.quarter_of(start)


class PerformanceSource(Source):
    """The quarter's performance exceptions: the board receives them once a quarter ends."""

    kind = ItemKind.PERFORMANCE
    order = 60
    outcomes = (Outcome("noted", "Noted"),)

    def pending(self, *, today):
        from specifications.models import SpecificationVersion, VersionStatus

        quarter = _last_ended_quarter(today)
        key = f"performance_quarter:{quarter.start:%Y-%m}"
        in_force = SpecificationVersion.objects.filter(
            status=VersionStatus.PUBLISHED, starts_on__lte=quarter.end
        ).exists()
        if not in_force or key in _decided_at_a_meeting([key]):
            return []
        return [
            Pending(
                kind=self.kind,
                subject_key=key,
                title=f"Performance exceptions, {quarter.label} "
                f"({quarter.start:%B} to {quarter.end:%B %Y})",
                url=reverse("performance:dashboard") + f"?month={quarter.end:%Y-%m}",
            )
        ]

    def record(self, subject_key):
        return _quarter_from_key(subject_key)

    def paper(self, *, item, record):
        from performance.selectors import kpi_rows

        quarter = record
        last_month = quarter.end.replace(day=1)
        version, rows = kpi_rows(month=last_month)
        exceptions = [r for r in rows if r.needs_attention]
        tables = [
            Table(
                f"Exceptions at the end of {quarter.end:%B %Y}",
                ["KPI", "Latest value", "Target", "Floor", "Rating", "Action plan"],
                [
                    [
                        f"{r.kpi.code} {r.kpi.title}",
                        _number(r.value) if r.value is not None else "no result",
                        _number(r.target),
                        _number(r.floor),
                        r.rating.label,
                        "Open" if r.plan else (r.plan_needed or "None"),
                    ]
                    for r in exceptions
                ],
            )
        ]
        # The year at a glance: each KPI's rating at the end of each quarter so far.
        year = dates.financial_year_of(quarter.start)
        quarters = [q for q in dates.financial_year_quarters(year) if q.end <= quarter.end]
        ratings = {}
        for q in quarters:
            _v, q_rows = kpi_rows(month=q.end.replace(day=1))
            for r in q_rows:
                ratings.setdefault(r.kpi.code, {})[q.label] = r.rating.label
        tables.append(
            Table(
                f"The year at a glance, {dates.financial_year_label(year)}",
                ["KPI", *[q.label.split(" ")[0] for q in quarters]],
                [
                    [
                        f"{r.kpi.code} {r.kpi.title}",
                        *[ratings.get(r.kpi.code, {}).get(q.label, "") for q in quarters],
                    ]
                    for r in rows
                ],
            )
        )
        counts = {}
        for r in rows:
            counts[r.rating.label] = counts.get(r.rating.label, 0) + 1
        return Paper(
            asked=f"To note the performance exceptions of {quarter.label} and set any actions.",
            options=["Note them, setting any actions the board wants with an owner and a date."],
            facts=[
                ("Specification in force", f"Version {version.number}" if version else "None"),
                ("KPIs", str(len(rows))),
                ("Needing attention", str(len(exceptions))),
                ("Ratings", ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))),
            ],
            tables=tables,
            background=[
                (
                    "The exception dashboard",
                    reverse("performance:dashboard") + f"?month={quarter.end:%Y-%m}",
                )
            ],
        )


# The annual report and the review of the approach --------------------------------------------


class AnnualReportSource(Source):
    kind = ItemKind.ANNUAL_REPORT
    order = 70
    outcomes = (Outcome("received", "Received"),)

    def pending(self, *, today):
        from cycle.models import AnnualReport, ReportKind, ReportStatus

        last_year = dates.financial_year_of(today) - 1
        report = (
            AnnualReport.objects.filter(
                kind=ReportKind.ANNUAL,
                financial_year__start_year=last_year,
                status__in=[ReportStatus.GENERATED, ReportStatus.APPROVED, ReportStatus.PUBLISHED],
            )
            .select_related("financial_year")
            .first()
        )
        if report is None:
            return []
        key = f"annual_report:{report.pk}"
        if key in _decided_at_a_meeting([key]):
            return []
        return [
            Pending(
                kind=self.kind,
                subject_key=key,
                title=f"Annual report {report.financial_year.label}",
                url=reverse("cycle:report", args=[report.pk]),
                due=datetime.date(last_year + 1, 7, 31),
                deadline_key=f"annual_report:{last_year}",
            )
        ]

    def record(self, subject_key):
        from cycle.models import AnnualReport

        return (
            AnnualReport.objects.select_related("financial_year")
            .filter(pk=self._pk(subject_key))
            .first()
        )

    def paper(self, *, item, record):
        summary = record.summary or {}
        facts = [("Status", record.get_status_display())]
        if summary.get("ratings"):
            facts.append(
                ("KPI results", ", ".join(f"{label} {n}" for label, n in summary["ratings"]))
            )
        tables = []
        if summary.get("outcomes"):
            tables.append(
                Table(
                    "Outcomes",
                    ["Outcome", "KPIs", "On target"],
                    [
                        [f"{o['code']} {o['title']}", str(o["kpis"]), str(o["on_target"])]
                        for o in summary["outcomes"]
                    ],
                )
            )
        return Paper(
            asked=f"To receive the annual report for {record.financial_year.label}.",
            options=["Receive it, with any comments for the commissioner."],
            facts=facts,
            tables=tables,
            background=[("The report", reverse("cycle:report", args=[record.pk]))],
        )


class ApproachReviewSource(Source):
    """The review of the commissioning approach, twelve months after it started."""

    kind = ItemKind.APPROACH_REVIEW
    order = 80
    outcomes = (Outcome("agreed", "Review agreed"), Outcome("deferred", "Deferred"))

    def pending(self, *, today):
        from cycle.models import Deadline, DeadlineKind

        horizon = today + datetime.timedelta(days=REVIEW_LEAD_DAYS)
        return [
            Pending(
                kind=self.kind,
                subject_key=f"approach_review:{d.pk}",
                title=d.title,
                url=reverse("cycle:deadline", args=[d.pk]),
                due=d.due_on,
                deadline_key=d.key,
            )
            for d in Deadline.objects.open().filter(
                kind=DeadlineKind.APPROACH_REVIEW, due_on__lte=horizon
            )
        ]

    def record(self, subject_key):
        from cycle.models import Deadline

        return Deadline.objects.filter(pk=self._pk(subject_key)).first()

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        if outcome == "agreed":
            if record.is_met:
                raise DomainError("The review of the approach has already been recorded as done.")
            obligations.obligation_met(record.key, by=by, on=decided_on)

    def paper(self, *, item, record):
        return Paper(
            asked="To review the commissioning approach, twelve months after it started.",
            options=["Agree the review and any changes it recommends.", "Defer it."],
            facts=[("Due", _date(record.due_on))],
            background=[("The deadline", reverse("cycle:deadline", args=[record.pk]))],
        )


class OtherSource(Source):
    """Business added to the agenda by hand."""

    kind = ItemKind.OTHER
    order = 90
    outcomes = (
        Outcome("agreed", "Agreed"),
        Outcome("noted", "Noted"),
        Outcome("not_agreed", "Not agreed"),
    )

    def paper(self, *, item, record):
        return Paper(
            asked=item.what_is_asked or "To consider the item.",
            options=["Agree it.", "Note it.", "Do not agree it."],
        )


for _source in (
    MinutesSource(),
    SpecificationSource(),
    BudgetSource(),
    ChangeSource(),
    IdeaSource(),
    EscalationSource(),
    PerformanceSource(),
    AnnualReportSource(),
    ApproachReviewSource(),
    OtherSource(),
):
    register(_source)
