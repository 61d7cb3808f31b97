"""Gap reports: the questions the website did not answer, grouped into topics for web editors.

Each question (greetings and padding removed) is represented by its embedding from the bot's own
model beside TF-IDF weights of its character 3-5-grams (which hold the topic's key words, even
misspelt, where the small embedding model blurs "street light" with "pothole"); the questions are
grouped by average-linkage agglomerative clustering on cosine distance, cut at ``threshold``. A
group of at least ``min_size`` questions is a topic; smaller ones are left as "other" (one-off
and off-topic questions). Each topic is
labelled with its most distinctive words (class-based TF-IDF: frequent in the topic, rare in the
other topics) and the question nearest its centre.

``measure`` scores a grouping against known labels: purity (the share of questions in topics
that belong to their topic's majority label) and coverage (the share of labelled questions that
land in a topic whose majority label is theirs). Measured on tests/fixtures/gap_log.jsonl
(docs/quality.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from askcouncil.text import STOPWORDS, tokens

THRESHOLD = 0.75  # cosine distance at which groups stop merging (calibrated: docs/quality.md)
CHAR_WEIGHT = 1.0  # weight of the character n-gram part against the embedding
MIN_SIZE = 3
# Greetings and padding residents add, which say nothing about the topic.
PADDING = re.compile(r"^\s*(hi|hello|hiya|good (morning|afternoon|evening)|please|quick question"
                     r"|can you tell me|could you tell me|please can you tell me)\b[\s,.:-]*",
                     re.I)
LABEL_STOP = STOPWORDS | frozenset("thank thanks report council question".split())


@dataclass
class Topic:
    label: str
    terms: list[str]
    representative: str
    questions: list[str]
    members: list[int] = field(default_factory=list)  # indexes into the input

    @property
    def volume(self) -> int:
        return len(self.questions)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "terms": self.terms, "representative": self.representative,
                "volume": self.volume, "questions": self.questions}


TRAILING = re.compile(r"[\s,]*\b(thanks|thank you|please|cheers)\b[\s?!.]*$", re.I)


def clean(question: str) -> str:
    """The question without greetings and sign-offs ("hello, ...", "... thanks")."""
    text = question.strip()
    for _ in range(3):
        text = TRAILING.sub("", PADDING.sub("", text))
    return text or question


def features(questions: list[str], vectors: np.ndarray) -> np.ndarray:
    """Embeddings beside character n-gram TF-IDF, each half normalised."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    grams = chars.fit_transform([clean(q).lower() for q in questions]).toarray()
    return normalize(np.hstack([normalize(vectors), normalize(grams) * CHAR_WEIGHT]))


def group(questions: list[str], vectors: np.ndarray, threshold: float = THRESHOLD,
          min_size: int = MIN_SIZE) -> tuple[list[Topic], list[int]]:
    """Topics (largest first) and the indexes of questions left as "other". ``vectors`` are the
    questions' embeddings (of the cleaned text)."""
    from sklearn.cluster import AgglomerativeClustering

    if len(questions) < 2:
        return [], list(range(len(questions)))
    vectors = np.asarray(vectors, dtype=np.float64)
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(
                                         features(questions, vectors))
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        members.setdefault(int(lab), []).append(i)
    groups = [m for m in members.values() if len(m) >= min_size]
    other = sorted(i for m in members.values() if len(m) < min_size for i in m)
    docs = [Counter(stem for i in m for stem, _word in _words(questions[i])) for m in groups]
    topics = []
    for m, counts in zip(groups, docs, strict=True):
        surface = Counter((stem, word) for i in m for stem, word in _words(questions[i]))
        readable = {stem: max((c, w) for (st, w), c in surface.items() if st == stem)[1]
                    for stem in counts}
        terms = [readable[t] for t in _distinctive(counts, docs)]
        centre = vectors[m].mean(axis=0)
        nearest = max(m, key=lambda i: float(vectors[i] @ centre))
        topics.append(Topic(label=", ".join(terms[:3]), terms=terms,
                            representative=clean(questions[nearest]).rstrip("?!. ") + "?",
                            questions=[questions[i] for i in m], members=m))
    topics.sort(key=lambda t: t.volume, reverse=True)
    return topics, other


def _words(question: str) -> list[tuple[str, str]]:
    """(stem, word as written) for the question's content words."""
    out = []
    for word in re.findall(r"[a-z][a-z']+", clean(question).lower()):
        stems = tokens(word)
        if stems and stems[0] not in LABEL_STOP and len(stems[0]) > 2:
            out.append((stems[0], word))
    return out


def _distinctive(counts: Counter[str], all_docs: list[Counter[str]]) -> list[str]:
    n = len(all_docs)
    scored = []
    for term, tf in counts.items():
        df = sum(1 for d in all_docs if term in d)
        scored.append((tf * math.log(1 + n / df), term))
    return [t for _s, t in sorted(scored, reverse=True)[:5]]


def measure(topics: list[Topic], truth: list[str | None]) -> dict[str, float]:
    """Purity of the topics, and coverage of the labelled questions (None: noise): ``coverage``
    counts a question in any topic whose majority label is its own; ``strict_coverage`` only in
    the largest such topic (a true topic split in two counts once)."""
    in_topics = sum(t.volume for t in topics)
    majority_hits = 0
    covered = 0
    largest: dict[str, int] = {}
    for t in topics:
        labels = Counter(truth[i] for i in t.members)
        label, count = labels.most_common(1)[0]
        majority_hits += count
        if label is not None:
            covered += count
            largest[label] = max(largest.get(label, 0), count)
    labelled = sum(1 for x in truth if x is not None)
    return {"purity": round(majority_hits / in_topics, 4) if in_topics else 0.0,
            "coverage": round(covered / labelled, 4) if labelled else 0.0,
            "strict_coverage": round(sum(largest.values()) / labelled, 4) if labelled else 0.0,
            "topics": len(topics), "true_topics": len({x for x in truth if x is not None}),
            "questions": len(truth)}


# ---- Gap reports from the analytics store -------------------------------------------------

LOW_CONFIDENCE = 0.55  # an answer below this similarity counts as a possible gap
NEW_PAGE_BELOW = 0.5  # nearest page less similar than this: the topic needs a new page


@dataclass
class GapQuestion:
    message_id: str
    question: str  # masked when stored
    created_at: Any
    why: str  # declined, unhelpful or low confidence


def gap_questions(store: Any, council: str, since: Any, until: Any,
                  low_confidence: float = LOW_CONFIDENCE) -> list[GapQuestion]:
    """Questions the bot declined, answered with a "No, it did not answer" or answered with
    low confidence, in the period."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from analytics.models import Conversation, Feedback, Turn

    with Session(store.engine) as s:
        rows = s.execute(select(Turn).join(Conversation).where(
            Conversation.council == council, Turn.created_at >= since, Turn.created_at < until,
            Turn.status.in_(["answered", "no_answer"]), Conversation.is_bot.is_(False))
        ).scalars().all()
        unhelpful = set(s.scalars(select(Feedback.turn_id).where(Feedback.helpful.is_(False))))
    out = []
    for t in rows:
        if t.status == "no_answer":
            why = "declined"
        elif t.id in unhelpful:
            why = "unhelpful"
        elif t.confidence < low_confidence:
            why = "low confidence"
        else:
            continue
        out.append(GapQuestion(t.id, t.question, t.created_at, why))
    return out


def gap_report(store: Any, council: Any, embedder: Any, index: Any, since: Any, until: Any,
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
    centres = [_unit(vectors[t.members].mean(axis=0)) for t in topics]
    before: Counter[int] = Counter()
    for v in prev_vectors:  # last period's questions, each to its nearest topic if close
        sims = [float(_unit(v) @ c) for c in centres]
        if sims and max(sims) >= 1 - THRESHOLD:
            before[int(np.argmax(sims))] += 1
    ids = remember_topics(store, council.slug, topics, centres)
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
            "calls_at_stake": round(topic.volume * share, 1),
            "previous_volume": before[n],
            "trend": topic.volume - before[n],
            "why": dict(whys),
            "nearest_page": page,
            "nearest_similarity": similarity,
            "suggestion": ("write a new page" if similarity is None or similarity <
                           NEW_PAGE_BELOW else "add to the existing page"),
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
            f"are re-asked after each crawl: verified when {VERIFIED_SHARE:.0%} of their "
            "questions are answered.",
        ],
    }


SAME_TOPIC = 0.8  # a topic whose centre is this close to a stored one is the same topic
# What an editor may set; "verified" and "not verified" come only from re-asking after a crawl.
EDITOR_STATUSES = ("new", "acknowledged", "fixed")
VERIFIED_SHARE = 0.8  # share of a fixed topic's questions that must now be answered


def remember_topics(store: Any, council: str, topics: list[Topic], centres: list[np.ndarray]
                    ) -> list[tuple[int, str, dict[str, Any] | None]]:
    """Give each topic its stored identity (the stored topic with the nearest centre, if close
    enough) or a new one; returns (id, status, verification) for each."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from analytics.models import GapTopic

    store.ensure_schema()
    out = []
    with store._session.begin() as s:
        known = list(s.scalars(select(GapTopic).where(GapTopic.council == council)))
        taken: set[int] = set()
        for topic, centre in zip(topics, centres, strict=True):
            best, best_sim = None, SAME_TOPIC
            for row in known:
                sim = float(_unit(np.asarray(row.centroid)) @ centre)
                if row.id not in taken and sim >= best_sim:
                    best, best_sim = row, sim
            if best is None:
                best = GapTopic(council=council, label=topic.label, centroid=centre.tolist(),
                                questions=[], status="new")
                s.add(best)
            best.label = topic.label
            best.centroid = centre.tolist()
            best.questions = [clean(q) for q in topic.questions[:10]]
            best.last_seen_at = datetime.now(UTC)
            s.flush()
            taken.add(best.id)
            out.append((best.id, best.status, best.verification))
    return out


def set_status(store: Any, topic_id: int, status: str) -> None:
    """An editor marks a topic new, acknowledged or fixed."""
    from datetime import UTC, datetime

    from analytics.models import GapTopic
    from askcouncil.errors import BadInput, NotFound

    if status not in EDITOR_STATUSES:
        raise BadInput(f"status must be new, acknowledged or fixed, not {status!r}")
    store.ensure_schema()
    with store._session.begin() as s:
        row = s.get(GapTopic, topic_id)
        if row is None:
            raise NotFound(f"no gap topic {topic_id}")
        row.status = status
        row.status_changed_at = datetime.now(UTC)
        row.verification = None


def verify_fixed(store: Any, council: str, ask: Any) -> list[dict[str, Any]]:
    """After a crawl: re-ask the questions of every topic marked fixed (``ask(question)`` returns
    a status) and mark it verified when at least VERIFIED_SHARE are now answered."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from analytics.models import GapTopic

    store.ensure_schema()
    results = []
    with store._session.begin() as s:
        for row in s.scalars(select(GapTopic).where(GapTopic.council == council,
                                                    GapTopic.status.in_(["fixed",
                                                                         "not verified"]))):
            answers = {q: ask(q) for q in row.questions}
            answered = sum(1 for st in answers.values() if st == "answered")
            ok = bool(answers) and answered >= VERIFIED_SHARE * len(answers)
            row.status = "verified" if ok else "not verified"
            row.verification = {"checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                "answered": answered, "asked": len(answers),
                                "statuses": answers}
            results.append({"topic_id": row.id, "label": row.label, "status": row.status,
                            "answered": answered, "asked": len(answers)})
    return results


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


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
