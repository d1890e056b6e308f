"""What needs a person's attention, for their signed-in home page.

Each app has an `attention.py` with `items_for(user) -> list[AttentionItem]`
that returns only what this user may act on, at a fixed number of queries,
each item a link to the record where the work is done. The home page gathers
them (`items_for` here) and puts them in order of urgency:

- one line per obligation: items carrying the same obligation `key` (the
  month's return listed by its app and by the calendar) make one line, the
  first provider's, with the due date the other knew;
- grouped by what the person must do (the group's words say it: "Returns and
  reports to review", "SLAs to agree"), the most urgent group first (an
  overdue item, then the earliest due date);
- within a group overdue items first, then by due date; a long group shows
  its first `SHOWN` items and the rest behind "Show N more".
"""

import datetime
from dataclasses import dataclass, replace
from importlib import import_module

PROVIDERS = [
    "lra_commissioning.admin_attention",
    "specifications.attention",
    "performance.attention",
    "funding.attention",
    "changes.attention",
    "slas.attention",
    "cycle.attention",
    "board.attention",
]

# Items shown in a group before "Show N more".
SHOWN = 5


@dataclass(frozen=True)
class AttentionItem:
    group: str  # what the person must do, e.g. "Returns and reports to review"
    title: str  # what it is, e.g. "June 2016 KPI return"
    url: str
    due: datetime.date | None = None
    status: str = ""  # a short state, e.g. "Overdue", "Submitted"
    overdue: bool = False
    # The obligation it is about (lra_commissioning.obligations), when it has one.
    key: str = ""


@dataclass(frozen=True)
class AttentionGroup:
    title: str
    items: list

    @property
    def shown(self):
        return self.items[:SHOWN]

    @property
    def more(self):
        return self.items[SHOWN:]

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def urgency(item: AttentionItem):
    return (0 if item.overdue else 1, item.due or datetime.date.max)


def one_per_obligation(items: list[AttentionItem]) -> list[AttentionItem]:
    """Items with the same obligation key become one line: the first one, given the
    due date (and so the urgency) of a later one when it had none."""
    lines: list[AttentionItem] = []
    where: dict[str, int] = {}
    for item in items:
        if item.key and item.key in where:
            first = lines[where[item.key]]
            if first.due is None and item.due is not None:
                lines[where[item.key]] = replace(first, due=item.due, overdue=item.overdue)
            continue
        if item.key:
            where[item.key] = len(lines)
        lines.append(item)
    return lines


def group_by_urgency(items: list[AttentionItem]) -> list[AttentionGroup]:
    grouped: dict[str, list[AttentionItem]] = {}
    for item in one_per_obligation(items):
        grouped.setdefault(item.group, []).append(item)
    groups = [AttentionGroup(title, sorted(group, key=urgency)) for title, group in grouped.items()]
    # Stable: groups equally urgent keep the providers' order.
    groups.sort(key=lambda g: urgency(g.items[0]))
    return groups


def items_for(user) -> list[AttentionGroup]:
    items: list[AttentionItem] = []
    for path in PROVIDERS:
        items.extend(import_module(path).items_for(user))
    return group_by_urgency(items)
