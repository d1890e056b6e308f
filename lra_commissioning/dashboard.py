"""What the exception dashboard of a month (in `performance`) shows from the apps above it.

The commissioner's dashboard shows the month's KPI exceptions and the budget's.
The budget belongs to `funding`, which sits above `performance` (its unit costs
read the year's activity), so `performance` does not import it: `funding`
registers its reader here in its AppConfig.ready(), and the dashboard asks
here. Without it the dashboard simply shows no budget exception.
"""

import datetime
from collections.abc import Callable

_budget_exceptions: list[Callable] = []


def register_budget_exceptions(reader: Callable) -> None:
    """reader(month=<first day of a month>) -> the categories outside tolerance."""
    _budget_exceptions[:] = [reader]


def budget_exceptions(*, month: datetime.date) -> list:
    return _budget_exceptions[0](month=month) if _budget_exceptions else []
