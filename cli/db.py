"""``askcouncil db migrate|retain|erase``: the analytics database."""

from __future__ import annotations

import argparse

from cli.common import settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="analytics database").add_subparsers(dest="verb", required=True)
    db.add_parser("migrate", help="create or upgrade the tables").set_defaults(func=migrate)
    dr = db.add_parser("retain", help="delete conversations past the retention period")
    dr.add_argument("--months", type=int, default=None,
                    help="default: ASKCOUNCIL_RETENTION_MONTHS (13)")
    dr.set_defaults(func=retain)
    de = db.add_parser("erase", help="delete one conversation (a resident's request)")
    de.add_argument("conversation_id")
    de.set_defaults(func=erase)


def migrate(args: argparse.Namespace) -> int:
    from analytics.db import make_engine, migrate

    migrate(make_engine(settings_from(args).db_url))
    print("Database is up to date.")
    return 0


def retain(args: argparse.Namespace) -> int:
    from analytics.store import retain_months

    cutoff, done = retain_months(settings_from(args), args.months)
    print(f"Deleted {done['conversations']} conversations ({done['turns']} turns) started before "
          f"{cutoff.date()}; their daily counts are kept.")
    return 0


def erase(args: argparse.Namespace) -> int:
    from analytics.store import open_store

    turns = open_store(settings_from(args)).erase(args.conversation_id)
    print(f"Erased conversation {args.conversation_id} ({turns} turns).")
    return 0
