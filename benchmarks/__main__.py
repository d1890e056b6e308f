"""Run every benchmark: `python -m benchmarks` (or `make bench`).

Add an app's benchmarks by importing its module in `_benchmarks()`; each
module has BENCHMARKS, callables that take no arguments and print their
figures or return a list of lines to print.
"""

import os
import sys
import time

from .database import bench_database


def _benchmarks():
    from . import cycle, http, performance

    return [*cycle.BENCHMARKS, *performance.BENCHMARKS, *http.BENCHMARKS]


def main() -> int:
    with bench_database(os.environ.get("DATABASE_URL", "")):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lra_commissioning.settings")
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        failures = 0
        only = sys.argv[1:]  # e.g. `python -m benchmarks http`: only those modules
        for bench in _benchmarks():
            if only and bench.__module__.rsplit(".", 1)[-1] not in only:
                continue
            name = f"{bench.__module__}.{bench.__name__}"
            started = time.perf_counter()
            try:
                for line in bench() or []:
                    print(line, flush=True)
            except Exception as exc:  # noqa: BLE001 - report and go on to the next figure
                failures += 1
                print(f"{name}: FAILED {exc!r}", flush=True)
            print(f"  ({name} ran in {time.perf_counter() - started:.1f} s)", flush=True)
        from django.db import connections

        connections.close_all()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
