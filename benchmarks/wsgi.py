"""The site plus a trivial Django view, for comparing page throughput on one stack."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lra_commissioning.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.urls"
