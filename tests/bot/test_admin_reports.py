"""What the dashboard asks of the analytics library (bot/admin/reports.py): gap reports kept per
app, per council and period length, for a while, and forgotten when an editor changes a topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.admin import reports

NOW = datetime.now(UTC)


@pytest.fixture
def built(monkeypatch) -> list[str]:
    calls: list[str] = []

    def fake_report(store, council, embedder, index, since, until) -> dict[str, object]:
        calls.append(council)
        return {"council": council, "n": len(calls)}

    monkeypatch.setattr(reports, "gap_report", fake_report)
    return calls


def _bot() -> SimpleNamespace:
    return SimpleNamespace(store=object(), services=SimpleNamespace(
        index=lambda slug: None, council=lambda slug: slug, embedder=None))


def test_gap_reports_are_kept_a_while_per_council_and_days(built) -> None:
    kept, bot = reports.GapReports(), _bot()
    first = kept.get(bot, "kestrelford", 30, NOW - timedelta(days=30), NOW)
    assert kept.get(bot, "kestrelford", 30, NOW - timedelta(days=30), NOW) is first
    kept.get(bot, "kestrelford", 7, NOW - timedelta(days=7), NOW)
    kept.get(bot, "otherton", 30, NOW - timedelta(days=30), NOW)
    assert built == ["kestrelford", "kestrelford", "otherton"]
    kept.forget()
    assert kept.get(bot, "kestrelford", 30, NOW - timedelta(days=30), NOW) is not first
    assert reports.GapReports().get(bot, "kestrelford", 30, NOW, NOW) is not first  # per app
    stale = reports.GapReports(keep_s=0)
    stale.get(bot, "kestrelford", 30, NOW, NOW)
    stale.get(bot, "kestrelford", 30, NOW, NOW)
    assert len(built) == 7


def test_a_kept_gap_report_is_made_again_when_a_crawl_publishes_or_a_topic_is_checked(
        built) -> None:
    """An editor waited 9.5 minutes for "verified" to show: a kept report is stale as soon as
    the live index generation changes or a topic's status is set or checked elsewhere."""
    live = ["kestrelford--1"]
    changed = [None]
    bot = SimpleNamespace(
        store=SimpleNamespace(topics_changed_at=lambda slug: changed[0]),
        services=SimpleNamespace(index=lambda slug: SimpleNamespace(live_name=lambda: live[0]),
                                 council=lambda slug: slug, embedder=None))
    kept = reports.GapReports()
    first = kept.get(bot, "kestrelford", 30, NOW, NOW)
    assert kept.get(bot, "kestrelford", 30, NOW, NOW) is first
    live[0] = "kestrelford--2"  # a crawl published
    second = kept.get(bot, "kestrelford", 30, NOW, NOW)
    assert second is not first and kept.get(bot, "kestrelford", 30, NOW, NOW) is second
    changed[0] = NOW  # the crawl's re-check marked a topic verified
    assert kept.get(bot, "kestrelford", 30, NOW, NOW) is not second
    assert len(built) == 3


def test_the_dashboard_needs_the_store() -> None:
    with pytest.raises(RuntimeError, match="analytics store"):
        reports.store_of(SimpleNamespace(store=None))  # type: ignore[arg-type]
