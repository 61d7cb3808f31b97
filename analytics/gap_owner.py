"""Whose an unanswered question is: "the site lacks this" (the web editors' to write) or "the
site has this but the bot missed it" (the answer-quality owner's to fix). Three kinds of
evidence, two of which the bot cannot weigh when it answers one question alone:

- **Answered nearby**: of the questions asked in the period closest to this one (the
  ``NEIGHBOURS`` nearest, at least ``NEAR`` similar, among the unanswered and the confidently
  answered), the share the bot answered. Where the site has the answer, other residents asking
  the same thing in other words were answered, and the page they were answered from is named;
  where it does not, the neighbours are unanswered too.
- **Page words**: the share of the question's topic words (weighted by how rare they are on the
  site) that one page of the site holds together. Words no page uses ("graffiti", "allotment")
  say the site lacks it.
- **The bot's own confidence** in its answer (0 for a question it declined).
- **The index now**: the question searched for again at report time (``retrieved``): how close
  the closest section is, and the share of its words the closest sections hold.

A logistic model weighs the three (``WEIGHTS``, fitted by ``python -m eval.gapmeasure --fit`` on
the tuning half of the labelled log ``eval/gaplog``; figures on both halves in docs/quality.md).
A topic is the bot's miss when its questions' mean chance reaches ``TOPIC_MISSED``; a question
whose own chance reaches ``QUESTION_MISSED`` is the bot's miss wherever it is grouped."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from askcouncil.text import INTENT, tokens

NEIGHBOURS = 5
NEAR = 0.5  # cosine similarity of a neighbour worth counting
# the chance that the site has it: intercept, then answered nearby, page words, confidence, the
# closest section's similarity and the share of its words the closest sections hold
WEIGHTS = (-3.49, 3.35, 2.07, 0.82, 1.91, 2.52)
SECTIONS = 3  # the closest sections searched for each question
TOPIC_MISSED = 0.45  # a topic whose questions' mean chance reaches this is the bot's miss
QUESTION_MISSED = 0.5  # a question whose own chance reaches this is, wherever it is grouped
COMMON = 0.1  # a word in more than this share of the site's sections picks no pages
BATCH = 128  # questions compared at a time (bounded memory)

SITE_LACKS = "site lacks"
BOT_MISSED = "bot missed"


@dataclass
class SitePages:
    """The site's words: which pages use each (stemmed) word, and how many sections do."""

    pages: dict[str, set[str]] = field(default_factory=dict)  # stem -> urls
    titles: dict[str, str] = field(default_factory=dict)
    sections_using: Counter[str] = field(default_factory=Counter)
    sections: int = 0

    @staticmethod
    def of(chunks: Iterable[Any]) -> SitePages:  # noqa: ANN401 - askcouncil.chunks.Chunk
        site = SitePages()
        for c in chunks:
            stems = set(tokens(f"{c.title} {c.section} {c.text}"))
            for s in stems:
                site.pages.setdefault(s, set()).add(c.url)
            site.titles.setdefault(c.url, c.title)
            site.sections_using.update(stems)
            site.sections += 1
        return site

    def idf(self, stem: str) -> float:
        df = self.sections_using.get(stem, 0)
        return math.log(1 + (self.sections - df + 0.5) / (df + 0.5))

    def best_page(self, text: str) -> tuple[str | None, float]:
        """The page holding the largest share of the text's topic words (weighted by rarity on
        the site), and the share. Only pages using one of its less common words compete."""
        stems = set(tokens(text)) - INTENT
        weight = {s: self.idf(s) for s in stems}
        total = sum(weight.values())
        if not total:
            return None, 0.0
        rare = [s for s in stems if 0 < self.sections_using.get(s, 0) <= COMMON * self.sections]
        candidates = set().union(*(self.pages[s] for s in rare)) if rare else set()
        scores: dict[str, float] = defaultdict(float)
        for s, w in weight.items():
            for url in self.pages.get(s, set()) & candidates:
                scores[url] += w
        if not scores:
            return None, 0.0
        url = max(scores, key=lambda u: (scores[u], u))
        return url, scores[url] / total


def answered_nearby(vectors: np.ndarray, answered: np.ndarray, pages: list[dict[str, Any] | None]
                    ) -> tuple[np.ndarray, list[dict[str, Any] | None]]:
    """For each unanswered question (``vectors``, unit rows), the share of its nearest
    neighbours among the others and the answered ones (``answered``, unit rows, answered from
    ``pages``) that were answered, and the page most of those were answered from."""
    n = len(vectors)
    shares = np.zeros(n)
    found: list[dict[str, Any] | None] = [None] * n
    for start in range(0, n, BATCH):
        rows = range(start, min(n, start + BATCH))
        sims = vectors[start:start + BATCH] @ vectors.T
        sims[np.arange(len(rows)), list(rows)] = -1.0  # not itself
        if len(answered):
            sims = np.hstack([sims, vectors[start:start + BATCH] @ answered.T])
        k = min(NEIGHBOURS, sims.shape[1])
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for r, i in enumerate(rows):
            near = [j for j in nearest[r] if sims[r, j] >= NEAR]
            hits = [j - n for j in near if j >= n]
            shares[i] = len(hits) / len(near) if near else 0.0
            votes = Counter(p["url"] for j in hits if (p := pages[j]))
            if votes:
                url = votes.most_common(1)[0][0]
                found[i] = next(p for j in hits if (p := pages[j]) and p["url"] == url)
    return shares, found


def retrieved(texts: list[str], vectors: np.ndarray, index: Any, site: SitePages,  # noqa: ANN401
              ) -> tuple[np.ndarray, np.ndarray]:
    """For each question, searched for in the index now: the similarity of the closest section,
    and the share of its topic words (weighted by rarity) the three closest sections hold."""
    sims, held = np.zeros(len(texts)), np.zeros(len(texts))
    for start in range(0, len(texts), BATCH):
        part = vectors[start:start + BATCH]
        for i, hits in enumerate(index.query_many(part.tolist(), SECTIONS), start=start):
            if not hits:
                continue
            sims[i] = hits[0].similarity
            wanted = set(tokens(texts[i])) - INTENT
            weight = {s: site.idf(s) for s in wanted}
            have = set().union(*(tokens(f"{h.chunk.title} {h.chunk.section} {h.chunk.text}")
                                 for h in hits))
            total = sum(weight.values())
            held[i] = sum(w for s, w in weight.items() if s in have) / total if total else 0.0
    return sims, held


def chance(nearby: float, page_words: float, confidence: float, similarity: float,
           held: float) -> float:
    """The chance that the site has the answer to a question the bot left unanswered."""
    b, w_near, w_words, w_conf, w_sim, w_held = WEIGHTS
    z = (b + w_near * nearby + w_words * page_words + w_conf * confidence + w_sim * similarity
         + w_held * held)
    return 1.0 / (1.0 + math.exp(-z))
