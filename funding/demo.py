"""Demo data for this app; called by `manage.py load_demo` (safe to run twice)."""


def load(ctx):
    """Add this app's demo records. `ctx` is a lra_commissioning.demo.DemoContext."""
