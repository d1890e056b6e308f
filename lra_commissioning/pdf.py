"""Every PDF the system makes is rendered here: WeasyPrint, our own static files only.

The specification's versions (`specifications/pdf.py`) and the annual and
cabinet committee reports (`cycle/report.py`) give
`render_pdf` their HTML. The HTML names its stylesheets with `{% static %}`,
so in production (the manifest storage) they carry hashed names such as
`specifications/pdf.3f2a9c.css`. The fetcher reads them through the
configured static storage, as the site serves them, so the hashed names and
the rewritten `url()`s inside them resolve; in development and tests, where
the site serves straight from the source folders (`WHITENOISE_USE_FINDERS`),
it falls back to the finders as the site does.

No network and no `file://`: any other URL is refused, whatever the content
says, so a report's text can never make a worker read a local file or call out.
"""

import contextlib
import contextvars
import functools
import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

# WeasyPrint reports each rendering step at INFO: too chatty for a worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The address the HTML is rendered at. It never resolves: only the fetcher answers it.
PDF_BASE_URL = "https://pdf.lra.invalid/"


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of our own static files."""


def static_name(url: str) -> str:
    """The static file's name in `url`, or RefusedURL when it is anything else."""
    parts = urlsplit(url)
    base = urlsplit(PDF_BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
        settings.STATIC_URL
    ):
        raise RefusedURL(f"A PDF may only use the site's own static files, not {url}")
    name = unquote(parts.path[len(settings.STATIC_URL) :])
    if not name or name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise RefusedURL(f"Refused a static path that leaves the static files: {url}")
    if posixpath.normpath(name) != name:
        raise RefusedURL(f"Refused a static path that is not in its plain form: {url}")
    return name


def read_static(name: str) -> bytes | None:
    """A static file's bytes as the site serves it (None if there is no such file)."""
    try:
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name, "rb") as f:
                return f.read()
    except (OSError, ValueError):  # a storage that cannot answer for this name
        pass
    if settings.WHITENOISE_USE_FINDERS:
        path = finders.find(name)
        if path:
            with open(path, "rb") as f:
                return f.read()
    return None


@functools.cache
def _fetcher_class():
    # WeasyPrint is imported when a PDF is first made, not by every web process.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves our own static files (hashed names included); refuses every other URL."""

        def fetch(self, url, headers=None):
            name = static_name(url)
            body = read_static(name)
            if body is None:
                raise RefusedURL(f"No static file {name}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            # Without a Content-Type WeasyPrint drops a stylesheet silently.
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyURLFetcher


def static_fetcher():
    """A new fetcher (WeasyPrint's `url_fetcher`) that answers only our static files."""
    return _fetcher_class()(timeout=5)


# Who renders while `rendering_with` is in force (the demo's loader renders aside).
_renderer: contextvars.ContextVar = contextvars.ContextVar("pdf_renderer", default=None)


@contextlib.contextmanager
def rendering_with(renderer):
    """While inside, `render_pdf(html)` returns `renderer(html)`."""
    token = _renderer.set(renderer)
    try:
        yield
    finally:
        _renderer.reset(token)


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of `html`, its stylesheets and images from our static files."""
    renderer = _renderer.get()
    if renderer is not None:
        return renderer(html)
    return render_pdf_now(html)


def render_pdf_now(html: str) -> bytes:
    """`render_pdf` in this process, whoever else is asked to render."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
