"""``askcouncil crawl [URL] [--every 1d]``: crawl a council website (or every site its council
file lists) and update its index."""

from __future__ import annotations

import argparse
import sys

from askcouncil.errors import AskCouncilError, CrawlError
from cli.common import interval, settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("crawl", help="crawl a council website and update its index")
    c.add_argument("url", nargs="?", default=None,
                   help="the website to crawl (default: every site the council file lists)")
    c.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    c.add_argument("--max-pages", type=int, default=None)
    c.add_argument("--no-progress", action="store_true", help="no progress bars")
    c.add_argument("--every", default=None, metavar="INTERVAL",
                   help="keep running: crawl again every INTERVAL (1d, 6h): a scheduled job")
    c.set_defaults(func=crawl)


def crawl(args: argparse.Namespace) -> int:
    from bot.recheck import after_crawl
    from crawler.job import check_start_url, run_crawl, run_schedule, site_urls

    settings = settings_from(args)
    urls = [args.url] if args.url else site_urls(settings)
    for url in urls:
        check_start_url(url)  # a schedule would retry a typo forever
    every = None if args.every is None else interval(args.every)

    def crawl_once() -> None:
        failed: list[AskCouncilError] = []
        embedder = None  # loaded by the first site's crawl, used by the rest
        for url in urls:  # one site failing leaves the others to be crawled
            try:
                embedder = run_crawl(settings, url, max_pages=args.max_pages,
                                     progress=not args.no_progress, after=after_crawl,
                                     embedder=embedder).embedder
            except AskCouncilError as exc:
                if len(urls) == 1:
                    raise
                print(f"askcouncil: crawl of {url} failed: {exc}", file=sys.stderr, flush=True)
                failed.append(exc)
        if failed:
            raise CrawlError(f"{len(failed)} of {len(urls)} sites could not be crawled")

    if every is None:
        crawl_once()
    else:
        run_schedule(crawl_once, every)
    return 0
