"""What the dashboard shows, asked of the analytics library: the overview's counts, trend and top
questions, the deflection estimate (whole, or one service's), the conversations a service's
filter picks, and the gap report. A conversation's service is the deflection estimate's
(``analytics.deflection.conversation_facts``): there is one attribution. The gap report is the
one the job last made (after each crawl, nightly: ``analytics.gaps.refresh_gap_reports``), with
each topic's status as it is now: a page view reads it and never groups questions itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from analytics.deflection import Assumptions, ConversationFacts, conversation_facts, report
from analytics.gaps import stored_gap_report
from analytics.render import bars
from analytics.store import AnalyticsStore
from bot.admin.charts import trend_chart
from bot.chat import Bot

EVER = datetime(2000, 1, 1, tzinfo=UTC)  # "since" for a service's conversations of all time

def store_of(bot: Bot) -> AnalyticsStore:
    if bot.store is None:
        raise RuntimeError("the dashboard needs the analytics store")
    return bot.store


def services(bot: Bot, council_slug: str) -> list[str]:
    """The services a conversation can be attributed to: the council's contact lines and its
    partners' (the labels the deflection estimate uses), in the council file's order."""
    council = bot.services.council(council_slug)
    return list(dict.fromkeys(line.label for line in (*council.lines, *council.partners)))


def _facts(bot: Bot, council_slug: str, since: datetime, until: datetime,
           service: str | None) -> list[ConversationFacts]:
    facts = conversation_facts(store_of(bot), bot.services.council(council_slug), since, until)
    return facts if service is None else [f for f in facts if f.service == service]


def service_conversations(bot: Bot, council_slug: str, service: str,
                          since: datetime | None, until: datetime | None) -> set[str]:
    """The ids of the residents' conversations started in the period (all time if None) that
    the deflection estimate attributes to ``service``."""
    until = until or datetime.now(UTC) + timedelta(days=1)
    return {f.id for f in _facts(bot, council_slug, since or EVER, until, service)}


def _estimate(bot: Bot, council_slug: str, facts: list[ConversationFacts], since: datetime,
              until: datetime) -> dict[str, Any]:
    council = bot.services.council(council_slug)
    return report(facts, council, Assumptions.for_council(council), since, until)


def deflection(bot: Bot, council_slug: str, since: datetime, until: datetime,
               service: str | None = None) -> dict[str, Any]:
    return _estimate(bot, council_slug, _facts(bot, council_slug, since, until, service),
                     since, until)


def overview(bot: Bot, council_slug: str, since: datetime, until: datetime,
             service: str | None = None) -> dict[str, Any]:
    """Questions by outcome (with the chart), satisfaction, the trend a day, the most asked
    and the most asked unanswered questions, and the deflection estimate; with ``service``,
    of that service's conversations only."""
    facts = _facts(bot, council_slug, since, until, service)
    only = None if service is None else {f.id for f in facts}
    period = store_of(bot).period_summary(council_slug, since, until, only)
    estimate = _estimate(bot, council_slug, facts, since, until)
    statuses, helpful = period.statuses, period.helpful
    return {"statuses": statuses, "turns": sum(statuses.values()), "deflection": estimate,
            "t": estimate["total"], "bars": bars(statuses), "period": period,
            "trend": trend_chart(period.days),
            "satisfaction": {"yes": helpful.get(True, 0), "no": helpful.get(False, 0)}}


def gap_report(bot: Bot, council_slug: str, days: int) -> dict[str, Any] | None:
    """The stored gap report for the last ``days`` days; None until the job has made one."""
    return stored_gap_report(store_of(bot), council_slug, days)
