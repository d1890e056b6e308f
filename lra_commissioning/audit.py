"""Who changed what, and when, for a record's page.

Every domain model carries `history = HistoricalRecords()` (django-simple-
history), which keeps a row per change with the user who made it. This turns
those rows into lines a person can read.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def history_entries(obj, limit=50) -> list[HistoryEntry]:
    """The latest changes to one record, newest first (two queries)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    entries = []
    for i, record in enumerate(records[:limit]):
        changes = []
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append((str(field.verbose_name), str(change.old), str(change.new)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "The system",
                action=_ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries
