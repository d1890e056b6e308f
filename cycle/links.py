"""Deadlines lead to their work: the record's page for the person it is shown to.

`record_urls(user, deadlines)` gives, per deadline, the page of the record that
meets it (through the links each app registers in `lra_commissioning.links`),
or the deadline's own page where there is no record this person can open (an
obligation met outside the system, or a return still in draft shown to an
administrator). Also registers the annual and cabinet reports' links.
"""

from django.urls import reverse

from lra_commissioning import links
from lra_commissioning.permissions import Perm, can


def record_urls(user, deadlines) -> dict[int, str]:
    deadlines = list(deadlines)
    found = links.urls_for(user, [d.key for d in deadlines])
    return {
        d.pk: found.get(d.key) or reverse("cycle:deadline", kwargs={"pk": d.pk}) for d in deadlines
    }


def record_url(user, deadline) -> str:
    return record_urls(user, [deadline])[deadline.pk]


def report_links(user, keys):
    """annual_report:<start year> and cabinet_report:<start year>: the report's staff page."""
    from .models import AnnualReport, ReportKind

    if not can(user, Perm.ANNUAL_REPORT_VIEW):
        return {}
    wanted = {}
    for key in keys:
        year = links.int_part(key, 0)
        if year is not None:
            kind = ReportKind.ANNUAL if key.startswith("annual_report:") else ReportKind.CABINET
            wanted[key] = (year, kind)
    reports = {
        (r.financial_year.start_year, r.kind): r.pk
        for r in AnnualReport.objects.filter(
            financial_year__start_year__in={y for y, _ in wanted.values()}
        ).select_related("financial_year")
    }
    found = {}
    for key, (year, kind) in wanted.items():
        pk = reports.get((year, kind))
        found[key] = reverse("cycle:report", kwargs={"pk": pk}) if pk else reverse("cycle:reports")
    return found


def review_links(user, keys):
    """approach_review:<start year>: the review's page (it may not exist yet)."""
    if not can(user, Perm.APPROACH_REVIEW_VIEW):
        return {}
    found = {}
    for key in keys:
        year = links.int_part(key, 0)
        if year is not None:
            found[key] = reverse("cycle:approach_review", kwargs={"start_year": year})
    return found


def register():
    links.register("approach_review", review_links)
    links.register("annual_report", report_links)
    links.register("cabinet_report", report_links)
