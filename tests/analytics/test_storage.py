"""Analytics storage on SQLite and PostgreSQL: migrations, masking before storage, feedback."""

import pytest
from sqlalchemy import inspect, text

from analytics.db import make_engine, migrate
from analytics.store import AnalyticsStore, TurnRecord
from askcouncil.errors import NotFound


def _record(message_id: str, conversation_id: str, question: str,
            status: str = "answered") -> TurnRecord:
    return TurnRecord(
        message_id=message_id, conversation_id=conversation_id, council="kestrelford",
        question=question, answer="A subscription costs £49 a year. [1]", status=status,
        citations=[{"n": 1, "url": "http://x/garden#a", "title": "t", "section": "s",
                    "snippet": "x"}],
        handoff=None, retrieval_scores=[{"url": "http://x/garden#a", "similarity": 0.8}],
        confidence=0.8, latency_ms=12.5, timings_ms={"retrieve": 3.0},
    )


def test_migration_creates_tables_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"conversations", "turns", "feedback", "alembic_version"} <= tables
    engine.dispose()


def test_models_match_the_migrations(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from analytics.models import Base

    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], "models and migrations differ: write a migration"


def test_turns_are_masked_before_storage(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    store.record_turn(_record("m1", "c1", "I'm at KF1 1AA, email jo@example.com, NI QQ123456C"))
    store.record_turn(_record("m2", "c1", "and my phone is 07700 900123", status="no_answer"))
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT question FROM turns ORDER BY seq")).scalars().all()
    assert raw == ["I'm at [postcode], email [email], NI [NI number]", "and my phone is [phone]"]
    turns = store.turns("c1")
    assert [t.seq for t in turns] == [1, 2]
    assert turns[0].citations[0]["url"] == "http://x/garden#a"
    assert turns[0].latency_ms == 12.5
    assert store.status_counts() == {"answered": 1, "no_answer": 1}
    engine.dispose()


def test_feedback_is_stored_and_masked(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    store.record_turn(_record("m1", "c1", "garden waste cost"))
    store.record_feedback("m1", False, "wrong, ring me on 07700 900123", True)
    [fb] = store.feedback()
    assert (fb.helpful, fb.reason, fb.would_have_phoned) == (False, "wrong, ring me on [phone]",
                                                             True)
    with pytest.raises(NotFound):
        store.record_feedback("nope", True, None, None)
    # "Yes" first, then the sampled survey answer: one row for the answer, completed
    store.record_turn(_record("m2", "c1", "bin day"))
    store.record_feedback("m2", True, None, None)
    store.record_feedback("m2", True, None, False)
    rows = [f for f in store.feedback() if f.turn_id == "m2"]
    assert [(f.helpful, f.would_have_phoned) for f in rows] == [(True, False)]
    # a handoff the resident used, with its target masked
    store.record_event("m2", "phone", "tel:01632960101")
    store.record_event("m2", "form", "https://x/form?email=jo@example.com")
    assert [(e.kind, e.target) for e in store.events()] == [
        ("phone", "tel:[phone]"), ("form", "https://x/form?email=[email]")]
    with pytest.raises(NotFound):
        store.record_event("nope", "phone", None)
    engine.dispose()


def test_retention_keeps_daily_counts_and_erase_removes_one_conversation(db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from analytics.models import Conversation, Turn

    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    store.record_turn(_record("old1", "old", "garden waste cost"))
    store.record_turn(_record("old2", "old", "bin day", status="no_answer"))
    store.record_feedback("old1", True, None, True)
    store.record_event("old2", "phone", "tel:01632960101")
    store.record_turn(_record("new1", "new", "parking permit"))
    long_ago = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    with engine.begin() as conn:  # the old conversation was 22 months ago
        conn.execute(update(Conversation).where(Conversation.id == "old").values(
            started_at=long_ago))
        conn.execute(update(Turn).where(Turn.conversation_id == "old").values(
            created_at=long_ago))
    done = store.retain(datetime.now(UTC) - timedelta(days=396))
    assert done == {"conversations": 1, "turns": 2}
    assert [t.id for t in store.turns()] == ["new1"]
    assert store.feedback() == [] and store.events() == []
    stats = {(s.day.isoformat(), s.status): (s.turns, s.helpful, s.would_have_phoned,
                                             s.handoffs_used) for s in store.daily_stats()}
    assert stats == {("2025-01-15", "answered"): (1, 1, 1, 0),
                     ("2025-01-15", "no_answer"): (1, 0, 0, 1)}
    assert store.retain(datetime.now(UTC) - timedelta(days=396))["conversations"] == 0

    assert store.erase("new") == 1
    assert store.turns() == []
    with pytest.raises(NotFound):
        store.erase("new")
    engine.dispose()


def test_bot_traffic_is_flagged_and_left_out_of_reports(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from analytics.deflection import conversation_facts
    from analytics.gaps import gap_questions
    from analytics.models import Conversation
    from askcouncil.council import load_council
    from bot.chat import BOT_AGENT

    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0",
                  "python-requests/2.32", "UptimeRobot/2.0", "Mozilla/5.0 HeadlessChrome/120",
                  # the scripted clients a simulated month counted as residents
                  "axios/1.7.2", "PostmanRuntime/7.39.0",
                  "Site24x7", "Mozilla/5.0 (compatible; Site24x7)", "node-fetch/1.0",
                  "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36 Chrome-Lighthouse"):
        assert BOT_AGENT.search(agent), agent
    for agent in ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120",
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"):
        assert not BOT_AGENT.search(agent), agent
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    store = AnalyticsStore(engine)
    store.record_turn(_record("h1", "human", "bin day", status="no_answer"))
    bot_turn = _record("b1", "robot", "bin day", status="no_answer")
    bot_turn.is_bot = True
    store.record_turn(bot_turn)
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        assert s.get(Conversation, "robot").is_bot and not s.get(Conversation, "human").is_bot
    since, until = datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(hours=1)
    facts = conversation_facts(store, load_council("kestrelford"), since, until)
    assert [f.id for f in facts] == ["human"]
    assert [q.message_id for q in gap_questions(store, "kestrelford", since, until)] == ["h1"]
    engine.dispose()
