"""BM25 keyword retrieval over a council's chunks (bm25s: ~1 ms a query at 10k chunks), and the
inverse document frequencies the decision step uses to weigh a question's words."""

from __future__ import annotations

import math
from collections import Counter

import bm25s

from askcouncil.index import Chunk
from bot.text import tokens


class KeywordIndex:
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self._bm25 = bm25s.BM25()
        corpus = [tokens(f"{c.title} {c.section} {c.text}") or ["_empty_"] for c in chunks]
        self._df: Counter[str] = Counter()
        for doc in corpus:
            self._df.update(set(doc))
        if chunks:
            self._bm25.index(corpus, show_progress=False)

    def idf(self, token: str) -> float:
        """Rare words weigh more; a word the site never uses weighs most."""
        n, df = len(self.chunks), self._df.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        q = tokens(query)
        if not self.chunks or not q:
            return []
        k = min(k, len(self.chunks))
        ids, scores = self._bm25.retrieve([q], k=k, show_progress=False, n_threads=1)
        return [
            (self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]
