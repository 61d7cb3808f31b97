"""A council's crawl, wired once: the lock, the crawl state, the index, the embedding model, the
crawl itself, the site report for web editors, and whatever must run once the new index is
live. Every caller uses :func:`run_crawl` (``askcouncil crawl``, its ``--every`` schedule,
``askcouncil demo``, ``askcouncil eval run --site``, the crawl benchmark), so they agree on
where the lock and the crawl state live.

``after`` is how a layer above this one adds a step (the command line passes the re-test of
the gap topics that editors marked fixed, which needs the answer pipeline): the crawler does
not import the bot.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from askcouncil.embedding import Embedder
from askcouncil.errors import AskCouncilError, CrawlError
from askcouncil.settings import Settings
from crawler.crawl import CrawlReport

log = logging.getLogger(__name__)

# Run once the new index is published: (settings, the embedder the crawl used, say).
AfterCrawl = Callable[[Settings, Embedder, Callable[[str], None]], None]


def _say(text: str) -> None:
    print(text, flush=True)


@dataclass(frozen=True)
class CrawlOutcome:
    report: CrawlReport
    site_report: Path  # the HTML site report for web editors
    embedder: Embedder  # the model the crawl loaded, for a caller that answers next (the demo)


def state_dir(settings: Settings) -> Path:
    """Where a council's crawl state and crawl lock live."""
    return settings.data_dir / "crawl-state"


def lock_path(settings: Settings) -> Path:
    return state_dir(settings) / f"{settings.council}.lock"


def state_path(settings: Settings) -> Path:
    return state_dir(settings) / f"{settings.council}.sqlite3"


def site_urls(settings: Settings) -> list[str]:
    """The websites the council file lists (``sites``), to crawl one after another."""
    from askcouncil.council import load_council

    sites = load_council(settings.council, settings.councils_path).sites
    if not sites:
        raise CrawlError(f"give the website to crawl: council {settings.council!r} lists no "
                         "sites in its council file")
    return [s.url for s in sites]


def check_start_url(url: str) -> None:
    """A crawl starts from an http(s) URL: anything else is an error at once."""
    from crawler.fetch import normalise

    if not normalise(url):
        raise CrawlError(f"not an http(s) URL: {url!r}")


def run_crawl(
    settings: Settings,
    url: str,
    *,
    max_pages: int | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
    after: AfterCrawl | None = None,
    say: Callable[[str], None] = _say,
    embed_ahead: bool | None = None,
    offer_draft: bool = True,
    other_sites: tuple[str, ...] | None = None,
) -> CrawlOutcome:
    """Crawl ``url`` into ``settings.council``'s index, under the council's crawl lock (a second
    crawl of the same council is refused while this one runs), keeping the crawl state that makes
    the next crawl incremental; then write the site report and run ``after``.

    ``embedder`` reuses a loaded model (the benchmark, the tests); by default the settings' model
    is loaded once the lock is held. Raises :class:`CrawlError` for a URL that is not http(s),
    before anything is loaded."""
    from askcouncil.chroma import open_chroma
    from askcouncil.council import council_configured, load_council
    from askcouncil.embedding import load_embedder
    from askcouncil.index import CouncilIndex
    from crawler.crawl import CrawlOptions, crawl
    from crawler.report import build_site_report, write_site_report
    from crawler.state import CrawlState, crawl_lock

    check_start_url(url)  # before loading the model: a typo should fail fast
    council = load_council(settings.council, settings.councils_path)
    site = council.site_for(url)
    # the council's other websites, whose pages this crawl keeps (``other_sites``: before the
    # council file lists them, as ``council draft`` crawls them)
    others = tuple(s.url for s in council.sites if s is not site) if other_sites is None \
        else other_sites
    scope = (site.key if site else urlparse(url).netloc) if others else ""
    opts = CrawlOptions.from_settings(
        settings, max_pages=max_pages, progress=progress, embed_ahead=embed_ahead,
        allow=council.crawl_allow, deny=council.crawl_deny, other_sites=others,
    )
    with crawl_lock(lock_path(settings)):
        say(f"Crawling {url} for council '{settings.council}'"
            + (" (the pages of its other sites are kept)" if others else ""))
        index = CouncilIndex(open_chroma(settings), settings.council)
        state = CrawlState(state_path(settings), site=scope)
        embedder = embedder or load_embedder(settings)
        try:
            report = crawl(url, index, embedder, opts, state)
        finally:
            state.close()
    say(report.summary())
    folder = settings.data_dir / "reports" / settings.council
    path = write_site_report(build_site_report(report),
                             folder / scope.replace(":", "_") if scope else folder)
    say(f"Site report for web editors: {path}")
    warning = report.cut_short()  # last, where an operator reading the output sees it
    if warning:
        say(warning)
    elif not report.complete:
        say("The crawl did not reach the whole site, so no pages were removed from the index.")
    if offer_draft and not council_configured(settings.council, settings.councils_path):
        say(f"Council '{settings.council}' has no council file yet, so the bot hands off only "
            f"to its contact page. Draft one from this crawl (lines, phone numbers, opening "
            f"hours, partners): askcouncil council draft {url} --council {settings.council}")
    if after is not None:
        after(settings, embedder, say)
    return CrawlOutcome(report, path, embedder)


def run_schedule(crawl_once: Callable[[], object], interval_s: float, *,
                 say: Callable[[str], None] = _say, what: str = "crawl") -> None:
    """The scheduled crawler job: ``crawl_once()`` (a :func:`run_crawl`), wait out the interval,
    crawl again. A failed crawl is reported and the schedule goes on (the live index stays as it
    was). SIGTERM while waiting ends the job at once; during a crawl it ends the crawl, which the
    next start resumes."""
    stop = threading.Event()
    while True:
        began = time.monotonic()
        try:
            crawl_once()
        except AskCouncilError as exc:
            print(f"askcouncil: {what} failed: {exc}", file=sys.stderr, flush=True)
        except Exception:
            log.exception("%s failed", what)
        wait = max(0.0, interval_s - (time.monotonic() - began))
        # listening before saying so: a SIGTERM just after the message ends the wait cleanly
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        say(f"Next {what} in {wait / 3600:.1f} hours.")
        try:
            if stop.wait(wait):
                return
        finally:
            signal.signal(signal.SIGTERM, previous)
