"""After a crawl: re-ask the questions of the gap topics that web editors marked fixed (and
those verified since, in case a page went), against the new index, and mark each topic verified
or not, saying what changed; then make the gap reports the dashboard reads. ``after_crawl`` is
passed to :func:`crawler.job.run_crawl` as its ``after`` step by the commands that crawl a
council (the crawler cannot import the bot)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from askcouncil.embedding import Embedder
from askcouncil.settings import Settings


def recheck_fixed_gaps(settings: Settings, embedder: Embedder,
                       say: Callable[[str], None] = print) -> None:
    """Never fails the crawl: a database that cannot be reached is reported and left."""
    from analytics.db import make_engine
    from analytics.gap_topics import verify_fixed
    from analytics.store import AnalyticsStore
    from bot.chat import Bot, build_bot

    bot: Bot | None = None

    def ask(question: str) -> str:
        nonlocal bot
        bot = bot or build_bot(settings, with_store=False, embedder=embedder)
        return bot.chat(question).status

    try:
        store = AnalyticsStore(make_engine(settings.db_url))
        for r in verify_fixed(store, settings.council, ask):
            change = (f"{r['was']} -> {r['status']}" if r["was"] != r["status"]
                      else f"still {r['status']}")
            say(f"Gap topic '{r['label']}': {r['answered']} of {r['asked']} questions answered "
                f"now: {change}.")
    except Exception as exc:  # the crawl itself succeeded
        print(f"Could not check the gap topics marked fixed: {exc}", file=sys.stderr, flush=True)
    finally:
        if bot is not None:
            bot.close()


def after_crawl(settings: Settings, embedder: Embedder,
                say: Callable[[str], None] = print) -> None:
    """Re-check the fixed gap topics, then make the gap reports again (neither fails the
    crawl)."""
    from analytics.gaps import refresh_gap_reports

    recheck_fixed_gaps(settings, embedder, say)
    try:
        refresh_gap_reports(settings, embedder, say=say)
    except Exception as exc:  # the crawl itself succeeded
        print(f"Could not make the gap reports: {exc}", file=sys.stderr, flush=True)
