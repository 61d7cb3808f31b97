"""The dashboard's reads (analytics/queries.py), on SQLite and PostgreSQL: the overview's period
summary (a row a day, from turns and from the daily counts kept after retention; the most asked
and unanswered questions), the conversation browser's filters, the export's rows and one
conversation's details."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from analytics.models import DailyStats
from analytics.queries import ConversationFilter
from analytics.store import AnalyticsStore
from tests.analytics.conftest import NOW, turn

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
TODAY = NOW.date()
MIDNIGHT = NOW.replace(hour=0, minute=0, second=0)
SINCE, UNTIL = MIDNIGHT - 6 * DAY, MIDNIGHT + DAY  # the last seven whole days


def _seed(store: AnalyticsStore) -> None:
    at = MIDNIGHT - 2 * DAY + 9 * HOUR
    store.record_turn(turn("a1", "c1", "Where do I pay council tax?", at=at))
    store.record_turn(turn("a2", "c1", "my email is jo@example.com, pay council tax online",
                           status="no_answer", at=at + HOUR))
    store.record_turn(turn("b1", "c2", "where do i pay council tax", at=at - DAY))
    store.record_turn(turn("b2", "c2", "hello, parking permit please", status="out_of_scope",
                           at=at - DAY + HOUR))
    store.record_turn(turn("b3", "c2", "I need help now", status="urgent", at=at - DAY + HOUR))
    store.record_turn(turn("old", "c3", "parking", status="no_answer", at=at - 30 * DAY))
    store.record_turn(turn("elsewhere", "c4", "pay council tax", council="otherton", at=at))
    store.record_turn(turn("robot", "c5", "pay council tax", is_bot=True, at=at))
    store.record_feedback("a1", True, None, None)
    store.record_feedback("b1", False, None, None)
    with Session(store.engine) as s, s.begin():
        s.add(DailyStats(day=TODAY - 5 * DAY, council="kestrelford", status="answered",
                         turns=4, helpful=0, unhelpful=0, would_have_phoned=0,
                         would_not_have_phoned=0, handoffs_used=0))
        s.add(DailyStats(day=TODAY - 20 * DAY, council="kestrelford", status="answered",
                         turns=9, helpful=0, unhelpful=0, would_have_phoned=0,
                         would_not_have_phoned=0, handoffs_used=0))


def test_the_period_summary_counts_each_day(store) -> None:
    _seed(store)
    p = store.period_summary("kestrelford", SINCE, UNTIL)
    assert [d.day for d in p.days] == [TODAY - i * DAY for i in range(6, -1, -1)]
    by_day = {d.day: (d.conversations, d.questions, d.answered, d.declined, d.other)
              for d in p.days}
    assert by_day[TODAY - 2 * DAY] == (1, 2, 1, 1, 0)
    assert by_day[TODAY - 3 * DAY] == (1, 3, 1, 1, 1)  # urgent is neither
    assert by_day[TODAY - 5 * DAY] == (None, 4, 4, 0, 0)  # kept after retention
    assert by_day[TODAY] == (0, 0, 0, 0, 0)
    assert p.retained_questions == 4
    assert p.statuses == {"answered": 2, "no_answer": 1, "out_of_scope": 1, "urgent": 1}
    assert p.helpful == {True: 1, False: 1}
    # grouped by normalised text, under the shortest wording; ties alphabetical
    assert [(q.text, q.count) for q in p.top] == [
        ("where do i pay council tax", 2), ("hello, parking permit please", 1),
        ("I need help now", 1), ("my email is [email], pay council tax online", 1)]
    assert all("jo@example.com" not in q.text for q in p.top)
    assert [(q.text, q.count) for q in p.top_unanswered] == [
        ("hello, parking permit please", 1), ("my email is [email], pay council tax online", 1)]


def test_the_period_summary_of_some_conversations_leaves_out_the_kept_counts(store) -> None:
    _seed(store)
    p = store.period_summary("kestrelford", SINCE, UNTIL, only={"c2"})
    assert sum(d.questions for d in p.days) == 3 and p.retained_questions == 0
    assert p.statuses == {"answered": 1, "out_of_scope": 1, "urgent": 1}
    assert p.helpful == {False: 1}
    empty = store.period_summary("kestrelford", SINCE, UNTIL, only=set())
    assert sum(d.questions for d in empty.days) == 0 and empty.top == []


def test_conversations_by_period_words_and_ids(store) -> None:
    _seed(store)
    ids = lambda **kw: [c.id for c in store.conversations(  # noqa: E731
        "kestrelford", 0, 10, ConversationFilter(**kw))]
    assert ids() == ["c1", "c5", "c2", "c3"]
    assert ids(since=SINCE, until=UNTIL) == ["c1", "c5", "c2"]
    assert ids(words=("COUNCIL", "online")) == ["c1"]  # every word, in any of its turns
    assert ids(words=("parking", "where")) == ["c2"]
    assert ids(words=("x [1]",)) == ["c1", "c5", "c2", "c3"]  # answers are searched too
    assert ids(words=("jo@example.com",)) == []  # the stored text is masked
    assert ids(words=("council_tax",)) == [] and ids(words=("%",)) == []  # not patterns
    assert ids(only={"c2", "c3", "c4"}) == ["c2", "c3"]  # c4: another council's
    assert [c.id for c in store.conversations("kestrelford", 1, 2, ConversationFilter(
        only={"c1", "c2", "c3"}))] == ["c2", "c3"]


def test_export_rows_and_one_conversations_details(store) -> None:
    _seed(store)
    store.record_event("a2", "phone", None)
    rows = store.conversation_turns("kestrelford", ConversationFilter(since=SINCE, until=UNTIL,
                                                                      only={"c1", "c2"}))
    assert [(r.conversation_id, r.status, r.handoff_used) for r in rows] == [
        ("c1", "answered", False), ("c1", "no_answer", True), ("c2", "answered", False),
        ("c2", "out_of_scope", False), ("c2", "urgent", False)]
    assert rows[0].cited == ["http://x/bins-and-recycling/a.html#b"]
    assert rows[1].question == "my email is [email], pay council tax online"
    detail = store.conversation_detail("c1")
    assert detail is not None and detail.conversation.council == "kestrelford"
    assert [t.id for t in detail.turns] == ["a1", "a2"] and list(detail.feedback) == ["a1"]
    assert [(seq, e.kind) for seq, e in detail.handoffs] == [(2, "phone")]
    assert store.conversation_detail("nope") is None
