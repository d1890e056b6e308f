"""The specification as a tagged PDF (PDF/UA-1), rendered from the same content as the page.

Published content never changes, so each published version's PDF is rendered
once and kept in storage (`pdf_path`): a Celery task renders it when the
version is published, and the public view renders it synchronously and keeps
it if the task has not run yet. Drafts are rendered on request, never kept.

WeasyPrint fetches only our own static files (`StaticOnlyURLFetcher`): no
network, no `file://`, nothing else.
"""

import logging
import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

# WeasyPrint reports each rendering step at INFO: too chatty for a worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_BASE_URL = "https://pdf.lra.invalid/"


def _url_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves files under STATIC_URL from our static folders; refuses every other URL."""

        def fetch(self, url, headers=None):
            prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
            if not url.startswith(prefix):
                raise ValueError(f"The PDF may only use the site's own static files, not {url}")
            relative = url[len(prefix) :].split("?")[0].split("#")[0]
            if ".." in relative.split("/"):
                raise ValueError("Refused a static path that climbs out of the static folders")
            path = finders.find(relative)
            if not path:
                raise ValueError(f"No static file {relative}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as f:
                body = f.read()
            # Without a Content-Type WeasyPrint drops a stylesheet silently.
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyURLFetcher


def render_version_pdf_bytes(version, diff=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "specifications/pdf/version.html",
        {
            "version": version,
            "diff": diff,
            "council_name": settings.COUNCIL_NAME,
            "generated_at": timezone.now(),
        },
    )
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_url_fetcher_class()(timeout=5))
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pdf_path(version) -> str:
    year = version.specification.financial_year.start_year
    return f"specifications/pdf/{year}-version-{version.number}-{version.pk}.pdf"


def stored_pdf(version) -> bytes:
    """The published version's PDF, rendered and stored on first use."""
    path = pdf_path(version)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as f:
            return f.read()
    data = render_version_pdf_bytes(version)
    if version.is_published and not default_storage.exists(path):
        default_storage.save(path, ContentFile(data))
    return data
