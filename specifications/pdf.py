"""The specification as a tagged PDF (PDF/UA-1), rendered from the same content as the page.

Published content never changes, so each published version's PDF is rendered
once and kept in storage (`pdf_path`): a Celery task renders it when the
version is published, and the public view renders it synchronously and keeps
it if the task has not run yet. Drafts are rendered on request, never kept.

`lra_commissioning.pdf.render_pdf` renders it, fetching only our own static
files: no network, no `file://`, nothing else.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from lra_commissioning.pdf import render_pdf


def render_version_pdf_bytes(version, diff=None) -> bytes:
    html = render_to_string(
        "specifications/pdf/version.html",
        {
            "version": version,
            "diff": diff,
            "council_name": settings.COUNCIL_NAME,
            "generated_at": timezone.now(),
        },
    )
    return render_pdf(html)


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
