"""Hostile text comes out inert in every PDF the system renders.

The system renders these PDFs with WeasyPrint, all through
`lra_commissioning/pdf.py`: each version of the service specification
(`specifications/pdf.py`), the annual report and the cabinet committee
report (`cycle/report.py`), the Strategic Board's papers
(`board/papers.py`) and the KPIs at a glance (`performance/pdf.py`). On the demo data with
the corpus written into every free-text field (as many payloads as fit in
each), every one is rendered and read back: each payload it shows is there
whole, as text (so markup was escaped, not interpreted, and no template syntax
was evaluated), and the PDF holds no JavaScript, no action run on opening, no
launch, no embedded file and no link out. WeasyPrint asks our URL fetcher only
for our own static files; given live hostile markup, the fetcher refuses
file:// and the network, so nothing is read or called, whatever the content.
The PDFs served by the site's pages are checked the same way in
`test_hostile_text.py`.
"""

import http.server
import threading

import pytest
import weasyprint
from django.conf import settings

from cycle import report as report_module
from cycle.models import ReportKind
from lra_commissioning import pdf as pdf_module
from specifications import pdf as specification_pdf
from specifications.models import SpecificationVersion
from specifications.selectors import version_with_content

from .hostile import (
    CORPUS,
    MARKER,
    html_problems,
    markers_in,
    pdf_object_problems,
    pdf_text,
    pdf_text_problems,
    write_corpus,
)

EVERY_MARKER = {MARKER.search(p).group() for p in CORPUS}
OWN_STATIC = pdf_module.PDF_BASE_URL.rstrip("/") + settings.STATIC_URL


@pytest.fixture
def weasyprint_calls(monkeypatch):
    """Records the HTML given to WeasyPrint and every URL it asks our fetcher for."""
    calls = {"html": [], "urls": []}
    real_html = weasyprint.HTML

    def recording_html(*args, **kwargs):
        calls["html"].append(kwargs.get("string", ""))
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording_html)  # imported when a PDF is made

    fetcher_class = pdf_module._fetcher_class()
    real_fetch = fetcher_class.fetch

    def recording_fetch(self, url, headers=None):
        calls["urls"].append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(fetcher_class, "fetch", recording_fetch)
    return calls


def _check(name, data, calls, failures):
    text = pdf_text(data)
    failures += [f"{name}: {p}" for p in pdf_object_problems(data) + pdf_text_problems(text)]
    failures += [f"{name} (its HTML): {p}" for p in html_problems(calls["html"][-1])]
    return markers_in(text)


def _only_our_static_files_were_fetched(calls):
    assert calls["urls"], "the stylesheet was not fetched: the check saw nothing"
    assert all(url.startswith(OWN_STATIC) for url in calls["urls"]), calls["urls"]


def test_every_specification_version_pdf_shows_hostile_text_as_text(
    demo_world, db, weasyprint_calls
):
    write_corpus(all_in_each=True)
    versions = list(SpecificationVersion.objects.order_by("pk").values_list("pk", flat=True))
    assert versions
    failures, shown = [], set()
    for pk in versions:
        data = specification_pdf.render_version_pdf_bytes(version_with_content(pk))
        shown |= _check(f"specification version {pk}", data, weasyprint_calls, failures)
    assert not failures, "\n".join(failures)
    # Every payload reached the PDF (a check that shows nothing proves nothing).
    assert shown == EVERY_MARKER
    _only_our_static_files_were_fetched(weasyprint_calls)


def test_the_annual_and_cabinet_report_pdfs_show_hostile_text_as_text(
    demo_world, db, weasyprint_calls
):
    write_corpus(all_in_each=True)
    failures, shown = [], {}
    for kind in ReportKind:
        for start_year in (2016, 2017):
            data = report_module.build_report_data(start_year=start_year, kind=kind)
            pdf = report_module.render_report_pdf(data)
            shown[kind, start_year] = _check(
                f"{kind} report {start_year}", pdf, weasyprint_calls, failures
            )
    assert not failures, "\n".join(failures)
    assert all(markers == EVERY_MARKER for markers in shown.values()), shown
    _only_our_static_files_were_fetched(weasyprint_calls)


def test_the_board_papers_show_hostile_text_as_text(demo_world, db, weasyprint_calls):
    from board.models import Meeting
    from board.papers import render_papers_pdf

    write_corpus(all_in_each=True)
    failures, shown = [], set()
    for meeting in Meeting.objects.order_by("date"):
        data = render_papers_pdf(meeting)
        shown |= _check(f"papers of {meeting.reference}", data, weasyprint_calls, failures)
    assert not failures, "\n".join(failures)
    assert shown == EVERY_MARKER
    _only_our_static_files_were_fetched(weasyprint_calls)


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A web server on 127.0.0.1 standing in for evil.example: it counts requests."""
    _Listener.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Listener.hits
    server.shutdown()
    server.server_close()


# Live markup that would make a renderer read a local file, call out, or embed
# a file in the PDF, as if escaping had failed.
HOSTILE_HTML = """<!DOCTYPE html><html lang="en-GB"><head><title>t</title>
<link rel="stylesheet" href="{evil}/style.css">
<link rel="attachment" href="{evil}/attached.txt">
<link rel="attachment" href="file:///etc/passwd">
<style>
@import url("{evil}/import.css");
@font-face {{ font-family: Evil; src: url("{evil}/font.woff") }}
body {{ background: url("file:///etc/passwd") }}
</style></head><body>
<p>Hostile resources follow.</p>
<img src="{evil}/image.png" alt="">
<img src="file:///etc/passwd" alt="">
<img src="/static/../../../../etc/passwd" alt="">
<img src="/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd" alt="">
<object data="file:///etc/passwd"></object>
<embed src="{evil}/embed.svg">
<iframe src="file:///etc/passwd"></iframe>
<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<a rel="attachment" href="{evil}/attached.pdf">attached</a>
</body></html>"""


def test_the_pdf_url_fetcher_never_reads_a_local_file_or_calls_out(listener):
    evil, hits = listener
    base, fetcher = pdf_module.PDF_BASE_URL, pdf_module.static_fetcher()
    asked = []
    real_fetch = fetcher.fetch

    def fetch(url, headers=None):
        asked.append(url)
        return real_fetch(url, headers)

    fetcher.fetch = fetch
    html = HOSTILE_HTML.format(evil=evil)
    data = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()

    # WeasyPrint did ask (so the markup was live) and was refused every time.
    assert any(url.startswith("file://") for url in asked), asked
    assert any(url.startswith(evil) for url in asked), asked
    assert hits == [], "the network was called"
    text = pdf_text(data)
    assert "Hostile resources follow." in text
    assert "root:" not in text
    assert pdf_object_problems(data) == []  # nothing embedded, no link out


def test_the_checks_see_what_a_permissive_fetcher_and_live_markup_let_through(listener):
    # The control: WeasyPrint's own fetcher, given the same live markup, calls out
    # and embeds files, and a live javascript: link becomes a link in the PDF. The
    # checks above would have seen it.
    from weasyprint.urls import URLFetcher

    evil, hits = listener
    html = HOSTILE_HTML.format(evil=evil).replace(
        "<p>Hostile resources follow.</p>",
        "<p><a href=\"javascript:alert('lra6')\">x</a></p>",
    )
    data = weasyprint.HTML(
        string=html, base_url="https://example.invalid/", url_fetcher=URLFetcher()
    ).write_pdf()
    assert hits
    problems = pdf_object_problems(data)
    assert any("/EmbeddedFile" in p for p in problems), problems
    assert any("/URI" in p for p in problems), problems
