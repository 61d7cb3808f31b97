"""What the dashboard asks of the analytics library (bot/admin/reports.py): the gap report is the
one the job made, read and never made by a page view."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.admin import reports


def test_the_gap_page_reads_the_stored_report_and_never_makes_one(monkeypatch) -> None:
    asked: list[tuple[str, int]] = []

    def stored(store, council, days):  # noqa: ANN001, ANN202
        asked.append((council, days))
        return {"topics": []} if days == 30 else None

    monkeypatch.setattr(reports, "stored_gap_report", stored)
    monkeypatch.setattr("analytics.gaps.gap_report", lambda *a, **k: pytest.fail("grouped"))
    bot = SimpleNamespace(store=object())
    assert reports.gap_report(bot, "kestrelford", 30) == {"topics": []}
    assert reports.gap_report(bot, "kestrelford", 7) is None
    assert asked == [("kestrelford", 30), ("kestrelford", 7)]


def test_the_dashboard_needs_the_store() -> None:
    with pytest.raises(RuntimeError, match="analytics store"):
        reports.store_of(SimpleNamespace(store=None))  # type: ignore[arg-type]
