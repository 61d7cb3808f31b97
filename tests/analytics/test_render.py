"""Rendering helpers (analytics/render.py): the bar chart's geometry."""

from analytics.render import bars


def test_bars_are_largest_first_and_scaled_to_the_largest() -> None:
    chart = bars({"no_answer": 5, "answered": 20, "error": 0})
    assert [(b["label"], b["value"], b["width"], b["y"]) for b in chart] == [
        ("answered", 20, 300, 0), ("no_answer", 5, 75, 28), ("error", 0, 0, 56)]
    assert bars({}) == []
    assert bars({"answered": 0})[0]["width"] == 0  # no division by zero
