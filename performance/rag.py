"""RAG rating: one pure function, tested at every boundary (DESIGN.md §4).

No database, no clock. A KPI carries a target and a floor (or a tolerance
that defines the floor). Higher is better: green at or above target, amber
below target but at or above floor, red below floor; the reverse where lower
is better. Cumulative counts are rated year to date against the profiled
target to date. Activity KPIs (no target) are in or out of their expected
range, never a colour. A missing or late return is a state of its own.
"""

from dataclasses import dataclass
from decimal import Decimal

GREEN = "green"
AMBER = "amber"
RED = "red"
IN_RANGE = "in_range"
OUT_OF_RANGE = "out_of_range"
NOT_RATED = "not_rated"
MISSING = "missing"
LATE = "late"
NOT_DUE = "not_due"

LABELS = {
    GREEN: "Green",
    AMBER: "Amber",
    RED: "Red",
    IN_RANGE: "In range",
    OUT_OF_RANGE: "Out of range",
    NOT_RATED: "Not rated",
    MISSING: "Missing",
    LATE: "Late",
    NOT_DUE: "Not yet due",
}
TAG_CLASSES = {
    GREEN: "govuk-tag--green",
    AMBER: "govuk-tag--yellow",
    RED: "govuk-tag--red",
    IN_RANGE: "govuk-tag--blue",
    OUT_OF_RANGE: "govuk-tag--orange",
    NOT_RATED: "govuk-tag--grey",
    MISSING: "govuk-tag--purple",
    LATE: "govuk-tag--pink",
    NOT_DUE: "govuk-tag--grey",
}
NEEDS_ATTENTION = frozenset({AMBER, RED, OUT_OF_RANGE, MISSING, LATE})

HUNDRED = Decimal(100)


def floor_from_tolerance(target: Decimal, tolerance_percent: Decimal, higher_is_better: bool):
    """The floor a KPI without one of its own gets from the specification's tolerance."""
    margin = target * tolerance_percent / HUNDRED
    return target - margin if higher_is_better else target + margin


def profiled_share(month_number: int, profile: list | None) -> Decimal:
    """The share of the annual target due by the end of month N of the year (1 = April).

    With a twelve-month profile, the profile's running total over its total;
    without one, an even spread (N/12).
    """
    if not 1 <= month_number <= 12:
        raise ValueError("month_number is 1 (April) to 12 (March)")
    if profile and len(profile) == 12:
        values = [Decimal(str(v)) for v in profile]
        total = sum(values)
        if total > 0:
            return sum(values[:month_number]) / total
    return Decimal(month_number) / Decimal(12)


def rate_value(
    value: Decimal | None,
    *,
    target: Decimal | None,
    floor: Decimal | None,
    higher_is_better: bool = True,
) -> str:
    """Green, amber or red for a value against a target and floor (same basis)."""
    if value is None:
        return MISSING
    if target is None:
        return NOT_RATED
    if floor is None:
        floor = target
    if higher_is_better:
        if value >= target:
            return GREEN
        return AMBER if value >= floor else RED
    if value <= target:
        return GREEN
    return AMBER if value <= floor else RED


def rate_range(value: Decimal | None, *, low: Decimal | None, high: Decimal | None) -> str:
    if value is None:
        return MISSING
    if low is None and high is None:
        return NOT_RATED
    if (low is not None and value < low) or (high is not None and value > high):
        return OUT_OF_RANGE
    return IN_RANGE


@dataclass(frozen=True)
class Rating:
    state: str  # one of the constants above: what the dashboard shows
    basis_value: Decimal | None = None  # the value rated (year to date for cumulative counts)
    basis_target: Decimal | None = None  # the target on the same basis
    basis_floor: Decimal | None = None
    underlying: str = ""  # for a late value: the colour it would have had
    outside_tolerance: bool = False

    @property
    def colour(self) -> str:
        """The rating a late value keeps: a late value is still green, amber or red."""
        return self.underlying if self.state == LATE and self.underlying else self.state

    @property
    def label(self) -> str:
        if self.state == LATE and self.underlying in (GREEN, AMBER, RED, IN_RANGE, OUT_OF_RANGE):
            return f"Late, {LABELS[self.underlying].lower()}"
        return LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.colour]

    @property
    def within_tolerance(self) -> bool:
        """Green, amber above the floor, or in the expected range, and no further from
        target than the specification's tolerance: what may be accepted in one go."""
        return self.colour in (GREEN, AMBER, IN_RANGE) and not self.outside_tolerance

    @property
    def needs_attention(self) -> bool:
        return self.state in NEEDS_ATTENTION or self.outside_tolerance


def rate(
    *,
    value: Decimal | None,
    target: Decimal | None,
    floor: Decimal | None,
    higher_is_better: bool = True,
    cumulative: bool = False,
    month_number: int = 12,
    profile: list | None = None,
    ytd_value: Decimal | None = None,
    is_activity: bool = False,
    expected_low: Decimal | None = None,
    expected_high: Decimal | None = None,
    tolerance_percent: Decimal | None = None,
    due: bool = True,
    submitted_late: bool = False,
) -> Rating:
    """Rate one KPI for one period.

    value: the period's submitted value (None when none was submitted).
    cumulative: a count summed over the year; rated on `ytd_value` against the
      target (and floor) profiled to `month_number`. Others are rated on `value`.
    due: whether the return's deadline has passed (a missing value before then
      is "not yet due", after it "missing").
    submitted_late: the value came in after the deadline: shown as late.
    tolerance_percent: where the KPI has no floor, the floor is this far from target;
      and any value further than this from target is outside tolerance.
    """
    if value is None:
        return Rating(MISSING if due else NOT_DUE)
    basis = ytd_value if cumulative and ytd_value is not None else value
    share = profiled_share(month_number, profile) if cumulative else Decimal(1)
    if is_activity or target is None:
        low = None if expected_low is None else expected_low * share
        high = None if expected_high is None else expected_high * share
        state = rate_range(basis, low=low, high=high)
        rating = Rating(state, basis, None, None, outside_tolerance=state == OUT_OF_RANGE)
    else:
        if floor is None and tolerance_percent is not None:
            floor = floor_from_tolerance(target, tolerance_percent, higher_is_better)
        basis_target = target * share
        basis_floor = None if floor is None else floor * share
        state = rate_value(
            basis, target=basis_target, floor=basis_floor, higher_is_better=higher_is_better
        )
        outside = False
        if tolerance_percent is not None and basis_target:
            gap = (basis_target - basis) if higher_is_better else (basis - basis_target)
            outside = gap * HUNDRED / abs(basis_target) > tolerance_percent
        rating = Rating(state, basis, basis_target, basis_floor, outside_tolerance=outside)
    if submitted_late:
        return Rating(
            LATE,
            rating.basis_value,
            rating.basis_target,
            rating.basis_floor,
            underlying=rating.state,
            outside_tolerance=rating.outside_tolerance,
        )
    return rating


# Direction of travel -----------------------------------------------------------

IMPROVING = "improving"
WORSENING = "worsening"
STEADY = "steady"
UNKNOWN = "unknown"
DIRECTION_LABELS = {
    IMPROVING: "Improving",
    WORSENING: "Worsening",
    STEADY: "No change",
    UNKNOWN: "Not known",
}
DIRECTION_ARROWS = {IMPROVING: "↑", WORSENING: "↓", STEADY: "→", UNKNOWN: ""}


def direction(current: Decimal | None, previous: Decimal | None, higher_is_better: bool) -> str:
    """Better, worse or the same as the previous period."""
    if current is None or previous is None:
        return UNKNOWN
    if current == previous:
        return STEADY
    better = current > previous if higher_is_better else current < previous
    return IMPROVING if better else WORSENING


def trend(values: list[Decimal | None], higher_is_better: bool, steady_percent=Decimal(1)) -> str:
    """Direction over the trend: the least-squares slope of the known values.

    A slope smaller than `steady_percent` of the mean per period is steady.
    Fewer than three known values: not known.
    """
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 3:
        return UNKNOWN
    n = Decimal(len(points))
    mean_x = sum(Decimal(i) for i, _ in points) / n
    mean_y = sum(v for _, v in points) / n
    var_x = sum((Decimal(i) - mean_x) ** 2 for i, _ in points)
    slope = sum((Decimal(i) - mean_x) * (v - mean_y) for i, v in points) / var_x
    if mean_y == 0 or abs(slope) * HUNDRED / abs(mean_y) < steady_percent:
        return STEADY
    better = slope > 0 if higher_is_better else slope < 0
    return IMPROVING if better else WORSENING
