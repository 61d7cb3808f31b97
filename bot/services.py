"""The outside services one bot process holds: the embedding model, Chroma, council configs and
the keyword index built from each council's chunks (rebuilt when the index changes)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from askcouncil.council import Council, load_council
from askcouncil.embedding import Embedder
from askcouncil.index import ChromaConnection, CouncilIndex
from bot.keyword import KeywordIndex

KEYWORD_REFRESH_S = 30.0


@dataclass
class _Cached:
    keyword: KeywordIndex
    count: int
    checked: float
    site: dict[str, Any]


@dataclass
class Services:
    embedder: Embedder
    chroma: ChromaConnection
    councils_dir: Path | None = None
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _councils: dict[str, Council] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def index(self, slug: str) -> CouncilIndex:
        return CouncilIndex(self.chroma.client(), slug)

    def council(self, slug: str) -> Council:
        if slug not in self._councils:
            self._councils[slug] = load_council(slug, self.councils_dir)
        return self._councils[slug]

    def keyword(self, slug: str) -> tuple[KeywordIndex, dict[str, Any]]:
        """The BM25 index for a council, rebuilt if Chroma's chunk count has changed."""
        now = time.monotonic()
        cached = self._cache.get(slug)
        if cached and now - cached.checked < KEYWORD_REFRESH_S:
            return cached.keyword, cached.site
        with self._lock:
            index = self.index(slug)
            count = index.count()
            cached = self._cache.get(slug)
            if cached and cached.count == count:
                cached.checked = now
                cached.site = index.site_info()
                return cached.keyword, cached.site
            fresh = _Cached(KeywordIndex(index.all_chunks()), count, now, index.site_info())
            self._cache[slug] = fresh
            return fresh.keyword, fresh.site
