"""Pages kept on disk as a crawl extracts them, so its memory does not grow with the site.

A county's site is tens of thousands of pages; holding every page's text until the index is
updated made a crawl's memory grow with the site. The spool writes each page, and its chunks,
to a temporary SQLite file the moment it is read, and keeps in memory only what the index
update decides with: each page's URL, hash, number of chunks and text-block fingerprints (for
duplicates). The update then reads the pages back one at a time."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askcouncil.chunks import Chunk
from crawler.chunk import chunk_page, page_hash
from crawler.extract import Page


def blocks_of(page: Page) -> set[str]:
    """Fingerprints of a page's text blocks (whitespace and case ignored; short ones skipped)."""
    return {
        hashlib.sha1(" ".join(b.lower().split()).encode()).hexdigest()[:16]
        for s in page.sections for b in s.blocks if len(b) > 20
    }


def pack(blocks: set[str]) -> bytes:
    """Block fingerprints (``blocks_of``) as 8 bytes each."""
    return b"".join(bytes.fromhex(b) for b in sorted(blocks))


@dataclass(frozen=True)
class Spooled:
    """What stays in memory of a spooled page: a few hundred bytes."""

    url: str
    page_hash: str
    chunks: int
    packed_blocks: bytes  # its text-block fingerprints (``blocks_of``), 8 bytes each

    @property
    def blocks(self) -> set[str]:
        b = self.packed_blocks
        return {b[i:i + 8].hex() for i in range(0, len(b), 8)}


class PageSpool:
    """Pages in the order they were read, on disk; a sequence of ``Page`` (read back one at a
    time) with each page's ``Spooled`` summary in memory, and the vectors of the pages embedded
    while the crawl was still fetching (``crawler.ahead``). Removed with its folder on
    ``close`` (or when collected). Safe to share between two threads."""

    def __init__(self, folder: Path | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="askcouncil-pages-", dir=folder)
        self._db = sqlite3.connect(Path(self._dir.name) / "pages.sqlite3",
                                   check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE pages (n INTEGER PRIMARY KEY, page BLOB, chunks BLOB)")
        self._db.execute("CREATE TABLE vectors (n INTEGER PRIMARY KEY, vectors BLOB)")
        self.summaries: list[Spooled] = []

    def append(self, page: Page) -> None:
        chunks = chunk_page(page)
        row = (len(self.summaries), pickle.dumps(page, pickle.HIGHEST_PROTOCOL),
               pickle.dumps(chunks, pickle.HIGHEST_PROTOCOL))
        with self._lock:
            self._db.execute("INSERT INTO pages VALUES (?, ?, ?)", row)
        self.summaries.append(Spooled(page.url, page_hash(page), len(chunks),
                                      pack(blocks_of(page))))

    def put_vectors(self, n: int, vectors: list[list[float]]) -> None:
        """The embeddings of the ``n``-th page's chunks, in order (float32, as the models give)."""
        blob = np.asarray(vectors, dtype=np.float32).tobytes()
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?)", (n, blob))

    def vectors(self, n: int) -> list[list[float]] | None:
        """The ``n``-th page's embeddings if they were stored, else None."""
        with self._lock:
            row = self._db.execute("SELECT vectors FROM vectors WHERE n = ?", (n,)).fetchone()
        if row is None:
            return None
        count = self.summaries[n].chunks
        flat = np.frombuffer(row[0], dtype=np.float32)
        return flat.reshape(count, flat.size // count).tolist() if count else []

    def __len__(self) -> int:
        return len(self.summaries)

    def __getitem__(self, n: int) -> Page:
        return pickle.loads(self._row(n)[0])  # noqa: S301 - written by this process

    def __iter__(self) -> Iterator[Page]:
        for n in range(len(self)):
            yield self[n]

    def chunks(self, n: int) -> list[Chunk]:
        """The chunks of the ``n``-th page (``crawler.chunk.chunk_page``)."""
        return pickle.loads(self._row(n)[1])  # noqa: S301 - written by this process

    def _row(self, n: int) -> tuple[bytes, bytes]:
        if not 0 <= n < len(self):
            raise IndexError(n)
        with self._lock:
            row = self._db.execute("SELECT page, chunks FROM pages WHERE n = ?",
                                   (n,)).fetchone()
        return row[0], row[1]

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self._dir.cleanup()
