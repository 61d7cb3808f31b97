"""What the crawler remembers between crawls of one council's site, in a small SQLite file
(``data/crawl-state/<council>.sqlite3``): for each URL it requested, the page URL it indexed,
the validators the server sent (ETag, Last-Modified), the sitemap's ``<lastmod>`` for it when
it was fetched, and the links the page had; and when the last full revalidation was. The next
crawl does not ask again for a page whose sitemap lastmod is unchanged, and asks "has it
changed?" (If-None-Match / If-Modified-Since) for the others; a page not asked again, or
answered 304, keeps its indexed chunks and its remembered links are still followed.

A state file written before a column or table existed is brought up to date when it is opened
(a missing lastmod means "ask again", a missing full revalidation time means "this crawl is
one").

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
from datetime import datetime
from pathlib import Path

from askcouncil.errors import CrawlError

_FULL_REVALIDATION = "last_full_revalidation"


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
    lastmod: str | None = None  # the sitemap's <lastmod> for it when it was last fetched

    @property
    def validators(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class CrawlState:
    def __init__(self, path: Path, site: str = "") -> None:
        """``site``: for a council with several websites, the one being crawled (each has its
        own full revalidations)."""
        self._full_key = f"{_FULL_REVALIDATION}:{site}" if site else _FULL_REVALIDATION
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, page_url TEXT NOT NULL, "
            "etag TEXT, last_modified TEXT, links TEXT NOT NULL, kind TEXT NOT NULL, "
            "title TEXT NOT NULL, blocks TEXT NOT NULL DEFAULT '[]', lastmod TEXT)"
        )
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(pages)")}
        if "lastmod" not in columns:  # a state file from before lastmods were remembered
            self._db.execute("ALTER TABLE pages ADD COLUMN lastmod TEXT")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, "
                         "value TEXT NOT NULL)")
        self._db.commit()

    def get(self, url: str) -> Remembered | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, page_url, etag, last_modified, links, kind, title, blocks, lastmod "
                "FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return Remembered(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5],
                          row[6], tuple(json.loads(row[7])), row[8])

    def last_full_revalidation(self) -> datetime | None:
        """When the last crawl that asked every page again (and reached the whole site) began."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?",
                                   (self._full_key,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def save(self, pages: list[Remembered], forget: list[str],
             full_revalidation: datetime | None = None) -> None:
        """Record the pages of a crawl whose index update succeeded; forget pages now gone; and,
        for a full revalidation, when it began (all in one transaction)."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO pages (url, page_url, etag, last_modified, links, kind, "
                "title, blocks, lastmod) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(p.url, p.page_url, p.etag, p.last_modified, json.dumps(list(p.links)), p.kind,
                  p.title, json.dumps(list(p.blocks)), p.lastmod) for p in pages],
            )
            self._db.executemany("DELETE FROM pages WHERE page_url = ?", [(u,) for u in forget])
            if full_revalidation is not None:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 (self._full_key, full_revalidation.isoformat()))

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
