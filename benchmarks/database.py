"""A throwaway PostgreSQL database for the benchmarks, never the real one.

Each run makes its own, `lra_bench_<random>`, on the server of DATABASE_URL
and drops it at the end, so two runs (or a run and anyone's tests) never
touch each other's databases.
"""

import contextlib
import os
import secrets
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import errors, sql


def unique_name(prefix: str = "lra_bench") -> str:
    """A database name no one else uses: the prefix and eight random hex digits."""
    return f"{prefix}_{secrets.token_hex(4)}"


@contextlib.contextmanager
def bench_database(database_url: str, name: str | None = None):
    """Create a database of this run's own, point DATABASE_URL at it, drop it after."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server: the benchmarks need one.")
    name = name or unique_name()
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
        _drop(run, name)


def _drop(run, name):
    """Drop this run's database once its last connections (a stopping server's) are gone."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
    for _ in range(20):
        try:
            run(drop)
            return
        except errors.ObjectInUse:
            time.sleep(0.5)
    print(f"benchmarks: could not drop {name}: still in use; drop it by hand.", flush=True)
