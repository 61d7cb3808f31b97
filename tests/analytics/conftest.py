"""A migrated, empty analytics store on SQLite and on PostgreSQL (the ``db_url`` fixture), and a
way to write turns at a given time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from analytics.db import make_engine, migrate
from analytics.store import AnalyticsStore, TurnRecord

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def store(db_url) -> Iterator[AnalyticsStore]:
    engine = make_engine(db_url)
    migrate(engine)
    yield AnalyticsStore(engine)
    engine.dispose()


def turn(message_id: str, conversation_id: str, question: str = "bin day?", *,
         status: str = "answered", at: datetime = NOW, council: str = "kestrelford",
         confidence: float = 0.8, is_bot: bool = False,
         url: str = "http://x/bins-and-recycling/a.html#b") -> TurnRecord:
    return TurnRecord(message_id=message_id, conversation_id=conversation_id, council=council,
                      question=question, answer="x [1]", status=status,
                      citations=[{"n": 1, "url": url, "title": "t", "section": "s",
                                  "snippet": "x"}],
                      handoff=None, retrieval_scores=[], confidence=confidence, latency_ms=5.0,
                      timings_ms={}, is_bot=is_bot, created_at=at)
