from django.apps import AppConfig


class CycleConfig(AppConfig):
    """The commissioning cycle: deadlines, reminders, the calendar, the annual report."""

    name = "cycle"
    label = "cycle"
    verbose_name = "Commissioning cycle"

    def ready(self):
        from lra_commissioning import deadlines, obligations, selectors

        from . import links
        from . import obligations as records
        from .generator import rule_due_on
        from .selectors import public_home_facts
        from .services import deadline_obligation_met

        # Meeting an obligation anywhere meets its deadline, in the same transaction.
        obligations.register(deadline_obligation_met)
        # The apps' deadline sources read the rules' dates without importing the cycle.
        deadlines.register_rule_dates(rule_due_on)
        selectors.register_public_home(public_home_facts)
        # The annual and cabinet reports' pages, for deadlines and notifications.
        links.register()
        # The annual and cabinet reports say when their obligations were met.
        records.register()
