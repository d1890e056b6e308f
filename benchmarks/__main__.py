"""Run every benchmark and print its figures (minimal runner; each app adds its own)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lra_commissioning.settings")


def main():
    import django

    django.setup()
    from benchmarks import performance

    benchmarks = [*performance.BENCHMARKS]
    for bench in benchmarks:
        bench()
    return 0


if __name__ == "__main__":
    sys.exit(main())
