"""``askcouncil admin hash-password``: the dashboard's password hash."""

from __future__ import annotations

import argparse
import getpass
import sys

from askcouncil.errors import BadInput


def add_parsers(sub: argparse._SubParsersAction) -> None:
    adm = sub.add_parser("admin", help="the dashboard").add_subparsers(dest="verb", required=True)
    hp = adm.add_parser("hash-password", help="print the hash for ASKCOUNCIL_ADMIN_PASSWORD_HASH")
    hp.add_argument("--stdin", action="store_true", help="read the password from standard input")
    hp.set_defaults(func=hash_password)


def hash_password(args: argparse.Namespace) -> int:
    from bot.admin.auth import hash_password

    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass(
        "Dashboard password: ")
    if len(password) < 12:
        raise BadInput("use a password of at least 12 characters")
    print(hash_password(password))
    return 0
