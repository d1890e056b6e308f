"""Made-up data for the benchmarks and the tests, from the demo's own figures.

Everything here takes its numbers from `performance.demo_figures`, the
generator `load_demo` uses, so a benchmark's ten years and a test's history
tell the demo's story. Nothing in the running service imports this package;
`benchmarks/` and `tests/` do (tests never import from `benchmarks/`).

- `history.load_history`: years of accepted monthly returns, in bulk.
- `report.sample_report_data`: a year's annual report input, without a database.
"""
