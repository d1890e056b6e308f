from django.apps import AppConfig


class SlasConfig(AppConfig):
    """Support services and their service level agreements with the service."""

    name = "slas"

    def ready(self):
        from lra_commissioning.deadlines import register_source

        from . import links, obligations
        from .support_deadlines import support_service_deadlines

        # Each support service's lead has their own deadlines in the calendar.
        register_source(support_service_deadlines)
        links.register()
        # What the records say about each obligation's deadline.
        obligations.register()
