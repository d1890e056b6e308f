"""Every PDF keeps its stylesheet in production, and fetches nothing but our static files.

Production serves static files from `collectstatic`'s output under hashed
names (the manifest storage): the PDFs' HTML names `specifications/pdf.<hash>.css`.
Each kind of PDF is rendered here as the worker renders it, after a real
`collectstatic` into a temporary STATIC_ROOT with the production storage and
without the source folders, and read back: its text is set in Liberation Sans
(the stylesheet's font; WeasyPrint's default is DejaVu Serif) and its headings
in the council's blue, #24315e.
"""

import datetime
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from pypdf import PdfReader

from cycle import services as cycle_services
from cycle import tasks as cycle_tasks
from cycle.models import AnnualReport, ReportKind, ReportStatus
from lra_commissioning import pdf as pdf_module
from lra_commissioning.models import FinancialYear
from specifications import pdf as specification_pdf
from specifications import tasks as specification_tasks
from tests.cycle.factories import make_report_ready_to_produce
from tests.specifications.factories import published_version

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# The council's blue (#24315e) as a PDF fill colour: 36/255, 49/255, 94/255.
BRAND_FILL = re.compile(rb"0\.141\d* 0\.192\d* 0\.368\d* rg")


def fonts_and_fills(data: bytes):
    """(every font's base name, whether any text or shape is filled in the brand blue)."""
    reader = PdfReader(io.BytesIO(data))
    fonts, brand = set(), False
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            name = str(font.get_object()["/BaseFont"]).split("+")[-1]
            fonts.add(name.lstrip("/").replace("-", ""))
        brand = brand or bool(BRAND_FILL.search(page.get_contents().get_data()))
    return fonts, brand


def assert_styled(data: bytes, what: str):
    assert data.startswith(b"%PDF-"), what
    fonts, brand = fonts_and_fills(data)
    # The stylesheet's Liberation Sans, and no serif (WeasyPrint's default). A
    # symbol Liberation Sans lacks may come from DejaVu Sans.
    assert any(name.startswith("LiberationSans") for name in fonts), f"{what}: {sorted(fonts)}"
    assert not any("Serif" in name for name in fonts), f"{what}: {sorted(fonts)}"
    assert brand, f"{what}: no heading in the council's blue: the stylesheet was not applied"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic's output with the production storage (hashed names, compressed)."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
        },
        STATIC_ROOT=root,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(collected, settings):
    """Static files as production serves them: only collectstatic's output, by hashed name."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
    }
    settings.STATIC_ROOT = collected
    settings.WHITENOISE_USE_FINDERS = False
    from django.templatetags.static import static

    hashed = static("specifications/pdf.css")
    assert re.fullmatch(r"/static/specifications/pdf\.[0-9a-f]{12}\.css", hashed), hashed
    return collected


def test_a_published_specification_pdf_keeps_its_stylesheet_in_production(
    production_static, commissioner, board_member, head_of_service
):
    version = published_version(commissioner, board_member, head_of_service, kpis=2)
    specification_tasks.render_version_pdf(version.pk)  # what the worker runs on publishing
    from django.core.files.storage import default_storage

    with default_storage.open(specification_pdf.pdf_path(version), "rb") as f:
        assert_styled(f.read(), "the specification")


@pytest.mark.parametrize("kind", [ReportKind.ANNUAL, ReportKind.CABINET])
def test_the_annual_and_cabinet_report_pdfs_keep_their_stylesheet_in_production(
    production_static, commissioner, kind
):
    FinancialYear.objects.get_or_create(start_year=2016)
    make_report_ready_to_produce(2016)
    with mock.patch.object(cycle_tasks.render_annual_report, "delay_on_commit"):
        report = cycle_services.annual_report_request(
            start_year=2016, kind=kind, by=commissioner, today=datetime.date(2017, 5, 1)
        )
    assert cycle_tasks.render_annual_report(report.pk) is True  # what the worker runs
    report = AnnualReport.objects.get(pk=report.pk)
    assert report.status == ReportStatus.GENERATED, report.render_error
    with report.pdf.open("rb") as f:
        assert_styled(f.read(), str(report))


def test_the_check_sees_a_pdf_without_its_stylesheet():
    # The control: the same HTML with its stylesheet refused comes out in
    # WeasyPrint's default serif, with nothing in the council's blue.
    html = '<html lang="en"><head><link rel="stylesheet" href="/static/missing.css"></head>'
    data = pdf_module.render_pdf(html + "<body><h1>Plain</h1></body></html>")
    fonts, brand = fonts_and_fills(data)
    assert any("Serif" in name for name in fonts), fonts
    assert not brand


def test_the_fetcher_reads_hashed_names_through_the_static_storage(production_static):
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.stored_name("specifications/pdf.css")
    response = pdf_module.static_fetcher().fetch(pdf_module.PDF_BASE_URL + "static/" + hashed)
    assert response.headers["Content-Type"] == "text/css"
    assert b"Liberation Sans" in response.read()


def test_the_fetcher_serves_our_static_files_and_refuses_everything_else():
    fetcher = pdf_module.static_fetcher()
    for name in ("specifications/pdf.css", "cycle/report.css"):
        response = fetcher.fetch(pdf_module.PDF_BASE_URL + "static/" + name)
        assert response.headers["Content-Type"] == "text/css"
    for url in [
        "file:///etc/passwd",
        "https://example.org/static/cycle/report.css",
        "http://pdf.lra.invalid/static/cycle/report.css",
        pdf_module.PDF_BASE_URL + "media/secret.pdf",
        pdf_module.PDF_BASE_URL + "static/../settings.py",
        pdf_module.PDF_BASE_URL + "static/%2e%2e/lra_commissioning/settings.py",
        pdf_module.PDF_BASE_URL + "static//etc/passwd",
        pdf_module.PDF_BASE_URL + "static/cycle/no-such.css",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
