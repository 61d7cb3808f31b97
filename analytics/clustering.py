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
JOIN = 0.2  # a question left out joins the nearest topic whose centre is at least this similar
MERGE = 0.65  # fragments whose centres are this similar are one subject
CLUSTERED = 3000  # questions clustered at most; the rest join the topics (bounded memory)
CHAR_WEIGHT = 1.0  # weight of the character n-gram part against the embedding
MIN_SIZE = 3
PLACE_PLAIN_SHARE = 0.25  # a place name is written in lower case, alone, this seldom
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


# A place: one to three capitalised words and a street or area noun ("Kestrelford High Street",
# "the Millbrook estate", "Heron Way"), or a capitalised word after "in", "near", "from" or
# "around" that is not the start of a longer name ("near Millbrook", not "in Council Tax").
_PLACE_NOUN = (r"(?i:road|rd|street|st|avenue|ave|lane|close|drive|way|crescent|gardens|place|"
               r"court|terrace|grove|hill|row|square|mews|walk|parade|rise|green|estate|state|"
               r"village|ward|area|town centre)")
_PLACE = re.compile(rf"\b((?:[A-Z][a-z'-]+\s+){{1,3}}){_PLACE_NOUN}\b"
                    rf"|\b(?:in|near|from|around)\s+([A-Z][a-z'-]{{2,}})\b(?!\s+[A-Z])")


def places(questions: list[str], council_name: str = "") -> set[str]:
    """The place names in a period's questions, lower-cased: named streets and estates, places
    after "in", "near" or "from", and the council's own name. A word is a place name only if it
    is seldom written in lower case other than before a street or area noun ("High Street",
    but "the rent is too high"). A shared place name says where, not what: left in, it makes a
    topic of everything asked about one street."""
    found = {w.lower() for w in re.findall(r"[A-Za-z'-]{3,}", council_name)
             if w.lower() not in {"council", "district", "borough", "county", "city", "the",
                                  "and", "metropolitan", "royal"}}
    named: Counter[str] = Counter()
    for q in questions:
        for m in _PLACE.finditer(q):
            named.update(w.lower() for w in re.findall(r"[A-Za-z'-]+", m.group(1) or m.group(2)))
    named = Counter({w: n for w, n in named.items() if w not in STOPWORDS})
    if named:
        bare = re.compile(rf"\b({'|'.join(map(re.escape, named))})\b(?!\s+{_PLACE_NOUN}\b)")
        plain = Counter(m.group(1) for q in questions for m in bare.finditer(q))
        found.update(w for w, n in named.items() if plain[w] <= PLACE_PLAIN_SHARE * n)
    return found


def without_places(question: str, names: set[str]) -> str:
    """The question with the period's place names (``places``) and the street or area nouns
    after them taken out, in any case: "bins on the millbrook estate" -> "bins on the"."""
    question = _PLACE.sub(lambda m: "" if m.group(1) else m.group(0), question)
    if not names:
        return question
    pattern = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.sub(rf"\b(?:{pattern})(?:\s+(?:{pattern}))*(?:\s+{_PLACE_NOUN})?\b", "",
                  question, flags=re.I)


class Space:
    """Questions as their embeddings beside TF-IDF weights of their character 3-5-grams (fitted
    on the questions clustered), each half of unit length: the cosine similarity of two
    questions is the mean of the halves' (the n-grams stay sparse, so memory does not grow
    with the size of the vocabulary)."""

    def __init__(self, fitted_on: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.chars.fit([clean(q).lower() for q in fitted_on])

    def grams(self, questions: list[str]) -> Any:  # noqa: ANN401 - a scipy sparse matrix
        return self.chars.transform([clean(q).lower() for q in questions])

    @staticmethod
    def similarity(vectors: np.ndarray, grams: Any, other_vectors: np.ndarray,  # noqa: ANN401
                   other_grams: Any) -> np.ndarray:  # noqa: ANN401
        dense = _rows(vectors) @ _rows(other_vectors).T
        chars = np.asarray((grams @ other_grams.T).todense()) if hasattr(grams, "todense") \
            else grams @ other_grams.T
        return (dense + CHAR_WEIGHT * chars) / (1 + CHAR_WEIGHT)


def _rows(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


def group(questions: list[str], vectors: np.ndarray, threshold: float = THRESHOLD,
          min_size: int = MIN_SIZE, join: float = JOIN, limit: int = CLUSTERED,
          shown: list[str] | None = None) -> tuple[list[Topic], list[int]]:
    """Topics (largest first) and the indexes of questions left as "other". ``vectors`` are the
    questions' embeddings (of the cleaned text); topics are labelled from ``questions`` and show
    ``shown`` (the questions as residents wrote them; default ``questions``)."""
    groups, other = cluster(questions, vectors, threshold, min_size, join, limit)
    return topics_of(questions, vectors, groups, shown), other


def cluster(questions: list[str], vectors: np.ndarray, threshold: float = THRESHOLD,
            min_size: int = MIN_SIZE, join: float = JOIN, limit: int = CLUSTERED
            ) -> tuple[list[list[int]], list[int]]:
    """Groups of question indexes (each at least ``min_size``) and the indexes left as other.

    At most ``limit`` questions (spread evenly over the input) are clustered; every other
    question, and every clustered one left in a group too small to be a topic, then joins the
    topic whose centre it is nearest, if its similarity to that centre reaches ``join``. Memory
    is bounded by ``limit``, not by the number of questions (a county's month)."""
    from scipy.sparse import csr_matrix, vstack
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.preprocessing import normalize

    n = len(questions)
    if n < 2:
        return [], list(range(n))
    vectors = _rows(np.asarray(vectors, dtype=np.float64))
    sample = list(range(n)) if n <= limit else sorted(
        {int(i) for i in np.linspace(0, n - 1, limit)})
    space = Space([questions[i] for i in sample])
    grams = space.grams([questions[i] for i in sample])
    sims = Space.similarity(vectors[sample], grams, vectors[sample], grams)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=threshold).fit_predict(
                                         np.clip(1 - sims, 0, 2))
    del sims
    members: dict[int, list[int]] = {}
    for i, lab in zip(sample, labels, strict=True):
        members.setdefault(int(lab), []).append(i)
    groups = [m for m in members.values() if len(m) >= min_size]
    placed = {i for m in groups for i in m}
    rest = [i for i in range(n) if i not in placed]
    if groups and rest:
        centre_vectors = np.array([vectors[m].mean(axis=0) for m in groups])
        in_sample = {i: k for k, i in enumerate(sample)}
        centre_grams = normalize(vstack([csr_matrix(grams[[in_sample[i] for i in m]].mean(
            axis=0)) for m in groups]).tocsr())
        for start in range(0, len(rest), 1000):  # a batch at a time: bounded memory
            part = rest[start:start + 1000]
            s = Space.similarity(vectors[part], space.grams([questions[i] for i in part]),
                                 centre_vectors, centre_grams)
            for i, row in zip(part, s, strict=True):
                best = int(np.argmax(row))
                if row[best] >= join:
                    groups[best].append(i)
    for m in groups:
        m.sort()
    placed = {i for m in groups for i in m}
    return groups, [i for i in range(n) if i not in placed]


def merge(vectors: np.ndarray, groups: list[list[int]], similar: float = MERGE) -> list[list[int]]:
    """Groups that are fragments of one subject joined: their centres (the embeddings') at
    least ``similar``. A shared word alone does not join them: taxi licences and alcohol
    licences are two subjects with two owners."""
    if not groups:
        return []
    vectors = _rows(np.asarray(vectors, dtype=np.float64))
    centres = _rows(np.array([vectors[m].mean(axis=0) for m in groups]))
    parent = list(range(len(groups)))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    close = centres @ centres.T >= similar
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if close[i, j]:
                parent[root(j)] = root(i)
    joined: dict[int, list[int]] = {}
    for i, m in enumerate(groups):
        joined.setdefault(root(i), []).extend(m)
    return [sorted(m) for m in joined.values()]


def topics_of(questions: list[str], vectors: np.ndarray, groups: list[list[int]],
              shown: list[str] | None = None) -> list[Topic]:
    """The groups as topics, largest first: each labelled with its most distinctive words
    (class-based TF-IDF) and represented by its question nearest the centre."""
    vectors = _rows(np.asarray(vectors, dtype=np.float64))
    show = shown or questions
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
                            representative=clean(show[nearest]).rstrip("?!. ") + "?",
                            questions=[show[i] for i in m], members=m))
    topics.sort(key=lambda t: t.volume, reverse=True)
    return topics


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
