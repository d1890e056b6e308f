"""Geometry for the server-drawn SVG charts (templates draw them; no script)."""

from decimal import Decimal


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


def trend_chart(kpi, history, width=640, height=240):
    """Points, axis labels and target line for the KPI page's chart."""
    left, right, top, bottom = 70, 10, 10, 40
    values = [v for _, _, v, _ in history if v is not None]
    if len(values) < 2:
        return None
    target = kpi.annual_target if kpi.annual_aggregation != "sum" else None
    extra = [target] if target is not None else []
    low = min(values + extra)
    high = max(values + extra)
    span = (high - low) or Decimal(1)
    low -= span * Decimal("0.05")
    high += span * Decimal("0.05")
    span = high - low
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(1, len(history) - 1)

    def y_of(v):
        return float(top + inner_h * (1 - (v - low) / span))

    points = []
    for i, (label, _end, value, _status) in enumerate(history):
        if value is None:
            continue
        points.append(
            {
                "x": f"{left + i * step:.1f}",
                "y": f"{y_of(value):.1f}",
                "label": label,
                "value": value,
            }
        )
    ticks = []
    for i in range(5):
        v = low + span * i / 4
        ticks.append({"y": f"{y_of(v):.1f}", "label": f"{v:,.0f}" if span > 20 else f"{v:,.1f}"})
    x_labels = [
        {"x": f"{left + i * step:.1f}", "label": label}
        for i, (label, _e, _v, _s) in enumerate(history)
        if i % max(1, len(history) // 6) == 0
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - right,
        "top": top,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "ticks": ticks,
        "x_labels": x_labels,
        "target_y": f"{y_of(target):.1f}" if target is not None else None,
        "title": f"{kpi.code} {kpi.title}: values from {history[0][0]} to {history[-1][0]}",
    }
