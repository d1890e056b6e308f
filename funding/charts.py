"""Geometry for server-drawn SVG bar charts (the template draws them).

Grouped bars: one group per label (a month, a year), one bar per series.
Every bar keeps its value for the data table and the SVG <title>.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
HEIGHT = 320
LEFT = 80
RIGHT = 16
TOP = 16
BOTTOM = 48
# Distinguishable without colour alone: each series also has a pattern class.
SERIES_CLASSES = ["lra-bar--a", "lra-bar--b", "lra-bar--c", "lra-bar--d"]
# Presentation attributes, not CSS, so the chart looks the same in a PDF. GOV.UK
# blue, orange, green, purple: each at least 3:1 against white.
SERIES_FILLS = {
    "lra-bar--a": "#1d70b8",
    "lra-bar--b": "#f47738",
    "lra-bar--c": "#00703c",
    "lra-bar--d": "#4c2c92",
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Decimal
    series: str
    css: str
    label: str

    @property
    def fill(self):
        return SERIES_FILLS[self.css]


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class GroupLabel:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[GroupLabel]
    legend: list[tuple[str, str, float]]  # series, fill colour, x
    baseline: float
    left: int
    right: float

    @property
    def tick_x(self):
        return self.left - 6

    @property
    def label_y(self):
        return round(self.baseline + 18, 1)

    @property
    def legend_rect_y(self):
        return self.height - 18

    @property
    def legend_text_y(self):
        return self.height - 6


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = Decimal(str(step)) * magnitude
        if top >= value:
            return top
    return value


def _short_money(value: Decimal) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m"
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:.0f}"


def grouped_bars(
    title: str, labels: list[str], series: list[tuple[str, list[Decimal | None]]]
) -> Chart:
    """Bars from zero up (negative values are drawn as zero height; the table has them)."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice_max(max(values, default=Decimal(0)))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    bars = []
    for gi, label in enumerate(labels):
        for si, (name, vs) in enumerate(series):
            value = vs[gi]
            if value is None:
                continue
            h = float(max(value, Decimal(0)) / top) * plot_h
            bars.append(
                Bar(
                    x=round(LEFT + gi * group_w + group_w * 0.1 + si * bar_w, 1),
                    y=round(baseline - h, 1),
                    width=round(bar_w - 1, 1),
                    height=round(h, 1),
                    value=value,
                    series=name,
                    css=SERIES_CLASSES[si % len(SERIES_CLASSES)],
                    label=label,
                )
            )
    ticks = [
        Tick(y=round(baseline - plot_h * i / 4, 1), text=_short_money(top * i / 4))
        for i in range(5)
    ]
    group_labels = [
        GroupLabel(x=round(LEFT + gi * group_w + group_w / 2, 1), text=label)
        for gi, label in enumerate(labels)
    ]
    legend = [
        (name, SERIES_FILLS[SERIES_CLASSES[si % len(SERIES_CLASSES)]], LEFT + si * 200)
        for si, (name, _) in enumerate(series)
    ]
    return Chart(
        title=title,
        width=WIDTH,
        height=HEIGHT + 24,
        bars=bars,
        ticks=ticks,
        labels=group_labels,
        legend=legend,
        baseline=baseline,
        left=LEFT,
        right=WIDTH - RIGHT,
    )
