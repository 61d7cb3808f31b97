"""``askcouncil report deflection|gaps``: reports for managers and web editors."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from cli.common import add_report_options, settings_from, since, write_report


def add_parsers(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="reports for managers and web editors").add_subparsers(
        dest="verb", required=True)
    rd = rep.add_parser("deflection", help="calls and money avoided, with the working shown")
    add_report_options(rd)
    rd.set_defaults(func=deflection)
    rg = rep.add_parser("gaps", help="unanswered questions grouped into topics for editors")
    add_report_options(rg)
    rg.set_defaults(func=gaps)


def deflection(args: argparse.Namespace) -> int:
    from analytics.db import make_engine
    from analytics.deflection import Assumptions, conversation_facts, report, to_csv, to_html
    from analytics.store import AnalyticsStore
    from askcouncil.council import load_council

    settings = settings_from(args)
    start, until = since(args.since), datetime.now(UTC)
    council = load_council(settings.council, settings.councils_dir)
    store = AnalyticsStore(make_engine(settings.db_url))
    store.ensure_schema()
    result = report(conversation_facts(store, council, start, until), council,
                    Assumptions.for_council(council), start, until)
    return write_report(args, result, to_csv, to_html)


def gaps(args: argparse.Namespace) -> int:
    from analytics.db import make_engine
    from analytics.gaps import gap_report, gaps_to_csv, gaps_to_html
    from analytics.store import AnalyticsStore
    from askcouncil.chroma import open_chroma
    from askcouncil.council import load_council
    from askcouncil.embedding import load_embedder
    from askcouncil.index import CouncilIndex

    settings = settings_from(args)
    start, until = since(args.since), datetime.now(UTC)
    council = load_council(settings.council, settings.councils_dir)
    store = AnalyticsStore(make_engine(settings.db_url))
    store.ensure_schema()
    try:
        index = CouncilIndex(open_chroma(settings), settings.council)
    except Exception as exc:  # the report still groups the questions
        print(f"askcouncil: index unavailable, no nearest pages: {exc}", file=sys.stderr)
        index = None
    result = gap_report(store, council, load_embedder(settings), index, start, until)
    return write_report(args, result, gaps_to_csv, gaps_to_html)
