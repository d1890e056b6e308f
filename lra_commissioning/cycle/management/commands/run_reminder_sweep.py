from django.core.management.base import BaseCommand

from lra_commissioning.cycle import tasks


class Command(BaseCommand):
    help = (
        "Run the daily reminder sweep now, as the 07:00 beat job does (safe to run twice): "
        "generate deadlines, create due reminders, escalate, queue the e-mails."
    )

    def handle(self, *args, **options):
        queued = tasks.daily_sweep()
        self.stdout.write(self.style.SUCCESS(f"Reminder sweep done: {queued} reminder(s) queued."))
