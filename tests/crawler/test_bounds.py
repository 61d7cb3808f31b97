"""A council site that is slow, busy, broken, hostile or oddly encoded must not stall the
crawl, garble its text or make the crawler impolite (each case found by an outside test)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from crawler.crawl import CrawlReport
    from crawler.extract import Page


class Scripted:
    """A loopback HTTP server answering each path as scripted: (status, headers, body), where
    body may be a list of (bytes, seconds to wait before sending them)."""

    def __init__(self, routes: dict) -> None:
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.routes, self.hits = routes, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.hits.append(self.path)
                answer = outer.routes.get(self.path, (404, {}, b"not here"))
                status, headers, body = answer(len(outer.hits)) if callable(answer) else answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    for piece, wait in (body if isinstance(body, list) else [(body, 0)]):
                        time.sleep(wait)
                        self.wfile.write(piece)
                        self.wfile.flush()
                except OSError:
                    pass  # the crawler gave up on us

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


HTML = {"Content-Type": "text/html; charset=utf-8"}


def _fetch(site_url: str, **opts: object) -> tuple[list[Page], CrawlReport]:
    import asyncio

    from crawler.crawl import CrawlOptions, fetch_site

    options = CrawlOptions(user_agent="AskCouncilBot/test", delay_s=0.0, progress=False, **opts)
    return asyncio.run(fetch_site(site_url, options))


def test_twenty_thousand_nested_divs_read_in_linear_time() -> None:
    import time

    from crawler.extract import TooSlow, extract_html

    html = ("<html><head><title>x</title></head><body>" + "<div>" * 20_000
            + "<h1>Deep</h1><p>Bulky waste costs £35.</p>" + "</div>" * 20_000 + "</body></html>")
    began = time.perf_counter()
    page = extract_html(html, "http://127.0.0.1/deep.html")
    took = time.perf_counter() - began
    print(f"20,000 nested <div>s ({len(html) // 1024} KB): {took:.2f} s")
    assert "Bulky waste costs £35." in page.text
    assert took < 10, took  # was over 80 s: quadratic in the depth
    with pytest.raises(TooSlow):
        extract_html(html, "http://127.0.0.1/deep.html", deadline=time.monotonic() - 1)


def test_a_page_too_slow_to_read_is_skipped_and_the_crawl_goes_on() -> None:
    huge = b"<html><body><main><h1>Huge</h1>" + b"<p>word word word</p>" * 250_000 + \
        b"</main></body></html>"  # about 5 MB: seconds to parse, over a 0.3 s budget
    site = Scripted({
        "/": (200, HTML, b"<html><body><main><h1>Home</h1><p>Welcome to the council.</p>"
                         b"<a href='/huge.html'>huge</a> <a href='/fees.html'>fees</a>"
                         b"</main></body></html>"),
        "/huge.html": (200, HTML, huge),
        "/fees.html": (200, HTML, b"<html><body><main><h1>Fees</h1><p>A permit is \xc2\xa354."
                                  b"</p></main></body></html>"),
    })
    try:
        pages, report = _fetch(site.url, page_budget_s=0.3)
    finally:
        site.close()
    assert report.too_slow == [site.url + "huge.html"]
    assert sorted(p.title for p in pages) == ["Fees", "Home"]
    assert "over the time allowed to read one page: 1" in report.summary()


def test_back_off_after_busy_answers_is_bounded_and_recovers() -> None:
    import asyncio

    from crawler.fetch import MAX_BUSY_DELAY_S, Fetcher

    site = Scripted({"/": lambda n: (503, {"Retry-After": "0"}, b"busy") if n <= 6
                    else (200, HTML, b"<p>ok</p>")})

    async def run() -> list[float]:
        fetcher = Fetcher("AskCouncilBot/test", 5, 10_000, 0.0, retries=0)
        fetcher.hosts = {site.url.split("/")[2]}
        delays = []
        try:
            for _ in range(10):
                await fetcher.get(site.url)
                delays.append(fetcher.delay)
                fetcher._last = 0.0  # the test does not wait out the gap itself
        finally:
            await fetcher.close()
        return delays

    try:
        delays = asyncio.run(run())
    finally:
        site.close()
    assert max(delays) <= MAX_BUSY_DELAY_S  # was doubling without bound
    assert delays[5] > delays[0]  # gentler while the site is busy
    assert delays[-1] < delays[5]  # and back towards the usual gap once it copes


def test_crawl_delay_is_capped_and_said() -> None:
    from crawler.fetch import MAX_CRAWL_DELAY_S, Robots

    robots = Robots("User-agent: *\nCrawl-delay: 3600\n", "AskCouncilBot/test")
    assert robots.asked_delay == 3600 and robots.crawl_delay == MAX_CRAWL_DELAY_S


def test_a_page_sent_a_byte_at_a_time_meets_a_total_deadline() -> None:
    import asyncio
    import time

    from crawler.fetch import Fetcher, FetchError

    trickle = [(b"<", 0)] + [(b"x", 0.3) for _ in range(100)]  # each read well within 1 s
    site = Scripted({"/slow.html": (200, HTML, trickle)})

    async def run() -> None:
        fetcher = Fetcher("AskCouncilBot/test", 1.0, 10_000, 0.0, total_timeout=2.0)
        fetcher.hosts = {site.url.split("/")[2]}
        try:
            await fetcher.get(site.url + "slow.html")
        finally:
            await fetcher.close()

    began = time.monotonic()
    try:
        with pytest.raises(FetchError, match="no whole answer within 2 s"):
            asyncio.run(run())
    finally:
        site.close()
    assert time.monotonic() - began < 6


@pytest.mark.parametrize("status", [500, 503])
def test_robots_txt_that_cannot_be_read_closes_the_site_for_now(status) -> None:
    from askcouncil.errors import CrawlError

    site = Scripted({"/": (200, HTML, b"<main><h1>Home</h1><p>Hello.</p></main>"),
                     "/robots.txt": (status, {}, b"down")})
    try:
        with pytest.raises(CrawlError, match=f"robots.txt could not be read .*{status}"):
            _fetch(site.url)
        assert "/robots.txt" in site.hits
        assert set(site.hits) == {"/", "/robots.txt"}  # nothing else fetched
    finally:
        site.close()


def test_a_missing_robots_txt_allows_crawling() -> None:
    site = Scripted({"/": (200, HTML, b"<main><h1>Home</h1><p>Hello there.</p></main>")})
    try:
        pages, _ = _fetch(site.url)
    finally:
        site.close()
    assert [p.title for p in pages] == ["Home"]


def test_pages_are_read_in_their_own_charset() -> None:
    body = "<html><head>{meta}</head><body><main><h1>Fees</h1><p>A permit costs £54 – café "\
           "parking.</p></main></body></html>"
    site = Scripted({
        "/": (200, HTML, b"<main><h1>Home</h1><p>Links.</p><a href='/a.html'>a</a> "
                         b"<a href='/b.html'>b</a> <a href='/c.html'>c</a></main>"),
        # declared in the header as Latin-1 (read as Windows-1252, as browsers do)
        "/a.html": (200, {"Content-Type": "text/html; charset=ISO-8859-1"},
                    body.format(meta="").replace("–", "-").encode("latin-1")),
        # declared only in a <meta>
        "/b.html": (200, {"Content-Type": "text/html"},
                    body.format(meta='<meta charset="windows-1252">').encode("cp1252")),
        # declared nowhere, and not UTF-8
        "/c.html": (200, {"Content-Type": "text/html"}, body.format(meta="").encode("cp1252")),
    })
    try:
        pages, _ = _fetch(site.url)
    finally:
        site.close()
    texts = {p.url.rsplit("/", 1)[1]: p.text for p in pages}
    assert "£54 - café" in texts["a.html"]
    assert "£54 – café" in texts["b.html"] and "£54 – café" in texts["c.html"]
    assert not any("\ufffd" in t for t in texts.values())
