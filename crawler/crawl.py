"""Crawl a council website and bring its index up to date.

1. Read robots.txt and the sitemaps; start from the start URL and the sitemap URLs.
2. Fetch pages on the start host only (bounded concurrency, per-host delay), follow in-site links.
   With the crawl state (crawler/state.py), a page the index holds is not requested at all when
   its sitemap ``<lastmod>`` is unchanged since it was fetched, and requested conditionally
   otherwise; either way its remembered links are followed. A full revalidation (every
   ``revalidate_days``; the first crawl is one) requests every page conditionally.
3. Extract main content, chunk it, and compare each page's hash with the index.
4. Embed and upsert changed pages only; delete pages that are gone, but only after a crawl that
   reached the whole site (a crawl cut short by ``max_pages`` deletes nothing, and says so).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlparse

from tqdm import tqdm

from askcouncil.chunks import Chunk
from askcouncil.embedding import Embedder
from askcouncil.errors import CrawlError
from askcouncil.index import CouncilIndex
from askcouncil.settings import Settings
from askcouncil.urls import within
from crawler.ahead import EmbedAhead
from crawler.extract import Page, TooSlow, extract_docx, extract_html, extract_pdf
from crawler.fetch import (
    DOCX_TYPES,
    HTML_TYPES,
    PDF_TYPES,
    Fetched,
    Fetcher,
    FetchError,
    Robots,
    crawlable,
    load_robots,
    normalise,
    sitemap_urls,
    url_key,
)
from crawler.spool import PageSpool, Spooled, blocks_of
from crawler.state import CrawlState, Remembered


@dataclass
class CrawlReport:
    start_url: str
    pages_fetched: int = 0
    documents_fetched: int = 0
    skipped_robots: int = 0
    skipped_config: int = 0  # by the council's allow and deny patterns
    skipped_other: int = 0
    duplicates: int = 0
    failed: int = 0
    pages_unchanged: int = 0
    pages_changed: int = 0
    pages_deleted: int = 0
    chunks_written: int = 0  # embedded by this crawl
    chunks_copied: int = 0  # carried over unchanged from the previous generation
    complete: bool = True
    seconds_fetching: float = 0.0
    seconds_embedding: float = 0.0  # by the index update, after the fetching
    seconds_embedding_ahead: float = 0.0  # while fetching (crawler.ahead)
    chunks_embedded_ahead: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the operator, not failures
    too_slow: list[str] = field(default_factory=list)  # over the page budget: skipped
    # Pages that could not be read this time (network error, 5xx, too big): their old chunks
    # stay in the index. A 404 or 410 is not transient: that page is gone.
    transient: set[str] = field(default_factory=set)
    duplicates_of: dict[str, str] = field(default_factory=dict)  # not indexed -> the original
    # For the site report (crawler/report.py):
    links_to: dict[str, set[str]] = field(default_factory=dict)  # url_key -> pages linking
    broken: dict[str, int] = field(default_factory=dict)  # URL -> 404 or 410
    sitemap: dict[str, str | None] = field(default_factory=dict)  # url_key -> lastmod
    fetched: dict[str, dict[str, str | None]] = field(default_factory=dict)  # page URL -> info
    empty_pages: list[str] = field(default_factory=list)  # no main content found
    # Re-crawls: pages kept as indexed without being read again (page URLs): answered 304 to a
    # conditional request, or not requested at all because their sitemap lastmod is unchanged
    # (those are in unchanged_lastmod too); and what to remember of this crawl's pages once the
    # index is updated.
    not_modified: set[str] = field(default_factory=set)
    unchanged_lastmod: set[str] = field(default_factory=set)
    full_revalidation: bool = True  # every page requested (conditionally), none skipped
    revalidate_days: float | None = None  # None: a crawl without crawl state
    began: datetime = field(default_factory=lambda: datetime.now(UTC))
    next_full_revalidation: datetime | None = None  # set once the crawl state is saved
    # A crawl stopped by its page limit: the limit, and how many pages it found but did not
    # fetch (at least: their links were never read).
    max_pages: int | None = None
    left_unfetched: int = 0
    remember: list[Remembered] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # page URLs removed from the index
    unchanged_blocks: dict[str, set[str]] = field(default_factory=dict)  # 304 page -> blocks

    def summary(self) -> str:
        return (
            f"pages fetched: {self.pages_fetched} (of which PDF or Word: "
            f"{self.documents_fetched})\n"
            f"skipped by robots.txt: {self.skipped_robots}\n"
            f"skipped by the council's allow/deny patterns: {self.skipped_config}\n"
            f"skipped (not a page, duplicate or redirect): {self.skipped_other + self.duplicates}\n"
            f"failed: {self.failed} (of which over the time allowed to read one page: "
            f"{len(self.too_slow)})\n"
            f"not modified since the last crawl: {len(self.not_modified)} (answered 304: "
            f"{len(self.not_modified - self.unchanged_lastmod)}; not requested, sitemap lastmod "
            f"unchanged: {len(self.unchanged_lastmod)})\n"
            + self.revalidation_line() +
            f"pages unchanged: {self.pages_unchanged}, changed or new: {self.pages_changed}, "
            f"removed: {self.pages_deleted}\n"
            f"chunks written: {self.chunks_written} (carried over unchanged: "
            f"{self.chunks_copied})\n"
            f"time: fetching {self.seconds_fetching:.1f}s, embedding {self.seconds_embedding:.1f}s"
            + (f" (and {self.seconds_embedding_ahead:.1f}s embedding "
               f"{self.chunks_embedded_ahead} chunks while fetching)"
               if self.chunks_embedded_ahead else "")
            + "".join(f"\nnote: {n}" for n in self.notes)
        )

    def revalidation_line(self) -> str:
        """Whether this crawl asked every page again, and when the next one that does is due."""
        if self.revalidate_days is None:
            return ""
        if self.revalidate_days == 0:
            return ("full revalidation: yes, every page requested (conditionally): every crawl "
                    "is one (ASKCOUNCIL_CRAWL_REVALIDATE_DAYS=0)\n")
        line = ("full revalidation: yes, every page requested (conditionally)" if
                self.full_revalidation else "full revalidation: no, pages whose sitemap lastmod "
                "is unchanged were not requested")
        due = self.next_full_revalidation
        if due is None or due <= self.began:
            why = "the crawl did not reach the whole site" if self.full_revalidation \
                else "it is due"
            return f"{line}; the next crawl will be one ({why})\n"
        return f"{line}; next one due from {due:%Y-%m-%d %H:%M} UTC\n"

    def cut_short(self) -> str | None:
        """A loud warning for a crawl that its page limit stopped, or None."""
        if self.max_pages is None:
            return None
        return (
            f"WARNING: the crawl did not reach the whole site: it stopped at its limit of "
            f"{self.max_pages:,} pages (ASKCOUNCIL_CRAWL_MAX_PAGES, or --max-pages) with at "
            f"least {self.left_unfetched:,} more pages found but not fetched. Those pages are "
            "not in the index, and no pages were removed from it (removals wait for a crawl "
            "that reaches the whole site). Raise ASKCOUNCIL_CRAWL_MAX_PAGES above the number of "
            "pages on the site."
        )


@dataclass
class CrawlOptions:
    user_agent: str
    max_pages: int = 1000
    concurrency: int = 4
    delay_s: float = 0.05
    timeout_s: float = 15.0
    max_bytes: int = 10_000_000
    progress: bool = True
    write_batch: int = 64  # chunks embedded and written together (the unit a resume skips)
    embed_ahead: bool = True  # embed pages while fetching (crawler.ahead)
    page_budget_s: float = 10.0  # reading one page's text may take this long, then it is skipped
    revalidate_days: float = 7.0  # a full revalidation this long after the last; 0: every crawl
    # the council's other websites (council file ``sites``): their pages stay in the index
    other_sites: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()  # regexes on path?query; if any, a URL must match one
    deny: tuple[str, ...] = ()  # regexes on path?query never fetched

    @classmethod
    def from_settings(cls, settings: Settings,
                      **overrides: Any) -> CrawlOptions:  # noqa: ANN401 - any of the fields
        opts = cls(
            user_agent=settings.crawl_user_agent,
            max_pages=settings.crawl_max_pages,
            concurrency=settings.crawl_concurrency,
            delay_s=settings.crawl_delay_s,
            timeout_s=settings.crawl_timeout_s,
            max_bytes=settings.crawl_max_bytes,
            write_batch=settings.embed_batch_size,
            page_budget_s=settings.crawl_page_budget_s,
            revalidate_days=settings.crawl_revalidate_days,
            embed_ahead=settings.crawl_embed_ahead,
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(opts, key, value)
        return opts


async def fetch_site(
    start_url: str,
    opts: CrawlOptions,
    state: CrawlState | None = None,
    indexed: frozenset[str] = frozenset(),
    ahead: EmbedAhead | None = None,
) -> tuple[PageSpool, CrawlReport]:
    """Fetch the site into a ``PageSpool`` (on disk: memory does not grow with the site).
    With ``state``, pages the index holds (``indexed``) are not requested when their sitemap
    lastmod is unchanged since they were fetched, unless this crawl is a full revalidation,
    and requested conditionally otherwise: either way they are kept as they are
    (``report.not_modified``) and their remembered links are followed. ``ahead`` embeds the
    pages as they are spooled (it is stopped by the caller)."""
    start = normalise(start_url)
    if not start:
        raise CrawlError(f"not an http(s) URL: {start_url!r}")
    now = datetime.now(UTC)
    full = _full_revalidation_due(state, opts.revalidate_days, indexed, now)
    fetcher = Fetcher(opts.user_agent, opts.timeout_s, opts.max_bytes, opts.delay_s)
    pages = PageSpool()
    if ahead is not None:
        ahead.start(pages)
    began = time.monotonic()
    try:
        # Councils often redirect the bare domain to www. (or http to https): crawl the host
        # the start URL lands on, which is the one its links and sitemap name. A start page
        # the last crawl fetched at this very URL, with a sitemap lastmod then, is fetched
        # only once the sitemap says it changed (and then first, as ever: it may land
        # elsewhere now).
        known = _known(state, start, indexed)
        landing = None
        if full or not (known and known.lastmod):
            landing = await _land(fetcher, start, known)
            start = normalise(landing.url) or start
        fetcher.hosts = {urlparse(start).netloc}
        robots, entries = await _site_rules(fetcher, start, opts)
        lastmods = _lastmods(entries)
        if landing is None and known and lastmods.get(url_key(start)) != known.lastmod:
            landing = await _land(fetcher, start, known)
            landed = normalise(landing.url) or start
            if urlparse(landed).netloc != urlparse(start).netloc:
                fetcher.hosts = {urlparse(landed).netloc}
                robots, entries = await _site_rules(fetcher, landed, opts)
                lastmods = _lastmods(entries)
            start = landed
        prefetched = {start: landing} if landing else {}  # not fetched a second time
        host = urlparse(start).netloc
        report = CrawlReport(start, full_revalidation=full, began=now,
                             revalidate_days=opts.revalidate_days if state else None)
        if robots.asked_delay > robots.crawl_delay:
            report.notes.append(f"robots.txt asks for {robots.asked_delay:g} s between requests; "
                                f"{robots.crawl_delay:g} s was used (the most this crawler waits)")
        report.sitemap = lastmods
        seeds = [start] + [loc for loc, _ in entries]

        seen: set[str] = set()
        queue: asyncio.Queue[str] = asyncio.Queue()
        bar = tqdm(total=len(seeds), desc="Crawling", unit="page", disable=not opts.progress)

        allow = [re.compile(p) for p in opts.allow]
        deny = [re.compile(p) for p in opts.deny]

        def enqueue(url: str, referrer: str | None = None) -> None:
            norm = normalise(url)
            if not norm or urlparse(norm).netloc != host:
                return
            if referrer:
                report.links_to.setdefault(url_key(norm), set()).add(referrer)
            if url_key(norm) in seen:
                return
            seen.add(url_key(norm))
            parts = urlparse(norm)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not crawlable(norm):
                report.skipped_other += 1
            elif any(p.search(path) for p in deny) or (
                allow and not any(p.search(path) for p in allow)
            ):
                report.skipped_config += 1
            elif not robots.allowed(norm):
                report.skipped_robots += 1
            else:
                queue.put_nowait(norm)
                bar.total = max(bar.total or 0, len(seen))

        for url in seeds:
            enqueue(url)

        taken = 0

        async def worker() -> None:
            nonlocal taken
            while True:
                url = await queue.get()
                try:
                    if taken >= opts.max_pages:  # pages kept unrequested count too
                        report.complete = False
                        report.max_pages = opts.max_pages
                        report.left_unfetched += 1
                        continue
                    taken += 1
                    page = await _fetch_page(fetcher, url, report, state, indexed,
                                             prefetched.pop(url, None), opts.page_budget_s)
                    if page is not None:
                        if page.not_modified:
                            pass  # its chunks stand (304 or lastmod): only its links are followed
                        elif page.redirect_to:
                            enqueue(page.redirect_to, url)
                            report.skipped_other += 1
                        else:
                            pages.append(page)
                            if ahead is not None:
                                ahead.offer(len(pages) - 1)
                        for link in page.links:
                            enqueue(link, page.url)
                    bar.update(1)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(opts.concurrency)]
        await queue.join()
        for w in workers:
            w.cancel()
        bar.close()
    finally:
        await fetcher.close()
    report.seconds_fetching = time.monotonic() - began
    return pages, report


def _full_revalidation_due(state: CrawlState | None, days: float, indexed: frozenset[str],
                           now: datetime) -> bool:
    """Whether this crawl requests every page: without a crawl state or an index there is
    nothing to skip; otherwise when the last full revalidation is ``days`` old, or unknown."""
    if state is None or not indexed or days <= 0:
        return True
    last = state.last_full_revalidation()
    return last is None or now - last >= timedelta(days=days)


async def _land(fetcher: Fetcher, start: str, known: Remembered | None) -> Fetched:
    """The start page, following redirects to another public host."""
    try:
        return await fetcher.get(start, first=True, headers=known.validators if known else None)
    except FetchError as exc:
        raise CrawlError(f"cannot fetch {start}: {exc}") from exc


async def _site_rules(fetcher: Fetcher, start: str,
                      opts: CrawlOptions) -> tuple[Robots, list[tuple[str, str | None]]]:
    """robots.txt (which sets the delay between requests) and the sitemap entries of the start
    URL's host."""
    robots = await load_robots(fetcher, start)
    if robots.unreachable:
        raise CrawlError(f"{start}: robots.txt could not be read ({robots.unreachable}), so "
                         "the site is treated as closed to crawlers for now (RFC 9309); the "
                         "index is left as it was: try again later")
    fetcher.base_delay = fetcher.delay = max(opts.delay_s, robots.crawl_delay)
    maps = robots.sitemaps or [urljoin(start, "/sitemap.xml")]
    return robots, await sitemap_urls(fetcher, maps)


def _lastmods(entries: list[tuple[str, str | None]]) -> dict[str, str | None]:
    return {url_key(normalise(loc) or loc): lastmod for loc, lastmod in entries}


def _known(state: CrawlState | None, url: str, indexed: frozenset[str]) -> Remembered | None:
    """What the last crawl saw at ``url``, if the index still holds that page: a validator is
    never trusted for a page the index does not hold."""
    known = state.get(url) if state else None
    return known if known and known.page_url in indexed else None


async def _fetch_page(
    fetcher: Fetcher,
    url: str,
    report: CrawlReport,
    state: CrawlState | None = None,
    indexed: frozenset[str] = frozenset(),
    prefetched: Fetched | None = None,
    budget: float = 10.0,
) -> Page | None:
    known = _known(state, url, indexed)
    lastmod = report.sitemap.get(url_key(url))
    if (known and lastmod and known.lastmod == lastmod and not prefetched
            and not report.full_revalidation):  # unchanged by the sitemap's word: not asked
        report.unchanged_lastmod.add(known.page_url)
        return _kept(report, known, url, lastmod)
    try:
        got = prefetched or await fetcher.get(url, headers=known.validators if known else None)
    except FetchError as exc:
        report.failed += 1
        report.errors.append(str(exc))
        report.transient.add(url)
        return None
    if got.status == 304 and known:
        return _kept(report, known, url, lastmod)
    if got.status >= 400:
        report.failed += 1
        report.errors.append(f"{url}: HTTP {got.status}")
        if got.status in (404, 410):
            report.broken[url] = got.status
        else:
            report.transient.add(url)
        return None
    try:
        if got.content_type in HTML_TYPES or (not got.content_type and got.body[:1] == b"<"):
            # (a canonical link counts only on the fetched page's own host: extract.py)
            page = await _within_budget(extract_html, got.text(), got.url, budget=budget)
            report.pages_fetched += 1
            _note_fetched(report, page, url, got)
            return page
        if got.content_type in PDF_TYPES or got.content_type in DOCX_TYPES:
            extract = extract_pdf if got.content_type in PDF_TYPES else extract_docx
            page = await _within_budget(extract, got.body, got.url, budget=budget)
            _note_fetched(report, page, url, got)
            report.pages_fetched += 1
            report.documents_fetched += 1
            return page
    except (TooSlow, TimeoutError):  # a page built to be slow to read must not stall the crawl
        report.failed += 1
        report.too_slow.append(url)
        report.errors.append(f"{url}: skipped: reading its text took over {budget:g} s")
        report.transient.add(url)
        return None
    except Exception as exc:  # a malformed page must not stop the crawl
        report.failed += 1
        report.errors.append(f"{url}: could not extract text: {exc}")
        report.transient.add(url)
        return None
    report.skipped_other += 1
    return None


def _kept(report: CrawlReport, known: Remembered, url: str, lastmod: str | None) -> Page:
    """A page kept as the index holds it (304, or its sitemap lastmod unchanged): its chunks
    stand, its remembered links are followed, and the lastmod it was checked against is
    remembered."""
    report.not_modified.add(known.page_url)
    report.unchanged_blocks[known.page_url] = set(known.blocks)
    report.remember.append(replace(known, lastmod=lastmod))
    report.fetched[known.page_url] = {"title": known.title, "kind": known.kind,
                                      "requested": url, "last_modified": known.last_modified}
    return Page(known.page_url, known.title, [], list(known.links), kind=known.kind,
                not_modified=True)


async def _within_budget(extract: Callable[..., Page], body: str | bytes, url: str, *,
                         budget: float) -> Page:
    """Read a page's text in a worker thread (the fetches go on meanwhile), within ``budget``
    seconds. HTML extraction checks the deadline as it goes and stops; a PDF or Word reader
    cannot be stopped, so the crawl stops waiting for it and moves on."""
    deadline = time.monotonic() + budget
    kwargs = {"deadline": deadline} if extract is extract_html else {}
    return await asyncio.wait_for(asyncio.to_thread(extract, body, url, **kwargs), budget + 1)


def _note_fetched(report: CrawlReport, page: Page, url: str, got: Fetched) -> None:
    report.fetched[page.url] = {"title": page.title, "kind": page.kind, "requested": url,
                                "last_modified": got.last_modified}
    report.remember.append(Remembered(url, page.url, got.etag, got.last_modified,
                                      tuple(page.links), page.kind, page.title,
                                      tuple(sorted(blocks_of(page))),
                                      report.sitemap.get(url_key(url))))


def update_index(
    spool: PageSpool,
    report: CrawlReport,
    index: CouncilIndex,
    embedder: Embedder,
    *,
    progress: bool = True,
    batch: int = 64,
    live_versions: dict[str, tuple[str, int]] | None = None,
    other_sites: tuple[str, ...] = (),
) -> CrawlReport:
    """Write a new generation of the index and publish it.

    Each page to keep is carried over from the live generation when unchanged (embeddings
    and all), embedded when new or changed, or left alone when this generation already holds
    it (a crawl resumed after a kill). Pages that are gone are not carried over, but only after
    a crawl that reached the whole site; a crawl cut short keeps every page it did not see.
    Until ``publish`` residents are answered from the previous generation. The pages' chunks
    are read back from the spool a page at a time, so memory does not grow with the site.
    ``live_versions``: ``index.page_versions()`` if the caller has read it already (the crawl
    lock keeps it from changing; a county's index is 100,000 records to read).
    ``other_sites``: the addresses of the council's other websites, whose pages this crawl of
    one of them keeps as they are.
    """
    at: dict[str, int] = {}  # page URL -> its place in the spool
    for n in kept_pages(spool.summaries, report):
        summary = spool.summaries[n]
        if not summary.chunks:
            report.skipped_other += 1
            report.empty_pages.append(summary.url)
            continue
        at[summary.url] = n

    present = set(at) | report.not_modified
    if not present:
        report.complete = False
        return report
    live_v = index.page_versions() if live_versions is None else live_versions
    live = {u: v[0] for u, v in live_v.items()}
    keep = set(present)
    keep |= (set(live) - present) if not report.complete else (set(live) & report.transient)
    keep |= {u for u in live if any(within(site, u) for site in other_sites)}

    # What each kept page should be in the new generation: its new chunks, or the live ones.
    wanted = {u: (spool.summaries[at[u]].page_hash, spool.summaries[at[u]].chunks) if u in at
              else live_v[u] for u in keep if u in at or u in live_v}
    report.pages_changed = sum(1 for u in at if live.get(u) != wanted[u][0])  # vs live
    report.pages_unchanged = len(present) - report.pages_changed
    if wanted == live_v:  # nothing changed, nothing gone: the live generation stands
        return report

    update = index.begin_update()
    staged = update.staged_versions()
    update.delete(sorted(u for u in staged if wanted.get(u) != staged[u]))
    todo = [u for u in sorted(wanted) if staged.get(u) != wanted[u]]
    fresh = [u for u in todo if u in at and live.get(u) != wanted[u][0]]
    embedded = set(fresh)
    report.chunks_copied = update.copy_from_live([u for u in todo if u not in embedded])

    began = time.monotonic()
    bar = tqdm(total=sum(wanted[u][1] for u in fresh), desc="Embedding", unit="chunk",
               disable=not progress)
    # Each chunk with its vector when it was embedded while the crawl was fetching (ahead.py)
    waiting: list[tuple[Chunk, list[float] | None]] = []

    def write(part: list[tuple[Chunk, list[float] | None]]) -> None:
        missing = [c.embed_text for c, v in part if v is None]
        made = iter(embedder.embed_documents(missing) if missing else [])
        update.add([c for c, _ in part], [next(made) if v is None else v for _, v in part])
        report.chunks_written += len(part)
        bar.update(len(part))

    for u in fresh:
        chunks = spool.chunks(at[u])
        got = spool.vectors(at[u])
        vectors: list[list[float] | None] = [None] * len(chunks) if got is None else [*got]
        waiting.extend(zip(chunks, vectors, strict=True))
        while len(waiting) >= batch:
            write(waiting[:batch])
            del waiting[:batch]
    if waiting:
        write(waiting)
    bar.close()
    report.seconds_embedding = time.monotonic() - began

    report.gone = sorted(set(live) - keep)
    report.pages_deleted = len(report.gone)
    start = urlparse(report.start_url)
    update.publish({"base_url": f"{start.scheme}://{start.netloc}",
                    "start_url": report.start_url})
    return report


DUPLICATE_SHARE = 0.9  # a page this much of whose text is already indexed is a duplicate


def kept_pages(pages: list[Spooled], report: CrawlReport) -> list[int]:
    """Index each text once: the places (in ``pages``) of the pages to index. A page whose
    blocks (paragraphs, lists, tables) are at least 90% present on pages already kept is a
    duplicate: the same page at a second URL, or a printable version that repeats every part
    of a guide. Smaller pages are kept first, so a guide's parts win over its printable whole,
    and of two equal pages the shorter URL wins. Pages not modified since the last crawl (304)
    take part through their remembered blocks and are always kept: they are in the index
    already.
    """
    entries: list[tuple[int, str, int | None]] = [  # (blocks, URL, place in pages)
        (len(blocks), url, None) for url, blocks in report.unchanged_blocks.items()
    ] + [(len(page.packed_blocks) // 8, page.url, n) for n, page in enumerate(pages)]
    owner: dict[str, str] = {}  # block -> the kept page it was first seen on
    kept_urls: set[str] = set()
    kept: list[int] = []
    for _count, url, n in sorted(entries, key=lambda e: (e[0], len(e[1]), e[1])):
        blocks = report.unchanged_blocks[url] if n is None else pages[n].blocks
        shared = [owner[b] for b in blocks if b in owner]
        duplicate = url in kept_urls or (
            bool(blocks) and len(shared) >= DUPLICATE_SHARE * len(blocks))
        if duplicate and n is not None:
            report.duplicates += 1
            report.duplicates_of[url] = max(sorted(set(shared)), key=shared.count) if shared \
                else url
            continue
        kept_urls.add(url)
        for b in blocks:
            owner.setdefault(b, url)
        if n is not None:
            kept.append(n)
    return kept


def crawl(
    start_url: str,
    index: CouncilIndex,
    embedder: Embedder,
    opts: CrawlOptions,
    state: CrawlState | None = None,
) -> CrawlReport:
    live = index.page_versions()  # read once, for the fetching and for the index update
    indexed = frozenset(live) if state else frozenset()
    ahead = EmbedAhead(embedder, {u: v[0] for u, v in live.items()}, index.staged_versions(),
                       opts.write_batch) if opts.embed_ahead else None
    try:
        pages, report = asyncio.run(fetch_site(start_url, opts, state, indexed, ahead))
    except BaseException:  # failed, or told to stop (SIGTERM): not a minute more of embedding
        if ahead is not None:
            ahead.abandon()
        raise
    if ahead is not None:
        ahead.stop()  # once the pages offered are embedded
        report.seconds_embedding_ahead = ahead.seconds
        report.chunks_embedded_ahead = ahead.chunks
    if not pages and not report.not_modified:
        pages.close()
        raise CrawlError(
            f"no pages could be read from {start_url}: "
            + ("; ".join(report.errors[:3]) or "nothing allowed by robots.txt")
        )
    try:
        update_index(pages, report, index, embedder, progress=opts.progress,
                     batch=opts.write_batch, live_versions=live, other_sites=opts.other_sites)
    finally:
        pages.close()
    if state is not None:  # only now: the index holds what the state will claim
        # A full revalidation counts once it reached the whole site: one cut short leaves
        # pages unasked, so the next crawl is a full one too.
        revalidated = report.began if report.full_revalidation and report.complete else None
        last = revalidated or state.last_full_revalidation()
        state.save(report.remember, forget=report.gone, full_revalidation=revalidated)
        if last is not None:
            report.next_full_revalidation = last + timedelta(days=opts.revalidate_days)
    return report
