"""Geometry for the server-drawn SVG charts (templates draw them; no script)."""

from decimal import Decimal

from lra_commissioning import numbers


def _scale(values, height, pad=2):
    known = [v for v in values if v is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    span = (high - low) or Decimal(1)
    return lambda v: float(pad + (height - 2 * pad) * (1 - (v - low) / span))


def sparkline(points, width=96, height=24):
    """{"path": ..., "last": (x, y), "width", "height"} for (label, value) points, or None."""
    values = [v for _, v in points]
    y_of = _scale(values, height)
    if y_of is None or len(values) < 2:
        return None
    step = (width - 4) / (len(values) - 1)
    commands, last = [], None
    pen_up = True
    for i, v in enumerate(values):
        if v is None:
            pen_up = True
            continue
        x, y = 2 + i * step, y_of(v)
        commands.append(f"{'M' if pen_up else 'L'}{x:.1f},{y:.1f}")
        pen_up = False
        last = (f"{x:.1f}", f"{y:.1f}")
    return {"path": " ".join(commands), "last": last, "width": width, "height": height}


def _nice_step(span: Decimal) -> Decimal:
    """A round tick step (1, 2 or 5 times a power of ten) giving about four ticks."""
    raw = span / 4 if span > 0 else Decimal(1)
    power = Decimal(10) ** (raw.adjusted())
    for multiple in (1, 2, 5, 10):
        step = power * multiple
        if step >= raw:
            return step
    return power * 10  # pragma: no cover


def trend_chart(kpi, history, width=640, height=260):
    """Geometry for the KPI page's chart: one point per period, a gap where a period
    has no value (the line is never drawn across it), and the target and floor in
    force in each period drawn as steps. A count's axis starts at zero; a
    percentage's stays within 0 to 100.

    history: [selectors.ChartPoint], oldest first. None with fewer than two values.
    """
    left, right, top, bottom = 70, 10, 10, 40
    values = [p.value for p in history if p.value is not None]
    if len(values) < 2:
        return None
    references = [x for p in history for x in (p.target, p.floor) if x is not None]
    low = min(values + references)
    high = max(values + references)
    if kpi.unit in ("count", "money") or low >= 0:
        low = min(Decimal(0), low)
    step = _nice_step(high - low)
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if high == low:
        high = low + step
    if kpi.unit == "percentage":
        low, high = max(low, Decimal(0)), min(high, Decimal(100)) if high > 0 else high
    span = high - low
    inner_w, inner_h = width - left - right, height - top - bottom
    slot = inner_w / len(history)

    def x_of(i):
        return left + slot * (i + 0.5)

    def y_of(v):
        return float(top + inner_h * (1 - (v - low) / span))

    points, commands, pen_up = [], [], True
    for i, p in enumerate(history):
        if p.value is None:
            pen_up = True
            continue
        x, y = x_of(i), y_of(p.value)
        commands.append(f"{'M' if pen_up else 'L'}{x:.1f},{y:.1f}")
        pen_up = False
        points.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "label": p.label, "value": p.value})

    def steps(attr):
        path = []
        for i, p in enumerate(history):
            v = getattr(p, attr)
            if v is None:
                continue
            y = y_of(v)
            path.append(f"M{left + slot * i:.1f},{y:.1f}H{left + slot * (i + 1):.1f}")
        return " ".join(path)

    ticks = []
    v = low
    while v <= high:
        ticks.append({"y": f"{y_of(v):.1f}", "label": numbers.format_number(v)})
        v += step
    every = max(1, len(history) // 6)
    x_labels = [
        {"x": f"{x_of(i):.1f}", "label": p.label}
        for i, p in enumerate(history)
        if (len(history) - 1 - i) % every == 0
    ]
    gaps = sum(1 for p in history if p.value is None)
    title = f"{kpi.code} {kpi.title}: values from {history[0].label} to {history[-1].label}"
    if gaps:
        title += f"; {gaps} period{'s' if gaps != 1 else ''} without a value, shown as gaps"
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - right,
        "top": top,
        "path": " ".join(commands),
        "points": points,
        "ticks": ticks,
        "x_labels": x_labels,
        "target_path": steps("target"),
        "floor_path": steps("floor"),
        "title": title,
        "gaps": gaps,
    }
