""" "Export all data" holds no secret: the zip is scanned for every one the system keeps.

The world is the demo council plus every kind of secret: private calendar
addresses, an open invitation, authenticator seeds and recovery codes,
sessions, password hashes, an idempotency key and a failed sign-in. The
export (built by the administrator's page, as a person would) must contain
none of them, in any table, history table, CSV, JSON or the README.
"""

import base64
import io
import re
import zipfile

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cycle import services as cycle_services
from cycle.models import CalendarFeed
from lra_commissioning import data_export, services
from lra_commissioning.models import IdempotencyKey, Invitation, User
from tests.factories import force_login_verified

pytestmark = pytest.mark.django_db

# Exported fields whose names contain "key" and are not secrets: reviewed here.
NOT_SECRET_KEYS = {
    ("changes.ChangeItem", "key"),  # which item of the specification a change touches
    ("changes.HistoricalChangeItem", "key"),
    ("changes.ChangeBudgetLine", "line_key"),  # a budget category
    ("changes.HistoricalChangeBudgetLine", "line_key"),
    ("cycle.Deadline", "key"),  # which rule and period a deadline comes from
    ("cycle.HistoricalDeadline", "key"),
    ("board.AgendaItem", "deadline_key"),  # the calendar deadline an agenda item decides
    ("board.HistoricalAgendaItem", "deadline_key"),
    ("board.AgendaItem", "subject_key"),  # which record an agenda item is about
    ("board.HistoricalAgendaItem", "subject_key"),
}
SECRET_LOOKING = re.compile(r"key|token|secret|password|passwd|salt|seed|otp|session|hash", re.I)


def _every_secret(client):
    """Make one of every kind of secret; return their values as text."""
    people = list(User.objects.order_by("pk"))
    for person in people:
        cycle_services.calendar_feed_issue(user=person, by=person)
    admin = User.objects.get(email="admin@example.org")
    newcomer = services.person_add(
        email="newcomer@example.org", full_name="Nadia Newcomer", roles=[], by=admin
    )
    invitation = Invitation.objects.get(user=newcomer)
    device = force_login_verified(client, admin)  # a session and an authenticator seed
    codes = services.recovery_codes_issue(user=admin)
    IdempotencyKey.objects.create(
        scope=f"{admin.pk}:idem-key-0123456789abcdef", path="/x/", status_code=302
    )
    client.post(
        reverse("login"), {"username": "board@example.org", "password": "not-the-password-1"}
    )
    secrets = {
        "SECRET_KEY": settings.SECRET_KEY,
        "invitation link": invitation.token(),
        "authenticator seed (hex)": device.key,
        "authenticator seed (base32)": base64.b32encode(device.bin_key).decode().rstrip("="),
        "idempotency key": "idem-key-0123456789abcdef",
    }
    secrets.update({f"calendar token of {f.user_id}": f.token for f in CalendarFeed.objects.all()})
    secrets.update({f"recovery code {n}": c for n, c in enumerate(codes)})
    secrets.update({f"stored recovery code {t.pk}": t.token for t in StaticToken.objects.all()})
    secrets.update({f"password hash of {u.pk}": u.password for u in User.objects.all()})
    for session in Session.objects.all():
        secrets[f"session key {session.pk[:4]}"] = session.session_key
        secrets[f"session data {session.pk[:4]}"] = session.session_data
    assert TOTPDevice.objects.filter(user=admin).exists()
    return admin, secrets


@pytest.mark.django_db(transaction=True)
def test_the_export_holds_none_of_the_secrets_the_system_keeps(demo_copy, client):
    admin, secrets = _every_secret(client)
    assert len([k for k in secrets if k.startswith("calendar token")]) >= 5
    force_login_verified(client, admin)
    response = client.post(reverse("administration:data_export"))
    assert response.status_code == 200
    found = []
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = zf.namelist()
        assert "cycle.CalendarFeed.json" in names and "README.md" in names
        for name in names:
            content = zf.read(name).decode("utf-8", errors="replace")
            found += [
                f"{what} in {name}"
                for what, value in secrets.items()
                if value and len(value) >= 8 and value in content
            ]
    assert not found, found


def test_every_exported_field_that_looks_secret_has_been_reviewed():
    unreviewed = sorted(
        f"{model._meta.label}.{field.name}"
        for model in data_export.exported_models()
        for field in data_export.exported_fields(model)
        if SECRET_LOOKING.search(field.name)
        and (model._meta.label, field.name) not in NOT_SECRET_KEYS
    )
    assert not unreviewed, (
        "A field named like a secret is exported: declare it in the model's "
        f"export_secret_fields, or add it to NOT_SECRET_KEYS with why: {unreviewed}"
    )


def test_an_import_gives_people_no_password_and_feeds_new_addresses():
    people = [User.objects.create_user(f"p{n}@example.org", "long-enough-pass-1") for n in (1, 2)]
    for person in people:
        cycle_services.calendar_feed_issue(user=person, by=person)
    old_tokens = set(CalendarFeed.objects.values_list("token", flat=True))
    archive = data_export.build_export()
    tables = ", ".join(m._meta.db_table for m in data_export.exported_models())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    data_export.import_export(archive)
    assert User.objects.count() == 2
    assert not any(u.has_usable_password() for u in User.objects.all())
    new_tokens = set(CalendarFeed.objects.values_list("token", flat=True))
    assert len(new_tokens) == 2 and not new_tokens & old_tokens
