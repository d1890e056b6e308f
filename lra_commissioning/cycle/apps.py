from django.apps import AppConfig


class CycleConfig(AppConfig):
    """The commissioning cycle: deadlines, reminders, the calendar, the annual report."""

    name = "lra_commissioning.cycle"
    label = "cycle"
    verbose_name = "Commissioning cycle"

    def ready(self):
        from lra_commissioning import obligations

        from .services import deadline_obligation_met

        # Meeting an obligation anywhere meets its deadline, in the same transaction.
        obligations.register(deadline_obligation_met)
