"""Demo: a finished year's annual report and review of the approach, written by their owners.

Called by the demo story (the lead wires these into the demo loaders):

    demo_fill_annual_report(ctx, start_year)   the service drafts, the commissioner
        assesses, produces (rendered here, no worker), approves and publishes it
    demo_fill_cabinet_report(ctx, start_year)  produced, approved, its committee,
        meeting, recommendation and resolution recorded
    demo_fill_approach_review(ctx, start_year) scope, the service's input, findings,
        recommendations, considered by the board and the committee, completed

Everything goes through the services, as people would; each is safe to run twice
(a step already taken is skipped). Text is built from the year's own records
(its outcomes and business plan actions), so it fits whatever story the demo tells.
"""

import datetime

from django.utils import timezone

from . import services
from .models import (
    AnnualReport,
    ApproachReview,
    ApproachReviewStatus,
    Deadline,
    Delivery,
    ReportKind,
    ReportStatus,
)

NARRATIVES = [
    "Across the year the service focused on {title_lower}. Teams worked with partners "
    "and volunteers to reach people who had not used the service before, and reviewed "
    "opening hours with the communities each building serves.",
    "The service met rising demand for {title_lower} by moving routine work online and "
    "freeing staff for the people who need most help. Feedback from customers was "
    "positive, and complaints fell through the year.",
    "Work on {title_lower} built on last year's foundations: the service renewed its "
    "partnerships, trained staff in new ways of working and tested two pilots that will "
    "be rolled out next year.",
]
HIGHLIGHTS = [
    "Summer Reading Challenge: more children finished than ever before\n"
    "Two libraries refurbished with community rooms",
    "Online appointments for every ceremony and registration\n"
    "Waiting times cut in the busiest register offices",
    "Archive catalogue online for the first time\nVolunteers gave over 5,000 hours",
]
CASE_STUDIES = [
    "A retired nurse who had never used a computer joined weekly digital-help sessions at "
    "her local library. Six months later she applies for her own prescriptions online and "
    "volunteers to help others get started.",
    "A family who had lost a parent registered the death and arranged the funeral "
    "notices in one appointment, with the Tell Us Once service informing every "
    "government department for them.",
    "A local history group used the newly catalogued parish records to trace the "
    "village's war memorial names, and the exhibition they made toured four libraries.",
]
ASSESSMENTS = [
    "The service has delivered what the specification asked for this outcome, and the "
    "evidence in the returns supports the account above. The commissioner will look for "
    "the gains to be sustained next year.",
    "Progress is good but uneven: the KPIs show a dip in the winter months that the "
    "service has explained. The commissioner asks for the recovery plan to be reported "
    "to the board in the first quarter.",
    "A solid year. The commissioner welcomes the pilots and expects their evaluation to "
    "inform next year's business plan.",
]
DELIVERY_PATTERN = [
    (Delivery.DELIVERED, "Completed to plan."),
    (Delivery.DELIVERED, "Delivered, with partners' help, by the milestone."),
    (Delivery.PARTLY, "Started on time; the last stage moved into next year's plan."),
    (Delivery.DELIVERED, "Completed and evaluated."),
    (Delivery.NOT_DELIVERED, "Deferred: the budget was redirected to the winter pressures."),
]


def _head_of_service(ctx):
    heads = [u for u in ctx.users.values() if u.is_head_of_service]
    return heads[0] if heads else ctx.manager


def _render(report):
    # The task body, run here so the demo has its PDF without a worker.
    services.annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    return report


def demo_fill_annual_report(ctx, start_year: int, *, produce: bool = True) -> AnnualReport:
    """The finished year's annual report, written, assessed and published (with
    `produce=False`, left with the commissioner, written and assessed, to produce)."""
    report = AnnualReport.objects.filter(
        financial_year__start_year=start_year, kind=ReportKind.ANNUAL
    ).first()
    if report is None:
        report = services.annual_report_start(start_year=start_year, by=ctx.commissioner)
    label = report.financial_year.label
    if report.status == ReportStatus.DRAFTING:
        head = _head_of_service(ctx)
        if not report.foreword:
            report = services.annual_report_write_foreword(
                report=report,
                foreword=(
                    f"{label} was a year in which the Libraries, Registration and Archives "
                    "service kept its doors open to everyone while changing how it works. "
                    "This report is our account of the year against the outcomes the "
                    "council commissioned from us.\n\nI thank our staff and our volunteers, "
                    "whose work is behind every figure in it."
                ),
                by=head,
            )
        for i, chapter in enumerate(report.outcomes.all()):
            if chapter.is_written:
                continue
            services.report_outcome_write(
                chapter=chapter,
                narrative=NARRATIVES[i % len(NARRATIVES)].format(
                    title_lower=chapter.outcome_title[:1].lower() + chapter.outcome_title[1:]
                ),
                highlights=HIGHLIGHTS[i % len(HIGHLIGHTS)],
                case_study=CASE_STUDIES[i % len(CASE_STUDIES)],
                by=ctx.manager,
            )
        for i, action in enumerate(report.action_returns.all()):
            if action.delivery:
                continue
            delivery, comment = DELIVERY_PATTERN[i % len(DELIVERY_PATTERN)]
            services.report_action_return_record(
                action=action, delivery=delivery, comment=comment, by=ctx.manager
            )
        report = services.annual_report_submit(report=report, by=ctx.manager)
    if report.status == ReportStatus.WITH_COMMISSIONER:
        for i, chapter in enumerate(report.outcomes.all()):
            if not chapter.assessment:
                services.report_outcome_assess(
                    chapter=chapter,
                    assessment=ASSESSMENTS[i % len(ASSESSMENTS)],
                    by=ctx.commissioner,
                )
        if not report.overall_assessment:
            services.annual_report_assess(
                report=report,
                overall_assessment=(
                    f"Overall the service performed well in {label}. Most KPIs met their "
                    "targets, the action plans opened in the year were closed or are on "
                    "track, and spending stayed within the agreed budget. The commissioner "
                    "is satisfied that the service is meeting the specification."
                ),
                by=ctx.commissioner,
            )
        if not produce:
            return report
        report = services.annual_report_request(
            start_year=start_year, kind=ReportKind.ANNUAL, by=ctx.commissioner
        )
    if report.status == ReportStatus.PENDING:
        report = _render(report)
    if report.status == ReportStatus.GENERATED:
        report = services.annual_report_approve(report=report, by=ctx.commissioner)
    if report.status == ReportStatus.APPROVED:
        report = services.annual_report_publish(report=report, by=ctx.commissioner)
    return report


def demo_fill_cabinet_report(ctx, start_year: int) -> AnnualReport:
    """The report to the cabinet committee, produced, approved and its resolution recorded."""
    report = AnnualReport.objects.filter(
        financial_year__start_year=start_year, kind=ReportKind.CABINET
    ).first()
    if report is None:
        report = services.annual_report_request(
            start_year=start_year, kind=ReportKind.CABINET, by=ctx.commissioner
        )
    if report.status == ReportStatus.PENDING:
        report = _render(report)
    if report.status == ReportStatus.GENERATED:
        report = services.annual_report_approve(report=report, by=ctx.commissioner)
    if report.status == ReportStatus.APPROVED and not report.resolution:
        today = timezone.localdate()
        meeting_on = min(datetime.date(start_year + 1, 7, 12), today)
        report = services.cabinet_report_record_committee(
            report=report,
            committee="Growth, Economic Development and Communities Cabinet Committee",
            meeting_on=meeting_on,
            recommendation=(
                f"The committee is asked to note the service's performance in "
                f"{report.financial_year.label} and to comment on the priorities for the "
                "year ahead."
            ),
            resolution=(
                "The committee noted the report, thanked the service's staff and volunteers, "
                "and asked for an update on the registration waiting times in six months."
            ),
            by=ctx.commissioner,
        )
    return report


def demo_fill_approach_review(ctx, start_year: int) -> ApproachReview:
    """The review of the commissioning approach for a year, completed."""
    review = ApproachReview.objects.filter(financial_year__start_year=start_year).first()
    if review is not None and review.status == ApproachReviewStatus.COMPLETED:
        return review
    deadline = Deadline.objects.filter(key=f"approach_review:{start_year}").first()
    due = deadline.due_on if deadline else datetime.date(start_year + 1, 4, 1)
    today = timezone.localdate()
    board_on = min(due - datetime.timedelta(days=21), today)
    committee_on = min(due - datetime.timedelta(days=7), today)
    review = services.approach_review_save(
        start_year=start_year,
        scope=(
            "How well the commissioning approach has worked in its first twelve months: "
            "the specification and its KPIs, the monthly returns and reports, the "
            "business plan, change control, and the Strategic Board's role."
        ),
        findings=(
            "The specification gave the service and the council a shared picture of what "
            "is expected. Monthly returns arrived on time in all but two months. Change "
            "control worked but fundamental changes took two board cycles to decide. Some "
            "KPIs measure activity rather than outcomes."
        ),
        recommendations=(
            "1. Replace three activity KPIs with outcome measures in next year's "
            "specification.\n2. Let the board decide urgent fundamental changes by "
            "written procedure between meetings.\n3. Move the business plan deadline a "
            "month earlier so it can shape the budget."
        ),
        by=ctx.commissioner,
    )
    if not review.service_input:
        review = services.approach_review_add_service_input(
            review=review,
            service_input=(
                "The service values the clarity of the specification and the monthly "
                "conversation it brings. Preparing the returns takes about two days a "
                "month; uploading values from our systems would halve that. We would like "
                "a say earlier in setting targets."
            ),
            by=ctx.manager,
        )
    review = services.approach_review_record_consideration(
        review=review,
        board_considered_on=board_on,
        board_conclusion="The board endorsed the findings and the three recommendations.",
        committee="Growth, Economic Development and Communities Cabinet Committee",
        committee_considered_on=committee_on,
        committee_conclusion="The committee noted the review and supported its recommendations.",
        by=ctx.commissioner,
    )
    return services.approach_review_complete(review=review, by=ctx.commissioner)
