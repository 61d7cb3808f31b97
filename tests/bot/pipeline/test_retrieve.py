"""Step 3, retrieve: dense and keyword candidates fused, at most two a page, in the question's
language; the council's indexes looked up once a turn, and looked up again when the generation
was replaced. Real components: the crawled sample site, Chroma on disk, the embedding model."""

from dataclasses import replace
from typing import Any

import pytest

from askcouncil.chroma import ChromaConnection
from askcouncil.council import Council
from askcouncil.embedding import Embedder
from askcouncil.index import CouncilIndex
from bot.keyword import KeywordIndex
from bot.pipeline import run_pipeline
from bot.pipeline.context import Status, TurnContext
from bot.pipeline.retrieve import MAX_PER_PAGE, NOTHING_INDEXED, retrieve
from bot.services import Services

GARDEN = "How much does a garden waste subscription cost?"


class Counting(Services):
    """The real services, counting look-ups; ``replaced`` makes every live index one that no
    longer exists (a crawl published two generations since the keyword index was built)."""

    def __init__(self, embedder: Embedder, chroma: ChromaConnection, *,
                 replaced: bool = False) -> None:
        super().__init__(embedder, chroma)
        self.calls: list[str] = []
        self.replaced = replaced

    def keyword(self, slug: str) -> tuple[KeywordIndex, dict[str, Any]]:
        self.calls.append("keyword")
        return super().keyword(slug)

    def index(self, slug: str) -> CouncilIndex:
        self.calls.append("index")
        if self.replaced:
            return CouncilIndex(self.chroma.client(), slug, live=f"council-{slug}--999")
        return super().index(slug)

    def forget(self, slug: str) -> None:
        self.calls.append("forget")
        super().forget(slug)


@pytest.fixture
def services(crawled, embedder) -> Counting:
    return Counting(embedder, ChromaConnection(crawled[0]))


def searched(services: Services, question: str, council: Council | None = None) -> TurnContext:
    ctx = TurnContext(question, council or services.council("kestrelford"))
    ctx.question = ctx.query = question
    retrieve(ctx, services)
    return ctx


def test_candidates_fuse_dense_and_keyword_search(services, sample_site) -> None:
    ctx = searched(services, GARDEN)
    top = ctx.candidates[0]
    assert top.chunk.url.endswith("/bins-and-recycling/garden-waste.html")
    assert top.similarity is not None and top.keyword_score is not None  # found by both
    assert len(ctx.candidates) == ctx.council.retrieval.top_k
    fused = [c.fused for c in ctx.candidates]
    assert fused == sorted(fused, reverse=True)
    pages = [c.chunk.url for c in ctx.candidates]
    assert max(pages.count(p) for p in pages) == MAX_PER_PAGE  # the garden waste page, twice
    assert ctx.similarities[top.chunk.id] == top.similarity
    assert ctx.query_embedding is not None
    assert ctx.site_base == sample_site.rstrip("/")  # from the crawl, for the handoff links
    assert all(c.chunk.lang == "en" for c in ctx.candidates)


def test_a_welsh_question_gets_welsh_pages(services) -> None:
    ctx = searched(services, "Faint mae tanysgrifiad gwastraff gardd yn ei gostio?")
    assert ctx.candidates and all(c.chunk.lang == "cy" for c in ctx.candidates)
    assert "/cy/" in ctx.candidates[0].chunk.url


def test_keyword_mode_still_gives_each_candidate_its_similarity(services) -> None:
    council = services.council("kestrelford")
    council = replace(council, retrieval=replace(council.retrieval, mode="keyword"))
    ctx = searched(services, GARDEN, council)
    assert ctx.candidates[0].chunk.url.endswith("/garden-waste.html")
    assert all(c.keyword_score is not None for c in ctx.candidates)
    assert all(c.similarity is not None for c in ctx.candidates)
    assert set(ctx.similarities) == {c.chunk.id for c in ctx.candidates}


def test_the_indexes_are_looked_up_once_a_turn(services) -> None:
    ctx = TurnContext(GARDEN, services.council("kestrelford"))
    run_pipeline(ctx, services)
    assert ctx.status is Status.ANSWERED and "£49" in ctx.answer
    assert services.calls == ["keyword", "index"]  # by contextualise; the others read ctx
    assert ctx.index is not None and ctx.index.exists()


def test_a_turn_asks_chroma_for_its_generation_once(services, monkeypatch) -> None:
    """A turn's index is pinned to one generation: Chroma is asked for that collection once
    (the search, and the sibling sections' similarities, reuse it), not for every read."""
    services.keyword("kestrelford")  # as the bot does at start-up
    client = services.chroma.client()
    asked: list[str] = []
    real = client.get_collection

    def get_collection(name: str, **kwargs: Any) -> Any:  # noqa: ANN401 - Chroma's own type
        asked.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(client, "get_collection", get_collection)
    ctx = TurnContext(GARDEN, services.council("kestrelford"))
    run_pipeline(ctx, services)
    assert ctx.status is Status.ANSWERED and "£49" in ctx.answer
    assert len(asked) == 1 and asked[0].startswith("council-kestrelford--")


def test_a_replaced_generation_is_looked_up_again(services) -> None:
    ctx = TurnContext(GARDEN, services.council("kestrelford"))
    ctx.question = ctx.query = GARDEN
    ctx.keyword, _site = services.keyword("kestrelford")
    ctx.index = CouncilIndex(services.chroma.client(), "kestrelford", live="council-x--999")
    services.calls.clear()
    retrieve(ctx, services)
    assert services.calls == ["forget", "keyword", "index"]
    assert ctx.index.exists() and ctx.candidates and ctx.site_base


def test_no_live_index_even_after_looking_again_is_an_error(crawled, embedder) -> None:
    services = Counting(embedder, ChromaConnection(crawled[0]), replaced=True)
    ctx = searched(services, GARDEN)
    assert services.calls == ["keyword", "index", "forget", "keyword", "index"]
    assert ctx.status is Status.ERROR and ctx.answer == NOTHING_INDEXED
    assert ctx.candidates == [] and ctx.site_base is None
