from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Monthly KPI returns, the dashboard, management reports and action plans."""

    name = "performance"

    def ready(self):
        from lra_commissioning.deadlines import register_source

        from . import links, obligations
        from .deadlines import action_deadlines

        register_source(action_deadlines)
        links.register()
        # What the records say about each obligation's deadline.
        obligations.register()
