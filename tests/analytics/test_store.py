"""The store's gap-topic writes, on SQLite and PostgreSQL: a report's topics saved (known ones
updated, keeping their editor's status), an editor's status, and verification results written
all together or not at all."""

from __future__ import annotations

import pytest

from analytics.store import TopicSighting
from askcouncil.errors import NotFound


def test_saving_topics_adds_new_ones_and_updates_known_ones(store) -> None:
    [bins] = store.save_gap_topics("kestrelford", [
        TopicSighting(None, "bin, day", [1.0, 0.0], ["bin day?"])])
    assert (bins.status, bins.verification, bins.questions) == ("new", None, ["bin day?"])
    store.set_gap_topic_status(bins.id, "acknowledged")
    again, tax = store.save_gap_topics("kestrelford", [
        TopicSighting(bins.id, "bin, collection", [0.9, 0.1], ["when are bins collected?"]),
        TopicSighting(None, "council, tax", [0.0, 1.0], ["council tax band"])])
    assert again.id == bins.id and again.status == "acknowledged"  # the editor's status stays
    assert tax.id != bins.id and tax.status == "new"
    [stored] = [t for t in store.gap_topics("kestrelford") if t.id == bins.id]
    assert (stored.label, stored.centroid, stored.questions) == (
        "bin, collection", [0.9, 0.1], ["when are bins collected?"])
    assert stored.last_seen_at is not None


def test_an_editors_status_clears_the_last_verification(store) -> None:
    [topic] = store.save_gap_topics("kestrelford", [TopicSighting(None, "x", [1.0], [])])
    assert store.topics_changed_at("kestrelford") is None
    store.record_verifications([(topic.id, "not verified", {"answered": 1, "asked": 4})])
    checked = store.topics_changed_at("kestrelford")
    assert checked is not None  # a dashboard's kept report knows it is stale
    assert store.topics_changed_at("otherton") is None
    [row] = store.gap_topics("kestrelford")
    assert (row.status, row.verification) == ("not verified", {"answered": 1, "asked": 4})
    store.set_gap_topic_status(topic.id, "fixed")
    [row] = store.gap_topics("kestrelford")
    assert (row.status, row.verification) == ("fixed", None)
    assert row.status_changed_at is not None
    with pytest.raises(NotFound):
        store.set_gap_topic_status(topic.id + 100, "fixed")


def test_verifications_are_written_together(store) -> None:
    [topic] = store.save_gap_topics("kestrelford", [TopicSighting(None, "x", [1.0], [])])
    with pytest.raises(NotFound):
        store.record_verifications([(topic.id, "verified", {"answered": 4}),
                                    (topic.id + 100, "verified", {})])
    [row] = store.gap_topics("kestrelford")
    assert (row.status, row.verification) == ("new", None)  # nothing written


def _asked(mid: str, cid: str, question: str, when=None):  # noqa: ANN001, ANN202
    from analytics.store import TurnRecord

    return TurnRecord(message_id=mid, conversation_id=cid, council="kestrelford",
                      question=question, answer="", status="no_answer", citations=[],
                      handoff=None, retrieval_scores=[], confidence=0.1, latency_ms=1.0,
                      timings_ms={}, created_at=when)


def test_erasing_or_retiring_a_conversation_removes_its_questions_from_gap_topics(store) -> None:
    """UK GDPR: a resident's erased question must not live on in the gap report's stored
    topics (an outside test found 129 question texts left after every conversation was
    deleted), nor in a topic's last verification; retention does the same."""
    from datetime import UTC, datetime, timedelta

    old = datetime.now(UTC) - timedelta(days=500)
    store.record_turn(_asked("m1", "c1", "when is the tip open on sundays"))
    store.record_turn(_asked("m2", "c2", "tip opening hours sunday"))
    store.record_turn(_asked("m3", "c3", "is the tip open on bank holidays", when=old))
    [topic] = store.save_gap_topics("kestrelford", [TopicSighting(None, "tip, open", [1.0], [
        {"id": "m1", "text": "when is the tip open on sundays"},
        {"id": "m2", "text": "tip opening hours sunday"},
        {"id": "m3", "text": "is the tip open on bank holidays"},
        "when is the tip open on sundays",  # stored before questions carried their ids
    ])])
    store.record_verifications([(topic.id, "not verified", {
        "answered": 0, "asked": 2, "statuses": {"when is the tip open on sundays": "no_answer",
                                                "tip opening hours sunday": "no_answer"}})])
    store.erase("c1")
    [row] = store.gap_topics("kestrelford")
    assert row.questions == [{"id": "m2", "text": "tip opening hours sunday"},
                             {"id": "m3", "text": "is the tip open on bank holidays"}]
    assert row.verification["statuses"] == {"tip opening hours sunday": "no_answer"}
    done = store.retain(datetime.now(UTC) - timedelta(days=396))
    assert done["conversations"] == 1
    [row] = store.gap_topics("kestrelford")
    assert row.questions == [{"id": "m2", "text": "tip opening hours sunday"}]
