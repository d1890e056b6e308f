"""HEAD answers like GET, without a body: uptime checks and link checkers use it."""

import pytest
from django.urls import reverse

from .expectations import ANONYMOUS, all_pages

PAGES = all_pages()
PUBLIC = sorted(
    name for name, page in PAGES.items() if ANONYMOUS in page.allowed and page.ok == 200
)


def _url(name):
    page = PAGES[name]
    kwargs = page.kwargs() if page.kwargs else {}
    return reverse(name, kwargs=kwargs) + (f"?{page.query}" if page.query else "")


def test_the_pages_uptime_checks_use_are_among_those_checked():
    assert {
        "healthz",
        "public_home",
        "specifications:public_current",
        "performance:open_data",
        "cycle:feed_public",
        "cycle:feed_private",
    } <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_head_answers_every_public_page_like_get(name, demo_world, client, db):
    url = _url(name)
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code == 200, url
    assert head["Content-Type"] == got["Content-Type"]
    assert head.content == b""
