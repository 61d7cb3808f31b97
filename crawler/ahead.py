"""Embedding while the crawl is still fetching.

A crawl spends most of its fetching time waiting: on the site, and on the polite delay between
requests (0.05 s a page: over eight minutes for a 10,000-page site), while the embedding that
follows keeps both cores busy for much longer. ``EmbedAhead`` embeds each new or changed page on
a thread of its own as soon as it is spooled, and stores the vectors in the spool beside the
page; the index update then writes those instead of embedding the page again. Nothing is
decided here: a page embedded ahead that turns out to be a duplicate only cost the time. A
failure here is logged and leaves the pages not yet embedded to the index update."""

from __future__ import annotations

import logging
import queue
import threading
import time

from askcouncil.embedding import Embedder
from crawler.spool import PageSpool

log = logging.getLogger(__name__)


class EmbedAhead:
    """Embeds the spooled pages it is offered, ``batch`` chunks at a time, on one thread.
    ``live`` maps each page URL the live index holds to its page hash, ``staged`` each page an
    unfinished generation holds to its hash and chunk count: the index update carries those
    over or leaves them, never embeds them, so they are not offered to the model."""

    def __init__(self, embedder: Embedder, live: dict[str, str],
                 staged: dict[str, tuple[str, int]] | None = None, batch: int = 64) -> None:
        self.embedder = embedder
        self.live = live
        self.staged = staged or {}
        self.batch = max(1, batch)
        self.chunks = 0  # chunks embedded
        self.seconds = 0.0  # time spent embedding
        self._spool: PageSpool | None = None
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._abandoned = threading.Event()

    def start(self, spool: PageSpool) -> None:
        self._spool = spool
        self._thread = threading.Thread(target=self._run, name="embed-ahead", daemon=True)
        self._thread.start()

    def offer(self, n: int) -> None:
        """The ``n``-th page of the spool has just been spooled."""
        spool = self._spool
        if spool is None or self._stopping.is_set():
            return
        page = spool.summaries[n]
        if page.chunks and self.live.get(page.url) != page.page_hash and \
                self.staged.get(page.url) != (page.page_hash, page.chunks):
            self._queue.put(n)

    def stop(self) -> None:
        """Stop taking pages and wait until those offered are embedded (the fetching is over:
        the cores are the model's either way). Safe to call twice."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def abandon(self) -> None:
        """Stop now (the crawl failed or was told to stop): wait only for the batch being
        embedded."""
        self._abandoned.set()
        self.stop()

    def _run(self) -> None:
        assert self._spool is not None
        spool = self._spool
        ending = False
        while not ending:
            first = self._queue.get()
            if first is None or self._abandoned.is_set():
                return
            batch, size = [first], spool.summaries[first].chunks
            while size < self.batch:  # more of what is already waiting, up to a batch
                try:
                    n = self._queue.get_nowait()
                except queue.Empty:
                    break
                if n is None:
                    ending = True
                    break
                batch.append(n)
                size += spool.summaries[n].chunks
            try:
                self._embed(spool, batch)
            except Exception:  # the index update embeds these pages instead
                log.exception("embedding ahead of the index update failed; it goes on later")
                return

    def _embed(self, spool: PageSpool, batch: list[int]) -> None:
        chunks = [spool.chunks(n) for n in batch]
        began = time.monotonic()
        vectors = self.embedder.embed_documents([c.embed_text for cs in chunks for c in cs])
        self.seconds += time.monotonic() - began
        at = 0
        for n, cs in zip(batch, chunks, strict=True):
            spool.put_vectors(n, vectors[at:at + len(cs)])
            at += len(cs)
        self.chunks += at
