"""What several commands share: settings from the environment and the common options, the
``--since`` period, and writing a report where ``--format`` and ``--out`` ask."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from askcouncil.errors import BadInput
from askcouncil.settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the options every command may take (--council,
    --workers) on top."""
    overrides: dict[str, Any] = {}
    for option in ("council", "workers"):
        if getattr(args, option, None) is not None:
            overrides[option] = getattr(args, option)
    return Settings(**overrides)


def since(text: str) -> datetime:
    """"30d", "12w", "6m" (30-day months) or an ISO date."""
    m = re.fullmatch(r"(\d+)([dwm])", text.strip())
    if m:
        days = int(m.group(1)) * {"d": 1, "w": 7, "m": 30}[m.group(2)]
        return datetime.now(UTC) - timedelta(days=days)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"--since must look like 30d, 12w, 6m or 2026-10-01, not {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", default="30d", help="30d, 12w, 6m or an ISO date (default 30d)")
    parser.add_argument("--format", choices=["json", "csv", "html"], default="json")
    parser.add_argument("--out", type=Path, default=None, help="write to this file")
    parser.add_argument("--council")


def write_report(args: argparse.Namespace, result: dict[str, Any],
                 to_csv: Callable[[dict[str, Any]], str],
                 to_html: Callable[[dict[str, Any]], str]) -> int:
    """A report as --format asks (json, csv or html), to --out or the terminal."""
    text = {"json": lambda: json.dumps(result, indent=2, default=str),
            "csv": lambda: to_csv(result), "html": lambda: to_html(result)}[args.format]()
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"Written: {args.out}")
    else:
        print(text)
    return 0


def interval(text: str) -> float:
    """"90s", "30m", "6h" or "1d" in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip())
    if not m or float(m.group(1)) <= 0:
        raise BadInput(f"--every must look like 90s, 30m, 6h or 1d, not {text!r}")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
