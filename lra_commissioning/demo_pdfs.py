"""The demo's PDFs rendered in a second process while the story goes on.

`load_demo` tells ten years through the services, and the services render
each finished year's annual and cabinet reports, the board's papers and the
specification PDFs with WeasyPrint: about half the time of the story, on one
core. While `rendered_aside()` is in force, `render_pdf` hands the HTML to a
process of its own and returns a stand-in at once; the story saves the
stand-in where the PDF goes, and goes on. At the end every stand-in file under
MEDIA_ROOT is replaced by its PDF, so the demo's files are what the services
would have made. Only for the file system storage the demo uses; with any
other, PDFs are rendered in place as usual.

The process is forked while no database connection is open (they are closed
first), and renders from the HTML and our static files only. When the story
is told, a second process takes half of the PDFs still waiting, the story's
core being free.
"""

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections

from . import pdf

STAND_IN = b"%PDF-rendered-aside "


def _warm_up() -> None:
    """Runs first in the new process: WeasyPrint is imported before the first PDF."""
    import weasyprint  # noqa: F401


def _pool() -> ProcessPoolExecutor:
    """A process of its own, forked while no database connection is open."""
    connections.close_all()  # nothing open is shared with the new process
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    pool.submit(_warm_up)  # the process starts now
    return pool


class _Aside:
    def __init__(self, pool):
        self.pools = [pool]
        self.futures = {}
        self.pages = {}  # token: HTML, while its PDF waits

    def __call__(self, html: str) -> bytes:
        token = str(len(self.futures))
        self.futures[token] = self.pools[0].submit(pdf.render_pdf_now, html)
        self.pages[token] = html
        return STAND_IN + token.encode()

    def share_the_rest(self) -> None:
        """The story is told and a core is free: a second process takes every other
        PDF still waiting to be started."""
        waiting = [t for t, f in self.futures.items() if not f.running() and not f.done()]
        if len(waiting) < 2:
            return
        self.pools.append(_pool())
        for token in waiting[1::2]:
            if self.futures[token].cancel():
                self.futures[token] = self.pools[1].submit(pdf.render_pdf_now, self.pages[token])

    def fill_in(self, root: Path) -> int:
        """Replace every stand-in file under `root` with its PDF; how many."""
        self.share_the_rest()
        filled = 0
        for path in root.rglob("*.pdf"):
            with path.open("rb") as f:
                head = f.read(len(STAND_IN) + 12)
            if not head.startswith(STAND_IN):
                continue
            token = head[len(STAND_IN) :].decode()
            path.write_bytes(self.futures[token].result())
            filled += 1
        return filled

    def shutdown(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def rendered_aside():
    """While inside, PDFs are rendered in a second process (see the module docstring)."""
    if not isinstance(default_storage, FileSystemStorage) or os.name != "posix":
        yield
        return
    aside = _Aside(_pool())
    try:
        with pdf.rendering_with(aside):
            yield
        aside.fill_in(Path(settings.MEDIA_ROOT))
    finally:
        aside.shutdown()
