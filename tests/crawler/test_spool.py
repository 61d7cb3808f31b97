"""Pages spooled to disk as they are read: a crawl's memory does not grow with the site's text,
the pages read back are the pages read, and nothing is left on disk afterwards."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest

from askcouncil.devsite import start_site_server
from crawler.ahead import EmbedAhead
from crawler.chunk import chunk_page, page_hash
from crawler.crawl import CrawlOptions, CrawlReport, fetch_site, kept_pages
from crawler.extract import Page, extract_html
from crawler.spool import PageSpool, blocks_of

WORDS = ("bin collection council tax planning permission parking permit library housing "
         "benefit school admission pothole licence recycling garden waste noise complaint "
         "register birth death marriage grant adult social care blue badge footpath").split()


def _paragraphs(rng: random.Random, n: int, words: int = 60) -> str:
    return "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(words))} {rng.random()}.</p>"
                   for _ in range(n))


def _site(root: Path, pages: int, paragraphs: int, words: int = 60) -> int:
    """A site of ``pages`` pages of unique text linked from the home page; its text's size."""
    rng = random.Random(pages)
    root.mkdir()
    links = "".join(f"<a href='/p{i}.html'>Page {i}</a>" for i in range(pages))
    (root / "index.html").write_text(f"<html><head><title>Home</title></head><body><main>"
                                     f"<h1>Home</h1><p>Our services.</p>{links}</main></body>"
                                     "</html>")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    size = 0
    for i in range(pages):
        body = _paragraphs(rng, paragraphs, words)
        size += len(body)
        (root / f"p{i}.html").write_text(
            f"<html><head><title>Page {i}</title></head><body><main><h1>Page {i}</h1>"
            f"<h2 id='a'>About</h2>{body}</main></body></html>")
    return size


def _pages(rng: random.Random, count: int, paragraphs: int) -> list[Page]:
    """``count`` extracted pages of ``paragraphs`` paragraphs each."""
    return [extract_html(f"<html><head><title>T{i}</title></head><body><main><h1>T{i}</h1>"
                         f"{_paragraphs(rng, paragraphs)}</main></body></html>", f"http://x/{i}")
            for i in range(count)]


def _spool_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("askcouncil-pages-*")}


def test_pages_read_back_from_the_spool_are_the_pages_read() -> None:
    pages = _pages(random.Random(1), 5, 30)
    before = _spool_folders()
    spool = PageSpool()
    for p in pages:
        spool.append(p)
    assert len(spool) == 5 and list(spool) == pages and spool[3] == pages[3]
    assert [spool.chunks(i) for i in range(5)] == [chunk_page(p) for p in pages]
    assert [(s.url, s.page_hash, s.chunks, s.blocks) for s in spool.summaries] == [
        (p.url, page_hash(p), len(chunk_page(p)), blocks_of(p)) for p in pages]
    with pytest.raises(IndexError):
        spool[5]
    mine = _spool_folders() - before
    assert len(mine) == 1
    spool.close()
    assert not mine & _spool_folders()


def _read(root: Path) -> tuple[PageSpool, int]:
    """The site read by ``fetch_site``, and Python's peak allocations meanwhile."""
    server, url = start_site_server(root)
    try:
        tracemalloc.start()
        pages, report = asyncio.run(fetch_site(url, CrawlOptions(
            user_agent="AskCouncilBot/test", delay_s=0.0, progress=False)))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        server.shutdown()
    assert report.pages_fetched == len(pages)
    return pages, peak


def test_a_crawls_memory_does_not_grow_with_the_sites_text(tmp_path) -> None:
    """Reading four times the pages, Python's allocations at their peak grow by well under half
    the extra text (held in memory, every page would add about twice its text)."""
    small_text = _site(tmp_path / "small", pages=40, paragraphs=30, words=200)
    large_text = _site(tmp_path / "large", pages=160, paragraphs=30, words=200)
    _read(tmp_path / "small")[0].close()  # once before measuring: one-time allocations
    small, small_peak = _read(tmp_path / "small")
    large, large_peak = _read(tmp_path / "large")
    assert isinstance(large, PageSpool) and (len(small), len(large)) == (41, 161)
    assert large_peak - small_peak < 0.5 * (large_text - small_text), (small_peak, large_peak)
    assert len(kept_pages(large.summaries, CrawlReport("x"))) == 161
    small.close()
    large.close()


def test_a_failed_index_update_leaves_no_spool_behind(tmp_path, sample_site) -> None:
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings
    from crawler.crawl import crawl

    class Broken:
        name = "broken"

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            raise RuntimeError("the model fell over")

        def embed_query(self, text: str) -> list[float]:
            raise RuntimeError("the model fell over")

    settings = Settings(data_dir=tmp_path, _env_file=None)
    before = _spool_folders()
    with pytest.raises(RuntimeError, match="fell over"):
        crawl(sample_site, CouncilIndex(open_chroma(settings), "spool"), Broken(),
              CrawlOptions(user_agent="AskCouncilBot/test", delay_s=0.0, progress=False))
    assert not _spool_folders() - before


class _Slow:
    """A model that takes its time: 0.2 s a batch, counting what it embeds."""

    def __init__(self) -> None:
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(0.2)
        self.texts += len(texts)
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(len(text)), 1.0]


def test_embedding_ahead_keeps_each_page_s_vectors_and_stops_when_told() -> None:
    pages = _pages(random.Random(2), 12, 6)
    spool = PageSpool()
    model = _Slow()
    unchanged = {pages[0].url: page_hash(pages[0])}  # the live index has page 0 as it is
    ahead = EmbedAhead(model, unchanged, batch=4)
    ahead.start(spool)
    for n, page in enumerate(pages[:6]):
        spool.append(page)
        ahead.offer(n)
    ahead.stop()  # waits for every page offered
    assert spool.vectors(0) is None  # carried over by the index update, never embedded
    for n in range(1, 6):
        chunks = spool.chunks(n)
        assert spool.vectors(n) == [[float(len(c.embed_text)), 1.0] for c in chunks]
    assert ahead.chunks == model.texts == sum(len(spool.chunks(n)) for n in range(1, 6))

    again = EmbedAhead(model, {}, batch=1)  # one page a batch, 0.2 s each
    again.start(spool)
    for n, page in enumerate(pages[6:], start=6):
        spool.append(page)
        again.offer(n)
    began = time.monotonic()
    again.abandon()  # the crawl was stopped: only the batch in hand is finished
    assert time.monotonic() - began < 0.6
    assert sum(spool.vectors(n) is not None for n in range(6, 12)) <= 2
    spool.close()
