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
    from datetime import UTC, datetime, timedelta

    from analytics.db import make_engine
    from analytics.store import AnalyticsStore
    from askcouncil.errors import BadInput

    settings = settings_from(args)
    months = settings.retention_months if args.months is None else args.months
    if not 1 <= months <= 120:
        raise BadInput(f"--months must be a whole number of months from 1 to 120, not {months}")
    cutoff = datetime.now(UTC) - timedelta(days=round(months * 30.44))
    done = AnalyticsStore(make_engine(settings.db_url)).retain(cutoff)
    print(f"Deleted {done['conversations']} conversations ({done['turns']} turns) started before "
          f"{cutoff.date()}; their daily counts are kept.")
    return 0


def erase(args: argparse.Namespace) -> int:
    from analytics.db import make_engine
    from analytics.store import AnalyticsStore

    turns = AnalyticsStore(make_engine(settings_from(args).db_url)).erase(args.conversation_id)
    print(f"Erased conversation {args.conversation_id} ({turns} turns).")
    return 0
