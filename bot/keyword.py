"""BM25 keyword retrieval over a council's chunks (bm25s: ~1 ms a query at 10k chunks), and the
inverse document frequencies the decision step uses to weigh a question's words."""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections import Counter, defaultdict

import bm25s

from askcouncil.chunks import Chunk
from bot.text import STOPWORDS, tokens

# Everyday words that are not on a council site but are spelt right: never "correct" these.
_COMMON = frozenset(
    "what when where which while whom whose would could should shall might must does doing "
    "have having been being into onto upon about above after again against their there these "
    "those them they then than this that with your yours from just like also only very much "
    "many some such more most other over under please thanks help want need know".split()
)


class KeywordIndex:
    def __init__(self, chunks: list[Chunk]) -> None:
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at DEBUG
        self.chunks = chunks
        self._bm25 = bm25s.BM25()
        corpus = [tokens(f"{c.title} {c.section} {c.text}") or ["_empty_"] for c in chunks]
        self._df: Counter[str] = Counter()
        for doc in corpus:
            self._df.update(set(doc))
        if chunks:
            self._bm25.index(corpus, show_progress=False)
        words: Counter[str] = Counter()
        for c in chunks:
            words.update(re.findall(r"[a-z]{3,}", f"{c.title} {c.text}".lower()))
        self._vocab = words
        self._pages: dict[str, list[Chunk]] = defaultdict(list)
        for c in chunks:
            self._pages[c.url].append(c)
        for page in self._pages.values():
            page.sort(key=lambda c: c.position)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in words:
            self._by_length[len(word)].append(word)

    def correct(self, text: str) -> str:
        """Fix misspelt words against the site's own vocabulary ("helthy" -> "healthy").

        Only words the site never uses, of five letters or more, with a close match (difflib
        ratio >= 0.8) at most one letter longer or shorter: typos swap, drop or add a letter,
        while another form of a real word ("enquire" beside "enquiries") often differs by more.
        The closest match wins ("helthy" -> "healthy", not the commoner "health").
        """

        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            low = word.lower()
            if len(low) < 5 or low in self._vocab or low in _COMMON or low in STOPWORDS:
                return word
            pool = [w for n in range(len(low) - 1, len(low) + 2) for w in self._by_length[n]]
            close = difflib.get_close_matches(low, pool, n=3, cutoff=0.8)
            if not close:
                return word
            # the closest spelling; among equally close ones, the most used on the site
            return max(close, key=lambda w: (round(difflib.SequenceMatcher(None, low, w).ratio(),
                                                   2), self._vocab[w]))

        return re.sub(r"[A-Za-z]+", fix, text)

    def page_chunks(self, url: str) -> list[Chunk]:
        """Every chunk of one page, in page order."""
        return self._pages.get(url, [])

    def known(self, token: str) -> bool:
        """Whether any section of the site uses this (stemmed) word."""
        return token in self._df

    def idf(self, token: str) -> float:
        """Rare words weigh more; a word the site never uses weighs most."""
        n, df = len(self.chunks), self._df.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        q = tokens(query)
        if not self.chunks or not q:
            return []
        k = min(k, len(self.chunks))
        # n_threads=0: in this thread (1 starts a thread pool for every query, about 1.5 ms)
        ids, scores = self._bm25.retrieve([q], k=k, show_progress=False, n_threads=0)
        return [
            (self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]
