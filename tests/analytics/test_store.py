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
    store.record_verifications([(topic.id, "not verified", {"answered": 1, "asked": 4})])
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
