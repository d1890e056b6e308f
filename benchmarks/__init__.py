"""Benchmarks: `python -m benchmarks` (make bench) runs every callable in BENCHMARKS.

Each app adds a module here (`benchmarks/<app>.py`) with a `BENCHMARKS` list of
callables that take no arguments and print their figures (or return the lines
to print), and `__main__.py` lists the module. They run against a database of
their own, `lra_bench_<random>`, on the server of DATABASE_URL, created and
dropped around the run, so real data (and anyone else's run) is never touched;
a server they start listens on a free port. Their data comes from `demo_data`
(the demo's own figures); tests import from there, never from here.
"""
