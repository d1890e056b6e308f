"""Hostile text comes out inert wherever it is shown.

A corpus of XSS and template-injection strings is written into every free
text field (CharField and TextField without choices) of every model of the
project's apps, on the demo data. Then every page of the URL matrix is opened
as every role and as a visitor: no payload appears unescaped in HTML, no
template syntax is evaluated, and CSV downloads neutralise spreadsheet
formulas. Models and pages of apps merged later are covered automatically.
"""

import csv
import io
import re
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction

from lra_commissioning.csv_export import csv_response, safe_cell
from lra_commissioning.models import User
from tests.access.expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages

from .pages import page_url

# Each payload carries a marker so that a finding names the payload.
XSS = [
    "<script>alert('lra1')</script>",
    "<img src=x onerror=alert('lra2')>",
    "\"><svg onload=alert('lra3')>",
    "' onmouseover='alert(`lra4`)",
    "</textarea><script>alert('lra5')</script>",
    "<a href=\"javascript:alert('lra6')\">x</a>",
    "<iframe srcdoc='<script>lra7</script>'>",
]
TEMPLATE = ['{% now "Y" %}lratpl1', "{{ settings.SECRET_KEY }}lratpl2", "${7*7}{{7*7}}lratpl3"]
FORMULA = [
    '=HYPERLINK("http://evil.example","lracsv1")',
    "+cmd|' /C calc'!Alracsv2",
    "@SUM(1+1)lracsv3",
]
CORPUS = XSS + TEMPLATE + FORMULA


def _project_models():
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


def _free_text_fields(model):
    unique = _unique_fields(model)
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, models.EmailField | models.SlugField | models.URLField)
            and not field.choices
            and field.name not in unique
            and field.name not in ("password",)
            and not field.primary_key
        ):
            yield field


def _write_corpus():
    """Overwrite every free-text field with a payload; returns the fields written."""
    written, i = [], 0
    for model in _project_models():
        for field in _free_text_fields(model):
            limit = field.max_length or 10_000
            fitting = [p for p in CORPUS if len(p) <= limit]
            if not fitting:
                continue
            payload = fitting[i % len(fitting)]
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


def _problems_in_html(body):
    problems = [p for p in XSS if p in body]
    parser = _ActiveMarkup()
    parser.feed(body)
    problems += parser.found
    for marker, before in (
        ("lratpl1", "{% now &quot;Y&quot; %}"),
        ("lratpl2", "{{ settings.SECRET_KEY }}"),
    ):
        for match in re.finditer(marker, body):
            context = body[max(0, match.start() - 40) : match.start()]
            if not context.endswith(before) and not context.endswith(before.replace("&quot;", '"')):
                problems.append(f"template syntax evaluated before {marker}: {context!r}")
    if settings.SECRET_KEY in body:
        problems.append("the SECRET_KEY is on the page")
    return problems


def _problems_in_csv(text):
    problems = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if "lracsv" in cell and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                problems.append(f"formula cell {cell!r}")
    return problems


def test_hostile_text_in_every_free_text_field_is_inert_on_every_page(
    demo_world,
    client,
    db,
):
    people = {who: User.objects.get(email=email) for who, email in DEMO_PERSON.items()}
    # URLs first: their arguments are looked up from the demo data as loaded.
    urls = [(name, page_url(page, name), page) for name, page in sorted(all_pages().items())]
    written = _write_corpus()
    assert len(written) >= 5, written
    failures, shown, pages = [], set(), 0
    for who in WHO:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(people[who])
        for name, url, page in urls:
            if page.expected_status(who) != page.ok:
                continue
            response = client.get(url)
            pages += 1
            if response.status_code >= 500:
                failures.append(f"{who} {name} {url}: {response.status_code}")
                continue
            content_type = response.get("Content-Type", "")
            if getattr(response, "streaming", False):
                continue
            text = response.content.decode(errors="replace")
            shown.update(m for m in re.findall(r"lra(?:tpl|csv)?\d", text))
            if "html" in content_type:
                found = _problems_in_html(text)
            elif "csv" in content_type:
                found = _problems_in_csv(text)
            else:
                found = []
            failures += [f"{who} {name} {url}: {p}" for p in found]
    assert pages > 50
    # The corpus did reach the pages (a test that shows nothing proves nothing).
    assert shown
    assert not failures, "\n".join(failures)


def test_the_admin_shows_hostile_text_escaped(demo_world, client, db):
    from django.contrib import admin
    from django.urls import reverse

    from tests.factories import force_login_verified

    _write_corpus()
    force_login_verified(client, User.objects.get(email="admin@example.org"))
    failures, opened = [], 0
    for model in admin.site._registry:
        if model._meta.app_label not in {m._meta.app_label for m in _project_models()}:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        first = model._base_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        for url in urls:
            response = client.get(url)
            opened += 1
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code}")
                continue
            failures += [f"{url}: {p}" for p in _problems_in_html(response.content.decode())]
    assert opened >= 3
    assert not failures, "\n".join(failures)


def test_csv_exports_neutralise_every_formula_in_the_corpus():
    response = csv_response("x.csv", ["Text"], [[p] for p in CORPUS] + [["-1 lracsv"], [-1]])
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))[1:]
    for (cell,), payload in zip(rows, CORPUS, strict=False):
        assert cell == safe_cell(payload)
        assert cell[:1] not in ("=", "+", "-", "@")
    assert rows[-2] == ["'-1 lracsv"]
    assert rows[-1] == ["-1"]  # a real number stays a number
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
