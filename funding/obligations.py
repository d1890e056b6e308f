"""When the records say each funding obligation was met (see
lra_commissioning.obligations). Registered in apps.py.

    funding_confirmation:<start year>   the year's funding confirmed to the service

One query however many keys.
"""

from lra_commissioning import obligations
from lra_commissioning.links import int_part

from .models import FundingConfirmation


def funding_confirmations_met(keys):
    years = {key: int_part(key, 0) for key in keys}
    years = {key: year for key, year in years.items() if year is not None}
    if not years:
        return {}
    confirmed = {
        year: obligations.Met(on, by_id)
        for year, on, by_id in FundingConfirmation.objects.filter(
            start_year__in=set(years.values())
        ).values_list("start_year", "confirmed_on", "confirmed_by_id")
    }
    return {key: confirmed[year] for key, year in years.items() if year in confirmed}


def register():
    obligations.register_resolver("funding_confirmation", funding_confirmations_met)
