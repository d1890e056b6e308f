"""The hostile-text corpus and the checks shared by the security tests.

A corpus of XSS, template-injection and spreadsheet-formula strings, each
carrying a marker (lra1, lratpl1, lracsv1...) so that a finding names the
payload; `write_corpus()` puts it into every free-text field of every model of
the project's apps; the `*_problems` functions say what escaping must have
prevented in HTML and CSV.
"""

import csv
import io
import re
import subprocess
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction

XSS = [
    "<script>alert('lra1')</script>",
    "<img src=x onerror=alert('lra2')>",
    "\"><svg onload=alert('lra3')>",
    "' onmouseover='alert(`lra4`)",
    "</textarea><script>alert('lra5')</script>",
    "<a href=\"javascript:alert('lra6')\">x</a>",
    "<iframe srcdoc='<script>lra7</script>'>",
    # Resources a renderer would fetch if the markup were live (WeasyPrint, mail clients).
    '<img src="http://evil.example/lra8.png">',
    '<img src="file:///etc/passwd" alt="lra9">',
]
TEMPLATE = [
    '{% now "Y" %}lratpl1',
    "{{ settings.SECRET_KEY }}lratpl2",
    "${7*7}{{7*7}}lratpl3",
    "{% debug %}lratpl4",
]
FORMULA = [
    '=HYPERLINK("http://evil.example","lracsv1")',
    "+cmd|' /C calc'!Alracsv2",
    "@SUM(1+1)lracsv3",
]
CORPUS = XSS + TEMPLATE + FORMULA

# What must come before each template marker when the text was shown, not run.
TEMPLATE_PREFIX = {payload[-7:]: payload[:-7] for payload in TEMPLATE}

MARKER = re.compile(r"lra(?:tpl|csv)?\d")


def project_models():
    project = {a.label for a in apps.get_app_configs() if a.path.startswith(str(settings.BASE_DIR))}
    for model in apps.get_models():
        if model._meta.app_label in project and not model.__name__.startswith("Historical"):
            yield model


def _unique_fields(model):
    names = {f.name for f in model._meta.fields if f.unique}
    for group in model._meta.unique_together:
        names.update(group)
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
    return names


# Text the system writes from escaped templates, never typed by a person: the
# stored HTML of a produced annual report is rendered again from the records
# (with the corpus in them) by the tests that show it.
SYSTEM_WRITTEN = {
    ("cycle.AnnualReport", "body_html"),
    ("cycle.HistoricalAnnualReport", "body_html"),
}


def free_text_fields(model):
    unique = _unique_fields(model)
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, models.EmailField | models.SlugField | models.URLField)
            and not field.choices
            and field.name not in unique
            and field.name not in ("password",)
            and (model._meta.label, field.name) not in SYSTEM_WRITTEN
            and not field.primary_key
        ):
            yield field


def write_corpus(corpus=CORPUS, *, all_in_each=False):
    """Overwrite every free-text field with a payload; returns the fields written.

    Each field gets the next payload in turn; with `all_in_each`, as many
    payloads as fit, one after another (every payload in every TextField).
    """
    written, i = [], 0
    for model in project_models():
        for field in free_text_fields(model):
            limit = field.max_length or 10_000
            fitting = [p for p in corpus if len(p) <= limit]
            if not fitting:
                continue
            payload = fitting[i % len(fitting)]
            if all_in_each:
                turn = fitting[i % len(fitting) :] + fitting[: i % len(fitting)]
                for more in turn[1:]:
                    if len(payload) + 1 + len(more) <= limit:
                        payload = f"{payload} {more}"
            i += 1
            try:
                with transaction.atomic():
                    model._base_manager.update(**{field.attname: payload})
            except DatabaseError:
                continue  # a check constraint on this field: leave it
            written.append(f"{model._meta.label}.{field.name}")
    return written


class _ActiveMarkup(HTMLParser):
    """Elements and attributes that would run: what escaping must have prevented."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            if value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if tag in ("iframe", "img", "svg") and re.search(r"lra\d", value):
                self.found.append(f"<{tag}> from the corpus")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and re.search(r"lra\d", data):
            self.found.append(f"<script> from the corpus: {data[:60]!r}")


def active_markup(html):
    parser = _ActiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def template_problems(text, *, escaped=False):
    """Template syntax from the corpus that was evaluated rather than shown.

    Every template marker in `text` must follow its payload's syntax, as
    written (or HTML-escaped when `escaped`); nothing may reveal the SECRET_KEY.
    """
    problems = []
    for marker, before in TEMPLATE_PREFIX.items():
        allowed = {before, before.replace('"', "&quot;")} if escaped else {before}
        for match in re.finditer(marker, text):
            context = text[max(0, match.start() - 40) : match.start()]
            if not any(context.endswith(b) for b in allowed):
                problems.append(f"template syntax evaluated before {marker}: {context!r}")
    if "49lratpl3" in text:
        problems.append("${7*7}{{7*7}} was evaluated to 49")
    if settings.SECRET_KEY in text:
        problems.append("the SECRET_KEY is shown")
    return problems


def html_problems(body):
    problems = [f"unescaped {p!r}" for p in XSS if p in body]
    problems += active_markup(body)
    problems += template_problems(body, escaped=True)
    return problems


def csv_problems(text):
    problems = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if "lracsv" in cell and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                problems.append(f"formula cell {cell!r}")
    return problems


# PDFs --------------------------------------------------------------------------

# What a PDF must never hold: scripts, actions run on opening or on events,
# programs launched, files embedded or fetched, forms posting out, links out.
PDF_FORBIDDEN_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/AcroForm",
    "/URI",
}
PDF_FORBIDDEN_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/URI",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/RichMediaExecute",
}


def pdf_object_problems(data: bytes):
    """Every object reachable from the trailer, searched for active content and links out."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data))
    problems, seen, stack = [], set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in PDF_FORBIDDEN_KEYS:
                    problems.append(f"{key} in the PDF: {str(value)[:80]!r}")
                if key == "/S" and value in PDF_FORBIDDEN_ACTIONS:
                    problems.append(f"a {value} action in the PDF")
                if key == "/Type" and value in ("/Filespec", "/EmbeddedFile"):
                    problems.append(f"a {value} in the PDF")
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    assert len(seen) > 10, "the walk did not reach the PDF's objects"
    return problems


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader would copy it (poppler's pdftotext), without the
    running header and footer ("Page 2 of 9"), which would otherwise land inside
    any text that crosses a page break: lines with no corpus marker that are on
    every page (digits aside) are dropped."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    pages = [page.splitlines() for page in result.stdout.decode().split("\f") if page.strip()]

    def shape(line):
        return re.sub(r"\d+", "#", line.strip())

    if len(pages) < 2:
        return "\n".join(line for page in pages for line in page)
    running = set.intersection(*({shape(line) for line in page} for page in pages))
    return "\n".join(
        line for page in pages for line in page if MARKER.search(line) or shape(line) not in running
    )


def _flat(text):
    return re.sub(r"\s+", "", text)


def pdf_text_problems(text):
    """Each payload shown in the PDF is shown whole, as text: every marker in the
    text is the end of its payload, written out (so markup was not interpreted and
    template syntax was not evaluated). Line breaks in the layout are ignored."""
    flat, problems = _flat(text), []
    for payload in CORPUS:
        marker = MARKER.search(payload).group()
        markers, whole = flat.count(marker), flat.count(_flat(payload))
        if markers != whole:
            problems.append(f"{marker} shown {markers} times, its payload whole {whole} times")
    if "49lratpl3" in flat:
        problems.append("${7*7}{{7*7}} was evaluated to 49")
    if settings.SECRET_KEY in text:
        problems.append("the SECRET_KEY is in the PDF")
    if re.search(r"root:.?:0:0:", text):
        problems.append("/etc/passwd is in the PDF")
    return problems


def markers_in(text):
    return set(MARKER.findall(_flat(text)))
