"""The outside services one bot process holds: the embedding model, Chroma, council configs and
the keyword index built from each council's chunks (rebuilt when the index changes)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askcouncil.chroma import ChromaConnection
from askcouncil.council import Council, load_council
from askcouncil.embedding import Embedder
from askcouncil.errors import IndexUnavailable
from askcouncil.index import CouncilIndex
from askcouncil.routing import Service, senses_for
from askcouncil.urls import within
from bot.keyword import KeywordIndex
from crawler.draft import contact_page


def no_index_message(council: str) -> str:
    """What to do when a council has nothing indexed (the start-up log, /readyz, the error)."""
    return (f"no index yet for council '{council}': until one is built, every question gets the "
            f"council's contact details instead of an answer. Build it with: "
            f"askcouncil crawl https://COUNCIL-WEBSITE --council {council}")


@dataclass
class _Cached:
    keyword: KeywordIndex
    live: str  # the index generation it was built from
    checked: float
    site: dict[str, Any]


@dataclass
class Services:
    embedder: Embedder
    chroma: ChromaConnection
    councils_dir: Path | None = None
    llm: Any = None  # a LangChain chat model, when ASKCOUNCIL_LLM is set
    llm_settings: Any = None  # the Settings it was made from (deadline, sources)
    refresh_s: float = 30.0  # how often to look for an index generation a crawl published
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _councils: dict[str, Council] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def index(self, slug: str) -> CouncilIndex:
        """The council's live index, pinned to the generation the keyword index was built
        from, so dense and keyword search read the same chunks."""
        cached = self._cache.get(slug)
        return CouncilIndex(self.chroma.client(), slug, live=cached.live if cached else None)

    def sense(self, embedding: list[float]) -> dict[Service, float]:
        """How close a question (the embedding retrieval made of it) is in meaning to each
        service of the catalogue (``routing.Senses``), for ``Council.route``."""
        return senses_for(self.embedder).by_service(embedding)

    def council(self, slug: str) -> Council:
        if slug not in self._councils:
            self._councils[slug] = load_council(slug, self.councils_dir)
        return self._councils[slug]

    def forget(self, slug: str) -> None:
        self._cache.pop(slug, None)

    def keyword(self, slug: str) -> tuple[KeywordIndex, dict[str, Any]]:
        """The BM25 index for a council, rebuilt when a crawl publishes a new generation
        (checked every ``refresh_s`` seconds)."""
        now = time.monotonic()
        cached = self._cache.get(slug)
        if cached and now - cached.checked < self.refresh_s:
            return cached.keyword, cached.site
        with self._lock:
            index = CouncilIndex(self.chroma.client(), slug)
            live = index.live_name()
            if live is None:
                raise IndexUnavailable(no_index_message(slug))
            cached = self._cache.get(slug)
            if cached and cached.live == live:
                cached.checked = now
                return cached.keyword, cached.site
            pinned = CouncilIndex(self.chroma.client(), slug, live=live)
            chunks = pinned.all_chunks()
            # the site's contact page, for a handoff when the council file names none (the
            # council's own site's, when it lists several)
            own = self.council(slug).own_url
            site = {**pinned.site_info(), "contact_url": contact_page(
                c for c in chunks if own is None or within(own, c.url))}
            fresh = _Cached(KeywordIndex(chunks), live, now, site)
            self._cache[slug] = fresh
            return fresh.keyword, fresh.site
