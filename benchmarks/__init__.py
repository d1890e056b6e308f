"""Benchmarks: `python -m benchmarks` (make bench) runs every callable in BENCHMARKS.

Each app adds a module here (`benchmarks/<app>.py`) with a `BENCHMARKS` list of
callables that take no arguments and print their figures (or return the lines
to print), and `__main__.py` lists the module. They run against a database of
their own, `lra_bench`, on the server of DATABASE_URL, created and dropped
around the run, so real data is never touched.
"""
