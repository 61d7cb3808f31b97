"""Step 4: answer, or say plainly that the website does not answer it.

Two signals, both calibrated on the development questions (see docs/quality.md):
- ``similarity``: the best dense cosine similarity among the top candidates;
- ``coverage``: the share of the question's words, weighted by how rare each is on the site
  (IDF), found in one of the top chunks. A question about swimming pools on a site with no
  leisure pages shares only common words ("open", "time") with it, so its coverage is low.
Answer when coverage is high enough and similarity is fair, or when similarity alone is high.
"""

from __future__ import annotations

from bot.keyword import KeywordIndex
from bot.pipeline.context import Status, TurnContext
from bot.services import Services
from bot.text import INTENT, tokens

NO_ANSWER_REPLY = "I couldn't find an answer to that on the council's website."


def keyword_overlap(query: str, texts: list[str]) -> float:
    wanted = set(tokens(query))
    if not wanted:
        return 0.0
    have = set(tokens(" ".join(texts)))
    return len(wanted & have) / len(wanted)


def coverage(query: str, text: str, keyword: KeywordIndex) -> float:
    wanted = set(tokens(query)) - INTENT
    if not wanted:
        return 0.0
    have = set(tokens(text))
    total = sum(keyword.idf(t) for t in wanted)
    return sum(keyword.idf(t) for t in wanted & have) / total if total else 0.0


def decide(ctx: TurnContext, services: Services) -> None:
    tuning = ctx.council.retrieval
    keyword, _site = services.keyword(ctx.council.slug)
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
