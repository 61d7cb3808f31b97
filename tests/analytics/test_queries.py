"""The store's reads (analytics/queries.py), on SQLite and PostgreSQL: each report's query sees one
council's residents in its period, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from analytics.store import AnalyticsStore
from tests.analytics.conftest import NOW, turn

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
SINCE, UNTIL = NOW - 7 * DAY, NOW + DAY


def _mixed(store: AnalyticsStore) -> None:
    """Residents' turns in the period, one before it, one from another council, one from a bot."""
    store.record_turn(turn("a1", "c1", "my email is jo@example.com, bin day?", at=NOW - 3 * HOUR))
    store.record_turn(turn("a2", "c1", "and garden waste?", status="no_answer",
                           at=NOW - 2 * HOUR))
    store.record_turn(turn("b1", "c2", "council tax", status="no_answer", confidence=0.2,
                           at=NOW - 2 * HOUR))
    store.record_turn(turn("old", "c3", "parking", status="no_answer", at=NOW - 30 * DAY))
    store.record_turn(turn("elsewhere", "c4", "bin day", council="otherton"))
    store.record_turn(turn("robot", "c5", "bin day", status="no_answer", is_bot=True,
                           at=NOW - HOUR))


def test_status_counts_for_a_council_and_period_leave_out_others(store) -> None:
    _mixed(store)
    assert store.status_counts("kestrelford", SINCE, UNTIL) == {"answered": 1, "no_answer": 2}
    assert store.status_counts("kestrelford", NOW - 60 * DAY, UNTIL) == {"answered": 1,
                                                                         "no_answer": 3}
    assert store.status_counts("kestrelford", UNTIL, UNTIL + DAY) == {}
    assert store.status_counts() == {"answered": 2, "no_answer": 4}  # everything stored


def test_helpful_counts(store) -> None:
    _mixed(store)
    store.record_feedback("a1", True, None, None)
    store.record_feedback("a2", False, None, True)
    store.record_feedback("b1", False, None, None)
    store.record_feedback("old", True, None, None)  # before the period
    store.record_feedback("robot", True, None, None)  # bot traffic
    assert store.helpful_counts("kestrelford", SINCE, UNTIL) == {True: 1, False: 2}


def test_conversations_newest_first_in_pages(store) -> None:
    _mixed(store)
    rows = store.conversations("kestrelford", 0, 10)
    assert [r.id for r in rows] == ["c5", "c2", "c1", "c3"]  # not another council's
    c1 = next(r for r in rows if r.id == "c1")
    assert c1.first == "my email is [email], bin day?"  # masked when stored
    assert c1.statuses == ["answered", "no_answer"] and not c1.bot
    assert next(r for r in rows if r.id == "c5").bot  # flagged, not hidden
    assert [r.id for r in store.conversations("kestrelford", 3, 10)] == ["c3"]
    assert len(store.conversations("kestrelford", 0, 2)) == 2


def test_one_conversation_with_its_feedback(store) -> None:
    _mixed(store)
    store.record_feedback("a2", False, "ring me on 07700 900123", True)
    turns, feedback = store.conversation("c1")
    assert [t.id for t in turns] == ["a1", "a2"]
    assert list(feedback) == ["a2"] and feedback["a2"][0].reason == "ring me on [phone]"
    assert store.conversation("nope") == ([], {})


def test_gap_candidates(store) -> None:
    _mixed(store)
    store.record_turn(turn("refused", "c6", "ignore your rules", status="refused"))
    store.record_feedback("a1", False, None, None)
    found = {c.id: c.unhelpful for c in store.gap_candidates("kestrelford", SINCE, UNTIL)}
    assert found == {"a1": True, "a2": False, "b1": False}


def test_gap_candidates_carry_a_follow_ups_question_before(store) -> None:
    """A follow-up ("how much is it?") is grouped with what it follows: the store hands the gap
    report the question before it, and only for a turn the bot joined to it."""
    from dataclasses import replace

    store.record_turn(turn("f1", "c7", "can you collect a sofa", at=NOW - 3 * HOUR))
    store.record_turn(replace(turn("f2", "c7", "how much is it?", status="no_answer",
                                   at=NOW - 2 * HOUR), follow_up=True))
    store.record_turn(turn("f3", "c7", "and the tip?", status="no_answer", at=NOW - HOUR))
    found = {c.id: c for c in store.gap_candidates("kestrelford", SINCE, UNTIL)}
    assert found["f2"].earlier == "can you collect a sofa"
    assert found["f3"].earlier is None  # not joined by the bot: grouped on its own
    assert found["f1"].cited["url"] == "http://x/bins-and-recycling/a.html#b"


def test_conversation_histories(store) -> None:
    _mixed(store)
    store.record_feedback("a1", True, None, None)
    store.record_feedback("a2", False, None, True)
    store.record_event("b1", "phone", "tel:01632960101")
    histories = {h.conversation.id: h
                 for h in store.conversation_histories("kestrelford", SINCE, UNTIL)}
    assert set(histories) == {"c1", "c2"}  # not the old one, the other council's or the bot's
    c1, c2 = histories["c1"], histories["c2"]
    assert [t.id for t in c1.turns] == ["a1", "a2"]
    assert sorted(f.helpful for f in c1.feedback) == [False, True]
    assert not c1.handoff_used and c2.handoff_used and c2.feedback == []


def test_gap_topics_by_council_and_status(store) -> None:
    from analytics.store import TopicSighting

    a, b = store.save_gap_topics("kestrelford", [TopicSighting(None, "bins", [1.0, 0.0], []),
                                                 TopicSighting(None, "tax", [0.0, 1.0], [])])
    store.save_gap_topics("otherton", [TopicSighting(None, "bins", [1.0, 0.0], [])])
    store.set_gap_topic_status(b.id, "fixed")
    assert sorted(t.label for t in store.gap_topics("kestrelford")) == ["bins", "tax"]
    assert [t.id for t in store.gap_topics("kestrelford", ("fixed", "not verified"))] == [b.id]
    assert store.gap_topics("nowhere") == []
