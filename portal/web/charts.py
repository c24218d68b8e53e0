"""Server-rendered inline SVG charts: readable without JavaScript, described for screen readers.

Every chart carries a <title> and <desc> (its text alternative) and is always shown next to the table
of the same figures, so nothing is only in the picture.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 30


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(100.0, value)) / 100)


def bar_chart(
    chart_id: str,
    bars: list[tuple[str, float | None]],
    goal: float | None,
    title: str,
    desc: str,
    goal_label: str = "目标",
) -> Markup:
    """Bars of percentages (0-100) with an optional dashed goal line; None draws no bar (无数据)."""
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(1, len(bars))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>')
    for index, (label, value) in enumerate(bars):
        x = LEFT + index * step
        if value is not None:
            y = _y(value)
            parts.append(
                f'<rect class="bar" x="{x + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                f'height="{_y(0) - y:.1f}"/>'
            )
        else:
            parts.append(
                f'<text class="axis" x="{x + step / 2:.1f}" y="{_y(0) - 4:.1f}" '
                f'text-anchor="middle">无</text>'
            )
        parts.append(
            f'<text class="axis" x="{x + step / 2:.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if goal is not None:
        y = _y(goal)
        parts.append(f'<line class="goal" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="goal-label" x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end">'
            f"{escape(goal_label)} {goal:.1f}%</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
