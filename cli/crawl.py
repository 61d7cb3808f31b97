"""``askcouncil crawl URL [--every 1d]``: crawl a council website and update its index."""

from __future__ import annotations

import argparse

from cli.common import interval, settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("crawl", help="crawl a council website and update its index")
    c.add_argument("url")
    c.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    c.add_argument("--max-pages", type=int, default=None)
    c.add_argument("--no-progress", action="store_true", help="no progress bars")
    c.add_argument("--every", default=None, metavar="INTERVAL",
                   help="keep running: crawl again every INTERVAL (1d, 6h): a scheduled job")
    c.set_defaults(func=crawl)


def crawl(args: argparse.Namespace) -> int:
    from bot.recheck import after_crawl
    from crawler.job import check_start_url, run_crawl, run_schedule

    check_start_url(args.url)  # a schedule would retry a typo forever
    settings = settings_from(args)
    every = None if args.every is None else interval(args.every)

    def crawl_once() -> object:
        return run_crawl(settings, args.url, max_pages=args.max_pages,
                         progress=not args.no_progress, after=after_crawl)

    if every is None:
        crawl_once()
    else:
        run_schedule(crawl_once, every)
    return 0
