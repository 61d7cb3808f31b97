"""The gap report's measure on the labelled log (eval.gapmeasure): what the report takes in,
how much of it the site answers, and the grouping scored against the true topics. A stand-in
embedder: the point is the counting, not the model."""

import numpy as np

from eval.gapmeasure import candidates, load, score


class _Embedder:
    """Questions about the same thing get the same direction."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        axes = {"allotment": 0, "lamp": 1, "bin": 2}
        out = []
        for t in texts:
            v = np.full(4, 0.01)
            v[next((i for w, i in axes.items() if w in t.lower()), 3)] = 1.0
            out.append(list(v / np.linalg.norm(v)))
        return out


def _r(i: int, kind: str, text: str, status: str, confidence: float = 0.7, **label: str) -> dict:
    return {"id": f"x{i}", "kind": kind, "text": text, "status": status,
            "confidence": confidence, **label}


def test_the_report_takes_declines_and_weak_answers_and_says_how_much_the_site_answers() -> None:
    results = (
        [_r(i, "gap", f"allotment waiting list please {i}", "no_answer", topic="allotments")
         for i in range(6)]
        + [_r(10 + i, "gap", f"the lamp outside is broken {i}", "no_answer",
              topic="street-lighting") for i in range(6)]
        + [_r(20 + i, "covered", f"my bin was not emptied {i}", "no_answer",
              page="bins/missed.html") for i in range(4)]
        + [_r(30, "covered", "bin day?", "answered", 0.9, page="bins/days.html"),
           _r(31, "covered", "bin colour", "answered", 0.4, page="bins/which.html")])
    taken = candidates(results)
    assert {r["id"] for r in taken} == {r["id"] for r in results} - {"x30"}  # 0.4 is weak
    s = score(results, _Embedder())
    assert (s["gap_messages_in_the_report"], s["covered_messages_in_the_report"]) == (12, 5)
    assert s["share_of_the_report_the_site_answers"] == round(5 / 17, 4)
    assert s["covered_declined"] == 4
    assert s["topics"] == 3 and s["topics_mostly_bot_misses"] == 1
    # "bin colour" (another page) shares the missed-bin topic: one question in 17 is off
    assert s["purity"] == round(16 / 17, 4)
    assert s["gap_coverage"] == 1.0 and s["true_gap_topics"] == 2


def test_the_log_in_the_repository_is_as_labelled() -> None:
    log = load()
    assert len(log) >= 1000
    kinds = {m["kind"] for m in log}
    assert kinds == {"gap", "covered"}
    assert len({m["topic"] for m in log if m["kind"] == "gap"}) == 12
    ids = {m["id"] for m in log}
    assert len(ids) == len(log) and all(m["follows"] in ids for m in log if "follows" in m)
