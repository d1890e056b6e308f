"""The Trust-ready export: a zip of CSV and JSON per model that loads back losslessly."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lra_commissioning import data_export
from lra_commissioning.models import User
from lra_commissioning.roles import Role
from tests.factories import make_user


def _snapshot():
    """Every exported value of every exported model, by primary key."""
    return {
        model._meta.label: {
            row[0]: row
            for row in model._base_manager.order_by("pk").values_list(
                "pk", *(f.attname for f in data_export.exported_fields(model))
            )
        }
        for model in data_export.exported_models()
    }


def _empty_every_table():
    tables = [m._meta.db_table for m in data_export.exported_models()]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_instance_loses_nothing(demo_copy, tmp_path):
    before = _snapshot()
    assert sum(len(rows) for rows in before.values()) > 20
    archive = tmp_path / "export.zip"
    call_command("export_data", str(archive))
    _empty_every_table()
    assert all(not rows for rows in _snapshot().values())
    call_command("import_export", str(archive), stdout=io.StringIO())
    after = _snapshot()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    differences = [
        (label, pk, before[label][pk], after[label].get(pk))
        for label in before
        for pk in before[label]
        if before[label][pk] != after[label].get(pk)
    ]
    assert not differences, differences[:3]
    # The id sequences moved past the loaded ids: a new record can be made.
    User.objects.create_user("new@example.org", full_name="New Person")


@pytest.mark.django_db
def test_import_refuses_an_instance_that_already_has_records(tmp_path):
    make_user(Role.COMMISSIONER)
    with pytest.raises(data_export.ImportRefused, match="empty"):
        data_export.import_export(data_export.build_export())


@pytest.mark.django_db
def test_every_domain_model_is_in_the_export_with_a_readme():
    # Every model has its files, with or without records: one person is enough.
    make_user(Role.COMMISSIONER)
    with zipfile.ZipFile(io.BytesIO(data_export.build_export())) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.md").decode()
        users = json.loads(zf.read("lra_commissioning.User.json"))
    for model in data_export.exported_models():
        assert f"{model._meta.label}.json" in names
        assert f"{model._meta.label}.csv" in names
        assert f"## {model._meta.label} (" in readme
    # The audit trail is there too.
    assert any(label.startswith("lra_commissioning.Historical") for label in names)
    assert "password" not in users["fields"]
    assert "pbkdf2" not in json.dumps(users) and "md5$" not in json.dumps(users)


@pytest.mark.django_db
def test_no_two_factor_secrets_or_password_hashes_are_exported(commissioner):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=commissioner, name="app", confirmed=True)
    with zipfile.ZipFile(io.BytesIO(data_export.build_export())) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist())
    assert device.key.encode() not in everything
    assert commissioner.password.encode() not in everything


def test_personal_data_of_public_comments_is_left_out():
    from types import SimpleNamespace

    from django.db import models

    def model_named(name):
        fields = [
            models.BigAutoField(name="id", primary_key=True),
            models.CharField(name="name"),
            models.EmailField(name="email"),
            models.CharField(name="commenter_name"),
            models.TextField(name="text"),
        ]
        return type(name, (), {"_meta": SimpleNamespace(concrete_fields=fields)})

    for name in ("PublicComment", "HistoricalPublicComment", "SpecificationComment"):
        assert data_export.excluded_fields(model_named(name)) == {
            "name",
            "email",
            "commenter_name",
        }
        assert {f.name for f in data_export.exported_fields(model_named(name))} == {"id", "text"}
    # Elsewhere a name is not personal data (a KPI's name, a support service's name).
    assert data_export.excluded_fields(model_named("SupportService")) == set()


@pytest.mark.django_db
def test_the_export_page_is_for_administrators_and_downloads_a_zip(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("administration:data_export"))
    assert "Export all data" in page.content.decode()
    response = client.post(reverse("administration:data_export"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="lra-export-')
    assert "README.md" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


@pytest.mark.django_db
def test_the_export_page_refuses_other_roles(client, commissioner):
    client.force_login(commissioner)
    assert client.post(reverse("administration:data_export")).status_code == 403
