"""The demo's KPI figures, April 2016 onwards: one deterministic generator.

The demo (`load_demo`), the benchmarks' ten-year history and the tests all take
their numbers from here, so they tell the same story. No clock and no
database: the same call gives the same answer on any day, for any month from
April 2016 to as far ahead as asked.

2016/17 is Kent's published year, exactly: items issued 4,928,717; library
visits 5,231,868; active borrowers 162,792 at year end; home library service
customers 1,428 at year end (red); archive documents produced 30,679; births
registered 18,742; deaths registered 15,419; ceremonies 6,452 (summed counts
are the published totals split by seasonal shares, summing exactly; month-end
counts and percentages are the demo's 2016/17 tables). Later years
grow from it with a fixed seed: e-issues up, visits and issues slowly down,
births down and deaths up (registrations follow them), a Covid year in
2020/21 (buildings shut in spring 2020 and winter 2020/21, e-issues and
deaths up, ceremonies and birth registrations postponed then caught up),
percentages wandering above their targets, every series moving each month.

The API
-------
``monthly_value(kpi_code, month, story=None) -> Decimal | None``
    The value returned for the KPI's period ending in `month` (the first of a
    month): None before April 2016, before a KPI existed (LIB08 starts in
    2017/18), for an unknown code, and in months where a quarterly (June,
    September, December, March) or annual (March) KPI has no period ending.
    Counts are whole numbers, percentages and days have one decimal place,
    money is in whole pounds; never negative.
``annual_value(kpi_code, start_year, story=None) -> Decimal | None``
    The year's figure as the KPI aggregates it (sum, latest, or average).
``targets(kpi_code, start_year, story=None) -> Targets``
    Target, floor, expected range and a twelve-month profile for a
    specification of that year, chosen so that the year's figures are green
    (or in range) unless the story steers them. 2016/17 gives the published
    specification's own targets (so 2016/17 is amber or red where Kent was).
``yearly_factor(start_year) -> Decimal``
    Cost growth since 2016/17 (pay awards and prices; 1 for 2016/17), for
    budgets and monitoring: multiply a 2016/17 budget line by it.
``profile(kpi_code, start_year) -> list[str]``
    The year's twelve monthly shares (April first), as a KPI's
    `monthly_profile` takes them.

Steering the story
------------------
`story` maps (kpi_code, start_year) to "amber" or "red": that year's figures
are moved into the amber band (between floor and target) or below the floor
of `targets(kpi_code, start_year)` (the unsteered targets), from the second
month of the year on (April moves part of the way). The year after a steered
year starts where it ended and recovers to its unsteered level over its
first four months, so a KPI red one year reads "recovered" the next.
Without `story`, DEFAULT_STORY applies: home library customers red in
2016/17 (the published figures) and recovering in 2017/18. For example, one
amber KPI in the current year and one red KPI recovered last year::

    story = {**DEFAULT_STORY, ("REG03", this_year): "amber", ("ARC02", this_year - 2): "red"}
    monthly_value("REG03", month, story)

Use the same `story` for every call of one demo (values, targets and
profiles), so ratings follow it. 2016/17 is never steered (it is published).
Activity KPIs (births and deaths registered: no target) cannot be steered
(ValueError). Summed counts are rated year to date against the profile, so
set each KPI's `monthly_profile` from `targets(...).profile` (or `profile`).
`KPIS` lists the codes with their shape (aggregation, frequency, places).
"""

import datetime
import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

SEED = 2016
FIRST_YEAR = 2016
FIRST_MONTH = datetime.date(FIRST_YEAR, 4, 1)
COVID_YEAR = 2020

SUM, LATEST, AVERAGE = "sum", "latest", "average"
MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"
AMBER, RED = "amber", "red"

# Seasonal shares, April first.
LIBRARY_SEASON = [83, 84, 80, 96, 98, 81, 84, 82, 66, 85, 80, 83]
CEREMONY_SEASON = [50, 80, 110, 125, 130, 100, 65, 40, 35, 30, 45, 55]
EVEN = [1] * 12
BIRTHS = [82, 84, 85, 88, 87, 86, 85, 82, 79, 83, 80, 85]
DEATHS = [82, 78, 74, 75, 74, 76, 82, 87, 96, 100, 90, 86]
EVENTS = [70, 75, 70, 140, 150, 60, 80, 90, 100, 50, 55, 60]
ARCHIVE_SEASON = [84, 85, 82, 86, 80, 84, 88, 87, 70, 88, 86, 85]
E_ISSUES = [78, 79, 80, 84, 86, 81, 84, 85, 92, 94, 86, 91]
SEARCH_ROOM = [86, 84, 80, 78, 74, 84, 90, 88, 70, 90, 88, 92]
VOLUNTEERING = [80, 82, 84, 98, 102, 84, 82, 80, 70, 78, 80, 84]

# code: (2016/17 annual total, seasonal shares) for summed counts.
TOTALS_2016 = {
    "LIB01": (5_231_868, LIBRARY_SEASON),
    "LIB02": (4_928_717, LIBRARY_SEASON),
    "LIB03": (612_450, E_ISSUES),
    "LIB07": (254_310, EVENTS),
    "REG05": (18_742, BIRTHS),
    "REG06": (15_419, DEATHS),
    "REG07": (6_452, CEREMONY_SEASON),
    "ARC01": (30_679, ARCHIVE_SEASON),
    "ARC04": (11_620, SEARCH_ROOM),
    "WS01": (60_840, VOLUNTEERING),
    "WS02": (3_152_300, CEREMONY_SEASON),
}
# Values at the end of each month (latest-value KPIs), April first.
LATEST_2016 = {
    "LIB04": [
        166_210,
        165_830,
        165_400,
        166_020,
        165_610,
        164_900,
        164_480,
        164_020,
        163_560,
        163_300,
        163_010,
        162_792,
    ],
    "LIB05": [1_562, 1_548, 1_531, 1_515, 1_503, 1_494, 1_482, 1_470, 1_461, 1_450, 1_439, 1_428],
}
# Monthly percentages or days (average KPIs).
AVERAGE_2016 = {
    "REG01": [91.2, 90.8, 89.5, 88.9, 90.4, 91.0, 92.1, 91.7, 86.0, 84.2, 89.9, 91.3],
    "REG02": [96.1, 95.8, 95.2, 94.7, 95.5, 96.0, 96.3, 96.8, 95.1, 94.9, 95.7, 96.2],
    "REG03": [95.5, 95.2, 94.8, 95.1, 95.6, 95.9, 95.3, 94.6, 93.8, 92.4, 94.9, 95.4],
    "REG04": [2.6, 2.8, 3.1, 3.4, 3.2, 2.9, 2.7, 2.8, 3.6, 3.9, 3.0, 2.7],
    "ARC02": [96.4, 95.9, 96.2, 95.1, 94.8, 96.5, 97.0, 96.3, 95.7, 96.1, 96.8, 97.2],
}
QUARTERLY_2016 = {"LIB06": [95.8, 96.1, 95.4, 96.3], "REG08": [97.2, 96.8, 97.5, 97.9]}
ANNUAL_2016 = {"ARC03": 94.0}


@dataclass(frozen=True)
class Kpi:
    """How one KPI's figures behave: its shape, unit and story after 2016/17."""

    aggregation: str  # SUM, LATEST or AVERAGE
    frequency: str = MONTHLY
    places: int = 0
    higher_is_better: bool = True
    # The published 2016/17 specification's target and floor (None for activity KPIs).
    target: float | None = None
    floor: float | None = None
    trend: float = 0.0  # yearly change after 2016/17 (0.02 = 2% a year)
    # Percentages and days: where the figures wander (low, high) when unsteered.
    band: tuple[float, float] | None = None
    noise: float = 0.03  # monthly wobble: a share for counts, points for percentages
    first_year: int = FIRST_YEAR


KPIS = {
    "LIB01": Kpi(SUM, target=5_300_000, floor=5_000_000, trend=-0.022),
    "LIB02": Kpi(SUM, target=5_000_000, floor=4_700_000, trend=-0.018),
    "LIB03": Kpi(SUM, target=600_000, floor=540_000, trend=0.07),
    "LIB04": Kpi(LATEST, target=165_000, floor=155_000, trend=-0.008, noise=0.0025),
    "LIB05": Kpi(LATEST, target=1_600, floor=1_500, trend=0.03, noise=0.006),
    "LIB06": Kpi(AVERAGE, QUARTERLY, 1, target=95, floor=90, band=(95.4, 98.6), noise=0.5),
    "LIB07": Kpi(SUM, target=250_000, floor=225_000, trend=0.012),
    "LIB08": Kpi(SUM, target=12_000, floor=10_800, trend=0.05, first_year=2017),
    "REG01": Kpi(AVERAGE, places=1, target=90, floor=85, band=(92.4, 97.5), noise=0.8),
    "REG02": Kpi(AVERAGE, places=1, target=95, floor=90, band=(95.3, 98.8), noise=0.5),
    "REG03": Kpi(AVERAGE, places=1, target=95, floor=90, band=(95.3, 98.5), noise=0.5),
    "REG04": Kpi(
        AVERAGE, places=1, higher_is_better=False, target=3, floor=5, band=(1.7, 2.9), noise=0.2
    ),
    "REG05": Kpi(SUM, trend=-0.014, noise=0.025),
    "REG06": Kpi(SUM, trend=0.009, noise=0.03),
    "REG07": Kpi(SUM, target=6_300, floor=6_000, trend=-0.006, noise=0.04),
    "REG08": Kpi(AVERAGE, QUARTERLY, 1, target=95, floor=90, band=(95.6, 98.9), noise=0.4),
    "ARC01": Kpi(SUM, target=30_000, floor=27_000, trend=-0.012),
    "ARC02": Kpi(AVERAGE, places=1, target=95, floor=90, band=(95.4, 98.6), noise=0.6),
    "ARC03": Kpi(LATEST, ANNUAL, 1, target=95, floor=90, band=(95.2, 97.8), noise=0.8),
    "ARC04": Kpi(SUM, target=12_000, floor=10_800, trend=-0.015),
    "WS01": Kpi(SUM, target=60_000, floor=54_000, trend=0.01),
    "WS02": Kpi(SUM, target=3_200_000, floor=3_000_000, trend=0.025),
}
# LIB08 (digital skills sessions, from 2017/18): its first year's total and season.
FIRST_TOTALS = {"LIB08": (12_600, [60, 75, 80, 70, 65, 90, 100, 95, 70, 105, 100, 90])}

# The Covid year, April 2020 to March 2021: a multiplier on each month's usual
# figure. Buildings shut from late March to July 2020 and again from January 2021.
SHUT = [0.01, 0.015, 0.04, 0.22, 0.3, 0.34, 0.36, 0.13, 0.27, 0.03, 0.04, 0.15]
COVID_MONTHS = {
    "LIB01": SHUT,
    "LIB02": [0.06, 0.07, 0.14, 0.4, 0.5, 0.55, 0.56, 0.31, 0.46, 0.16, 0.18, 0.32],
    "LIB03": [1.62, 1.58, 1.52, 1.44, 1.4, 1.41, 1.45, 1.56, 1.5, 1.66, 1.6, 1.5],
    "LIB04": [0.97, 0.95, 0.94, 0.935, 0.935, 0.94, 0.945, 0.94, 0.94, 0.93, 0.925, 0.93],
    "LIB05": [0.99, 0.975, 0.965, 0.96, 0.962, 0.965, 0.968, 0.966, 0.964, 0.958, 0.956, 0.96],
    "LIB07": [0.03, 0.04, 0.06, 0.12, 0.16, 0.2, 0.22, 0.09, 0.15, 0.05, 0.06, 0.11],
    "LIB08": [0.08, 0.1, 0.15, 0.3, 0.35, 0.42, 0.45, 0.25, 0.35, 0.12, 0.15, 0.3],
    "REG05": [0.04, 0.09, 0.85, 1.62, 1.48, 1.3, 1.12, 1.04, 1.0, 0.98, 0.99, 1.01],
    "REG06": [1.46, 1.14, 0.95, 0.92, 0.93, 0.98, 1.05, 1.14, 1.24, 1.62, 1.2, 0.94],
    "REG07": [0.01, 0.015, 0.05, 0.33, 0.48, 0.55, 0.4, 0.09, 0.16, 0.02, 0.03, 0.09],
    "ARC01": [0.02, 0.025, 0.06, 0.3, 0.44, 0.5, 0.51, 0.2, 0.36, 0.05, 0.06, 0.21],
    "ARC04": [0.01, 0.012, 0.04, 0.22, 0.35, 0.42, 0.44, 0.14, 0.3, 0.03, 0.04, 0.16],
    "WS01": [0.05, 0.06, 0.1, 0.3, 0.4, 0.45, 0.46, 0.21, 0.31, 0.1, 0.11, 0.26],
    "WS02": [0.2, 0.21, 0.24, 0.46, 0.58, 0.64, 0.52, 0.27, 0.33, 0.21, 0.22, 0.27],
}
# After Covid: the level each year reaches against the trend without it.
COVID_LEVELS = {
    "LIB01": {2021: 0.62, 2022: 0.76, 2023: 0.81, 2024: 0.84},
    "LIB02": {2021: 0.78, 2022: 0.86, 2023: 0.89, 2024: 0.91},
    "LIB03": {2021: 1.32, 2022: 1.3, 2023: 1.3, 2024: 1.3},
    "LIB04": {2021: 0.94, 2022: 0.955, 2023: 0.965, 2024: 0.97},
    "LIB05": {2021: 0.965, 2022: 0.975, 2023: 0.985, 2024: 0.99},
    "LIB07": {2021: 0.55, 2022: 0.82, 2023: 0.92, 2024: 0.96},
    "LIB08": {2021: 0.8, 2022: 0.95, 2023: 1.0, 2024: 1.02},
    "REG07": {2021: 1.28, 2022: 1.09, 2023: 1.02, 2024: 1.0},
    "ARC01": {2021: 0.7, 2022: 0.84, 2023: 0.88, 2024: 0.9},
    "ARC04": {2021: 0.6, 2022: 0.78, 2023: 0.84, 2024: 0.86},
    "WS01": {2021: 0.62, 2022: 0.8, 2023: 0.88, 2024: 0.91},
    "WS02": {2021: 1.2, 2022: 1.08, 2023: 1.03, 2024: 1.01},
}
# Cost growth each year over the year before (pay awards and prices), from 2017/18.
COST_GROWTH = {
    2017: "0.021",
    2018: "0.024",
    2019: "0.026",
    2020: "0.028",
    2021: "0.017",
    2022: "0.062",
    2023: "0.071",
    2024: "0.038",
    2025: "0.031",
}
LATER_COST_GROWTH = "0.026"

# Registration KPIs pushed by the month's births or deaths: (source, weight).
PRESSURE = {
    "REG01": ("REG06", -1.5),
    "REG03": ("REG06", -1.0),
    "REG02": ("REG05", -1.0),
    "REG04": ("REG05", 1.5),
}

# Home library customers: red in the published 2016/17, recovering in 2017/18.
DEFAULT_STORY: dict[tuple[str, int], str] = {("LIB05", 2016): RED}

# The year after a steered year: how far back to the unsteered level, April first.
RECOVERY = [0.25, 0.5, 0.75]
# A steered year: how far April has moved towards the steered level (then fully).
ONSET = 0.6
ZERO = Decimal(0)


@dataclass(frozen=True)
class Targets:
    """What a specification of one year could ask of a KPI (None where it has none)."""

    target: Decimal | None
    floor: Decimal | None
    expected_low: Decimal | None
    expected_high: Decimal | None
    profile: list[str]


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _start_year(month: datetime.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def _index(month: datetime.date) -> int:
    """0 for April ... 11 for March."""
    return (month.month - 4) % 12


def _quantize(value, places: int) -> Decimal:
    value = max(Decimal(str(value)), ZERO)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def split_total(total: int, shares: list[int]) -> list[int]:
    """Split a total into parts in proportion to `shares`, summing exactly (largest remainder)."""
    weight = sum(shares)
    raw = [Decimal(total) * s / weight for s in shares]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _season(code: str) -> list[int]:
    if code in TOTALS_2016:
        return TOTALS_2016[code][1]
    if code in FIRST_TOTALS:
        return FIRST_TOTALS[code][1]
    return EVEN


def _covid(code: str, start_year: int) -> list[float]:
    """This year's monthly multipliers against the trend: Covid and what followed."""
    if start_year == COVID_YEAR:
        return COVID_MONTHS.get(code, [1.0] * 12)
    if start_year > COVID_YEAR:
        levels = COVID_LEVELS.get(code, {})
        if levels:
            last = max(levels)
            return [levels.get(start_year, levels[last])] * 12
    return [1.0] * 12


def _trend_level(code: str, start_year: int) -> float:
    """The year's level against its first year, by the trend with a yearly wobble."""
    kpi = KPIS[code]
    level = 1.0
    for year in range(kpi.first_year + 1, start_year + 1):
        level *= 1 + kpi.trend + _rng(code, year, "year").uniform(-0.012, 0.012)
    return level


def profile(kpi_code: str, start_year: int) -> list[str]:
    """The year's expected monthly shares (April first), for a KPI's monthly_profile."""
    weights = [s * m for s, m in zip(_season(kpi_code), _covid(kpi_code, start_year), strict=True)]
    total = sum(weights)
    return [str(_quantize(w * 100 / total, 2)) for w in weights]


def _unsteered(code: str, start_year: int) -> list[Decimal | None]:
    """The year's twelve values (None where no period ends) before any story."""
    kpi = KPIS[code]
    if start_year < kpi.first_year:
        return [None] * 12
    if start_year == FIRST_YEAR:
        return _published(code)
    rng = _rng(code, start_year, "months")
    covid = _covid(code, start_year)
    if kpi.aggregation == SUM:
        total, season = TOTALS_2016.get(code) or FIRST_TOTALS[code]
        base = total * _trend_level(code, start_year)
        weight = sum(season)
        return [
            _quantize(base * s / weight * c * (1 + rng.uniform(-kpi.noise, kpi.noise)), kpi.places)
            for s, c in zip(season, covid, strict=True)
        ]
    if kpi.band is None:  # a count at month end: a walk along the trend
        last = _last_value(code, start_year - 1, None)
        start_level = float(LATEST_2016[code][-1]) * _trend_level(code, start_year - 1)
        level = float(LATEST_2016[code][-1]) * _trend_level(code, start_year)
        values, previous = [], float(last)
        for i in range(12):
            aim = start_level + (level - start_level) * (i + 1) / 12
            previous += 0.45 * (aim * covid[i] - previous)
            previous *= 1 + rng.uniform(-kpi.noise, kpi.noise)
            values.append(previous)
        return _moving([_quantize(v, kpi.places) for v in values], kpi, last)
    return _walk(code, start_year, kpi.band, rng)


def _published(code: str) -> list[Decimal | None]:
    if code in TOTALS_2016:
        total, shares = TOTALS_2016[code]
        return [Decimal(v) for v in split_total(total, shares)]
    if code in LATEST_2016:
        return [Decimal(v) for v in LATEST_2016[code]]
    if code in AVERAGE_2016:
        return [Decimal(str(v)) for v in AVERAGE_2016[code]]
    if code in QUARTERLY_2016:
        values = [None] * 12
        for quarter, value in enumerate(QUARTERLY_2016[code]):
            values[quarter * 3 + 2] = Decimal(str(value))
        return values
    values = [None] * 12
    values[11] = Decimal(str(ANNUAL_2016[code]))
    return values


def _reporting_months(kpi: Kpi) -> list[int]:
    if kpi.frequency == QUARTERLY:
        return [2, 5, 8, 11]
    if kpi.frequency == ANNUAL:
        return [11]
    return list(range(12))


def _walk(code, start_year, band, rng, previous=None):
    """Percentages or days wandering inside `band`, reported where a period ends."""
    kpi = KPIS[code]
    low, high = band
    middle = (low + high) / 2
    step = Decimal(1).scaleb(-kpi.places)
    last = _last_value(code, start_year - 1, None) if previous is None else previous
    value = float(last) if last is not None else middle
    pressure = _pressure(code, start_year)
    values = [None] * 12
    for i in _reporting_months(kpi):
        value += 0.35 * (middle + pressure[i] * (high - low) - value) + rng.gauss(0, kpi.noise)
        value = min(max(value, low), high)
        values[i] = _quantize(value, kpi.places)
    return _moving(values, kpi, last, band=(low, high), step=step)


def _pressure(code: str, start_year: int) -> list[float]:
    """Registration follows births and deaths: a busy month lowers the share of
    appointments (and deaths registered) on time, and lengthens the wait.

    A shift of the walk's middle, as a share of its band, for each month.
    """
    if code not in PRESSURE or start_year == FIRST_YEAR:
        return [0.0] * 12
    source, weight = PRESSURE[code]
    usual = float(sum(_unsteered(source, start_year - 1))) / 12
    return [weight * (float(v) / usual - 1) for v in _unsteered(source, start_year)]


def _moving(values, kpi, last, band=None, step=Decimal(1)):
    """Never the same figure twice running: nudge a repeat by one step, inside the band."""
    out = []
    previous = last
    for value in values:
        if value is None:
            out.append(None)
            continue
        if previous is not None and value == previous:
            up = value + step
            if band is not None and up > Decimal(str(band[1])):
                up = value - step
            value = up
        out.append(value)
        previous = value
    return out


def _last_value(code: str, start_year: int, story) -> Decimal | None:
    values = [v for v in _values(code, start_year, story) if v is not None]
    return values[-1] if values else None


def _story(story: Mapping | None) -> frozenset:
    return frozenset((DEFAULT_STORY if story is None else story).items())


@functools.lru_cache(maxsize=4096)
def _values(code: str, start_year: int, story: frozenset | None) -> tuple:
    """The year's twelve values (None where no period ends), with the story applied."""
    plain = _unsteered(code, start_year)
    if start_year == FIRST_YEAR or story is None:
        return tuple(plain)
    steering = dict(story)
    state = steering.get((code, start_year))
    after = steering.get((code, start_year - 1)) if start_year - 1 > FIRST_YEAR else None
    published_red = start_year - 1 == FIRST_YEAR and steering.get((code, FIRST_YEAR))
    if state is None and after is None and not published_red:
        return tuple(plain)
    kpi = KPIS[code]
    if state is not None:
        steered = _steered(code, start_year, state, plain)
        weights = [ONSET] + [1.0] * 11
        previous_plain = _last_value(code, start_year - 1, None)
        previous = _last_value(code, start_year - 1, story)
        shift = None if previous is None or previous_plain is None else previous - previous_plain
        values = []
        for i, (p, s) in enumerate(zip(plain, steered, strict=True)):
            if p is None:
                values.append(None)
                continue
            if i == 0 and shift is not None and kpi.aggregation != SUM:
                p = p + shift  # start from where last year ended
            values.append(_quantize(p + (s - p) * Decimal(str(weights[i])), kpi.places))
        return tuple(_moving(values, kpi, previous, step=Decimal(1).scaleb(-kpi.places)))
    # The year after a steered (or published red) year: recover over four months.
    previous = _last_value(code, start_year - 1, story)
    previous_plain = _last_value(code, start_year - 1, None)
    if kpi.aggregation == SUM:
        # Start at last year's steered level and climb back.
        last_steered = _values(code, start_year - 1, story)
        last_plain = _unsteered(code, start_year - 1)
        ratio = Decimal(sum(last_steered)) / Decimal(sum(last_plain))
        gap = [ratio + (1 - ratio) * Decimal(str(w)) for w in RECOVERY] + [Decimal(1)] * 9
        values = [_quantize(p * g, kpi.places) for p, g in zip(plain, gap, strict=True)]
        return tuple(values)
    shift = previous - previous_plain
    values = []
    for i, p in enumerate(plain):
        if p is None:
            values.append(None)
            continue
        weight = Decimal(str(RECOVERY[i])) if i < len(RECOVERY) else Decimal(1)
        values.append(_quantize(p + shift * (1 - weight), kpi.places))
    return tuple(_moving(values, kpi, previous, step=Decimal(1).scaleb(-kpi.places)))


def _steered(code, start_year, state, plain):
    """The year's values moved into the amber band or beyond the floor."""
    kpi = KPIS[code]
    goal = targets(code, start_year, {})
    target, floor = goal.target, goal.floor
    if target is None:
        raise ValueError(f"{code} has no target: an activity KPI cannot be steered")
    if state not in (AMBER, RED):
        raise ValueError(f"A story steers a KPI amber or red, not {state!r}")
    if kpi.aggregation == SUM:
        # Along the profile, with little noise: rated year to date, every month is amber (red).
        aim = (target + floor) / 2 if state == AMBER else floor * Decimal("0.94")
        rng = _rng(code, start_year, state)
        return [
            _quantize(
                aim * Decimal(share) / 100 * Decimal(1 + rng.uniform(-0.008, 0.008)), kpi.places
            )
            for share in goal.profile
        ]
    width = abs(target - floor)
    if state == AMBER:
        band = sorted(
            (
                float(floor + width / 4 * (1 if kpi.higher_is_better else -1)),
                float(target - width / 4 * (1 if kpi.higher_is_better else -1)),
            )
        )
    else:
        beyond = width * Decimal("0.6")
        edge = floor - beyond if kpi.higher_is_better else floor + beyond
        band = sorted(
            (
                float(edge),
                float(floor - width / 10) if kpi.higher_is_better else float(floor + width / 10),
            )
        )
    rng = _rng(code, start_year, state)
    if kpi.band is None:  # counts: a gentle walk inside the band
        low, high = band
        values = []
        value = (low + high) / 2
        for p in plain:
            value += 0.4 * ((low + high) / 2 - value) + rng.uniform(-1, 1) * (high - low) / 8
            values.append(None if p is None else _quantize(value, kpi.places))
        return values
    return list(_walk(code, start_year, band, rng, previous=Decimal(str(sum(band) / 2))))


def targets(kpi_code: str, start_year: int, story: Mapping | None = None) -> Targets:
    """Target, floor, expected range and profile for the KPI in a specification of that year.

    2016/17: the published specification's. Later years: set so that the
    unsteered figures are green (or in range); `story` is accepted for symmetry
    and does not move targets (a steered year misses the targets it would have met).
    """
    kpi = KPIS[kpi_code]
    shares = profile(kpi_code, start_year)
    if start_year < kpi.first_year:
        return Targets(None, None, None, None, shares)
    if start_year == FIRST_YEAR:
        t = None if kpi.target is None else Decimal(str(kpi.target))
        f = None if kpi.floor is None else Decimal(str(kpi.floor))
        low = high = None
        if t is None and kpi_code in TOTALS_2016:
            total = TOTALS_2016[kpi_code][0]
            low, high = _nice(total * 0.93, down=True), _nice(total * 1.07, down=False)
        return Targets(t, f, low, high, shares)
    plain = [v for v in _unsteered(kpi_code, start_year) if v is not None]
    if not plain:
        return Targets(None, None, None, None, shares)
    ratio = None if kpi.target is None else Decimal(str(kpi.floor)) / Decimal(str(kpi.target))
    if kpi.aggregation == SUM:
        total = float(sum(plain))
        if kpi.target is None:
            return Targets(
                None, None, _nice(total * 0.93, down=True), _nice(total * 1.07, down=False), shares
            )
        # Five per cent below the year's figures (ten in the Covid year, when
        # a month's few visits round to whole numbers).
        margin = 0.9 if start_year == COVID_YEAR else 0.95
        target = _nice(total * margin, down=True)
        return Targets(target, _nice(float(target * ratio), down=True), None, None, shares)
    if kpi.band is None:  # month-end counts: green all year
        target = _nice(float(min(plain)) * 0.985, down=True)
        return Targets(target, _nice(float(target * ratio), down=True), None, None, shares)
    # Percentages and days keep the published targets (REG01 raised to 92 from 2017/18).
    target, floor = Decimal(str(kpi.target)), Decimal(str(kpi.floor))
    if kpi_code == "REG01":
        target, floor = Decimal(92), Decimal(87)
    return Targets(target, floor, None, None, shares)


def _nice(value: float, *, down: bool) -> Decimal:
    """Round to three significant figures (down or up), as a specification would set it."""
    value = Decimal(str(value))
    if value <= 0:
        return ZERO
    exponent = value.adjusted() - 2
    unit = Decimal(1).scaleb(exponent)
    rounded = (value / unit).quantize(Decimal(1), rounding=ROUND_DOWN)
    if not down and rounded * unit < value:
        rounded += 1
    return max(rounded * unit, Decimal(1)).quantize(Decimal(1))


def monthly_value(
    kpi_code: str, month: datetime.date, story: Mapping | None = None
) -> Decimal | None:
    """The KPI's value for its period ending in `month` (first of a month), or None."""
    if kpi_code not in KPIS or month < FIRST_MONTH:
        return None
    return _values(kpi_code, _start_year(month), _story(story))[_index(month)]


def annual_value(kpi_code: str, start_year: int, story: Mapping | None = None) -> Decimal | None:
    """The year's figure as the KPI aggregates it: sum, latest (year end) or average."""
    if kpi_code not in KPIS or start_year < FIRST_YEAR:
        return None
    values = [v for v in _values(kpi_code, start_year, _story(story)) if v is not None]
    if not values:
        return None
    aggregation = KPIS[kpi_code].aggregation
    if aggregation == SUM:
        return sum(values, ZERO)
    if aggregation == LATEST:
        return values[-1]
    places = KPIS[kpi_code].places
    return _quantize(sum(values, ZERO) / len(values), places)


def yearly_factor(start_year: int) -> Decimal:
    """Cost growth from 2016/17 to `start_year` (1 for 2016/17), to four decimal places."""
    factor = Decimal(1)
    for year in range(FIRST_YEAR + 1, start_year + 1):
        factor *= 1 + Decimal(COST_GROWTH.get(year, LATER_COST_GROWTH))
    return factor.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
