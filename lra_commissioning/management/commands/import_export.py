from django.core.management.base import BaseCommand, CommandError

from lra_commissioning.data_export import ImportRefused, import_export


class Command(BaseCommand):
    help = "Load an export zip (from Administration > Export all data) into an empty instance."

    def add_arguments(self, parser):
        parser.add_argument("zip_path")

    def handle(self, zip_path, **options):
        try:
            with open(zip_path, "rb") as fh:
                loaded = import_export(fh)
        except (ImportRefused, OSError) as error:
            raise CommandError(str(error)) from error
        total = sum(loaded.values())
        self.stdout.write(f"Loaded {total} rows into {len(loaded)} tables.")
