"""Grouping questions into topics (for the gap report, analytics/gaps.py): pure functions over
questions and their embeddings, no database.

Each question (greetings and padding removed) is represented by its embedding from the bot's own
model beside TF-IDF weights of its character 3-5-grams (which hold the topic's key words, even
misspelt, where the small embedding model blurs "street light" with "pothole"); the questions are
grouped by average-linkage agglomerative clustering on cosine distance, cut at ``threshold``. A
group of at least ``min_size`` questions is a topic; smaller ones are left as "other" (one-off
and off-topic questions). Each topic is labelled with its most distinctive words (class-based
TF-IDF: frequent in the topic, rare in the other topics) and the question nearest its centre.

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


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (a zero vector stays zero)."""
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
