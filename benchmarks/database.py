"""A throwaway PostgreSQL database for the benchmarks, never the real one."""

import contextlib
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


@contextlib.contextmanager
def bench_database(database_url: str, name: str):
    """Create `name` on the server of database_url, point DATABASE_URL at it, drop it after."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server: the benchmarks need one.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))

    def run(statement):
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
        finally:
            conn.close()

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    run(drop)
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = bench_url
    try:
        yield bench_url
    finally:
        if previous is not None:
            os.environ["DATABASE_URL"] = previous
        from django.db import connections

        connections.close_all()
        run(drop)
