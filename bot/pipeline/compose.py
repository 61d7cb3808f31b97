"""Step 5: compose an answer without an LLM, using only sentences of the retrieved sections.

Each chunk is cut into units: single sentences, or a whole list with its lead-in line (so steps
stay intact). Units are scored by similarity to the question, shared words and a small bonus
when the question asks for a fee, date or phone number and the unit holds one. The best unit
and the close runners-up are kept, in their order on the page, within the word budget.
"""

from __future__ import annotations

import re

from bot.pipeline.context import Status, TurnContext, Unit
from bot.pipeline.decide import NO_ANSWER_REPLY, keyword_overlap
from bot.services import Services
from bot.text import sentences

LIST_ITEM = re.compile(r"^(- |\d+\. )")
CHUNKS_CONSIDERED = 5  # candidates whose sections may be quoted
CHUNKS_USED = 2  # sections one answer may quote
MARGIN = 0.08  # a second section must score within this of the best
WANTS = [
    (re.compile(r"\b(how much|cost|costs|fee|fees|price|charge|charges|pay)\b", re.I),
     re.compile(r"£\s?\d|\bfree\b", re.I)),
    (re.compile(r"\b(when|deadline|closing date|date|how long|days?|weeks?)\b", re.I),
     re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
                r"October|November|December)\b|\b\d+ (working |calendar |school )?"
                r"(days?|weeks?|months?|years?)\b", re.I)),
    (re.compile(r"\b(phone|call|number|ring|telephone|contact|report)\b", re.I),
     re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b")),
    (re.compile(r"\b(open|opening|hours|times|close)\b", re.I),
     re.compile(r"\b\d{1,2}(:\d\d)?\s?(am|pm)\b", re.I)),
]


def split_units(text: str) -> list[str]:
    units: list[str] = []
    lines = [line for line in text.split("\n") if line.strip()]
    i = 0
    while i < len(lines):
        if LIST_ITEM.match(lines[i]):
            j = i
            while j < len(lines) and LIST_ITEM.match(lines[j]):
                j += 1
            block = "\n".join(lines[i:j])
            if units and units[-1].endswith(":"):
                units[-1] = units[-1] + "\n" + block
            else:
                units.append(block)
            i = j
        else:
            units.extend(sentences(lines[i]))
            i += 1
    return units


def _bonus(question: str, unit: str) -> float:
    return sum(0.08 for asks, holds in WANTS if asks.search(question) and holds.search(unit))


def compose(ctx: TurnContext, services: Services) -> None:
    """Pick the section that best answers, give it whole when it fits (trimmed to its best
    sentences when not), and add a close runner-up section if the word budget allows."""
    cands = ctx.candidates[:CHUNKS_CONSIDERED]
    units: list[Unit] = []
    for rank, cand in enumerate(cands):
        for order, text in enumerate(split_units(cand.chunk.text)):
            units.append(Unit(text, cand.chunk, rank, order))
    if not units or ctx.query_embedding is None:
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
        return
    vectors = services.embedder.embed_documents([f"{u.chunk.section}: {u.text}" for u in units])
    q = ctx.query_embedding
    for unit, vec in zip(units, vectors, strict=True):
        cosine = sum(a * b for a, b in zip(q, vec, strict=True))
        unit.score = cosine + 0.25 * keyword_overlap(ctx.query, [unit.text]) + _bonus(
            ctx.question, unit.text)

    scored = []
    for rank, cand in enumerate(cands):
        mine = [u for u in units if u.rank == rank]
        if not mine:
            continue
        best_unit = max(u.score for u in mine)
        sim = cand.similarity if cand.similarity is not None else best_unit
        chunk = cand.chunk
        score = (
            sim
            + 0.5 * best_unit
            + 0.3 * keyword_overlap(ctx.query, [chunk.title, chunk.section, chunk.text])
            + _bonus(ctx.question, chunk.text)
        )
        scored.append((score, rank, mine))
    scored.sort(key=lambda x: x[0], reverse=True)

    budget = ctx.council.retrieval.max_answer_words
    chosen: list[Unit] = []
    top_score = scored[0][0]
    for n, (score, _rank, mine) in enumerate(scored[:CHUNKS_USED]):
        if n > 0 and score < top_score - MARGIN:
            break
        left = budget - sum(len(u.text.split()) for u in chosen)
        taken = _fit(mine, left) if n == 0 else [u for u in _fit(mine, left)
                                                 if u.score >= max(x.score for x in mine) - 0.05]
        chosen += [u for u in taken if all(u.text != c.text for c in chosen)]
    chosen += _fill_unmet_wants(ctx.question, chosen, scored, budget)
    ctx.units = chosen


def _fill_unmet_wants(
    question: str, chosen: list[Unit], scored: list[tuple[float, int, list[Unit]]], budget: int
) -> list[Unit]:
    """The question asks for a fee, date, phone number or hours the answer does not yet hold:
    add the best unit that holds it, from a section of the same page or one scoring close to
    the best ("How do I get a dropped kerb and what does it cost?")."""
    text = " ".join(u.text for u in chosen)
    pages = {u.chunk.url for u in chosen}
    left = budget - len(text.split())
    extra: list[Unit] = []
    for asks, holds in WANTS:
        if not asks.search(question) or holds.search(text):
            continue
        for score, _rank, mine in scored:
            if mine[0].chunk.url not in pages and score < scored[0][0] - 2 * MARGIN:
                continue
            fits = [u for u in mine if holds.search(u.text) and len(u.text.split()) <= left
                    and all(u.text != c.text for c in chosen + extra)]
            if fits:
                best = max(fits, key=lambda u: u.score)
                extra.append(best)
                left -= len(best.text.split())
                text += " " + best.text
                break
    return extra


def _fit(units: list[Unit], budget: int) -> list[Unit]:
    """All the units if they fit the budget; else a window around the best unit, with its
    lead-in line, growing forward first (details usually follow the sentence that matched)."""
    units = sorted(units, key=lambda u: u.order)
    if sum(len(u.text.split()) for u in units) <= budget:
        return units
    best = max(range(len(units)), key=lambda i: units[i].score)
    lo, hi = best, best + 1
    used = len(units[best].text.split())
    if lo > 0 and units[lo - 1].text.endswith(":"):
        lo -= 1
        used += len(units[lo].text.split())
    while True:
        grew = False
        for side in ("forward", "back"):
            i = hi if side == "forward" else lo - 1
            if 0 <= i < len(units) and used + len(units[i].text.split()) <= budget:
                used += len(units[i].text.split())
                hi, lo = (hi + 1, lo) if side == "forward" else (hi, lo - 1)
                grew = True
                break
        if not grew:
            return units[lo:hi]
