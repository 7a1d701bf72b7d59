"""Server-rendered bar charts: the geometry of an SVG (no JavaScript, no chart library).

chart = bar_chart([("2024", 12), ("2025", 15)], unit="states")
-> {"width", "height", "bars": [{"x", "y", "w", "h", "label", "value", "text"}], "ticks": [...]}
"""

import math

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 44, 28, 10


def nice_max(value: float) -> float:
    """A round upper bound for the axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(series: list[tuple[str, float]], *, unit: str = "", percent: bool = False) -> dict:
    top = 100.0 if percent else nice_max(max((v for _, v in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(series), 1)
    bars = []
    for i, (label, value) in enumerate(series):
        h = plot_h * (value / top) if top else 0
        bars.append(
            {
                "x": round(LEFT + i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(TOP + plot_h - h, 1),
                "h": round(h, 1),
                "label": label,
                "value": value,
                "text": f"{value:.0f}%" if percent else f"{value:g}{(' ' + unit) if unit else ''}",
                "label_x": round(LEFT + i * slot + slot / 2, 1),
                "show_label": len(series) <= 12 or i % max(1, len(series) // 10) == 0,
            }
        )
    ticks = [
        {"y": round(TOP + plot_h - plot_h * f, 1), "text": f"{top * f:g}{'%' if percent else ''}"}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "base": TOP + plot_h,
        "bars": bars,
        "ticks": ticks,
    }
