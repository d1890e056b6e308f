import contextlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lra_commissioning import demo, demo_pdfs, notifications
from lra_commissioning.context_processors import DEMO_CACHE_KEY

# Libraries that log every PDF they make (font subsetting) and every task run in
# the process: the story makes many.
NOISY_LOGGERS = (
    "fontTools",
    "weasyprint",
    "celery",
    "board.services",
    "cycle.services",
    "specifications.tasks",
)


class Command(BaseCommand):
    help = (
        "Load the demo council's story, from 2016/17 to today (safe to run twice; "
        "refuses with DEBUG off)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: demo accounts with known "
                "passwords must never reach a production database."
            )
        told_before = demo.story_told() is not None
        # A second run keeps the first run's password unless DEMO_PASSWORD says otherwise.
        generated = not settings.DEMO_PASSWORD and not told_before
        password = settings.DEMO_PASSWORD or (None if told_before else demo.generate_password())
        started = time.monotonic()
        levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            # The story's notifications are kept, read, but nobody is e-mailed about the
            # past; its PDFs are rendered in a second process as it goes on.
            aside = contextlib.nullcontext() if told_before else demo_pdfs.rendered_aside()
            with aside, transaction.atomic(), notifications.recorded_quietly():
                ctx, told = demo.load(password)
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
        if told:
            # The banner shows from the next page on.
            cache.delete(DEMO_CACHE_KEY)
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.0f} s.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded."))
        if options["verbosity"] >= 2:
            for kind, seconds in sorted(ctx.timings.items(), key=lambda kv: -kv[1])[:25]:
                self.stdout.write(f"  {seconds:7.2f} s  {kind}")
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("Demo sign-ins (e-mail / password):")
        for email, _name, _title, roles, hos in demo.DEMO_PEOPLE:
            what = ", ".join(r.label for r in roles) + (" (head of service)" if hos else "")
            self.stdout.write(f"  {email:<28} {password or '(unchanged)'}   {what}")
        if generated:
            self.stdout.write(
                "The password was generated for this run; set DEMO_PASSWORD to choose one."
            )
