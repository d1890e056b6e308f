"""The papers pack: one tagged PDF (PDF/UA-1) with the agenda and each item's paper.

Each item's paper is generated from its record by the item's source
(`agenda.Source.paper`): what the board is asked, the options, the impact
assessment, the figures, the year at a glance for performance, and the
background documents. Rendered by a Celery task (`tasks.render_papers`) and
kept with the meeting; WeasyPrint may fetch only our own static files (the
annual report's fetcher: no network, no file://).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from lra_commissioning.pdf import render_pdf

from .agenda import Paper, source_for
from .models import Meeting, Membership

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass
class ItemPaper:
    item: object
    paper: Paper


def item_paper(item) -> Paper:
    """The item's paper, from its record as it is now."""
    source = source_for(item.kind)
    record = source.record(item.subject_key) if item.subject_key else None
    if item.subject_key and record is None:
        return Paper(asked="The record this item was about no longer exists.")
    paper = source.paper(item=item, record=record)
    if item.paper_text:
        paper.text = [
            *paper.text,
            ("The commissioner's note" if item.subject_key else "The paper", item.paper_text),
        ]
    return paper


def papers_context(meeting: Meeting) -> dict:
    items = list(meeting.items.order_by("position", "id"))
    return {
        "meeting": meeting,
        "members": list(Membership.objects.active_on(meeting.date).select_related("user")),
        "papers": [ItemPaper(item, item_paper(item)) for item in items],
        "council_name": settings.COUNCIL_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "generated_at": timezone.now(),
        "papers_css": "board/papers.css",
    }


def render_papers_html(meeting: Meeting) -> str:
    return render_to_string("board/pdf/papers.html", papers_context(meeting))


def render_papers_pdf(meeting: Meeting) -> bytes:
    return render_pdf(render_papers_html(meeting))
