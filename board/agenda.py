"""What waits for the Strategic Board: a small registry of sources, one per kind of item.

Each source (see `sources.py`) answers four questions about its kind of record:

- `pending(today)`: which records wait for the board now (a fixed number of
  queries), each as a `Pending` with the key that names the record
  ("change_request:4"), a title, its page, when it is due and the calendar
  obligation its decision meets or leads to;
- `record(key)`: the record an agenda item is about;
- `decide(...)`: record the board's decision through the service of the app
  that owns the record (which locks it and refuses a second decision), with the
  minute reference the meeting generated;
- `paper(...)`: the item's paper, generated from the record: what is asked,
  the options, the impact assessment, the figures.

The meeting services (`services.py`) assemble agendas from `pending_items` and
call `decide` at the meeting; nothing else in the board app knows the apps
below. A new kind of board business is one more source, registered here.
"""

import datetime
from dataclasses import dataclass, field

from .models import ItemKind


@dataclass(frozen=True)
class Pending:
    kind: str
    subject_key: str
    title: str
    url: str
    due: datetime.date | None = None
    deadline_key: str = ""
    kind_label: str = ""

    @property
    def label(self) -> str:
        return self.kind_label or ItemKind(self.kind).label

    def overdue_on(self, today: datetime.date) -> bool:
        return self.due is not None and today > self.due


@dataclass(frozen=True)
class Outcome:
    value: str
    label: str
    # The message when the board's comments are missing, if this outcome needs them.
    needs_resolution: str = ""
    # The outcome sets conditions: at least one action with an owner and a due date.
    needs_condition: bool = False


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Paper:
    """An item's paper, generated from its record (the same on the page and in the PDF)."""

    asked: str
    options: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    text: list[tuple[str, str]] = field(default_factory=list)  # (heading, paragraphs)
    impact: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    background: list[tuple[str, str]] = field(default_factory=list)  # (title, address)


class Source:
    kind: str = ""
    outcomes: tuple[Outcome, ...] = ()
    # Where new items of this kind go on an agenda (lower first).
    order: int = 50
    resolution_label: str = "The board's comments (optional)"

    def pending(self, *, today: datetime.date) -> list[Pending]:
        return []

    def record(self, subject_key: str):
        return None

    def decide(self, *, item, record, outcome, resolution, conditions, decided_on, minute, by):
        """Record the decision where the record lives. Raise to refuse (nothing is kept)."""

    def paper(self, *, item, record) -> Paper:
        return Paper(asked=item.what_is_asked or "To consider the item.")

    def outcome(self, value: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.value == value), None)

    @staticmethod
    def _pk(subject_key: str) -> int | None:
        try:
            return int(subject_key.rsplit(":", 1)[1])
        except (IndexError, ValueError):
            return None


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.kind] = source


def source_for(kind: str) -> Source:
    if not SOURCES:
        from . import sources  # noqa: F401 - registers the sources

    return SOURCES[kind]


def pending_items(*, today: datetime.date) -> list[Pending]:
    """Everything waiting for the board, soonest due first (a fixed number of queries)."""
    if not SOURCES:
        from . import sources  # noqa: F401

    found = []
    for source in sorted(SOURCES.values(), key=lambda s: s.order):
        found.extend((source.order, p) for p in source.pending(today=today))
    found.sort(key=lambda op: (op[0], op[1].due is None, op[1].due or datetime.date.max))
    return [p for _order, p in found]
