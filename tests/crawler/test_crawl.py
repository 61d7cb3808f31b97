"""The crawler against real HTTP servers on loopback: robots.txt, sitemaps, host limits, size
limits, and incremental re-crawls that replace changed pages and remove pages that are gone."""

import asyncio
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from askcouncil.chroma import open_chroma
from askcouncil.devsite import SAMPLE_SITE, start_site_server
from askcouncil.index import CouncilIndex
from askcouncil.settings import Settings
from crawler.crawl import CrawlOptions, crawl, fetch_site
from crawler.fetch import normalise

OPTS = dict(user_agent="AskCouncilBot/test", delay_s=0.0, progress=False)


def page(title: str, body: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><header><nav>menu</nav></header>"
            f"<main><h1>{title}</h1><h2 id='s'>Section</h2><p>{title} text. {body}</p></main>"
            "</body></html>")


@pytest.fixture
def small_site(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    (root / "private").mkdir(parents=True)
    (root / "index.html").write_text(page("Home", '<a href="/a.html">A</a> '
                                     '<a href="/private/secret.html">secret</a> '
                                     '<a href="http://example.invalid/elsewhere.html">away</a> '
                                     '<a href="/a.html?utm_source=x#top">A again</a> '
                                     '<a href="/big.html">big</a> <a href="/missing.html">x</a> '
                                     '<a href="/empty.html">empty</a>'))
    (root / "a.html").write_text(page("Page A"))
    (root / "orphan.html").write_text(page("Orphan page only in the sitemap"))
    (root / "private" / "secret.html").write_text(page("Secret"))
    (root / "big.html").write_text(page("Big", "word " * 5000))
    (root / "empty.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    server, url = start_site_server(root)
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /private/\n\nSitemap: {url}sitemap.xml\n")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{url}orphan.html</loc></url>"
        "<url><loc>http://example.invalid/not-ours.html</loc></url></urlset>")
    yield url
    server.shutdown()


@pytest.fixture
def sample_copy(tmp_path, embedder) -> Iterator[SimpleNamespace]:
    """A copy of the sample site that a test may edit, served on loopback, crawled once into a
    fresh index under the default council (the one `askcouncil crawl` uses)."""
    root = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE, root)
    server, url = start_site_server(root)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), settings.council)
    first = crawl(url, index, embedder, CrawlOptions(**OPTS))
    yield SimpleNamespace(root=root, url=url, index=index, first=first)
    server.shutdown()


def test_fetch_obeys_robots_sitemap_host_and_size(small_site: str) -> None:
    opts = CrawlOptions(**OPTS, max_bytes=20_000)
    pages, report = asyncio.run(fetch_site(small_site, opts))
    urls = sorted(p.url.removeprefix(small_site) for p in pages)
    # start page, linked pages, sitemap-only page
    assert urls == ["", "a.html", "empty.html", "orphan.html"]
    assert report.skipped_robots == 1
    assert report.failed == 2  # the 404 and the page over the size limit
    assert any("size limit" in e for e in report.errors)
    assert any("HTTP 404" in e for e in report.errors)
    assert report.complete


def test_start_url_that_redirects_to_another_host(small_site: str) -> None:
    """Like example.gov.uk -> www.example.gov.uk: crawl the host the start URL lands on."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            self.send_response(301)
            self.send_header("Location", small_site.rstrip("/") + self.path)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # "localhost" and "127.0.0.1" are different hosts to the crawler
        start = f"http://localhost:{server.server_address[1]}/"
        pages, report = asyncio.run(fetch_site(start, CrawlOptions(**OPTS)))
    finally:
        server.shutdown()
    assert report.start_url == small_site
    assert sorted(p.url.removeprefix(small_site) for p in pages) == [
        "", "a.html", "big.html", "empty.html", "orphan.html"]


def test_max_pages_stops_early_and_marks_the_crawl_incomplete(small_site: str) -> None:
    pages, report = asyncio.run(fetch_site(small_site, CrawlOptions(**OPTS, max_pages=2)))
    assert len(pages) <= 2
    assert not report.complete


def test_url_normalisation() -> None:
    assert normalise("HTTP://Council.Example/a?utm_source=x&b=2#frag") == \
        "http://council.example/a?b=2"
    assert normalise("mailto:x@example.com") is None
    assert normalise("https://council.example") == "https://council.example/"


def test_recrawl_replaces_changed_pages_and_removes_gone_ones(sample_copy, embedder) -> None:
    root, url, index, first = (sample_copy.root, sample_copy.url, sample_copy.index,
                               sample_copy.first)
    assert first.pages_changed >= 60 and first.chunks_written > 100
    assert first.documents_fetched == 1
    assert first.skipped_robots == 1  # /search/ is disallowed
    total = index.count()

    garden = root / "bins-and-recycling" / "garden-waste.html"
    garden.write_text(garden.read_text("utf-8").replace("£49 a year", "£52 a year"), "utf-8")
    (root / "libraries" / "ebooks-and-online-resources.html").unlink()
    second = crawl(url, index, embedder, CrawlOptions(**OPTS))
    assert second.pages_changed == 1
    assert second.pages_unchanged == first.pages_changed - 2
    assert second.pages_deleted == 1
    assert second.failed == 1  # the link to the deleted page now gives 404
    texts = {c.url.removeprefix(url): c.text for c in index.all_chunks()}
    assert "libraries/ebooks-and-online-resources.html" not in texts
    garden_text = " ".join(c.text for c in index.all_chunks() if "garden-waste" in c.url)
    assert "£52 a year" in garden_text and "£49 a year" not in garden_text
    assert index.count() < total
    assert len({c.id for c in index.all_chunks()}) == index.count()


def test_duplicates_and_printable_versions_are_indexed_once() -> None:
    from crawler.crawl import CrawlReport, kept_pages
    from crawler.extract import Page, Section
    from crawler.spool import PageSpool

    def pg(url: str, *blocks: str) -> Page:
        return Page(url, url, [Section([url, "s"], "s", list(blocks))])

    parts = [f"Part {i} of the guide explains rule number {i} in some detail." for i in range(6)]
    shared = "If you need help with this, contact the benefits team on 01632 960303."
    pages = [
        pg("http://x/guide/print.html", *parts),  # the printable whole
        pg("http://x/guide/part-a.html", *parts[:3]),
        pg("http://x/guide/part-b.html", *parts[3:]),
        pg("http://x/copy-of-part-a.html", *parts[:3]),  # the same page at a second URL
        pg("http://x/other.html", shared, "A different page about school meals and uniforms."),
        pg("http://x/another.html", shared, "Another page entirely, about library opening."),
    ]
    report = CrawlReport("http://x/")
    spool = PageSpool()
    for page in pages:
        spool.append(page)
    kept = {pages[n].url for n in kept_pages(spool.summaries, report)}
    spool.close()
    assert kept == {"http://x/guide/part-a.html", "http://x/guide/part-b.html",
                    "http://x/other.html", "http://x/another.html"}
    assert report.duplicates_of == {"http://x/copy-of-part-a.html": "http://x/guide/part-a.html",
                                    "http://x/guide/print.html": "http://x/guide/part-a.html"}


class _Scripted:
    """A loopback server whose answers a test scripts: path -> list of (status, headers, body),
    consumed in order (the last one repeats), or a function of the request headers returning
    one. Records every path requested, with its headers."""

    def __init__(self, routes: dict) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes = {k: v if callable(v) else list(v) for k, v in routes.items()}
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                outer.requests.append(self.path)
                outer.headers.append(dict(self.headers))
                script = outer.routes.get(self.path) or [(404, {}, "")]
                if callable(script):
                    status, headers, body = script(dict(self.headers))
                else:
                    status, headers, body = script.pop(0) if len(script) > 1 else script[0]
                data = body.encode()
                self.send_response(status)
                for k, v in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_backs_off_on_429_with_retry_after() -> None:
    import time

    site = _Scripted({
        "/": [(200, {}, page("Home", '<a href="/busy.html">busy</a>'))],
        "/busy.html": [(429, {"Retry-After": "1"}, "slow down"), (200, {}, page("Busy page"))],
    })
    try:
        began = time.monotonic()
        pages, report = asyncio.run(fetch_site(site.url, CrawlOptions(**OPTS)))
        took = time.monotonic() - began
    finally:
        site.close()
    assert sorted(p.title for p in pages) == ["Busy page", "Home"]
    assert report.failed == 0
    assert site.requests.count("/busy.html") == 2
    assert took >= 1.0  # waited as Retry-After asked


def test_redirects_off_the_council_host_are_refused_before_fetching() -> None:
    elsewhere = _Scripted({"/metadata": [(200, {}, page("Secret metadata"))]})
    # "localhost" is another host to the crawler than the site's 127.0.0.1
    target = elsewhere.url.replace("127.0.0.1", "localhost") + "metadata"
    site = _Scripted({
        "/": [(200, {}, page("Home", '<a href="/go.html">go</a>'))],
        "/go.html": [(302, {"Location": target}, "")],
    })
    try:
        pages, report = asyncio.run(fetch_site(site.url, CrawlOptions(**OPTS)))
    finally:
        site.close()
        elsewhere.close()
    assert [p.title for p in pages] == ["Home"]
    assert elsewhere.requests == []
    assert any("refused to fetch" in e for e in report.errors)


def test_private_addresses_and_retry_after() -> None:
    from crawler.fetch import is_private_host, parse_retry_after

    for host in ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "localhost"]:
        assert is_private_host(host), host
    assert not is_private_host("8.8.8.8")
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past
    assert parse_retry_after("soon") is None


def test_allow_and_deny_patterns_and_one_fetch_per_page(small_site: str) -> None:
    opts = CrawlOptions(**OPTS, deny=(r"^/a\.html$",))
    pages, report = asyncio.run(fetch_site(small_site, opts))
    assert "a.html" not in {p.url.removeprefix(small_site) for p in pages}
    assert report.skipped_config == 1
    opts = CrawlOptions(**OPTS, allow=(r"^/$", r"^/orphan"))
    pages, report = asyncio.run(fetch_site(small_site, opts))
    assert sorted(p.url.removeprefix(small_site) for p in pages) == ["", "orphan.html"]


def test_url_key_treats_index_pages_and_slashes_as_one() -> None:
    from crawler.fetch import url_key

    keys = {url_key(u) for u in ["http://x/a/", "http://x/a/index.html", "http://x/a"]}
    assert keys == {"http://x/a"}
    assert url_key("http://x/") == url_key("http://x/index.html") == "http://x/"
    assert url_key("http://x/a?page=2") != url_key("http://x/a")


def test_site_report_for_web_editors(small_site, tmp_path, embedder) -> None:
    import json
    import os
    import time

    from crawler.report import build_site_report, write_site_report

    three_years_ago = time.time() - 3 * 365 * 86400
    # small_site serves tmp_path / "site"; the file's time is sent as its Last-Modified
    os.utime(tmp_path / "site" / "a.html", (three_years_ago, three_years_ago))

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), "reportcouncil")
    report = crawl(small_site, index, embedder, CrawlOptions(**OPTS, max_bytes=20_000))
    data = build_site_report(report)
    path = write_site_report(data, tmp_path / "reports")

    assert data["broken_links"] == [{"url": f"{small_site}missing.html", "status": 404,
                                     "linked_from": [small_site]}]
    assert data["pages_without_main_content"] == [f"{small_site}empty.html"]
    assert f"{small_site}a.html" in data["missing_from_sitemap"]
    assert f"{small_site}orphan.html" not in data["missing_from_sitemap"]
    assert small_site not in data["missing_from_sitemap"]  # the start page
    [stale] = data["not_updated_for_two_years"]
    assert stale["url"] == f"{small_site}a.html"
    assert any("size limit" in e for e in data["failed"])
    assert data["summary"]["broken_links"] == 1
    saved = json.loads((tmp_path / "reports" / "latest.json").read_text("utf-8"))
    assert saved["broken_links"] == data["broken_links"]
    html = path.read_text("utf-8")
    assert "missing.html" in html and "<caption>" in html
    assert (tmp_path / "reports" / "latest.html").exists()


def test_unchanged_recrawl_uses_conditional_requests(small_site, tmp_path, embedder) -> None:
    import os
    import time

    from crawler.state import CrawlState

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), "condcouncil")
    state = CrawlState(tmp_path / "state.sqlite3")
    opts = CrawlOptions(**OPTS, max_bytes=20_000)
    first = crawl(small_site, index, embedder, opts, state)
    assert first.chunks_written > 0 and not first.not_modified
    before = {c.id for c in index.all_chunks()}
    generation = index.live_name()

    second = crawl(small_site, index, embedder, opts, state)
    assert index.live_name() == generation  # nothing changed: no new generation written
    # home, a.html and orphan.html are indexed, so asked "modified since?"; all say 304.
    # a.html is linked only from the home page: its remembered links still found it.
    assert {u.removeprefix(small_site) for u in second.not_modified} == {
        "", "a.html", "orphan.html"}
    assert second.chunks_written == 0 and second.pages_deleted == 0
    assert {c.id for c in index.all_chunks()} == before

    a_page = tmp_path / "site" / "a.html"
    a_page.write_text(page("Page A", "New opening hours."), "utf-8")
    later = time.time() + 5
    os.utime(a_page, (later, later))
    third = crawl(small_site, index, embedder, opts, state)
    assert f"{small_site}a.html" not in third.not_modified
    assert third.pages_changed == 1
    assert any("New opening hours" in c.text for c in index.all_chunks())

    fresh = CouncilIndex(open_chroma(settings), "emptycouncil")  # same state, empty index
    rebuilt = crawl(small_site, fresh, embedder, opts, state)
    assert not rebuilt.not_modified  # validators are only sent for pages the index holds
    assert rebuilt.chunks_written == first.chunks_written
    state.close()


def test_etag_is_sent_back_as_if_none_match(tmp_path, embedder) -> None:
    from crawler.state import CrawlState

    def home(headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        if headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, ""
        return 200, {"ETag": '"v1"'}, page("Home", "Opening times.")

    site = _Scripted({"/": home})
    try:
        settings = Settings(data_dir=tmp_path / "data", _env_file=None)
        index = CouncilIndex(open_chroma(settings), "etagcouncil")
        state = CrawlState(tmp_path / "state.sqlite3")
        crawl(site.url, index, embedder, CrawlOptions(**OPTS), state)
        again = crawl(site.url, index, embedder, CrawlOptions(**OPTS), state)
        state.close()
    finally:
        site.close()
    page_requests = [h for p, h in zip(site.requests, site.headers, strict=True) if p == "/"]
    assert page_requests[-1].get("If-None-Match") == '"v1"'
    assert again.not_modified == {site.url}


def test_printable_version_stays_out_when_its_parts_answer_304(tmp_path, embedder) -> None:
    from crawler.state import CrawlState

    root = tmp_path / "guide"
    root.mkdir()
    # 12 parts: the printable page adds one block of its own (its title line), 12 of 13 shared
    parts = [f"<p>Part {i} of the guide explains rule number {i} in detail.</p>" for i in range(12)]
    (root / "index.html").write_text(page("Guide", '<a href="part-1.html">1</a> '
                                     '<a href="part-2.html">2</a> <a href="print.html">print</a>'))
    (root / "part-1.html").write_text(page("Part one", "".join(parts[:6])))
    (root / "part-2.html").write_text(page("Part two", "".join(parts[6:])))
    (root / "print.html").write_text(page("Guide (printable)", "".join(parts)))
    server, url = start_site_server(root)
    try:
        settings = Settings(data_dir=tmp_path / "data", _env_file=None)
        index = CouncilIndex(open_chroma(settings), "guidecouncil")
        state = CrawlState(tmp_path / "state.sqlite3")
        first = crawl(url, index, embedder, CrawlOptions(**OPTS), state)
        second = crawl(url, index, embedder, CrawlOptions(**OPTS), state)
        state.close()
    finally:
        server.shutdown()
    assert f"{url}print.html" in first.duplicates_of
    assert f"{url}print.html" in second.duplicates_of
    assert second.chunks_written == 0
    assert not any("print.html" in c.url for c in index.all_chunks())


class _Embedder:
    """The real model, counting the chunks it embeds, and failing after `fail_after` calls
    (a crawl killed or crashing half-way through embedding)."""

    def __init__(self, real, fail_after: int | None = None) -> None:
        self.real, self.fail_after, self.calls, self.embedded = real, fail_after, 0, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("killed half-way")
        self.calls += 1
        self.embedded += len(texts)
        return self.real.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def test_failed_crawl_leaves_the_live_index_and_the_next_one_resumes(sample_copy,
                                                                     embedder) -> None:
    root, url, index = sample_copy.root, sample_copy.url, sample_copy.index
    live_before = index.live_name()
    old = sorted((c.id, c.text) for c in index.all_chunks())

    # Change every page of two sections, then crash after the first embedding batch.
    changed = list((root / "bins-and-recycling").glob("*.html")) + list(
        (root / "council-tax").glob("*.html"))
    for path in changed:
        path.write_text(path.read_text("utf-8").replace(
            "</main>", "<p>Updated for the new financial year.</p></main>"), "utf-8")
    # (a crash in the index update: what was embedded while fetching is in the lost spool)
    with pytest.raises(RuntimeError):
        crawl(url, index, _Embedder(embedder, fail_after=1),
              CrawlOptions(**OPTS, write_batch=8, embed_ahead=False))
    assert index.live_name() == live_before  # residents still get the previous index
    assert sorted((c.id, c.text) for c in index.all_chunks()) == old
    assert [done for _n, _name, done in index.generations()] == [True, False]

    counting = _Embedder(embedder)  # embedding while fetching skips the staged pages too
    resumed = crawl(url, index, counting, CrawlOptions(**OPTS, write_batch=8))
    changed_urls = {url + p.relative_to(root).as_posix() for p in changed}
    changed_chunks = sum(1 for c in index.all_chunks() if c.url in changed_urls)
    assert resumed.pages_changed == len(changed)
    assert 0 < counting.embedded < changed_chunks  # the first batch was not embedded again
    assert counting.embedded == resumed.chunks_written
    ids = [c.id for c in index.all_chunks()]
    assert len(ids) == len(set(ids)) == len(old)  # no duplicates; same pages
    assert index.live_name() != live_before
    assert len(index.generations()) == 2  # the live one and the one before it


class _Threads(_Embedder):
    """Also notes the thread each batch is embedded on."""

    def __init__(self, real, fail_after: int | None = None) -> None:
        super().__init__(real, fail_after)
        self.threads: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.threads.append(threading.current_thread().name)
        return super().embed_documents(texts)


def test_pages_are_embedded_while_the_crawl_is_fetching(sample_copy, embedder) -> None:
    """The changed pages are embedded on the embed-ahead thread as they are read, and the index
    update writes those vectors: nothing is embedded twice, nothing unchanged is embedded, and
    every vector is the one the model gives the chunk."""
    root, url, index = sample_copy.root, sample_copy.url, sample_copy.index
    changed = sorted((root / "council-tax").glob("*.html"))
    for path in changed:
        path.write_text(path.read_text("utf-8").replace(
            "</main>", "<p>Updated for the new financial year.</p></main>"), "utf-8")
    watching = _Threads(embedder)
    report = crawl(url, index, watching, CrawlOptions(**OPTS, write_batch=8))
    changed_urls = {url + p.relative_to(root).as_posix() for p in changed}
    chunks, vectors = index.vectors()
    fresh = [(c, v) for c, v in zip(chunks, vectors, strict=True) if c.url in changed_urls]
    assert report.pages_changed == len(changed) and report.chunks_written == len(fresh)
    assert watching.embedded == report.chunks_embedded_ahead == len(fresh)
    assert set(watching.threads) == {"embed-ahead"}
    assert "while fetching" in report.summary()
    again = embedder.embed_documents([c.embed_text for c, _ in fresh])
    assert min(float(np.dot(a, b)) for (_, a), b in zip(fresh, again, strict=True)) > 0.9999


def test_a_failure_embedding_ahead_leaves_the_pages_to_the_index_update(sample_copy,
                                                                       embedder) -> None:
    root, url, index = sample_copy.root, sample_copy.url, sample_copy.index
    changed = sorted((root / "bins-and-recycling").glob("*.html"))
    for path in changed:
        path.write_text(path.read_text("utf-8").replace(
            "</main>", "<p>Updated for the new financial year.</p></main>"), "utf-8")

    class FailsAhead(_Threads):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if threading.current_thread().name == "embed-ahead" and self.calls >= 1:
                raise RuntimeError("out of memory")
            return super().embed_documents(texts)

    flaky = FailsAhead(embedder)
    report = crawl(url, index, flaky, CrawlOptions(**OPTS, write_batch=8))
    changed_urls = {url + p.relative_to(root).as_posix() for p in changed}
    written = sum(1 for c in index.all_chunks() if c.url in changed_urls)
    assert report.pages_changed == len(changed) and report.chunks_written == written
    assert 0 < report.chunks_embedded_ahead < written  # one batch ahead, the rest after
    assert flaky.embedded == written and "MainThread" in flaky.threads


def test_sitemap_index_files_are_followed() -> None:
    site = _Scripted({})
    base = site.url
    site.routes.update({
        "/": [(200, {}, page("Home"))],
        "/robots.txt": [(200, {"Content-Type": "text/plain"},
                         f"User-agent: *\nSitemap: {base}sitemap-index.xml\n")],
        "/sitemap-index.xml": [(200, {"Content-Type": "application/xml"},
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9"><sitemap><loc>{base}sitemap-a.xml</loc></sitemap>'
            f'<sitemap><loc>{base}sitemap-b.xml</loc></sitemap></sitemapindex>')],
        "/sitemap-a.xml": [(200, {"Content-Type": "application/xml"},
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<url><loc>{base}only-in-a.html</loc><lastmod>2019-05-01</lastmod></url></urlset>')],
        "/sitemap-b.xml": [(200, {"Content-Type": "application/xml"},
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<url><loc>{base}only-in-b.html</loc></url></urlset>')],
        "/only-in-a.html": [(200, {}, page("Page from sitemap A"))],
        "/only-in-b.html": [(200, {}, page("Page from sitemap B"))],
    })
    try:
        pages, report = asyncio.run(fetch_site(base, CrawlOptions(**OPTS)))
    finally:
        site.close()
    assert sorted(p.title for p in pages) == ["Home", "Page from sitemap A", "Page from sitemap B"]
    assert report.sitemap[f"{base}only-in-a.html"] == "2019-05-01"


def test_an_index_from_before_generations_still_answers_and_is_replaced(tmp_path, embedder) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    client = open_chroma(settings)
    old = client.create_collection("council-legacy", embedding_function=None,
                                   configuration={"hnsw": {"space": "cosine"}})
    old.add(ids=["x"], embeddings=[embedder.embed_query("Old text about bins.")],
            documents=["Old text about bins."],
            metadatas=[{"url": "http://x/bins", "page_hash": "h", "title": "Bins"}])
    index = CouncilIndex(client, "legacy")
    assert index.live_name() == "council-legacy"
    assert [c.text for c in index.all_chunks()] == ["Old text about bins."]
    update = index.begin_update()
    assert update.name == "council-legacy--1"
    update.publish({})
    assert index.live_name() == "council-legacy--1"


def test_robots_crawl_delay_is_obeyed() -> None:
    import time

    site = _Scripted({})
    site.routes.update({
        "/robots.txt": [(200, {"Content-Type": "text/plain"}, "User-agent: *\nCrawl-delay: 1\n")],
        "/": [(200, {}, page("Home", '<a href="/b.html">b</a> <a href="/c.html">c</a>'))],
        "/b.html": [(200, {}, page("B"))],
        "/c.html": [(200, {}, page("C"))],
    })
    try:
        began = time.monotonic()
        pages, _report = asyncio.run(fetch_site(site.url, CrawlOptions(**OPTS)))
        took = time.monotonic() - began
    finally:
        site.close()
    assert len(pages) == 3
    assert site.requests.count("/") == 1  # the start page is fetched once
    # after robots.txt: /sitemap.xml, /b.html, /c.html, each at least 1 s after the last
    assert took >= 3.0


@pytest.mark.slow
def test_crawl_killed_mid_embedding_leaves_the_index_and_resumes(sample_copy, tmp_path,
                                                                  embedder) -> None:
    """A real kill: SIGKILL to `askcouncil crawl` while it embeds."""
    import os
    import signal
    import subprocess
    import sys
    import time

    root, url, index = sample_copy.root, sample_copy.url, sample_copy.index
    live_before, chunks_before = index.live_name(), index.count()
    for path in root.rglob("*.html"):  # every page changes: a long embedding phase
        path.write_text(path.read_text("utf-8").replace(
            "</main>", "<p>Reviewed in November.</p></main>"), "utf-8")

    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp_path / "data"),
           "ASKCOUNCIL_EMBED_BATCH_SIZE": "8", "HF_HUB_OFFLINE": "1",
           "ASKCOUNCIL_CRAWL_EMBED_AHEAD": "false"}  # killed in the index update, mid-way
    proc = subprocess.Popen([str(Path(sys.executable).parent / "askcouncil"), "crawl", url],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 120
    while "Embedding:" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read(1)
    time.sleep(1.0)  # let a batch or two be written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert "Embedding:" in seen

    assert index.live_name() == live_before  # the live index still answers, untouched
    assert index.count() == chunks_before
    assert not any("Reviewed in November" in c.text for c in index.all_chunks())
    assert [done for _n, _name, done in index.generations()] == [True, False]  # cut off

    counting = _Embedder(embedder)
    resumed = crawl(url, index, counting, CrawlOptions(**OPTS))
    assert resumed.chunks_written == counting.embedded
    ids = [c.id for c in index.all_chunks()]
    assert len(ids) == len(set(ids)) == chunks_before
    assert sum("Reviewed in November" in c.text for c in index.all_chunks()) >= 60


def test_word_documents_are_crawled(tmp_path) -> None:
    import docx

    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(page("Home", '<a href="/policy.docx">Policy (Word)</a>'))
    doc = docx.Document()
    doc.add_heading("Street trading", level=1)
    doc.add_paragraph("A 12-month street trading licence costs £650.")
    doc.save(str(root / "policy.docx"))
    server, url = start_site_server(root)
    try:
        pages, report = asyncio.run(fetch_site(url, CrawlOptions(**OPTS)))
    finally:
        server.shutdown()
    [word] = [p for p in pages if p.kind == "docx"]
    assert word.url == f"{url}policy.docx" and "£650" in word.text
    assert report.documents_fetched == 1
