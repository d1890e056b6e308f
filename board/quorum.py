"""Is a meeting quorate? One pure function over who is present and the rule.

The rule is the administrator's (`BoardSettings`): at least so many members
present in each position, and so many in all. The default is the seed paper's
board: at least one Cabinet Member and one Corporate Director (two in all).
"""

from collections import Counter
from dataclasses import dataclass

from .models import Position


@dataclass(frozen=True)
class Quorum:
    met: bool
    present: int
    shortfalls: tuple[str, ...]  # what is missing, in words

    @property
    def explanation(self) -> str:
        if self.met:
            return "The meeting is quorate."
        return "The meeting is not quorate: it needs " + " and ".join(self.shortfalls) + "."


PLURALS = {
    Position.CABINET_MEMBER: "Cabinet Members",
    Position.ELECTED_MEMBER: "elected members",
    Position.CORPORATE_DIRECTOR: "Corporate Directors",
    Position.HEAD_OF_SERVICE: "heads of service",
}


def _count(n: int, position: str) -> str:
    if n == 1:
        label = Position(position).label
        article = "an" if label[0].lower() in "aeiou" else "a"
        return f"{article} {label} present"
    return f"at least {n} {PLURALS[position]} present"


def quorum(present_positions, rule) -> Quorum:
    """present_positions: the position of each member present (one entry per member)."""
    counts = Counter(present_positions)
    shortfalls = []
    for position, minimum in rule.quorum_by_position.items():
        if counts[position] < minimum:
            shortfalls.append(_count(minimum, position))
    total = sum(counts.values())
    if total < rule.quorum_total:
        shortfalls.append(
            f"at least {rule.quorum_total} member{'s' if rule.quorum_total != 1 else ''} present"
        )
    return Quorum(met=not shortfalls, present=total, shortfalls=tuple(shortfalls))
