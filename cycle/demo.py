"""The commissioning cycle's chapter of the demo story (see lra_commissioning.story).

Each year's deadlines are generated from the rules in the October before it,
and the calendar is brought up to date on the first of every month as the
nightly task does (per-record deadlines: actions, SLA results, board papers).
Deadlines are met only by the services that make their records, the 2016
review of the commissioning approach included. Every finished year's annual
report is written by the service, assessed by the commissioner, produced and
published, and its cabinet committee report recorded (`publish_reports`).
"""

import datetime

from lra_commissioning import dates

from . import demo_reports, services


def publish_reports(ctx, start_year: int) -> None:
    """A finished year's reports through the report services, as their owners write them:
    the service drafts the annual report, the commissioner assesses, approves and
    publishes it; the committee report is produced and its resolution recorded."""
    demo_reports.demo_fill_annual_report(ctx, start_year)
    demo_reports.demo_fill_cabinet_report(ctx, start_year)


def chapter(story):
    ctx = story.ctx

    def generate(start_year):
        def step():
            services.deadlines_generate(start_year=start_year, by=ctx.admin)

        return step

    def nightly():
        # What the nightly task does: this year's and next year's calendars up to date.
        from django.utils import timezone

        this_year = max(dates.financial_year_of(timezone.localdate()), story.years[0])
        for start_year in (this_year, this_year + 1):
            services.deadlines_generate(start_year=start_year, by=None)

    for start_year in [*story.years, story.current_year + 1]:
        story.on(
            datetime.date(start_year - 1, 10, 1),
            generate(start_year),
            hour=7,
            label=f"deadlines {start_year}",
        )
    # Each quarter's first morning stands for the nightly runs in between (the
    # calendar they keep is the same; the story is quicker to tell).
    day = datetime.date(2016, 1, 1)
    while day <= story.today:
        story.on(day, nightly, hour=6, label="nightly calendar")
        day = dates.add_months(day, 3)
    # The last run: this morning.
    story.on(story.today, nightly, hour=5, label="nightly calendar")

    # The 12-month review of the commissioning approach, after the first year.
    story.on(
        datetime.date(2017, 3, 22),
        lambda: demo_reports.demo_fill_approach_review(ctx, 2016),
        hour=16,
        label="approach review 2016",
    )

    for start_year in story.years[:-1]:
        story.on(
            story.working(datetime.date(start_year + 1, 7, 8)),
            lambda y=start_year: publish_reports(ctx, y),
            hour=11,
            label=f"annual reports {start_year}",
        )
