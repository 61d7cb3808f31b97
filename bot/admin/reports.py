"""What the dashboard shows, asked of the analytics library: the overview's counts, the
deflection estimate and the gap report. Gap reports are kept ten minutes per council and period
length (grouping takes seconds), in a :class:`GapReports` each app holds, and made again at once
when a crawl publishes a new index or a topic's status is set or checked (by any process)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from analytics.deflection import Assumptions, conversation_facts, report
from analytics.gaps import gap_report
from analytics.render import bars
from analytics.store import AnalyticsStore
from bot.chat import Bot

CACHE_S = 600.0


def store_of(bot: Bot) -> AnalyticsStore:
    if bot.store is None:
        raise RuntimeError("the dashboard needs the analytics store")
    return bot.store


def _stamp(bot: Bot, council_slug: str, index: Any) -> tuple[Any, ...]:  # noqa: ANN401
    """What a kept gap report was made from: the live index generation (a crawl publishes a new
    one) and when a topic's status was last set or checked (the crawl's re-check writes it)."""
    try:
        live = index.live_name() if index is not None else None
    except Exception:
        live = None
    try:
        changed = store_of(bot).topics_changed_at(council_slug)
    except Exception:
        changed = None
    return live, changed


def deflection(bot: Bot, council_slug: str, since: datetime, until: datetime) -> dict[str, Any]:
    council = bot.services.council(council_slug)
    return report(conversation_facts(store_of(bot), council, since, until), council,
                  Assumptions.for_council(council), since, until)


def overview(bot: Bot, council_slug: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Questions by outcome (with the chart), satisfaction and the deflection estimate."""
    store = store_of(bot)
    statuses = store.status_counts(council_slug, since, until)
    estimate = deflection(bot, council_slug, since, until)
    helpful = store.helpful_counts(council_slug, since, until)
    return {"statuses": statuses, "turns": sum(statuses.values()), "deflection": estimate,
            "t": estimate["total"], "bars": bars(statuses),
            "satisfaction": {"yes": helpful.get(True, 0), "no": helpful.get(False, 0)}}


class GapReports:
    """Gap reports kept ``keep_s`` seconds per (council, days); one per app."""

    def __init__(self, keep_s: float = CACHE_S) -> None:
        self.keep_s = keep_s
        self._kept: dict[tuple[str, int], tuple[float, tuple[Any, ...], dict[str, Any]]] = {}

    def get(self, bot: Bot, council_slug: str, days: int, since: datetime, until: datetime
            ) -> dict[str, Any]:
        key = (council_slug, days)
        try:
            index = bot.services.index(council_slug)
        except Exception:
            index = None
        stamp = _stamp(bot, council_slug, index)
        cached = self._kept.get(key)
        if cached and time.monotonic() - cached[0] < self.keep_s and cached[1] == stamp:
            return cached[2]
        result = gap_report(store_of(bot), bot.services.council(council_slug),
                            bot.services.embedder, index, since, until)
        self._kept[key] = (time.monotonic(), stamp, result)
        return result

    def forget(self) -> None:
        """After an editor changes a topic's status."""
        self._kept.clear()
