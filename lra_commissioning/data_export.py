"""The Trust-ready export: every record of the service as CSV and JSON, and back.

`build_export()` walks the models of the project's own apps (so an app added
later is exported without a change here), including their history tables (the
audit trail), and writes a zip with, per model, `<app>.<Model>.json` (exact
values, for `manage.py import_export`) and `<app>.<Model>.csv` (for people,
formulas neutralised), the uploaded files under `media/`, and a README of the
schema. Left out: every secret. Fields a model declares in
`export_secret_fields` (password hashes, private calendar addresses) and any
field named like a password, token, secret, salt or seed; models marked
`exported = False` (idempotency keys); and everything of the apps that are not
ours, so of django-otp (authenticator seeds, recovery codes), sessions and
django-axes. Invitation links are not stored at all (a keyed hash of the
invitation). Also left out: the personal data of public comments (fields named
like name or e-mail on a model named like *Comment).
`tests/security/test_export_secrets.py` scans a real export for every secret.

`import_export(zip)` loads such a zip into an empty instance in one
transaction (PostgreSQL checks the foreign keys at commit, so the order of
tables does not matter) and moves each table's id sequence past the ids loaded.
People come back with no password (they ask for a reset, which sends them an
invitation) and calendar feeds with a new address.
"""

import csv
import datetime
import io
import json
import re
import secrets
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .csv_export import safe_cell

FORMAT_VERSION = 1
_PERSONAL = re.compile(r"(^|_)(name|email|e_mail|address|phone|postcode)($|_)")
# A field named like this is a secret whether or not its model says so.
_SECRET_NAME = re.compile(r"(^|_)(password|passwd|token|secret|salt|seed|otp)($|_)")


class ImportRefused(Exception):
    pass


class _ExactEncoder(DjangoJSONEncoder):
    """Like Django's, but keeps microseconds (Django's encoder rounds to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def project_app_labels() -> set[str]:
    """The apps written for this project (not Django's, nor installed packages')."""
    base = settings.BASE_DIR.resolve()
    labels = set()
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            labels.add(app.label)
    return labels


def _declared(model, attribute, default):
    """A model's export declaration; a history table follows the model it records."""
    source = getattr(model, "instance_type", None) or model
    return getattr(source, attribute, default)


def exported_models():
    """Every model of the project's own apps, history tables included, in a stable order."""
    labels = project_app_labels()
    return sorted(
        (
            m
            for m in apps.get_models()
            if m._meta.app_label in labels and not m._meta.proxy and _declared(m, "exported", True)
        ),
        key=lambda m: m._meta.label,
    )


def secret_fields(model) -> set[str]:
    declared = set(_declared(model, "export_secret_fields", ()))
    return {
        f.name
        for f in model._meta.concrete_fields
        if f.name in declared or _SECRET_NAME.search(f.name)
    }


def excluded_fields(model) -> set[str]:
    names = secret_fields(model)
    if re.search(r"comment$", model.__name__, re.IGNORECASE):
        names |= {f.name for f in model._meta.concrete_fields if _PERSONAL.search(f.name)}
    return names


def exported_fields(model):
    excluded = excluded_fields(model)
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


def _describe(field):
    kind = field.get_internal_type()
    if field.is_relation and field.related_model:
        kind += f" -> {field.related_model._meta.label}"
    notes = []
    if field.primary_key:
        notes.append("primary key")
    if field.null:
        notes.append("may be empty")
    if getattr(field, "choices", None):
        notes.append("one of: " + ", ".join(str(v) for v, _ in field.choices))
    if field.help_text:
        notes.append(str(field.help_text))
    return f"| `{field.attname}` | {kind} | {field.verbose_name} | {'; '.join(notes)} |"


def _readme(counts):
    lines = [
        f"# {settings.SERVICE_NAME}: export of all the service's data",
        "",
        f"Council: {settings.COUNCIL_NAME}. Made: {timezone.now():%Y-%m-%d %H:%M %Z}. "
        f"Format version {FORMAT_VERSION}.",
        "",
        "Each table is here twice: `<app>.<Model>.json` holds the exact values (load it "
        "into an empty instance with `python manage.py import_export <zip>`), "
        "`<app>.<Model>.csv` is for reading in a spreadsheet (a cell starting with "
        "= + - @ gets a leading apostrophe). Ids link the tables: a column `x_id` holds "
        "the id of a row of the table named in its description. Tables named "
        "`Historical...` are the audit trail: one row per change, with who made it "
        "(`history_user_id`), when (`history_date`) and how (`history_type`: + created, "
        "~ changed, - deleted). Uploaded files are under `media/`, at the path their "
        "record names.",
        "",
        "Not included: anything secret (password hashes, private calendar addresses, "
        "two-factor secrets and recovery codes, sessions, invitation links, sign-in "
        "attempts, idempotency keys), and the names and e-mail addresses of people "
        "who commented on the specification. After an import people set a new "
        "password (the reset page sends them an invitation) and calendar feeds get "
        "new addresses.",
        "",
    ]
    for model in exported_models():
        lines += [
            f"## {model._meta.label} ({counts[model._meta.label]} rows)",
            "",
            (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
            "",
            "| column | type | meaning | notes |",
            "| --- | --- | --- | --- |",
            *(_describe(f) for f in exported_fields(model)),
            "",
        ]
        left_out = sorted(excluded_fields(model))
        if left_out:
            lines += [f"Left out of this table: {', '.join(left_out)}.", ""]
    return "\n".join(lines)


def build_export() -> bytes:
    """The zip of every exported model (JSON + CSV), uploaded files and the README."""
    buffer = io.BytesIO()
    counts = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for model in exported_models():
            fields = exported_fields(model)
            names = [f.attname for f in fields]
            rows = list(model._base_manager.order_by("pk").values_list(*names))
            counts[model._meta.label] = len(rows)
            zf.writestr(
                f"{model._meta.label}.json",
                json.dumps(
                    {"model": model._meta.label, "fields": names, "rows": rows},
                    cls=_ExactEncoder,
                    ensure_ascii=False,
                ),
            )
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(names)
            writer.writerows([safe_cell(c) for c in row] for row in rows)
            zf.writestr(f"{model._meta.label}.csv", "\ufeff" + text.getvalue())
            for index, field in enumerate(fields):
                if isinstance(field, models.FileField):
                    for row in rows:
                        name = row[index]
                        if name and default_storage.exists(name):
                            with default_storage.open(name, "rb") as fh:
                                zf.writestr(f"media/{name}", fh.read())
        zf.writestr(
            "manifest.json",
            json.dumps({"format": FORMAT_VERSION, "counts": counts}, sort_keys=True),
        )
        zf.writestr("README.md", _readme(counts))
    return buffer.getvalue()


def _is_empty():
    return not any(m._base_manager.exists() for m in exported_models())


def _fill_secrets(obj, model, values):
    """Secrets were left out of the export: a person gets no password, a token a new value."""
    for name in secret_fields(model):
        if name in values:
            continue
        if name == "password" and hasattr(obj, "set_unusable_password"):
            obj.set_unusable_password()
            continue
        field = model._meta.get_field(name)
        if isinstance(field, models.CharField) and not field.null and not field.has_default():
            setattr(obj, field.attname, secrets.token_urlsafe(32)[: field.max_length])


def import_export(data) -> dict[str, int]:
    """Load an export into an instance with no records. Returns rows loaded per model."""
    with zipfile.ZipFile(data if hasattr(data, "read") else io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ImportRefused(
                f"This export has format {manifest.get('format')}, not {FORMAT_VERSION}."
            )
        if not _is_empty():
            raise ImportRefused("This instance already holds records: import into an empty one.")
        loaded = {}
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in exported_models():
                label = model._meta.label
                if f"{label}.json" not in zf.namelist():
                    loaded[label] = 0
                    continue
                table = json.loads(zf.read(f"{label}.json"))
                by_attname = {f.attname: f for f in model._meta.concrete_fields}
                fields = [by_attname[n] for n in table["fields"] if n in by_attname]
                objects = []
                for row in table["rows"]:
                    values = dict(zip(table["fields"], row, strict=True))
                    obj = model(**{f.attname: f.to_python(values[f.attname]) for f in fields})
                    _fill_secrets(obj, model, values)
                    objects.append(obj)
                # Keep the exported times: auto_now fields would stamp "now".
                stamped = [
                    f
                    for f in fields
                    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                ]
                saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
                for f in stamped:
                    f.auto_now = f.auto_now_add = False
                try:
                    model._base_manager.bulk_create(objects, batch_size=1000)
                finally:
                    for f, auto_now, auto_now_add in saved:
                        f.auto_now, f.auto_now_add = auto_now, auto_now_add
                loaded[label] = len(objects)
            for name in zf.namelist():
                if name.startswith("media/") and not name.endswith("/"):
                    path = name[len("media/") :]
                    if ".." in path.split("/") or path.startswith("/"):
                        continue
                    if not default_storage.exists(path):
                        default_storage.save(path, ContentFile(zf.read(name)))
            sql = connection.ops.sequence_reset_sql(no_style(), exported_models())
            if sql:
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
        return loaded
