"""Polite HTTP fetching: robots.txt, sitemaps, a per-host delay, timeouts and a size limit."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import re
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

import httpx
from bs4 import BeautifulSoup

SKIP_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|svg|webp|ico|css|js|mjs|zip|gz|mp3|mp4|avi|mov|woff2?|ttf|xml|rss|json"
    r"|xlsx?|pptx?|csv|doc|odt|ics)$",
    re.I,
)
TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_)", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)


@dataclass
class Fetched:
    url: str  # final URL after redirects
    status: int
    content_type: str
    body: bytes
    last_modified: str | None = None  # the Last-Modified header, as sent
    etag: str | None = None
    charset: str | None = None  # from the Content-Type header

    def text(self) -> str:
        """The body as text: the charset the server declared, else one the page declares in a
        <meta>, else UTF-8 if it is valid UTF-8, else Windows-1252 (what browsers assume for an
        undeclared legacy page: "£" stays "£", not "\ufffd")."""
        for name in (self.charset, _meta_charset(self.body)):
            if name:
                try:
                    return self.body.decode(_codec(name), "replace")
                except LookupError:
                    continue  # a charset Python does not know
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return self.body.decode("cp1252", "replace")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii") if m else None


def _codec(name: str) -> str:
    """The WHATWG rule browsers follow: a page labelled Latin-1 or ASCII is Windows-1252."""
    name = name.strip().lower()
    return "cp1252" if name in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii",
                                "iso8859-1", "l1"} else name


class FetchError(Exception):
    pass


def normalise(url: str) -> str | None:
    """Canonical form for de-duplication: no fragment, no tracking parameters, lower-case host."""
    parts = urlparse(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)])
    path = parts.path or "/"
    return urlunparse((parts.scheme, parts.netloc.lower(), path, "", query, ""))


def url_key(url: str) -> str:
    """What makes two URLs the same page for the crawler: "/a/", "/a/index.html" and "/a" are
    one page. The URL fetched and cited stays the one the site links to."""
    parts = urlparse(url)
    path = re.sub(r"/index\.html?$", "/", parts.path).rstrip("/") or "/"
    return urlunparse((parts.scheme, parts.netloc, path, "", parts.query, ""))


def crawlable(url: str) -> bool:
    return not SKIP_EXTENSIONS.search(urlparse(url).path)


REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
BACK_OFF = {429, 503}
# The gap between requests grows when the site says it is busy (429, 503), up to this, and
# shrinks back towards the usual delay with each answer that is not busy.
MAX_BUSY_DELAY_S = 10.0
# A robots.txt Crawl-delay above this is capped (a site asking for a minute between pages would
# hold a crawl of a thousand pages for most of a day); the crawl report says so.
MAX_CRAWL_DELAY_S = 10.0


class Fetcher:
    """One httpx client per crawl. Requests start at least ``delay`` seconds apart; 429 and 503
    answers are retried after their ``Retry-After`` (capped) and slow the whole crawl down.

    Redirects are followed here, not by httpx, so that each hop is checked before it is
    fetched: only ``hosts`` are fetched (server-side request forgery guard).
    """

    def __init__(self, user_agent: str, timeout: float, max_bytes: int, delay: float,
                 *, retries: int = 2, max_retry_after: float = 60.0,
                 total_timeout: float | None = None) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.base_delay = delay  # the usual gap: the setting, or robots.txt's Crawl-delay
        self.delay = delay
        # httpx's timeout is per read: a server that sends a byte at a time never trips it.
        # This bounds a whole response, redirects excluded.
        self.total_timeout = total_timeout or max(30.0, 3 * timeout)
        self.retries = retries
        self.max_retry_after = max_retry_after
        self.hosts: set[str] = set()  # netlocs allowed; set by the crawl once it knows them
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )
        self._lock = asyncio.Lock()
        self._last = 0.0

    async def close(self) -> None:
        await self._client.aclose()

    async def _wait_turn(self) -> None:
        async with self._lock:
            wait = self._last + self.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last = time.monotonic()

    async def get(
        self, url: str, *, first: bool = False, headers: dict[str, str] | None = None
    ) -> Fetched:
        """Fetch ``url``. ``first``: the start URL, which may redirect to another public host
        (example.gov.uk -> www.example.gov.uk) but never from a public host to a private one."""
        for attempt in range(self.retries + 1):
            got, retry_after = await self._follow(url, first, headers)
            if got.status in BACK_OFF:
                # gentler from now on, within a bound
                self.delay = min(max(self.delay * 2, 0.5,
                                     (retry_after or 0.0) / 4), MAX_BUSY_DELAY_S)
                if attempt < self.retries:
                    wait = min(retry_after if retry_after is not None else 2.0 ** attempt,
                               self.max_retry_after)
                    await asyncio.sleep(wait)
                    continue
            else:  # the site is coping again: back towards the usual gap
                self.delay = max(self.base_delay, self.delay / 2)
            return got
        raise AssertionError("unreachable")

    async def _follow(
        self, url: str, first: bool, extra: dict[str, str] | None
    ) -> tuple[Fetched, float | None]:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            self._check(current, url, first)
            await self._wait_turn()
            got, headers = await self._once(current, extra)
            location = headers.get("location")
            if got.status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            return got, parse_retry_after(headers.get("retry-after"))
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _check(self, target: str, origin: str, first: bool) -> None:
        host = urlparse(target).netloc
        if host in self.hosts:
            return
        if first and (is_private_host(urlparse(origin).hostname or "")
                      or not is_private_host(urlparse(target).hostname or "")):
            return
        raise FetchError(f"{origin}: refused to fetch {target}: not one of the council's hosts")

    async def _once(
        self, url: str, extra: dict[str, str] | None = None
    ) -> tuple[Fetched, httpx.Headers]:
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._read(url, extra)
        except TimeoutError:
            raise FetchError(f"{url}: no whole answer within {self.total_timeout:.0f} s") from None

    async def _read(
        self, url: str, extra: dict[str, str] | None
    ) -> tuple[Fetched, httpx.Headers]:
        try:
            async with self._client.stream("GET", url, headers=extra) as resp:
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                declared = int(resp.headers.get("content-length") or 0)
                if declared > self.max_bytes:
                    raise FetchError(f"{url}: {declared} bytes is over the size limit")
                body = bytearray()
                async for part in resp.aiter_bytes():
                    body += part
                    if len(body) > self.max_bytes:
                        raise FetchError(f"{url}: over the {self.max_bytes}-byte size limit")
                got = Fetched(str(resp.url), resp.status_code, ctype, bytes(body),
                              resp.headers.get("last-modified"), resp.headers.get("etag"),
                              _header_charset(resp.headers.get("content-type", "")))
                return got, resp.headers
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc


def _header_charset(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", content_type, re.I)
    return m.group(1) if m else None


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_private_host(host: str) -> bool:
    """Loopback, private, link-local or reserved: never reached from a public start URL."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable: the fetch itself will fail
        addresses = {ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos}
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved
               or a.is_unspecified for a in addresses)


class Robots:
    """robots.txt rules for one host. As RFC 9309 says: a robots.txt that is missing (any 4xx)
    allows everything; one that cannot be reached (a 5xx, a network error) disallows everything
    until it can be read (``unreachable`` says why)."""

    def __init__(self, text: str, user_agent: str, unreachable: str | None = None) -> None:
        self._parser = urllib.robotparser.RobotFileParser()
        self._parser.parse(text.splitlines())
        self._agent = user_agent.split("/")[0]
        self.unreachable = unreachable

    def allowed(self, url: str) -> bool:
        return self.unreachable is None and self._parser.can_fetch(self._agent, url)

    @property
    def asked_delay(self) -> float:
        """The Crawl-delay robots.txt asks for (0 when none)."""
        delay = self._parser.crawl_delay(self._agent)
        return float(delay) if delay else 0.0

    @property
    def crawl_delay(self) -> float:
        """The Crawl-delay the crawl honours: the one asked for, up to MAX_CRAWL_DELAY_S."""
        return min(self.asked_delay, MAX_CRAWL_DELAY_S)

    @property
    def sitemaps(self) -> list[str]:
        return list(self._parser.site_maps() or [])


async def load_robots(fetcher: Fetcher, base: str) -> Robots:
    try:
        got = await fetcher.get(urljoin(base, "/robots.txt"))
    except FetchError as exc:
        return Robots("", fetcher.user_agent, unreachable=str(exc))
    if got.status >= 500:
        return Robots("", fetcher.user_agent, unreachable=f"robots.txt answered {got.status}")
    text = got.text() if got.status == 200 else ""  # 4xx: no rules, everything allowed
    return Robots(text, fetcher.user_agent)


async def sitemap_urls(
    fetcher: Fetcher, sitemaps: list[str], limit: int = 50_000
) -> list[tuple[str, str | None]]:
    """(page URL, lastmod) from sitemaps, following sitemap index files (bounded)."""
    seen: set[str] = set()
    todo, found = list(sitemaps), list[tuple[str, str | None]]()
    while todo and len(seen) < 50 and len(found) < limit:
        sm = todo.pop(0)
        if sm in seen:
            continue
        seen.add(sm)
        try:
            got = await fetcher.get(sm)
        except FetchError:
            continue
        if got.status != 200:
            continue
        soup = BeautifulSoup(got.body, "xml")
        if soup.find("sitemapindex"):
            todo += [loc.get_text(strip=True) for loc in soup.select("sitemap > loc")]
        else:
            for entry in soup.select("url"):
                loc, lastmod = entry.find("loc"), entry.find("lastmod")
                if loc:
                    found.append((loc.get_text(strip=True),
                                  lastmod.get_text(strip=True) if lastmod else None))
    return found[:limit]
