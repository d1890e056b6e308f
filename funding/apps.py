from django.apps import AppConfig


class FundingConfig(AppConfig):
    """The rolling five-year budget, funding confirmations, notices and monitoring."""

    name = "funding"

    def ready(self):
        from lra_commissioning import dashboard

        from . import links, obligations
        from .selectors import budget_exceptions

        links.register()
        # What the records say about each obligation's deadline.
        obligations.register()
        # The commissioner's dashboard (performance, below) shows the month's exceptions.
        dashboard.register_budget_exceptions(budget_exceptions)
