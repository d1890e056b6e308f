"""Reads of specifications, for the people asking."""

import datetime

from .models import SpecificationVersion, VersionStatus


def version_in_force(*, on: datetime.date) -> SpecificationVersion | None:
    """The one published version in force on a day: the latest to have started.

    Publishing refuses a second version with the same start date, so on any day
    there is exactly one (once the first has started).
    """
    return (
        SpecificationVersion.objects.filter(status=VersionStatus.PUBLISHED, starts_on__lte=on)
        .select_related("specification__financial_year")
        .order_by("-starts_on", "-major", "-minor")
        .first()
    )


# Contracts other apps rely on (the annual report): keep the signature.


def business_plan_summary(*, start_year: int) -> list[tuple[str, str, str]]:
    """(outcome code, outcome title, how the plan says it will meet it) for a year."""
    return []
