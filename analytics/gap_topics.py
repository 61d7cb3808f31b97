"""Stored gap topics: a topic keeps its identity from one report to the next (the stored topic
whose centre is nearest, if close enough), carries the status a web editor gives it, and, once
marked fixed, is re-asked after each crawl and marked verified or not. The rows are the store's
(``AnalyticsStore.gap_topics``, ``save_gap_topics``, ``set_gap_topic_status``,
``record_verifications``); this module decides what goes in them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from analytics.clustering import Topic, clean, unit
from analytics.store import AnalyticsStore, TopicSighting, question_text
from askcouncil.errors import BadInput

SAME_TOPIC = 0.8  # a topic whose centre is this close to a stored one is the same topic
# What an editor may set; "verified" and "not verified" come only from re-asking after a crawl.
EDITOR_STATUSES = ("new", "acknowledged", "fixed")
VERIFIED_SHARE = 0.8  # share of a fixed topic's questions that must now be answered
# The statuses re-asked after every crawl: a verified topic too, so that a page which
# disappears turns it back into "not verified".
RECHECKED = ("fixed", "verified", "not verified")


def remember_topics(store: AnalyticsStore, council: str, topics: list[Topic],
                    centres: list[np.ndarray], message_ids: list[str] | None = None
                    ) -> list[tuple[int, str, dict[str, Any] | None]]:
    """Give each topic its stored identity (the stored topic with the nearest centre, if close
    enough) or a new one; returns (id, status, verification) for each. A topic keeps up to ten
    of its questions, each with its message id (``message_ids``, by the topics' members), so that
    erasing or retiring a conversation removes them too."""
    known = store.gap_topics(council)
    taken: set[int] = set()
    sightings = []
    for topic, centre in zip(topics, centres, strict=True):
        best, best_sim = None, SAME_TOPIC
        for row in known:
            sim = float(unit(np.asarray(row.centroid)) @ centre)
            if row.id not in taken and sim >= best_sim:
                best, best_sim = row, sim
        if best is not None:
            taken.add(best.id)
        kept = [{"id": message_ids[i] if message_ids else "", "text": clean(q)}
                for i, q in zip(topic.members[:10], topic.questions[:10], strict=False)]
        sightings.append(TopicSighting(id=best.id if best is not None else None,
                                       label=topic.label, centroid=centre.tolist(),
                                       questions=kept))
    return [(row.id, row.status, row.verification)
            for row in store.save_gap_topics(council, sightings)]


def suggestion(status: str, similarity: float | None, new_page_below: float) -> str:
    """What a web editor should do with a topic: by its status once an editor has acted on it,
    else by how close the nearest page is."""
    if status == "verified":
        return "nothing: answered since the page was fixed (checked after each crawl)"
    if status == "fixed":
        return "wait: re-asked after the next crawl"
    if status == "not verified":
        return "check the page: marked fixed, but the questions are still not answered"
    if similarity is None or similarity < new_page_below:
        return "write a new page"
    return "add to the existing page"


def set_status(store: AnalyticsStore, topic_id: int, status: str) -> None:
    """An editor marks a topic new, acknowledged or fixed."""
    if status not in EDITOR_STATUSES:
        raise BadInput(f"status must be new, acknowledged or fixed, not {status!r}")
    store.set_gap_topic_status(topic_id, status)


def verify_fixed(store: AnalyticsStore, council: str,
                 ask: Callable[[str], str]) -> list[dict[str, Any]]:
    """After a crawl: re-ask the questions of every topic marked fixed, verified or not
    verified (``ask(question)`` returns a status) and mark it verified when at least
    VERIFIED_SHARE are now answered, else not verified. Each result says the status it had
    (``was``)."""
    results, verifications = [], []
    for row in store.gap_topics(council, RECHECKED):
        answers = {text: ask(text) for text in map(question_text, row.questions)}
        answered = sum(1 for st in answers.values() if st == "answered")
        ok = bool(answers) and answered >= VERIFIED_SHARE * len(answers)
        status = "verified" if ok else "not verified"
        verifications.append((row.id, status, {
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "answered": answered, "asked": len(answers), "statuses": answers}))
        results.append({"topic_id": row.id, "label": row.label, "status": status,
                        "was": row.status, "answered": answered, "asked": len(answers)})
    store.record_verifications(verifications)
    return results
