"""``askcouncil council draft URL``: draft a council's file (lines, phones, hours, partners)
from its crawled website, every value with the page it came from, for a person to review.
``askcouncil council services``: who runs each service of the routing catalogue for the council,
as its file and the catalogue decide, for the same review."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("council", help="a council's file: draft it from the crawled website")
    verbs = c.add_subparsers(dest="verb", required=True)
    d = verbs.add_parser("draft", help="draft the council file from the crawled site (crawling "
                         "it first if nothing is indexed yet)")
    d.add_argument("urls", nargs="+", metavar="URL",
                   help="the council's website, then any other sites its bot answers from (the "
                        "county's or district's, a predecessor council's)")
    d.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    d.add_argument("--out", type=Path, default=None,
                   help="write here (default: <ASKCOUNCIL_COUNCILS_DIR or data/councils>/"
                        "<slug>.yaml)")
    d.add_argument("--force", action="store_true", help="replace an existing file")
    d.add_argument("--no-progress", action="store_true", help="no progress bars")
    d.set_defaults(func=draft)
    w = verbs.add_parser("services", help="who runs each service residents ask about, as the "
                         "council file and the bundled catalogue decide (for review)")
    w.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    w.set_defaults(func=services)


def draft(args: argparse.Namespace) -> int:
    from crawler.councilfile import write_draft

    write_draft(settings_from(args), args.urls, out=args.out, force=args.force,
                progress=not args.no_progress)
    return 0


def services(args: argparse.Namespace) -> int:
    from askcouncil.council import load_council

    settings = settings_from(args)
    council = load_council(settings.council, settings.councils_path)
    print(f"Who runs what for {council.name} (askcouncil/councils/services.yaml, and where this "
          "council's file says otherwise, the file):")
    table = council.who_runs_what()
    for who in dict.fromkeys(row[0] for row in table):
        print(f"\n{who}:")
        for _who, service, claimed in (row for row in table if row[0] == who):
            print(f"  {service}" + (f"  (your file lists: {', '.join(claimed)})" if claimed
                                    else ""))
    return 0
