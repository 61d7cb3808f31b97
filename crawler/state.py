"""What the crawler remembers between crawls of one council's site, in a small SQLite file
(``data/crawl-state/<council>.sqlite3``): for each URL it requested, the page URL it indexed,
the validators the server sent (ETag, Last-Modified) and the links the page had. The next crawl
asks "has it changed?" (If-None-Match / If-Modified-Since); a 304 keeps the indexed chunks and
still follows the page's links.

The state is written only after the index has been updated, so it never claims a page is
indexed when it is not.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from askcouncil.errors import CrawlError


@dataclass(frozen=True)
class Remembered:
    url: str  # the URL requested
    page_url: str  # the URL indexed (after redirects and canonical links)
    etag: str | None
    last_modified: str | None
    links: tuple[str, ...]
    kind: str
    title: str
    blocks: tuple[str, ...] = ()  # fingerprints of its text blocks, for duplicate detection

    @property
    def validators(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class CrawlState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, page_url TEXT NOT NULL, "
            "etag TEXT, last_modified TEXT, links TEXT NOT NULL, kind TEXT NOT NULL, "
            "title TEXT NOT NULL, blocks TEXT NOT NULL DEFAULT '[]')"
        )
        self._db.commit()

    def get(self, url: str) -> Remembered | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, page_url, etag, last_modified, links, kind, title, blocks "
                "FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return Remembered(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5],
                          row[6], tuple(json.loads(row[7])))

    def save(self, pages: list[Remembered], forget: list[str]) -> None:
        """Record the pages of a crawl whose index update succeeded; forget pages now gone."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(p.url, p.page_url, p.etag, p.last_modified, json.dumps(list(p.links)), p.kind,
                  p.title, json.dumps(list(p.blocks))) for p in pages],
            )
            self._db.executemany("DELETE FROM pages WHERE page_url = ?", [(u,) for u in forget])

    def close(self) -> None:
        self._db.close()


@contextmanager
def crawl_lock(path: Path) -> Iterator[None]:
    """One crawl of a council at a time (the scheduled job and a crawl started by hand share
    the crawl state). The lock is the operating system's, so it goes with a killed process."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlError(f"another crawl of this council is running (it holds {path})") \
                from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
