"""``askcouncil crawl URL [--every 1d]``: crawl a council website and update its index."""

from __future__ import annotations

import argparse
import re

from askcouncil.errors import BadInput
from cli.common import settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("crawl", help="crawl a council website and update its index")
    c.add_argument("url")
    c.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    c.add_argument("--max-pages", type=int, default=None)
    c.add_argument("--no-progress", action="store_true", help="no progress bars")
    c.add_argument("--every", default=None, metavar="INTERVAL",
                   help="keep running: crawl again every INTERVAL (1d, 6h): a scheduled job")
    c.set_defaults(func=crawl)


def interval(text: str) -> float:
    """"90s", "30m", "6h" or "1d" in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip())
    if not m or float(m.group(1)) <= 0:
        raise BadInput(f"--every must look like 90s, 30m, 6h or 1d, not {text!r}")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def crawl(args: argparse.Namespace) -> int:
    from bot.recheck import recheck_fixed_gaps
    from crawler.job import check_start_url, run_crawl, run_schedule

    check_start_url(args.url)  # a schedule would retry a typo forever
    settings = settings_from(args)
    every = None if args.every is None else interval(args.every)

    def crawl_once() -> object:
        return run_crawl(settings, args.url, max_pages=args.max_pages,
                         progress=not args.no_progress, after=recheck_fixed_gaps)

    if every is None:
        crawl_once()
    else:
        run_schedule(crawl_once, every)
    return 0
