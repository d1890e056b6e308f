"""Benchmarks printed by `make bench` (`python -m benchmarks`).

Each app adds a module here with functions that print one figure each, and
lists them in `BENCHMARKS` in `__main__.py`. They run against a database of
their own, `lra_bench`, on the server of DATABASE_URL, created and dropped
around the run, so real data is never touched.
"""
