"""Reads shared across the site."""

import datetime
from collections.abc import Callable

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


# What the public home page says is published comes from the apps that publish it
# (the specification in force, the annual reports): each registers a provider in
# its AppConfig.ready(), so the core imports none of them.
_public_home_providers: list[Callable[[], dict]] = []


def register_public_home(provider: Callable[[], dict]) -> None:
    """provider() -> part of the public home page's context (one query or so)."""
    if provider not in _public_home_providers:
        _public_home_providers.append(provider)


def public_home_context() -> dict:
    """What the public home page links to, honest about what is published."""
    context: dict = {}
    for provider in _public_home_providers:
        context.update(provider())
    return context
