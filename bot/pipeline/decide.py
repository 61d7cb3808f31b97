"""Step 4: answer, or say plainly that the website does not answer it.

Two signals, both calibrated on the development questions (see docs/quality.md):
- ``similarity``: the best dense cosine similarity among the top candidates;
- ``coverage``: the share of the question's words, weighted by how rare each is on the site
  (IDF), found in one of the top chunks. A question about swimming pools on a site with no
  leisure pages shares only common words ("open", "time") with it, so its coverage is low.
Answer when coverage is high enough and similarity is fair, or when similarity alone is high.

Then one check of what is asked: a question asking for opening hours, a phone number or a price
is declined when no section about its topic, on a page retrieval found close to it, holds one
(a news item saying "the recycling centres are open" does not give their opening hours).
"""

from __future__ import annotations

from askcouncil.chunks import Chunk
from bot.keyword import KeywordIndex
from bot.pipeline import facts
from bot.pipeline.context import Status, TurnContext
from bot.pipeline.replies import NO_ANSWER_REPLY
from bot.services import Services
from bot.text import INTENT, tokens

ON_TOPIC = 0.3  # share of the question's topic words a section must hold to answer a demand
NEARBY = 0.1  # pages this far below min_similarity still count as retrieved for the answer


def coverage(query: str, text: str, keyword: KeywordIndex) -> float:
    wanted = set(tokens(query)) - INTENT
    if not wanted:
        return 0.0
    have = set(tokens(text))
    total = sum(keyword.idf(t) for t in wanted)
    return sum(keyword.idf(t) for t in wanted & have) / total if total else 0.0


# Questions that ask for one kind of fact. If no retrieved page holds a fact of that kind, the
# site does not answer them, however close its pages are ("opening hours of the tip" against a
# news item saying the tip is open).
DEMANDS = [
    ("opening hours", facts.ASKS_HOURS, facts.TIME_OF_DAY),
    ("a phone number", facts.ASKS_PHONE, facts.PHONE),
    ("a price", facts.ASKS_PRICE, facts.GIVES_PRICE),
]


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


def decide(ctx: TurnContext, services: Services) -> None:
    tuning = ctx.council.retrieval
    keyword, _index = ctx.indexes(services)
    sims = [c.similarity for c in ctx.candidates if c.similarity is not None]
    best_sim = max(sims, default=0.0)
    cover = max(
        (coverage(ctx.query, f"{c.chunk.title} {c.chunk.section} {c.chunk.text}", keyword)
         for c in ctx.candidates[:3]),
        default=0.0,
    )
    ctx.confidence = round(best_sim, 4)
    ctx.signals = {"similarity": round(best_sim, 4), "coverage": round(cover, 4)}
    confident = (best_sim >= tuning.min_similarity and cover >= tuning.min_coverage) or (
        best_sim >= tuning.sure_similarity
    )
    if not confident:
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
        return
    # the pages an answer could quote: those retrieval found fairly close to the question
    pages = {c.chunk.url for c in ctx.candidates
             if c.similarity is not None and c.similarity >= tuning.min_similarity - NEARBY}
    missing = unmet_demand(ctx.asking, ctx.query,
                           [c for url in pages for c in keyword.page_chunks(url)], keyword)
    if missing:
        ctx.notes.append(f"declined: asks for {missing}; no retrieved page gives one")
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
