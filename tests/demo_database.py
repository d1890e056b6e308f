"""The demo council in a database of the test process's own, loaded once per process.

`load_demo` tells ten years of the service's story through its services; it is
the slowest thing the suite does. Modules that read the demo (the URL matrix,
the crawl, the security sweeps) used to load it once each. Now each test
process (each pytest-xdist worker) makes, as its test database is set up, a
copy of that empty, migrated database (`CREATE DATABASE ... TEMPLATE`), loads
the demo into the copy the first time a module asks, and each module then
works on it inside a transaction that is rolled back at the module's end, as
before. The copy is dropped with the test database.

The tests of `load_demo` itself (tests/demo) still load it from nothing.
"""

import contextlib

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from psycopg2 import sql


def _run_on_server(*statements):
    """Run statements on the server's maintenance database (CREATE/DROP DATABASE)."""
    database = connection.settings_dict
    server = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"],
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        server.close()


@contextlib.contextmanager
def connected_to(name):
    """The default connection on database `name` while inside (as Django's test
    runner points it at the test database)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = connection.settings_dict["NAME"] = original


def _copy_of_the_empty_database(empty):
    name = f"{empty}_demo"
    others = sql.SQL(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = {} AND pid <> pg_backend_pid()"
    ).format(sql.Literal(empty))
    connection.close()
    _run_on_server(
        others,
        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)),
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(empty)
        ),
    )
    return name


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and beside it an empty copy for the demo."""
    if connection.vendor != "postgresql":
        yield None
        return
    with django_db_blocker.unblock():
        name = _copy_of_the_empty_database(connection.settings_dict["NAME"])
    yield name
    with django_db_blocker.unblock():
        connection.close()
        _run_on_server(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The copy with the demo loaded in it, committed (once per test process)."""
    from tests.access.expectations import load_demo_world

    if django_db_setup is None:
        pytest.fail("The demo database needs PostgreSQL (DATABASE_URL).")
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        connected_to(django_db_setup),
        override_settings(MEDIA_ROOT=media),
    ):
        load_demo_world()
    return django_db_setup


@pytest.fixture(scope="module")
def demo_world(demo_database, django_db_blocker):
    """The demo council for a module, on the demo database; what the module's tests
    write is rolled back at its end."""
    with django_db_blocker.unblock(), connected_to(demo_database):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo_database
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo_copy(transactional_db, demo_database, django_db_blocker):
    """A committed copy of the demo for one test (for a live server or a subprocess
    that must see the data), dropped after it. The test is a transactional one:
    nothing holds the connection in a transaction while it moves to the copy."""
    name = f"{demo_database}_copy"
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(name), sql.Identifier(demo_database)
    )
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with django_db_blocker.unblock():
        connection.close()
        _run_on_server(drop, create)
        try:
            with connected_to(name):
                yield name
        finally:
            _run_on_server(drop)
