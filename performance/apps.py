from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Monthly KPI returns, the dashboard, management reports and action plans."""

    name = "performance"

    def ready(self):
        from lra_commissioning.cycle.generator import register_source

        from .deadlines import action_deadlines

        register_source(action_deadlines)
