"""Server-rendered bar charts: the geometry of an SVG (no JavaScript, no chart library).

chart = bar_chart([("2024", 12), ("2025", 15), ("2026", None)], unit="states")
-> {"width", "height", "bars": [{"x", "y", "w", "h", "label", "value", "text"}], "ticks": [...]}

A value of None is "no data": a gap (no bar), never a bar of 0.

The SVG scales to its box, and its text with it: the drawing is small (WIDTH user units) and
its text large (FONT) so that the labels stay legible in a third of a wide screen or on a phone
(about 12 px on screen in a 390 px column); an axis label is drawn only where it fits beside the
previous one, and the margins leave room for the widest label, so none is clipped.
"""

import math

WIDTH, HEIGHT, LEFT, RIGHT, BOTTOM, TOP = 480, 240, 52, 20, 36, 16
FONT = 15  # in the SVG's user units (the template sets it on every label)


def nice_max(value: float) -> float:
    """A round upper bound for the axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _text_width(text: str) -> float:
    """A generous estimate of a label's width at FONT (digits are about 0.6 em)."""
    return len(text) * 0.62 * FONT


def bar_chart(
    series: list[tuple[str, float | None]], *, unit: str = "", percent: bool = False
) -> dict:
    known = [v for _, v in series if v is not None]
    # Counts: at least 0-4, so a chart of small counts (or none) has whole-number ticks.
    top = 100.0 if percent else max(nice_max(max(known, default=0)), 4.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(series), 1)
    widest = max((_text_width(label) for label, _ in series), default=0)
    every = max(1, math.ceil((widest + FONT / 2) / slot))  # labels never touch
    bars = []
    for i, (label, value) in enumerate(series):
        h = plot_h * (value / top) if value is not None and top else 0
        if value is None:
            text = "no data"
        elif percent:
            text = f"{value:.0f}%"
        else:
            text = f"{value:g}{(' ' + unit) if unit else ''}"
        bars.append(
            {
                "x": round(LEFT + i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(TOP + plot_h - h, 1),
                "h": round(h, 1),
                "label": label,
                "value": value,
                "text": text,
                "label_x": round(LEFT + i * slot + slot / 2, 1),
                "show_label": i % every == 0,
            }
        )
    ticks = [
        {"y": round(TOP + plot_h - plot_h * f, 1), "text": f"{top * f:g}{'%' if percent else ''}"}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "font": FONT,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "base": TOP + plot_h,
        "bars": bars,
        "gaps": any(b["value"] is None for b in bars),
        "empty": not known,  # no data for any bar: the drawing says so
        "middle_x": round(LEFT + plot_w / 2, 1),
        "middle_y": round(TOP + plot_h / 2, 1),
        "ticks": ticks,
    }
