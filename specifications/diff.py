"""What changed between two versions of the specification.

`versions_diff(old, new)` is a pure function: it reads the versions' content
(`sections`, `outcomes` with `requirements`, `kpis`, through their related
managers, so prefetching them makes it cost no queries) and returns what was
added, removed or changed. Items are matched by what is stable across
versions: sections by kind, outcomes, requirements and KPIs by code.
Other apps (change management) reuse it.
"""

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
SAME = "same"

# A word with the space after it, or the space at the start of a text.
_TOKEN = re.compile(r"\S+\s*|\s+")


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """What changed from `old` to `new`, word by word, as (kind, text) pieces in order.

    kind is SAME, REMOVED or ADDED; joining the SAME and ADDED pieces gives
    `new` exactly, joining the SAME and REMOVED pieces gives `old`. Words are
    compared without the space after them, so re-spacing is not a change;
    nothing is ever cut short.
    """
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False
    )
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append((SAME, "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append((REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append((ADDED, "".join(b[j1:j2])))
    return tuple(pieces)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class ItemChange:
    kind: str  # added | removed | changed
    key: str  # the stable key: section kind, outcome/requirement/KPI code
    title: str
    old: object = None  # the old record (None when added)
    new: object = None  # the new record (None when removed)
    fields: tuple[FieldChange, ...] = ()

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)

    @property
    def shown_fields(self) -> tuple[FieldChange, ...]:
        """What to show: the changed fields, or every filled-in field of an item
        added (old None) or removed (new None)."""
        if self.kind == CHANGED:
            return self.fields
        record = self.new if self.kind == ADDED else self.old
        shown = []
        for name, label in TEXT_FIELDS.get(type(record).__name__, ()):
            value = _value(record, name)
            if value not in (None, ""):
                shown.append(
                    FieldChange(
                        name,
                        label,
                        None if self.kind == ADDED else value,
                        value if self.kind == ADDED else None,
                    )
                )
        return tuple(shown)


@dataclass(frozen=True)
class VersionDiff:
    old: object
    new: object
    version_fields: tuple[FieldChange, ...] = ()
    sections: tuple[ItemChange, ...] = ()
    outcomes: tuple[ItemChange, ...] = ()
    requirements: tuple[ItemChange, ...] = ()
    kpis: tuple[ItemChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.version_fields or self.sections or self.outcomes or self.requirements or self.kpis
        )

    def counts(self) -> dict[str, int]:
        items = [*self.sections, *self.outcomes, *self.requirements, *self.kpis]
        return {k: sum(1 for i in items if i.kind == k) for k in (ADDED, REMOVED, CHANGED)}

    def summary(self) -> str:
        """One line for a list of versions, e.g. "1 KPI added, 3 KPIs changed"."""
        parts = []
        for label, plural, items in (
            ("section", "sections", self.sections),
            ("outcome", "outcomes", self.outcomes),
            ("requirement", "requirements", self.requirements),
            ("KPI", "KPIs", self.kpis),
        ):
            for kind in (ADDED, REMOVED, CHANGED):
                n = sum(1 for i in items if i.kind == kind)
                if n:
                    parts.append(f"{n} {label if n == 1 else plural} {kind}")
        if self.version_fields:
            parts.append("tolerances or dates changed")
        return ", ".join(parts) if parts else "No changes to the content"


VERSION_FIELDS = [
    ("starts_on", "In force from"),
    ("performance_tolerance_percent", "Performance tolerance (%)"),
    ("budget_tolerance_percent", "Budget tolerance (%)"),
    ("budget_tolerance_amount", "Budget tolerance (£)"),
]
SECTION_FIELDS = [("heading", "Heading"), ("body", "Text")]
OUTCOME_FIELDS = [
    ("title", "Outcome"),
    ("strategic_outcome_id", "Strategic outcome"),
    ("description", "Description"),
]
REQUIREMENT_FIELDS = [("text", "Requirement"), ("outcome_code", "Outcome")]
# What an added or removed item shows, by model.
TEXT_FIELDS = {
    "Section": [("heading", "Heading"), ("body", "Text")],
    "Outcome": [("title", "Outcome"), ("description", "Description")],
    "ServiceRequirement": [("text", "Requirement")],
}
KPI_FIELDS = [
    ("title", "Title"),
    ("annual_target", "Annual target"),
    ("floor", "Floor"),
    ("expected_low", "Lowest expected"),
    ("expected_high", "Highest expected"),
    ("unit", "Unit"),
    ("higher_is_better", "Higher is better"),
    ("frequency", "Frequency"),
    ("annual_aggregation", "Annual figure"),
    ("is_activity", "Activity measure"),
    ("service_area", "Service area"),
    ("outcome_code", "Outcome"),
    ("monthly_profile", "Monthly profile"),
    ("definition", "Definition"),
    ("guidance", "Guidance"),
    ("data_source", "Data source"),
    ("owner", "Owner"),
    ("next_review_on", "Next review"),
]


def _norm(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, list):
        return [_norm(Decimal(str(v))) if v not in (None, "") else v for v in value]
    return value


def _value(obj, name):
    if name == "outcome_code":
        outcome = getattr(obj, "outcome", None)
        return outcome.code if outcome is not None else None
    return getattr(obj, name)


def _field_changes(old, new, fields) -> tuple[FieldChange, ...]:
    changes = []
    for name, label in fields:
        a, b = _value(old, name), _value(new, name)
        if _norm(a) != _norm(b):
            if name == "strategic_outcome_id":
                a, b = str(old.strategic_outcome), str(new.strategic_outcome)
            changes.append(FieldChange(name, label, a, b))
    return tuple(changes)


def _compare(old_items: dict, new_items: dict, fields, title) -> tuple[ItemChange, ...]:
    changes = []
    keys = list(old_items) + [k for k in new_items if k not in old_items]
    for key in keys:
        a, b = old_items.get(key), new_items.get(key)
        if a is None:
            changes.append(ItemChange(ADDED, key, title(b), None, b))
        elif b is None:
            changes.append(ItemChange(REMOVED, key, title(a), a, None))
        else:
            delta = _field_changes(a, b, fields)
            if delta:
                changes.append(ItemChange(CHANGED, key, title(b), a, b, delta))
    return tuple(changes)


def _requirements(version) -> dict:
    items = {}
    for outcome in version.outcomes.all():
        for requirement in outcome.requirements.all():
            items[requirement.code] = requirement
    return items


def versions_diff(old, new) -> VersionDiff:
    """Everything added, removed or changed from `old` to `new` (either may be any version)."""
    return VersionDiff(
        old=old,
        new=new,
        version_fields=_field_changes(old, new, VERSION_FIELDS),
        sections=_compare(
            {s.kind: s for s in old.sections.all()},
            {s.kind: s for s in new.sections.all()},
            SECTION_FIELDS,
            lambda s: s.heading,
        ),
        outcomes=_compare(
            {o.code: o for o in old.outcomes.all()},
            {o.code: o for o in new.outcomes.all()},
            OUTCOME_FIELDS,
            lambda o: f"{o.code} {o.title}",
        ),
        requirements=_compare(
            _requirements(old),
            _requirements(new),
            REQUIREMENT_FIELDS,
            lambda r: f"{r.code} {r.text}",
        ),
        kpis=_compare(
            {k.code: k for k in old.kpis.all()},
            {k.code: k for k in new.kpis.all()},
            KPI_FIELDS,
            lambda k: f"{k.code} {k.title}",
        ),
    )
