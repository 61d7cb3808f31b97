"""``askcouncil``: one entry point, noun-verb subcommands, each a thin wrapper."""

from __future__ import annotations

import argparse
import logging
import sys

from askcouncil.errors import AskCouncilError
from cli import admin, council, crawl, db, evaluate, report, serve

NOUNS = [crawl, council, serve, evaluate, report, admin, db]  # in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="askcouncil", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for noun in NOUNS:
        noun.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        code: int = args.func(args)
        return code
    except AskCouncilError as exc:
        print(f"askcouncil: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a setting or option with a bad value
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            print(f"askcouncil: {where}: {err['msg']}", file=sys.stderr)
        return 2
    except SettingsError as exc:  # e.g. a list setting that is not JSON
        print(f"askcouncil: {exc} (see .env.example)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
