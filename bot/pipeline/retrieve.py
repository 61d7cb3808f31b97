"""Step 3: hybrid retrieval. Dense (Chroma, cosine) and keyword (BM25) candidates fused by
reciprocal rank fusion, weighted by page type when the council file says so, kept to the
question's language, then at most two chunks a page and no near-duplicate text, so that one page
or a block repeated across pages cannot crowd out the rest."""

from __future__ import annotations

from askcouncil.language import looks_welsh
from bot.pipeline.context import Candidate, Status, TurnContext
from bot.services import Services
from bot.text import tokens

MAX_PER_PAGE = 2
NEAR_DUPLICATE = 0.9  # share of words two sections have in common (Jaccard) to count as one
NOTHING_INDEXED = (
    "I can't search the council's website yet because it has not been indexed. "
    "Please contact the council instead."
)


def retrieve(ctx: TurnContext, services: Services) -> None:
    tuning = ctx.council.retrieval
    keyword, index = ctx.indexes(services)
    if not index.exists():  # the generation was replaced twice since we looked: look again
        keyword, index = ctx.indexes(services, again=True)
        if not index.exists():
            ctx.stop(Status.ERROR, NOTHING_INDEXED)
            return
    # the council's own site (its file's, when it lists several): its lines' links are on it
    ctx.site_base = ctx.council.own_url or ctx.site.get("base_url")
    ctx.query_embedding = services.embedder.embed_query(ctx.query)
    dense = index.query(ctx.query_embedding, tuning.candidates) if tuning.mode != "keyword" else []
    sparse = keyword.search(ctx.query, tuning.candidates) if tuning.mode != "dense" else []

    ctx.similarities = {hit.chunk.id: hit.similarity for hit in dense}
    by_id: dict[str, Candidate] = {}
    for rank, hit in enumerate(dense):
        by_id[hit.chunk.id] = Candidate(hit.chunk, hit.similarity, None,
                                        1.0 / (tuning.rrf_k + rank + 1))
    for rank, (chunk, score) in enumerate(sparse):
        cand = by_id.setdefault(chunk.id, Candidate(chunk, None, None, 0.0))
        cand.keyword_score = score
        cand.fused += 1.0 / (tuning.rrf_k + rank + 1)

    if tuning.page_weights:  # page types counted up or down (council file)
        for cand in by_id.values():
            cand.fused *= tuning.page_weight(cand.chunk.url)
    ranked = sorted(by_id.values(), key=lambda c: c.fused, reverse=True)
    # Answer in the question's language: a Welsh page never slips into an English answer.
    lang = "cy" if looks_welsh(ctx.question) else "en"
    same_lang = [c for c in ranked if c.chunk.lang == lang]
    if same_lang:
        ranked = same_lang
    elif ranked:
        ctx.notes.append(f"no pages in language {lang!r}; using the others")
    per_page: dict[str, int] = {}
    kept: list[Candidate] = []
    seen: list[tuple[set[str], str | None]] = []
    # Sites covering different parts of the council's area (a new unitary's predecessors')
    # publish near-copies that differ in the figure that matters: each area's copy stays.
    by_area = any(site.area for site in ctx.council.sites)
    for cand in ranked:
        if len(kept) >= tuning.top_k:
            break
        if per_page.get(cand.chunk.url, 0) >= MAX_PER_PAGE:
            continue
        words = set(tokens(cand.chunk.text))
        site = ctx.council.site_for(cand.chunk.url) if by_area else None
        area = site.area if site else None
        if any(_near_duplicate(words, other) and area == where for other, where in seen):
            continue  # the same text on another page (a shared block, a copied paragraph)
        per_page[cand.chunk.url] = per_page.get(cand.chunk.url, 0) + 1
        kept.append(cand)
        seen.append((words, area))
    ctx.candidates = kept
    if tuning.mode == "keyword":  # the decision still needs each candidate's similarity
        sims = index.similarities(ctx.query_embedding, [c.chunk.id for c in ctx.candidates])
        for cand in ctx.candidates:
            cand.similarity = sims.get(cand.chunk.id)
        ctx.similarities = sims


def _near_duplicate(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE
