"""What needs a person's attention, for their signed-in home page.

Each app has an `attention.py` with `items_for(user) -> list[AttentionItem]`
that returns only what this user may act on, at a fixed number of queries.
The home page gathers them in the order of `PROVIDERS`.
"""

import datetime
from dataclasses import dataclass
from importlib import import_module

PROVIDERS = [
    "lra_commissioning.admin_attention",
    "specifications.attention",
    "performance.attention",
    "funding.attention",
    "changes.attention",
    "slas.attention",
    "lra_commissioning.cycle.attention",
]


@dataclass(frozen=True)
class AttentionItem:
    group: str  # a heading on the home page, e.g. "Returns to review"
    title: str  # what it is, e.g. "June 2016 KPI return"
    url: str
    due: datetime.date | None = None
    status: str = ""  # a short state, e.g. "Overdue", "Submitted"
    overdue: bool = False


def items_for(user) -> dict[str, list[AttentionItem]]:
    grouped: dict[str, list[AttentionItem]] = {}
    for path in PROVIDERS:
        for item in import_module(path).items_for(user):
            grouped.setdefault(item.group, []).append(item)
    return grouped
