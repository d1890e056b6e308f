from pathlib import Path

from django.core.management.base import BaseCommand

from lra_commissioning.data_export import build_export


class Command(BaseCommand):
    help = "Write the export zip of all the service's data (as the administrator's page does)."

    def add_arguments(self, parser):
        parser.add_argument("zip_path")

    def handle(self, zip_path, **options):
        Path(zip_path).write_bytes(build_export())
        self.stdout.write(f"Wrote {zip_path}")
