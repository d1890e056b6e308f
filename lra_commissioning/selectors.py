"""Reads shared across the site."""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def public_home_context() -> dict:
    """What the public home page links to, honest about what is published."""
    from lra_commissioning.cycle.selectors import published_annual_reports
    from specifications.selectors import version_in_force

    return {
        "version_in_force": version_in_force(on=today()),
        "annual_reports_published": bool(published_annual_reports()),
    }
