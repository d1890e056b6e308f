"""Hostile text comes out inert wherever it is shown.

A corpus of XSS and template-injection strings is written into every free
text field (CharField and TextField without choices) of every model of the
project's apps, on the demo data. Then every page of the URL matrix is opened
as every role and as a visitor: no payload appears unescaped in HTML, no
template syntax is evaluated, CSV downloads neutralise spreadsheet formulas,
and PDF downloads show the text as text with no active content. Models and
pages of apps merged later are covered automatically. E-mails:
`test_hostile_email.py`; every PDF the system renders: `test_hostile_pdf.py`.
The corpus and the checks are in `hostile.py`.
"""

import csv
import io
import re

from lra_commissioning.csv_export import csv_response, safe_cell
from lra_commissioning.models import User
from tests.access.expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages

from .hostile import (
    CORPUS,
    XSS,
    csv_problems,
    html_problems,
    markers_in,
    pdf_object_problems,
    pdf_text,
    pdf_text_problems,
    project_models,
    write_corpus,
)
from .pages import page_url


def _render_stored_reports_again():
    """The stored annual report PDFs and pages were rendered before the corpus was written."""
    from django.core.files.base import ContentFile

    from cycle.models import AnnualReport
    from cycle.report import build_report_data, render_report_body, render_report_pdf

    for report in AnnualReport.objects.exclude(pdf="").select_related("financial_year"):
        data = build_report_data(
            start_year=report.financial_year.start_year, kind=report.kind, report=report
        )
        AnnualReport.objects.filter(pk=report.pk).update(body_html=render_report_body(data))
        storage = report.pdf.storage
        storage.delete(report.pdf.name)
        assert (
            storage.save(report.pdf.name, ContentFile(render_report_pdf(data))) == report.pdf.name
        )


def _render_stored_papers_again():
    """The board's stored papers were rendered (or stood in for) before the corpus."""
    from django.core.files.base import ContentFile

    from board.models import Meeting
    from board.papers import render_papers_pdf

    for meeting in Meeting.objects.exclude(papers_pdf=""):
        storage = meeting.papers_pdf.storage
        storage.delete(meeting.papers_pdf.name)
        data = render_papers_pdf(meeting)
        assert storage.save(meeting.papers_pdf.name, ContentFile(data)) == meeting.papers_pdf.name


def test_hostile_text_in_every_free_text_field_is_inert_on_every_page(
    demo_world,
    client,
    db,
):
    people = {who: User.objects.get(email=email) for who, email in DEMO_PERSON.items()}
    # URLs first: their arguments are looked up from the demo data as loaded.
    urls = [(name, page_url(page, name), page) for name, page in sorted(all_pages().items())]
    written = write_corpus()
    assert len(written) >= 5, written
    _render_stored_reports_again()
    _render_stored_papers_again()
    failures, shown, pages, pdfs, shown_in_pdfs = [], set(), 0, 0, set()
    for who in WHO:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(people[who])
        for name, url, page in urls:
            if page.expected_status(who) != page.ok:
                continue
            response = client.get(url)
            pages += 1
            if response.status_code >= 500:
                failures.append(f"{who} {name} {url}: {response.status_code}")
                continue
            content_type = response.get("Content-Type", "")
            if getattr(response, "streaming", False):
                continue
            text = response.content.decode(errors="replace")
            shown.update(m for m in re.findall(r"lra(?:tpl|csv)?\d", text))
            if "html" in content_type:
                found = html_problems(text)
            elif "csv" in content_type:
                found = csv_problems(text)
            elif "pdf" in content_type:
                pdf = pdf_text(response.content)
                found = pdf_object_problems(response.content) + pdf_text_problems(pdf)
                shown_in_pdfs.update(markers_in(pdf))
                pdfs += 1
            else:
                found = []
            failures += [f"{who} {name} {url}: {p}" for p in found]
    assert pages > 50
    assert pdfs >= 3  # the specification (draft and published) and the annual report
    # The corpus did reach the pages (a test that shows nothing proves nothing).
    assert shown
    assert shown_in_pdfs
    assert not failures, "\n".join(failures)


def test_the_admin_shows_hostile_text_escaped(demo_world, client, db):
    from django.contrib import admin
    from django.urls import reverse

    from tests.factories import force_login_verified

    write_corpus()
    force_login_verified(client, User.objects.get(email="admin@example.org"))
    failures, opened = [], 0
    for model in admin.site._registry:
        if model._meta.app_label not in {m._meta.app_label for m in project_models()}:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        first = model._base_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        for url in urls:
            response = client.get(url)
            opened += 1
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code}")
                continue
            failures += [f"{url}: {p}" for p in html_problems(response.content.decode())]
    assert opened >= 3
    assert not failures, "\n".join(failures)


def test_csv_exports_neutralise_every_formula_in_the_corpus():
    response = csv_response("x.csv", ["Text"], [[p] for p in CORPUS] + [["-1 lracsv"], [-1]])
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))[1:]
    for (cell,), payload in zip(rows, CORPUS, strict=False):
        assert cell == safe_cell(payload)
        assert cell[:1] not in ("=", "+", "-", "@")
    assert rows[-2] == ["'-1 lracsv"]
    assert rows[-1] == ["-1"]  # a real number stays a number
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_form_labels_made_from_record_text_are_escaped(demo_world, client, db):
    # crispy-forms-gds prints a field's label with |safe, so a label built from a
    # record's words (here: each outcome's title on the business plan review) must
    # be escaped by the form. Every markup payload is tried in turn.
    from django.urls import reverse

    from specifications.models import BusinessPlan, BusinessPlanStatus, Outcome

    # The demo accepted 2017/18's plan: put it back with the commissioner to review.
    BusinessPlan.objects.filter(financial_year__start_year=2017).update(
        status=BusinessPlanStatus.SUBMITTED
    )
    client.force_login(User.objects.get(email="commissioner@example.org"))
    url = reverse("specifications:plan_review", kwargs={"start_year": 2017})
    for payload in XSS:
        Outcome.objects.update(title=payload)
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Comment on" in text
        assert html_problems(text) == [], payload
