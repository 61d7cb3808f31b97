"""The gap report: the questions the website did not answer (declined, marked unhelpful, or
answered with low confidence), grouped into topics (:mod:`analytics.clustering`), ranked by
volume, trended against the previous period, matched to the nearest page and to the stored topics
(:mod:`analytics.gap_topics`), with its CSV and HTML exports. Its data comes from the store."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from analytics.clustering import MIN_SIZE, THRESHOLD, clean, group, unit
from analytics.gap_topics import SAME_TOPIC, VERIFIED_SHARE, remember_topics, suggestion

if TYPE_CHECKING:
    from collections.abc import Callable

    from analytics.store import AnalyticsStore
    from askcouncil.council import Council
    from askcouncil.embedding import Embedder
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings

LOW_CONFIDENCE = 0.55  # an answer below this similarity counts as a possible gap
NEW_PAGE_BELOW = 0.5  # nearest page less similar than this: the topic needs a new page


@dataclass
class GapQuestion:
    message_id: str
    question: str  # masked when stored
    created_at: datetime
    why: str  # declined, unhelpful or low confidence


def gap_questions(store: AnalyticsStore, council: str, since: datetime, until: datetime,
                  low_confidence: float = LOW_CONFIDENCE) -> list[GapQuestion]:
    """Questions the bot declined, answered with a "No, it did not answer" or answered with
    low confidence, in the period."""
    out = []
    for t, unhelpful in store.gap_candidates(council, since, until):
        if t.status == "no_answer":
            why = "declined"
        elif unhelpful:
            why = "unhelpful"
        elif t.confidence < low_confidence:
            why = "low confidence"
        else:
            continue
        out.append(GapQuestion(t.id, t.question, t.created_at, why))
    return out


def gap_report(store: AnalyticsStore, council: Council, embedder: Embedder,
               index: CouncilIndex | None, since: datetime, until: datetime,
               share: float = 0.5) -> dict[str, Any]:
    """Topics of the period's unanswered questions, ranked by volume, with the estimated calls at
    stake (volume x the share who would otherwise have phoned), masked examples, the trend
    against the previous period of the same length, the nearest existing page and what to do."""
    current = gap_questions(store, council.slug, since, until)
    previous = gap_questions(store, council.slug, since - (until - since), since)
    texts = [q.question for q in current]
    vectors = np.asarray(embedder.embed_documents([clean(t) for t in texts]) if texts else [])
    topics, other = group(texts, vectors) if texts else ([], [])
    prev_vectors = np.asarray(embedder.embed_documents([clean(q.question) for q in previous])
                              if previous else [])
    centres = [unit(vectors[t.members].mean(axis=0)) for t in topics]
    before: Counter[int] = Counter()
    for v in prev_vectors:  # last period's questions, each to its nearest topic if close
        sims = [float(unit(v) @ c) for c in centres]
        if sims and max(sims) >= 1 - THRESHOLD:
            before[int(np.argmax(sims))] += 1
    ids = remember_topics(store, council.slug, topics, centres,
                          [q.message_id for q in current])
    out = []
    for n, (topic, centre) in enumerate(zip(topics, centres, strict=True)):
        page, similarity = None, None
        try:
            hit = index.query(centre.tolist(), 1)[0] if index is not None else None
            if hit is not None:
                page = {"url": hit.chunk.cite_url, "title": hit.chunk.title,
                        "section": hit.chunk.section}
                similarity = round(hit.similarity, 3)
        except Exception:  # the index is down: the report still lists the topics
            page = None
        whys = Counter(current[i].why for i in topic.members)
        out.append({
            **topic.as_dict(),
            "topic_id": ids[n][0],
            "status": ids[n][1],
            "verification": ids[n][2],
            "questions": [clean(q) for q in topic.questions[:5]],
            # every question of the topic, so anyone can check its grouping from the export
            "members": [{"message_id": current[i].message_id, "question": clean(texts[i]),
                         "why": current[i].why} for i in topic.members],
            "calls_at_stake": round(topic.volume * share, 1),
            "previous_volume": before[n],
            "trend": topic.volume - before[n],
            "why": dict(whys),
            "nearest_page": page,
            "nearest_similarity": similarity,
            "suggestion": suggestion(ids[n][1], similarity, NEW_PAGE_BELOW),
        })
    return {
        "council": council.name,
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "gap_questions": len(current),
        "previous_period_gap_questions": len(previous),
        "topics": out,
        "other": len(other),
        "method": [
            "Gap questions: declined, answered but marked unhelpful, or answered with "
            f"similarity below {LOW_CONFIDENCE}.",
            "Grouped by average-linkage clustering of the questions' embeddings beside "
            f"character n-grams, cut at cosine distance {THRESHOLD}; groups of fewer than "
            f"{MIN_SIZE} questions are counted as other.",
            f"Calls at stake = volume x {share:.0%} (the share who would otherwise have "
            "phoned).",
            f"Suggestion: a new page when the nearest page's similarity is below "
            f"{NEW_PAGE_BELOW}, else more on the nearest page.",
            f"A topic keeps its identity and status from one report to the next when its centre "
            f"is within cosine similarity {SAME_TOPIC} of a known topic's. Topics marked fixed "
            f"are re-asked after each crawl, and go on being re-asked: verified while "
            f"{VERIFIED_SHARE:.0%} of their questions are answered, not verified otherwise.",
        ],
    }


GAP_CSV_COLUMNS = ["topic_id", "status", "label", "volume", "calls_at_stake", "previous_volume",
                   "trend", "representative", "nearest_page", "nearest_similarity", "suggestion"]


def gaps_to_csv(r: dict[str, Any]) -> str:
    from analytics.render import to_csv_text

    rows: list[list[Any]] = [GAP_CSV_COLUMNS + ["examples"]]
    for t in r["topics"]:
        page = t["nearest_page"]["url"] if t["nearest_page"] else ""
        rows.append([t["topic_id"], t["status"], t["label"], t["volume"],
                     t["calls_at_stake"], t["previous_volume"], t["trend"],
                     t["representative"], page, t["nearest_similarity"],
                     t["suggestion"], " | ".join(t["questions"])])
    rows += [[f"# method: {line}"] for line in r["method"]]
    return to_csv_text(rows)


def gaps_to_html(r: dict[str, Any]) -> str:
    from analytics.render import render

    return render("gaps.html", r=r)


def gap_report_for(settings: Settings, since: datetime, until: datetime,
                   warn: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """``askcouncil report gaps``: the gap report for the settings' council and period, with
    nearest pages from its index; when the index cannot be opened the questions are still
    grouped (``warn`` is told why)."""
    from analytics.store import open_store
    from askcouncil.chroma import open_chroma
    from askcouncil.council import load_council
    from askcouncil.embedding import load_embedder
    from askcouncil.index import CouncilIndex

    council = load_council(settings.council, settings.councils_dir)
    try:
        index: CouncilIndex | None = CouncilIndex(open_chroma(settings), settings.council)
    except Exception as exc:  # the report still groups the questions
        warn(f"index unavailable, no nearest pages: {exc}")
        index = None
    return gap_report(open_store(settings), council, load_embedder(settings), index, since,
                      until)
