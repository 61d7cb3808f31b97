"""The gap report's measures on the labelled log (eval.gapmeasure): the halves it is split into,
the separation of the bot's misses from what the site lacks, and the grouping scored against the
true subjects, counted on an analysis whose answers are known."""

import numpy as np

from analytics.clustering import Topic
from analytics.gaps import Analysis
from eval.gapmeasure import label, load, score, tuning_labels


def test_the_halves_split_subjects_and_pages_and_cover_the_log() -> None:
    log = load()
    tune = tuning_labels(log)
    labels = {label(m) for m in log}
    assert tune < labels and len(tune) * 2 in (len(labels), len(labels) + 1, len(labels) + 2)
    gaps = sorted(x for x in labels if x.startswith("gap:"))
    assert {g for g in gaps if g in tune} == set(gaps[::2])  # every other subject
    assert any(x.startswith("covered:") for x in tune)
    assert any(x.startswith("covered:") for x in labels - tune)


def _topic(members: list[int]) -> Topic:
    return Topic("t", ["t"], "t?", [f"q{i}" for i in members], members)


def test_separation_and_grouping_are_counted_per_half() -> None:
    tune = {"gap:allotments", "covered:bins.html"}
    truth = (["gap:allotments"] * 4 + ["gap:lighting"] * 4      # 0-3 tune, 4-7 test
             + ["covered:bins.html"] * 3 + ["covered:tax.html"] * 3)  # 8-10 tune, 11-13 test
    a = Analysis(
        topics=[_topic([0, 1, 2, 8]), _topic([4, 5, 6])],  # a bin question among allotments
        missed=[3, 9, 10, 11, 12, 7],  # one allotment and one lighting question wrongly missed
        other=[13], vectors=np.zeros((14, 2)), chances=np.zeros(14),
        evidence=np.zeros((14, 5)), pages=[None] * 14)
    s = score(a, truth, tune)
    t, x = s["tune"], s["test"]
    assert (t["report_input"], t["covered_in_input"], t["said_bot_missed"]) == (7, 3, 3)
    assert t["separation_precision"] == round(2 / 3, 4)  # 9 and 10 right, 3 wrong
    assert t["separation_recall"] == round(2 / 3, 4)  # 8 sits in the allotment topic
    assert t["content_gap_purity"] == 0.75  # 3 of the topic's 4 are allotments
    assert t["gap_coverage"] == 0.75 and t["gap_strict_coverage"] == 0.75
    assert x["separation_precision"] == round(2 / 3, 4)  # 11, 12 right; 7 wrong
    assert x["separation_recall"] == round(2 / 3, 4)  # 13 left as other
    assert x["content_gap_purity"] == 1.0 and x["gap_coverage"] == 0.75
    assert s["content_topics"] == 2 and s["bot_missed_questions"] == 6 and s["other"] == 1


def test_the_log_in_the_repository_is_as_labelled() -> None:
    log = load()
    assert len(log) >= 1000
    kinds = {m["kind"] for m in log}
    assert kinds == {"gap", "covered"}
    assert len({m["topic"] for m in log if m["kind"] == "gap"}) == 12
    ids = {m["id"] for m in log}
    assert len(ids) == len(log) and all(m["follows"] in ids for m in log if "follows" in m)
