"""Re-crawls that skip what has not changed, seen from the site's side: a static site on
loopback with a sitemap that gives each page a ``<lastmod>``, whose server records every request
it receives. A page whose lastmod is unchanged is not requested at all (its chunks and links
stand); a page whose lastmod changed, or that has none, is requested conditionally; a full
revalidation requests every page conditionally. A crawl stopped by its page limit says so."""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from askcouncil.chroma import open_chroma
from askcouncil.index import CouncilIndex
from askcouncil.settings import Settings
from crawler.crawl import CrawlOptions, CrawlReport, crawl
from crawler.state import CrawlState

OPTS = dict(user_agent="AskCouncilBot/test", delay_s=0.0, progress=False)
SITE_FILES = ("robots.txt", "sitemap.xml")


def page(title: str, body: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
            f"<h2 id='s'>Section</h2><p>{title} explains what the council does. {body}</p>"
            "</main></body></html>")


class Site:
    """A folder served on loopback; ``requests`` holds (path, headers) of each request."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.clock = time.time()
        outer = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                outer.requests.append((self.path, dict(self.headers)))
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                          functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def write(self, path: str, html: str) -> None:
        """Write a page with a modification time later than any before (If-Modified-Since
        compares whole seconds)."""
        file = self.root / path
        file.write_text(html, "utf-8")
        self.clock += 10
        os.utime(file, (self.clock, self.clock))

    def sitemap(self, lastmods: dict[str, str | None]) -> None:
        entries = "".join(
            f"<url><loc>{self.url}{path}</loc>"
            + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"
            for path, lastmod in lastmods.items())
        (self.root / "sitemap.xml").write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>", "utf-8")

    def pages_requested(self) -> list[str]:
        """The paths requested other than robots.txt and the sitemap, sorted."""
        return sorted(p for p, _h in self.requests if p.lstrip("/") not in SITE_FILES)

    def conditional(self, path: str) -> bool:
        """Whether every request for ``path`` asked "modified since?"."""
        asked = [h for p, h in self.requests if p == path]
        return bool(asked) and all("If-Modified-Since" in h for h in asked)


@pytest.fixture
def site(tmp_path: Path, embedder) -> Iterator[SimpleNamespace]:
    """Home links to a, b and c; a links to hidden.html, which is in no sitemap. Every other
    page has a lastmod. Crawled once, with crawl state."""
    root = tmp_path / "site"
    root.mkdir()
    served = Site(root)
    served.write("index.html", page("Home", '<a href="/a.html">A</a> <a href="/b.html">B</a> '
                                    '<a href="/c.html">C</a>'))
    served.write("a.html", page("Bins", 'Collections weekly. <a href="/hidden.html">more</a>'))
    served.write("b.html", page("Parking", "Permits cost 40 pounds."))
    served.write("c.html", page("Libraries", "Open every day but Sunday."))
    served.write("hidden.html", page("Bulky waste", "Collected on Tuesdays only."))
    (root / "robots.txt").write_text(f"User-agent: *\nSitemap: {served.url}sitemap.xml\n")
    lastmods: dict[str, str | None] = {"": "2026-01-05", "a.html": "2026-01-05",
                                       "b.html": "2026-01-05", "c.html": "2026-01-05"}
    served.sitemap(lastmods)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), "recrawlcouncil")
    state = CrawlState(tmp_path / "state.sqlite3")
    first = crawl(served.url, index, embedder, CrawlOptions(**OPTS), state)
    served.requests.clear()
    yield SimpleNamespace(site=served, url=served.url, index=index, state=state, first=first,
                          lastmods=lastmods, state_path=tmp_path / "state.sqlite3")
    state.close()
    served.server.shutdown()


def texts(index: CouncilIndex) -> str:
    return " ".join(c.text for c in index.all_chunks())


def again(s: SimpleNamespace, embedder, **opts: object) -> CrawlReport:
    s.site.requests.clear()
    return crawl(s.url, s.index, embedder, CrawlOptions(**{**OPTS, **opts}), s.state)


def test_first_crawl_is_a_full_revalidation(site) -> None:
    assert site.first.full_revalidation and not site.first.not_modified
    assert site.first.next_full_revalidation is not None
    due = site.first.next_full_revalidation - site.first.began
    assert due == timedelta(days=7)
    assert "full revalidation: yes" in site.first.summary()
    assert "next one due from" in site.first.summary()


def test_unchanged_recrawl_requests_no_page_whose_lastmod_is_unchanged(site, embedder) -> None:
    generation = site.index.live_name()
    before = {c.id for c in site.index.all_chunks()}

    second = again(site, embedder)

    # the home page, a, b and c: not requested at all (the start page included); hidden.html
    # has no lastmod, so it is asked "modified since?" as before, and answers 304
    assert site.site.pages_requested() == ["/hidden.html"]
    assert site.site.conditional("/hidden.html")
    assert {p for p, _h in site.site.requests} == {"/robots.txt", "/sitemap.xml", "/hidden.html"}
    assert {u.removeprefix(site.url) for u in second.unchanged_lastmod} == {
        "", "a.html", "b.html", "c.html"}
    assert {u.removeprefix(site.url) for u in second.not_modified} == {
        "", "a.html", "b.html", "c.html", "hidden.html"}
    assert second.complete and not second.full_revalidation
    assert second.pages_deleted == 0 and second.chunks_written == 0
    assert site.index.live_name() == generation  # nothing changed: no new generation
    assert {c.id for c in site.index.all_chunks()} == before
    summary = second.summary()
    assert "not requested, sitemap lastmod unchanged: 4" in summary
    assert "answered 304: 1" in summary
    assert "full revalidation: no" in summary and "next one due from" in summary


def test_a_page_linked_only_from_a_skipped_page_is_kept(site, embedder) -> None:
    """a.html is not requested; hidden.html is in no sitemap and linked only from a.html: its
    remembered links still reach it, so a complete crawl does not remove it."""
    second = again(site, embedder)
    assert f"{site.url}a.html" in second.unchanged_lastmod
    assert "/a.html" not in site.site.pages_requested()
    assert f"{site.url}hidden.html" in second.not_modified
    assert "Tuesdays" in texts(site.index)
    # and when hidden.html changes, the skipped page's remembered link leads to the change
    site.site.write("hidden.html", page("Bulky waste", "Collected on Fridays now."))
    third = again(site, embedder)
    assert site.site.pages_requested() == ["/hidden.html"]
    assert third.pages_changed == 1 and "Fridays" in texts(site.index)


def test_a_page_whose_lastmod_changed_is_fetched_and_reindexed(site, embedder) -> None:
    site.site.write("b.html", page("Parking", "Permits now cost 55 pounds."))
    site.site.sitemap({**site.lastmods, "b.html": "2026-02-01", "": "2026-02-01"})

    second = again(site, embedder)

    # b.html changed: fetched (conditionally) and re-embedded. The home page's lastmod changed
    # but not its file: asked first, as a start page is, and it answers 304.
    assert site.site.pages_requested() == ["/", "/b.html", "/hidden.html"]
    assert all(site.site.conditional(p) for p in ["/", "/b.html", "/hidden.html"])
    assert second.pages_changed == 1
    assert "55 pounds" in texts(site.index) and "40 pounds" not in texts(site.index)
    assert f"{site.url}b.html" not in second.not_modified
    assert site.url in second.not_modified and site.url not in second.unchanged_lastmod

    third = again(site, embedder)  # the new lastmods were remembered: nothing asked again
    assert site.site.pages_requested() == ["/hidden.html"]
    assert third.chunks_written == 0


def test_a_full_revalidation_asks_every_page_when_due(site, embedder) -> None:
    # The sitemap can lie: c.html changes and its lastmod does not.
    site.site.write("c.html", page("Libraries", "Closed on Mondays from March."))
    second = again(site, embedder)
    assert "/c.html" not in site.site.pages_requested()
    assert "Mondays" not in texts(site.index)  # trusted until the next full revalidation

    # Eight days after the last full revalidation, every page is asked, conditionally.
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    site.state.save([], [], full_revalidation=eight_days_ago)
    third = again(site, embedder)
    every = ["/", "/a.html", "/b.html", "/c.html", "/hidden.html"]
    assert site.site.pages_requested() == every
    assert all(site.site.conditional(p) for p in every)
    assert third.full_revalidation and not third.unchanged_lastmod
    assert third.pages_changed == 1 and "Mondays" in texts(site.index)
    assert "full revalidation: yes" in third.summary()
    assert site.state.last_full_revalidation() == third.began
    assert second.next_full_revalidation is not None

    fourth = again(site, embedder)  # the clock starts again from that one
    assert site.site.pages_requested() == ["/hidden.html"] and not fourth.full_revalidation


def test_revalidate_days_zero_makes_every_crawl_full(site, embedder) -> None:
    second = again(site, embedder, revalidate_days=0.0)
    every = ["/", "/a.html", "/b.html", "/c.html", "/hidden.html"]
    assert site.site.pages_requested() == every
    assert all(site.site.conditional(p) for p in every)
    assert second.full_revalidation and not second.unchanged_lastmod
    assert len(second.not_modified) == 5 and second.chunks_written == 0
    assert "every crawl is one" in second.summary()


def test_a_cut_short_full_revalidation_is_not_counted(site, embedder) -> None:
    site.state.save([], [], full_revalidation=datetime.now(UTC) - timedelta(days=8))
    cut = again(site, embedder, max_pages=2)
    assert not cut.complete and cut.full_revalidation
    assert cut.pages_deleted == 0
    assert "the next crawl will be one (the crawl did not reach the whole site)" in cut.summary()
    again(site, embedder)
    assert len(site.site.pages_requested()) == 5  # still due: every page asked


def test_a_state_file_from_before_lastmods_still_works(site, embedder) -> None:
    """The state as the previous release wrote it: no lastmod column, no meta table."""
    site.state.close()
    db = sqlite3.connect(site.state_path)
    db.executescript(
        "CREATE TABLE old (url TEXT PRIMARY KEY, page_url TEXT NOT NULL, etag TEXT, "
        "last_modified TEXT, links TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, "
        "blocks TEXT NOT NULL DEFAULT '[]');"
        "INSERT INTO old SELECT url, page_url, etag, last_modified, links, kind, title, blocks "
        "FROM pages; DROP TABLE pages; DROP TABLE meta; ALTER TABLE old RENAME TO pages;")
    db.commit()
    db.close()
    site.state = CrawlState(site.state_path)
    assert site.state.last_full_revalidation() is None

    second = again(site, embedder)  # no lastmods known, no revalidation time: a full one
    every = ["/", "/a.html", "/b.html", "/c.html", "/hidden.html"]
    assert site.site.pages_requested() == every
    assert all(site.site.conditional(p) for p in every)
    assert len(second.not_modified) == 5 and second.pages_deleted == 0
    assert second.chunks_written == 0

    third = again(site, embedder)  # now it knows them
    assert site.site.pages_requested() == ["/hidden.html"]
    assert len(third.unchanged_lastmod) == 4


def test_a_crawl_cut_short_says_so_in_its_output_and_the_site_report(tmp_path, embedder) -> None:
    from crawler.job import run_crawl

    root = tmp_path / "site"
    root.mkdir()
    served = Site(root)
    links = " ".join(f'<a href="/p{i}.html">{i}</a>' for i in range(6))
    served.write("index.html", page("Home", links))
    for i in range(6):
        served.write(f"p{i}.html", page(f"Service {i}", f"Details of service number {i}."))
    (root / "robots.txt").write_text("User-agent: *\n")
    settings = Settings(data_dir=tmp_path / "data", crawl_delay_s=0.0, _env_file=None)
    said: list[str] = []
    try:
        outcome = run_crawl(settings, served.url, max_pages=3, progress=False,
                            embedder=embedder, say=said.append)
    finally:
        served.server.shutdown()

    assert not outcome.report.complete
    assert outcome.report.max_pages == 3 and outcome.report.left_unfetched == 4
    warning = said[-1]  # the last line printed
    assert warning.startswith("WARNING: the crawl did not reach the whole site")
    assert "limit of 3 pages" in warning and "at least 4 more pages" in warning
    assert "ASKCOUNCIL_CRAWL_MAX_PAGES" in warning
    html = outcome.site_report.read_text("utf-8")
    assert 'id="cut-short"' in html
    assert "Warning: this crawl did not reach the whole site" in html
    assert "limit of 3 pages" in html and "at least\n4 more pages" in html
    assert "ASKCOUNCIL_CRAWL_MAX_PAGES" in html
    assert html.index('id="cut-short"') < html.index("<h2>Summary</h2>")  # first thing


def test_a_complete_crawl_has_no_warning(site, embedder) -> None:
    from crawler.report import build_site_report

    assert site.first.complete and site.first.cut_short() is None
    assert build_site_report(site.first)["cut_short"] is None
