from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lra_commissioning import demo


class Command(BaseCommand):
    help = "Load a realistic demo council (safe to run twice; refuses with DEBUG off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: demo accounts with known "
                "passwords must never reach a production database."
            )
        generated = not settings.DEMO_PASSWORD
        password = settings.DEMO_PASSWORD or demo.generate_password()
        with transaction.atomic():
            ctx = demo.load(password)
            for path in demo.APP_LOADERS:
                import_module(path).load(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("Demo sign-ins (e-mail / password):")
        for email, _name, _title, roles, hos in demo.DEMO_PEOPLE:
            what = ", ".join(r.label for r in roles) + (" (head of service)" if hos else "")
            self.stdout.write(f"  {email:<28} {password}   {what}")
        if generated:
            self.stdout.write(
                "The password was generated for this run; set DEMO_PASSWORD to choose one."
            )
