from django.apps import AppConfig


class SpecificationsConfig(AppConfig):
    """The specification (versions, outcomes, KPIs), public comments and business plans."""

    name = "specifications"

    def ready(self):
        from lra_commissioning import selectors

        from . import links, obligations
        from .selectors import public_home_facts

        links.register()
        # What the records say about each obligation's deadline.
        obligations.register()
        selectors.register_public_home(public_home_facts)
