"""The year at a glance as a tagged PDF (PDF/UA-1) for the board pack.

Rendered on request from the same grid as the page (it changes with every
return, so nothing is kept), through the one static-only PDF renderer.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from lra_commissioning.pdf import render_pdf


def year_pdf_bytes(grid) -> bytes:
    html = render_to_string(
        "performance/pdf/year.html",
        {"grid": grid, "council_name": settings.COUNCIL_NAME, "generated_at": timezone.now()},
    )
    return render_pdf(html)
