"""Who changed what, and when, for a record's page.

Every domain model carries `history = HistoricalRecords()` (django-simple-
history), which keeps a row per change with the user who made it. This turns
those rows into lines a person can read: a status as its label ("With the
board", not "with_board"), a person or record by name (not "1"), dates and
times as people write them, numbers with separators, and an empty field as
"nothing" (never "None").
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

import simple_history.manager
import simple_history.models
from django.db import models
from django.utils import timezone

from . import numbers


class HistoryManager(simple_history.manager.HistoryManager):
    """django-simple-history's `history` manager, its class made once.

    simple_history makes the manager's class anew (`Manager.from_queryset`,
    which copies every queryset method) each time a record's `history` is read,
    and every save reads it: 0.2 ms a save, about 4 seconds of `load_demo`.
    Classes made from the same queryset class are the same, so one is kept.
    """

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(simple_history.models.HistoricalRecords):
    """What every domain model declares as `history`: django-simple-history's
    HistoricalRecords with the manager above."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("history_manager", HistoryManager)
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str
    changes: list[tuple[str, str, str]]  # (field label, old, new), as people read them

    @property
    def when_text(self) -> str:
        return datetime_text(self.when)


def save_with_history(obj, by, *, update_fields=None, reason: str | None = None):
    """Save a record so its history names the person who changed it (and why).

    The one way services save a record with `history = HistoricalRecords()`:
    outside a request django-simple-history cannot know the user, so the
    service says who it is (`by`: a User, or None for the system). Returns obj.
    For many records given the same changes use `update_with_history`; for many
    new ones simple_history.utils' `bulk_create_with_history` (a queryset's
    update() alone leaves no history).
    """
    obj._history_user = by
    if reason is not None:
        obj._change_reason = reason
    obj.save(update_fields=update_fields)
    return obj


def update_with_history(objs: list, by, **changes) -> list:
    """Give many records of one model the same changes, keeping each one's history
    line as a save would: one UPDATE and one INSERT of history rows however many
    records (Django's bulk_update writes a CASE per record and field: slower than
    saving each). Returns objs, changed in memory too."""
    if not objs:
        return objs
    model = type(objs[0])
    for obj in objs:
        for name, value in changes.items():
            setattr(obj, name, value)
    model._default_manager.filter(pk__in=[obj.pk for obj in objs]).update(**changes)
    model.history.bulk_history_create(objs, update=True, default_user=by)
    return objs


def delete_with_history(obj, by, *, reason: str | None = None) -> None:
    """Delete a record so its history's last line names who deleted it (and why)."""
    obj._history_user = by
    if reason is not None:
        obj._change_reason = reason
    obj.delete()


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
EMPTY = "nothing"


def time_text(moment: datetime.datetime) -> str:
    """2:05pm, 9am, midday, midnight (the GOV.UK style)."""
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def datetime_text(moment: datetime.datetime) -> str:
    """3 June 2016 at 2:05pm, in the council's time zone."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%B %Y} at {time_text(moment)}"


def value_text(field, value, names: dict) -> str:
    """One stored value of a field as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"a removed record ({value})")
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField) and isinstance(value, datetime.datetime):
        return datetime_text(value)
    if isinstance(field, models.DateField) and isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(field, models.DecimalField | models.IntegerField) and isinstance(
        value, Decimal | int
    ):
        return numbers.format_number(value)
    if isinstance(field, models.FileField):
        return str(value).rsplit("/", 1)[-1] or EMPTY
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) and value else EMPTY
    return str(value)


def history_entries(obj, limit=50) -> list[HistoryEntry]:
    """The latest changes to one record, newest first (two queries, and one more per
    kind of record that a changed link points to)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    raw = []  # (record, [(field, old, new)])
    wanted: dict = {}
    for i, record in enumerate(records[:limit]):
        changes = []
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                if isinstance(change.old, dict) or isinstance(change.new, dict):
                    continue  # structured copies kept for the record, not for reading here
                if isinstance(field, models.ForeignKey):
                    for value in (change.old, change.new):
                        if value is not None:
                            wanted.setdefault(field.related_model, set()).add(value)
                changes.append((field, change.old, change.new))
        raw.append((record, changes))
    names = {
        (model, pk): str(found)
        for model, pks in wanted.items()
        for pk, found in model._default_manager.in_bulk(pks).items()
    }
    return [
        HistoryEntry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "The system",
            action=_ACTIONS.get(record.history_type, record.history_type),
            changes=[
                (
                    str(field.verbose_name),
                    value_text(field, old, names),
                    value_text(field, new, names),
                )
                for field, old, new in changes
            ],
        )
        for record, changes in raw
    ]
