"""Benchmarks: `python -m benchmarks` (make bench) runs every callable in BENCHMARKS."""
