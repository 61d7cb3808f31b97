"""``askcouncil report deflection|gaps``: reports for managers and web editors."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from cli.common import add_report_options, interval, settings_from, since, write_report


def add_parsers(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="reports for managers and web editors").add_subparsers(
        dest="verb", required=True)
    rd = rep.add_parser("deflection", help="calls and money avoided, with the working shown")
    add_report_options(rd)
    rd.set_defaults(func=deflection)
    rg = rep.add_parser("gaps", help="unanswered questions grouped into topics for editors")
    add_report_options(rg)
    rg.set_defaults(func=gaps)
    rr = rep.add_parser("refresh-gaps", help="make the gap reports the dashboard shows (the "
                        "job a crawl runs after it; --every for a schedule without crawls)")
    rr.add_argument("--council")
    rr.add_argument("--every", default=None, metavar="INTERVAL",
                    help="keep running: make them again every INTERVAL (1d, 6h)")
    rr.set_defaults(func=refresh_gaps)


def deflection(args: argparse.Namespace) -> int:
    from analytics.deflection import deflection_report, to_csv, to_html

    result = deflection_report(settings_from(args), since(args.since), datetime.now(UTC))
    return write_report(args, result, to_csv, to_html)


def gaps(args: argparse.Namespace) -> int:
    from analytics.gaps import gap_report_for, gaps_to_csv, gaps_to_html

    result = gap_report_for(settings_from(args), since(args.since), datetime.now(UTC),
                            warn=lambda why: print(f"askcouncil: {why}", file=sys.stderr))
    return write_report(args, result, gaps_to_csv, gaps_to_html)


def refresh_gaps(args: argparse.Namespace) -> int:
    from analytics.gaps import refresh_gap_reports
    from crawler.job import run_schedule

    settings = settings_from(args)
    every = None if args.every is None else interval(args.every)
    if every is None:
        refresh_gap_reports(settings)
    else:
        run_schedule(lambda: refresh_gap_reports(settings), every, what="gap report")
    return 0
