"""Where the Strategic Board takes, or took, a decision: asked from below, answered above.

The board's meetings live in the `board` app, which sits on top and reads the
apps below. Pages of the apps below (the public decisions page, the calendar)
want to link a decision or a deadline to its meeting without importing
`board`: they ask here, and `board` registers the answer when it is installed
(its AppConfig.ready). Without it every answer is empty, so the pages below
simply show no link.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MeetingLink:
    label: str  # "Strategic Board, 15 July 2026"
    url: str


# for_minutes(minute references) -> {reference: MeetingLink}
# for_obligations(obligation keys) -> {key: MeetingLink}
# for_records(record keys such as "change_request:4") -> {key: MeetingLink}
_resolvers: dict[str, Callable] = {}


def register(*, for_minutes: Callable, for_obligations: Callable, for_records: Callable) -> None:
    _resolvers["minutes"] = for_minutes
    _resolvers["obligations"] = for_obligations
    _resolvers["records"] = for_records


def links_for_minutes(references: Iterable[str]) -> dict[str, MeetingLink]:
    """The meeting that took each decision, by its minute reference (one query)."""
    references = [r for r in set(references) if r]
    resolver = _resolvers.get("minutes")
    return resolver(references) if resolver and references else {}


def links_for_obligations(keys: Iterable[str]) -> dict[str, MeetingLink]:
    """The meeting that will take (or took) the decision an obligation waits for."""
    keys = [k for k in set(keys) if k]
    resolver = _resolvers.get("obligations")
    return resolver(keys) if resolver and keys else {}


def link_for_record(key: str) -> MeetingLink | None:
    """The meeting whose agenda a record waits on ("change_request:4"), if any (one query)."""
    resolver = _resolvers.get("records")
    return resolver([key]).get(key) if resolver and key else None
