from django.core.management.base import BaseCommand, CommandError

from cycle import tasks


class Command(BaseCommand):
    help = (
        "Run the daily reminder sweep now, as the 07:00 beat job does (safe to run twice): "
        "generate deadlines, create due reminders, escalate, queue the e-mails."
    )

    def handle(self, *args, **options):
        outcome = tasks.daily_sweep()
        waiting, queued = outcome["waiting"], outcome["queued"]
        if queued < waiting:
            raise CommandError(
                f"The sweep ran, but only {queued} of the {waiting} reminder(s) waiting to be "
                "sent could be queued: the Celery broker (Redis) cannot be reached. The sweep "
                "is kept in the database and runs again within two minutes of the broker's "
                "return (or run this command again then)."
            )
        where = " and sent in this process" if tasks.daily_sweep.app.conf.task_always_eager else ""
        self.stdout.write(
            self.style.SUCCESS(f"Reminder sweep done: {queued} reminder(s) queued{where}.")
        )
