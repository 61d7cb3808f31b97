"""Grouping questions into topics (analytics/clustering.py): pure functions, checked here on
made-up vectors (tests/test_gaps.py measures them on the real model and a labelled log)."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.clustering import Topic, clean, group, measure, unit


@pytest.mark.parametrize(("asked", "cleaned"), [
    ("Hello, when is my bin collected? Thanks", "when is my bin collected?"),
    ("hi please can you tell me the council tax bands", "the council tax bands"),
    ("good morning - parking permit cost cheers!", "parking permit cost"),
    ("thanks", "thanks"),  # nothing left: the question as asked
])
def test_clean_drops_greetings_and_sign_offs(asked: str, cleaned: str) -> None:
    assert clean(asked) == cleaned


def test_unit() -> None:
    assert np.allclose(unit(np.array([3.0, 4.0])), [0.6, 0.8])
    assert np.array_equal(unit(np.zeros(2)), np.zeros(2))  # no division by zero


def test_group_makes_topics_of_close_questions_and_leaves_the_rest() -> None:
    bins = ["when is my bin collected", "bin collection day", "which day are bins collected",
            "my bin was not collected"]
    tax = ["how do I pay council tax", "council tax payment", "pay my council tax online"]
    stray = ["is the library open on sunday"]
    questions = bins + tax + stray
    vectors = np.array([[1.0, 0.05 * i, 0.0] for i in range(4)]
                       + [[0.0, 1.0, 0.05 * i] for i in range(3)] + [[0.0, 0.0, 1.0]])
    topics, other = group(questions, vectors)
    assert [sorted(t.members) for t in topics] == [[0, 1, 2, 3], [4, 5, 6]]  # largest first
    assert other == [7]
    assert "bin" in topics[0].label and "tax" in topics[1].label
    assert topics[0].representative.endswith("?")
    assert topics[0].questions == bins


def test_group_needs_min_size_questions_for_a_topic() -> None:
    vectors = np.array([[1.0, 0.0], [1.0, 0.01], [0.0, 1.0], [0.01, 1.0]])
    questions = ["bin day", "bin days", "council tax", "council taxes"]
    assert group(questions, vectors) == ([], [0, 1, 2, 3])
    topics, other = group(questions, vectors, min_size=2)
    assert len(topics) == 2 and other == []
    assert group(["one question"], np.array([[1.0]])) == ([], [0])


def test_measure_purity_and_coverage() -> None:
    topics = [Topic("a", [], "a?", ["q"] * 3, members=[0, 1, 2]),
              Topic("b", [], "b?", ["q"] * 2, members=[3, 4]),
              Topic("a2", [], "a?", ["q"] * 2, members=[5, 6])]
    truth = ["a", "a", "b", "b", "b", "a", "a", None]
    m = measure(topics, truth)
    assert m["purity"] == round(6 / 7, 4)  # one "b" in the first topic
    assert m["coverage"] == round(6 / 7, 4)  # labelled questions in a topic of their label
    assert m["strict_coverage"] == round(4 / 7, 4)  # "a" split in two counts its larger part
    assert (m["topics"], m["true_topics"], m["questions"]) == (3, 2, 8)
