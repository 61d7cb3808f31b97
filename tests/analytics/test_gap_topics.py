"""Stored gap topics (analytics/gap_topics.py), on SQLite and PostgreSQL: identity from one
report to the next, the editor's statuses, and verification after a crawl."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.clustering import Topic
from analytics.gap_topics import SAME_TOPIC, remember_topics, set_status, verify_fixed
from askcouncil.errors import BadInput


def _topic(label: str, questions: list[str]) -> Topic:
    return Topic(label, [], questions[0], questions, members=list(range(len(questions))))


def _centre(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle)])


def test_a_topic_keeps_its_identity_when_its_centre_stays_close(store) -> None:
    bins, tax = _topic("bins", ["Hello, bin day? thanks"]), _topic("tax", ["council tax"])
    (b1, status, verification), (t1, *_) = remember_topics(
        store, "kestrelford", [bins, tax], [_centre(0.0), _centre(1.5)])
    assert (status, verification) == ("new", None) and b1 != t1
    near = float(np.arccos(SAME_TOPIC)) * 0.9  # similarity just above SAME_TOPIC
    far = float(np.arccos(SAME_TOPIC)) * 1.1
    [(b2, *_)] = remember_topics(store, "kestrelford", [bins], [_centre(near)], ["m-1"])
    assert b2 == b1
    [(b3, *_)] = remember_topics(store, "kestrelford", [bins], [_centre(-far)])
    assert b3 not in (b1, t1)  # too far from both: a new topic
    [stored] = [t for t in store.gap_topics("kestrelford") if t.id == b1]
    # cleaned examples are kept, each with its message id (erasure finds it by that)
    assert stored.questions == [{"id": "m-1", "text": "bin day?"}]


def test_two_topics_of_one_report_never_share_a_stored_topic(store) -> None:
    [(first, *_)] = remember_topics(store, "kestrelford", [_topic("a", ["a"])], [_centre(0.0)])
    ids = remember_topics(store, "kestrelford", [_topic("a", ["a"]), _topic("a2", ["a"])],
                          [_centre(0.0), _centre(0.01)])
    assert ids[0][0] == first and ids[1][0] != first


def test_editor_statuses(store) -> None:
    [(topic, *_)] = remember_topics(store, "kestrelford", [_topic("a", ["a"])], [_centre(0.0)])
    for status in ("acknowledged", "fixed", "new"):
        set_status(store, topic, status)
    with pytest.raises(BadInput):
        set_status(store, topic, "verified")  # only re-asking after a crawl says so


@pytest.mark.parametrize(("answered", "status"), [(4, "verified"), (3, "not verified")])
def test_fixed_topics_are_verified_when_enough_questions_are_now_answered(
        store, answered: int, status: str) -> None:
    questions = [f"question {i}" for i in range(5)]
    [(topic, *_)] = remember_topics(store, "kestrelford", [_topic("a", questions)],
                                    [_centre(0.0)])
    assert verify_fixed(store, "kestrelford", lambda q: "answered") == []  # none marked fixed
    set_status(store, topic, "fixed")
    now_answered = set(questions[:answered])
    [result] = verify_fixed(store, "kestrelford",
                            lambda q: "answered" if q in now_answered else "no_answer")
    assert (result["status"], result["answered"], result["asked"]) == (status, answered, 5)
    [row] = store.gap_topics("kestrelford")
    assert row.status == status and row.verification["statuses"]["question 4"] == "no_answer"
