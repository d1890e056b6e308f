"""Status, owner and approver cannot be set through a form.

Two checks, both generic so that every app's forms are covered as they land:

1. No form class in the project offers a field that records who decided or
   in which state a record is (`status`, `state`, any `*_by`, `is_superuser`,
   `is_staff`): those are set by services from the signed-in person and the
   workflow table. A form that must offer one is listed in `ALLOWED` with why.
2. Every POST form on every page each role can open is submitted twice, as
   rendered, and again with extra hidden fields (`status=approved`,
   `created_by=<someone else>`, `owner=...`, ...). The status, owner and
   approver columns of every model end up the same both times (each try is
   rolled back).
"""

import re
from collections import Counter
from html.parser import HTMLParser

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.urls import get_resolver

from lra_commissioning.models import User

from .pages import every_response

FORBIDDEN = re.compile(r"^(status|state|is_superuser|is_staff|.+_by)$")
SENSITIVE = re.compile(r"^(status|state|owner|.+_by|is_superuser|is_staff|is_head_of_service)$")
# (form class path, field name): why this form may set it.
ALLOWED = {}


def _project_form_classes():
    get_resolver().url_patterns  # noqa: B018  (imports every view, hence every form)
    project = {a.name for a in apps.get_app_configs() if a.path.startswith(str(settings.BASE_DIR))}
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return sorted(
        (c for c in seen if c.__module__.split(".")[0] in project),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_no_form_offers_status_owner_of_a_decision_or_admin_flags():
    classes = _project_form_classes()
    assert len(classes) >= 5
    offending = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in classes
        for name in getattr(cls, "base_fields", {})
        if FORBIDDEN.match(name) and (f"{cls.__module__}.{cls.__qualname__}", name) not in ALLOWED
    ]
    assert not offending, f"Forms that let a person set a decision field: {offending}"


class _Forms(HTMLParser):
    """The POST forms of a page: action and the fields as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms, self._current, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = {"action": a.get("action") or "", "fields": {}, "button": None}
            self.forms.append(self._current)
        if self._current is None or not a.get("name"):
            return
        fields, name = self._current["fields"], a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields and kind == "radio":
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "file", "button"):
                fields[name] = a.get("value") or ("" if kind == "hidden" else "1")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = "Some text"
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and self._select not in fields:
            fields[self._select] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._current["button"] = self._current["button"] or (name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _sensitive_snapshot():
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label in ("admin", "sessions", "contenttypes", "auth", "axes"):
            continue
        if model.__name__.startswith("Historical"):
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if SENSITIVE.match(f.name) and not isinstance(f, models.DateTimeField)
        ]
        if names:
            rows = model._default_manager.values_list(*names)
            snapshot[model._meta.label] = Counter(rows)
    return snapshot


def _post_and_snapshot(client, url, data):
    with transaction.atomic():
        client.post(url, data)
        snapshot = _sensitive_snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_extra_hidden_fields_posted_with_any_form_change_nothing(demo_world, client, db):
    other = User.objects.get(email="board@example.org").pk
    extra = {
        "status": "approved",
        "state": "approved",
        "created_by": other,
        "submitted_by": other,
        "decided_by": other,
        "approved_by": other,
        "agreed_by": other,
        "owner": other,
        "user": other,
        "is_superuser": "on",
        "is_staff": "on",
        "is_head_of_service": "on",
    }
    forms_tried, failures = 0, []
    for who, name, url, response in every_response(client, only_ok=True):
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or url
            if not action.startswith("/") or "sign-out" in action:
                continue
            data = dict(form["fields"])
            if form["button"]:
                data[form["button"][0]] = form["button"][1]
            data.pop("csrfmiddlewaretoken", None)
            as_rendered = _post_and_snapshot(client, action, data)
            # Only fields the form does not have: its own fields are its business.
            added = {k: v for k, v in extra.items() if k not in data}
            tampered = _post_and_snapshot(client, action, {**data, **added})
            forms_tried += 1
            if as_rendered != tampered:
                changed = sorted(k for k in as_rendered if as_rendered[k] != tampered.get(k))
                failures.append(f"{who} {name} form to {action}: extra fields changed {changed}")
    assert forms_tried >= 5
    assert not failures, "\n".join(failures)
