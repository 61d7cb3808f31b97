"""The overview's trend chart: the geometry of a server-drawn SVG (the dashboard's policy allows
no script and no inline style, so colours come from classes in admin.css), and the sentence a
screen reader hears in its place. The same figures are in a table under the chart.

Across, each day's slot is a percentage of the chart's width, so the chart fills any screen
(320 px included) while its text keeps its size; up, bars are in pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.queries import DayCounts

PLOT_PX = 160  # height of the plotting area
TOP_PX = 24  # room above it for the scale's label
BOTTOM_PX = 28  # room below it for the dates
BAR_SHARE = 0.7  # of a day's slot


@dataclass
class Segment:
    kind: str  # "answered", "declined" or "other": its class in admin.css
    x: str  # percentages
    width: str
    y: float
    height: float


def _pct(x: float) -> str:
    return f"{x:.3f}%"


def _short(d: Any) -> str:  # noqa: ANN401 - a date
    return f"{d.day} {d:%b}"


def trend_chart(days: list[DayCounts]) -> dict[str, Any]:
    """Stacked bars of questions a day (answered, declined, other) with a dot for the day's new
    conversations, on one scale; ``summary`` describes the trend in words."""
    top = max([d.questions for d in days] + [d.conversations or 0 for d in days] + [0])
    scale = PLOT_PX / top if top else 0.0
    slot = 100 / max(len(days), 1)
    base = TOP_PX + PLOT_PX
    segments, dots = [], []
    for i, d in enumerate(days):
        left = i * slot + slot * (1 - BAR_SHARE) / 2
        y = float(base)
        for kind, n in (("answered", d.answered), ("declined", d.declined),
                        ("other", d.other)):
            if n:
                h = round(n * scale, 2)
                y -= h
                segments.append(Segment(kind, _pct(left), _pct(slot * BAR_SHARE), round(y, 2), h))
        if d.conversations:
            dots.append({"cx": _pct((i + 0.5) * slot),
                         "cy": round(base - d.conversations * scale, 2)})
    return {"segments": segments, "dots": dots, "top": top, "top_y": TOP_PX,
            "mid": top // 2, "mid_y": round(base - (top // 2) * scale, 2), "base_y": base,
            "height": base + BOTTOM_PX, "first": _short(days[0].day) if days else "",
            "last": _short(days[-1].day) if len(days) > 1 else "",
            "summary": summary(days)}


def summary(days: list[DayCounts]) -> str:
    """The trend in a few sentences: totals, the busiest day, and the last week against the
    week before (when the period has two weeks)."""
    if not days or not any(d.questions for d in days):
        return "No questions were asked in this period."
    questions = sum(d.questions for d in days)
    answered = sum(d.answered for d in days)
    declined = sum(d.declined for d in days)
    known = [d.conversations for d in days if d.conversations is not None]
    span = (f"from {_short(days[0].day)} to {_short(days[-1].day)} {days[-1].day.year}"
            if len(days) > 1 else f"on {_short(days[0].day)} {days[0].day.year}")
    text = (f"Questions a day {span}: {questions} questions"
            + (f" in {sum(known)} conversations" if known else "")
            + f", {answered} answered and {declined} declined.")
    busiest = max(days, key=lambda d: (d.questions, d.day))
    if len(days) > 1:
        text += f" Busiest day: {_short(busiest.day)}, with {busiest.questions} questions."
    if len(days) >= 14:
        last = sum(d.questions for d in days[-7:])
        before = sum(d.questions for d in days[-14:-7])
        change = ("up from" if last > before else "down from" if last < before
                  else "the same as")
        text += f" The last 7 days had {last} questions, {change} {before} in the 7 days before."
    return text
