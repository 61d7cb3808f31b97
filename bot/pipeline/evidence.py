"""What retrieval found, as numbers the decision weighs: how close, how much of the question the
best sections hold, whether their headings name it, whether the site knows its words at all, and
whether a page close to it gives the kind of fact it asks for.

Each signal alone is weak (dense similarity 0.41-0.55 holds both answerable and unanswerable
questions on realpages); ``decide`` weighs them together with a logistic model fitted on the
tuning questions (``eval/calibrate.py``, ``decision.json``). The signals are all in 0-1 or small
counts, so one council's model carries to another's site.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from askcouncil.chunks import Chunk
from bot.keyword import KeywordIndex
from bot.pipeline import facts
from bot.pipeline.context import Candidate
from bot.text import INTENT, tokens

ON_TOPIC = 0.5  # share of the question's topic words a section must hold to answer a demand
NEAR_PAGE = 0.4  # a page retrieved at least this close may hold the fact a question demands
TOP = 3  # the candidates whose text counts for coverage, headings and phrases

# The signals, and which way each should push the decision: +1 towards answering, -1 towards
# declining. A model that weighs one the other way has learnt how its questions were written (in
# the residents' set, long stories are answerable and carry words the site never uses), not what
# makes a question answerable, and ``eval.calibrate`` leaves that signal out. ``topic_words``
# (how many words the question has) and ``asks_fact`` (it asks for a fee, a number, hours or a
# date) describe the question, not the evidence: measured for the record, with no right direction
# (in the tuning set, near-miss questions ask for facts more often than others do; residents
# at large need not).
SIGNS = {"similarity": 1, "second_similarity": 1, "coverage": 1, "question_coverage": 1,
         "heading": 1, "phrase": 1, "keyword": 1, "unknown_words": -1, "same_page": 1,
         "asks_fact": 0, "unmet_demand": -1, "topic_words": 0, "spread": 1,
         "title_similarity": 1}
NAMES = tuple(SIGNS)

# Questions that ask for one kind of fact. If no retrieved page holds a fact of that kind, the
# site does not answer them, however close its pages are ("opening hours of the tip" against a
# news item saying the tip is open).
DEMANDS = [
    ("opening hours", facts.ASKS_HOURS, facts.TIME_OF_DAY),
    ("a phone number", facts.ASKS_PHONE, facts.PHONE),
    ("a price", facts.ASKS_PRICE, facts.GIVES_PRICE),
    ("a date", facts.ASKS_DATE, facts.GIVES_DATE),
]


def topic_words(text: str) -> set[str]:
    """The question's words that say what it is about ("bulky", "sofa"), not what kind of answer
    it wants ("how much", "opening hours")."""
    return set(tokens(text)) - INTENT


def coverage(query: str, text: str, keyword: KeywordIndex) -> float:
    """The share of the question's topic words, weighted by rarity on the site (IDF), in
    ``text``. A question about swimming pools on a site with no leisure pages shares only common
    words with it."""
    return _covered(topic_words(query), set(tokens(text)), keyword)


def _covered(wanted: set[str], have: set[str], keyword: KeywordIndex) -> float:
    total = sum(keyword.idf(t) for t in wanted)
    return sum(keyword.idf(t) for t in wanted & have) / total if total else 0.0


def unmet_demand(question: str, query: str, chunks: list[Chunk], keyword: KeywordIndex
                 ) -> str | None:
    """The kind of fact the question asks for that no section about its topic holds, if any.
    (A helpline's opening times do not answer "opening hours of the recycling centre".)"""
    for name, asks, holds in DEMANDS:
        if asks.search(question) and not any(
            holds.search(c.text)
            and coverage(query, f"{c.title} {c.section} {c.text}", keyword) >= ON_TOPIC
            for c in chunks
        ):
            return name
    return None


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


def _full(c: Candidate) -> str:
    return f"{c.chunk.title} {c.chunk.section} {c.chunk.text}"


def measure(question: str, query: str, candidates: list[Candidate], keyword: KeywordIndex,
            dense: Iterable[float] = (), titles: Iterable[float] = ()) -> dict[str, float]:
    """The decision's signals for one question (``question``: what it asks; ``query``: what
    retrieval searched for, with synonyms and a follow-up's earlier topic; ``dense``: every
    similarity dense retrieval returned; ``titles``: the question's similarity to the best
    candidates' page titles and headings)."""
    sims = sorted((c.similarity for c in candidates if c.similarity is not None), reverse=True)
    everything = sorted(dense)
    # each of the best sections read once: its words in order (for phrases), as a set, and
    # its title and heading's words
    read = [tokens(_full(c)) for c in candidates[:TOP]]
    texts = [set(words) for words in read]
    heads = [set(tokens(f"{c.chunk.title} {c.chunk.section}")) for c in candidates[:TOP]]
    wanted = topic_words(query)
    total = sum(keyword.idf(t) for t in wanted)
    # the question's words the site never uses, weighted by rarity ("swimming", "pool")
    unknown = sum(keyword.idf(t) for t in wanted if not keyword.known(t)) / total if total else 1.0
    asked = [t for t in tokens(question) if t not in INTENT]
    pairs = _pairs(asked)
    phrase = max((len(pairs & _pairs(words)) / len(pairs) for words in read),
                 default=0.0) if pairs else 0.0
    best_keyword = max((c.keyword_score or 0.0 for c in candidates), default=0.0)
    first = candidates[0].chunk.url if candidates else ""
    near = {c.chunk.url for c in candidates if c.similarity is not None
            and c.similarity >= NEAR_PAGE}
    asks = any(pattern.search(question) for _name, pattern, _holds in DEMANDS)
    unmet = unmet_demand(question, query, [c for url in near for c in keyword.page_chunks(url)],
                         keyword) is not None
    return {
        "similarity": sims[0] if sims else 0.0,
        "second_similarity": sims[1] if len(sims) > 1 else 0.0,
        "coverage": max((_covered(wanted, have, keyword) for have in texts), default=0.0),
        "question_coverage": max((_covered(set(asked), have, keyword) for have in texts),
                                 default=0.0),
        "heading": max((_covered(wanted, have, keyword) for have in heads), default=0.0),
        "phrase": phrase,
        # the best BM25 score over the score of a section holding each topic word once
        "keyword": min(3.0, best_keyword / total) if total else 0.0,
        "unknown_words": unknown,
        "same_page": sum(c.chunk.url == first for c in candidates[:5]) / 5 if first else 0.0,
        "asks_fact": float(asks),
        "unmet_demand": float(unmet),
        "topic_words": math.log1p(len(wanted)),
        # how far the best stands above the run of the site: a question near everything (a
        # council-sounding question on a topic the site lacks) is near nothing in particular
        "spread": (sims[0] - everything[len(everything) // 2]) if sims and everything else 0.0,
        "title_similarity": max(titles, default=0.0),
    }
