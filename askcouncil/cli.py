"""``askcouncil``: one entry point, noun-verb subcommands, each a thin wrapper."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from askcouncil.errors import AskCouncilError, BadInput

if TYPE_CHECKING:
    from askcouncil.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the options every command may take (--council,
    --workers) on top."""
    from askcouncil.settings import Settings

    overrides: dict[str, Any] = {}
    for option in ("council", "workers"):
        if getattr(args, option, None) is not None:
            overrides[option] = getattr(args, option)
    return Settings(**overrides)


def cmd_crawl(args: argparse.Namespace) -> int:
    from bot.recheck import recheck_fixed_gaps
    from crawler.job import check_start_url, run_crawl, run_schedule

    check_start_url(args.url)  # a schedule would retry a typo forever
    settings = _settings(args)
    interval = None if args.every is None else _interval(args.every)

    def crawl_once() -> object:
        return run_crawl(settings, args.url, max_pages=args.max_pages,
                         progress=not args.no_progress, after=recheck_fixed_gaps)

    if interval is None:
        crawl_once()
    else:
        run_schedule(crawl_once, interval)
    return 0


def _interval(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip())
    if not m or float(m.group(1)) <= 0:
        raise BadInput(f"--every must look like 90s, 30m, 6h or 1d, not {text!r}")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.serve import serve

    serve(_settings(args), args.host, args.port)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.chat import build_bot

    bot = build_bot(_settings(args))
    try:
        reply = bot.chat(args.question)
    finally:
        bot.close()  # the turn is written before the command ends
    print(f"[{reply.status}]\n{reply.answer}\n")
    for c in reply.citations:
        print(f"[{c['n']}] {c['title']}: {c['section']}\n    {c['url']}")
    if reply.handoff:
        h = reply.handoff
        print(f"Contact: {h['label']} {h['phone'] or ''} {h['hours'] or ''} {h['url'] or ''}")
    return 0


def cmd_eval_run(args: argparse.Namespace) -> int:
    from eval.runner import HttpBot, run_baselines, run_eval

    settings = _settings(args)
    if args.baselines and args.api:
        raise BadInput("--baselines changes retrieval in process: it cannot ask a deployment "
                       "(--api); use --site or a crawled data folder")
    if args.site:
        settings = _crawl_for_eval(settings, args.site)
    if args.baselines:
        out = args.out or settings.data_dir / "eval" / "baselines"
        print(run_baselines(Path(args.questions), settings, out, progress=True,
                            grade_target=args.grade_target))
        print(f"Runs written to {out}/keyword, {out}/dense and {out}/hybrid")
        return 0
    bot = HttpBot(args.api, args.council) if args.api else None
    result = run_eval(Path(args.questions), settings, out_dir=args.out, progress=True, bot=bot,
                      accessibility=args.accessibility, grade_target=args.grade_target)
    print(result.report_text())
    print(f"Results written to {result.out_dir}")
    return 0


def _crawl_for_eval(settings: Settings, url: str) -> Settings:
    """Crawl a site into its own data folder (data/eval-site/<host>) for ``eval run --site``."""
    from urllib.parse import urlparse

    from crawler.job import run_crawl

    host = re.sub(r"[^a-z0-9-]+", "-", (urlparse(url).netloc or "site").lower()).strip("-")
    settings = settings.model_copy(update={"data_dir": settings.data_dir / "eval-site" / host})
    run_crawl(settings, url)
    return settings


def cmd_eval_compare(args: argparse.Namespace) -> int:
    from eval.runner import compare

    for run in (args.run_a, args.run_b):
        if not (run / "results.json").is_file():
            raise BadInput(f"{run} has no results.json: give two folders written by eval run")
    print(compare(args.run_a, args.run_b))
    return 0


def cmd_eval_gate(args: argparse.Namespace) -> int:
    from eval import gate

    args.baseline = args.baseline or gate.BASELINE
    results = args.run / "results.json"
    if not results.is_file():
        raise BadInput(f"{args.run} has no results.json: give a folder written by eval run")
    summary = json.loads(results.read_text("utf-8"))["summary"]
    if args.lower and not args.reason:
        raise BadInput("--lower needs --reason: say why the floor may drop")
    if args.raise_floors or args.lower:
        changes = gate.update(args.baseline, args.set, summary, lower=args.lower,
                              reason=args.reason)
        print("\n".join(changes) or "No floor changed.")
        return 0
    floors = gate.load(args.baseline)["sets"][args.set]["floors"]
    problems = gate.check(summary, floors)
    for p in problems:
        print(f"FAIL {args.set}: {p}")
    if problems:
        return 1
    print(f"{args.set}: every score is at or above its floor in {args.baseline}.")
    return 0


def cmd_eval_draft(args: argparse.Namespace) -> int:
    from askcouncil.index import CouncilIndex, open_chroma
    from eval.draft import draft

    if not args.from_index:
        raise BadInput("say where to draft from: --from-index (the council's crawled pages)")
    settings = _settings(args)
    index = CouncilIndex(open_chroma(settings), settings.council)
    if not index.exists():
        raise BadInput(f"nothing indexed for council {settings.council!r}: run askcouncil crawl")
    records = draft(index.all_chunks(), limit=args.limit)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"{len(records)} draft questions written to {args.out}: review each before use.")
    else:
        print(text, end="")
    return 0


def cmd_site_serve(args: argparse.Namespace) -> int:
    from askcouncil.devsite import serve_site

    serve_site(Path(args.root) if args.root else None, port=args.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.serve import demo

    demo(_settings(args), args.url, host=args.host, port=args.port, site_port=args.site_port,
         max_pages=args.max_pages)
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from analytics.db import make_engine, migrate

    settings = _settings(args)
    migrate(make_engine(settings.db_url))
    print("Database is up to date.")
    return 0


def _since(text: str):  # noqa: ANN202 - datetime
    """"30d", "12w", "6m" (30-day months) or an ISO date."""
    import re
    from datetime import UTC, datetime, timedelta

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


def _write_report(args: argparse.Namespace, result: dict, to_csv, to_html) -> int:  # noqa: ANN001
    """A report as --format asks (json, csv or html), to --out or the terminal."""
    text = {"json": lambda: json.dumps(result, indent=2, default=str),
            "csv": lambda: to_csv(result), "html": lambda: to_html(result)}[args.format]()
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"Written: {args.out}")
    else:
        print(text)
    return 0


def cmd_report_deflection(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from analytics.db import make_engine
    from analytics.deflection import Assumptions, conversation_facts, report, to_csv, to_html
    from analytics.store import AnalyticsStore
    from askcouncil.council import load_council

    settings = _settings(args)
    since = _since(args.since)
    until = datetime.now(UTC)
    council = load_council(settings.council, settings.councils_dir)
    store = AnalyticsStore(make_engine(settings.db_url))
    store.ensure_schema()
    result = report(conversation_facts(store, council, since, until), council,
                    Assumptions.for_council(council), since, until)
    return _write_report(args, result, to_csv, to_html)


def cmd_report_gaps(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from analytics.db import make_engine
    from analytics.gaps import gap_report, gaps_to_csv, gaps_to_html
    from analytics.store import AnalyticsStore
    from askcouncil.council import load_council
    from askcouncil.embedding import load_embedder
    from askcouncil.index import CouncilIndex, open_chroma

    settings = _settings(args)
    since, until = _since(args.since), datetime.now(UTC)
    council = load_council(settings.council, settings.councils_dir)
    store = AnalyticsStore(make_engine(settings.db_url))
    store.ensure_schema()
    try:
        index = CouncilIndex(open_chroma(settings), settings.council)
    except Exception as exc:  # the report still groups the questions
        print(f"askcouncil: index unavailable, no nearest pages: {exc}", file=sys.stderr)
        index = None
    result = gap_report(store, council, load_embedder(settings), index, since, until)
    return _write_report(args, result, gaps_to_csv, gaps_to_html)


def cmd_db_retain(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from analytics.db import make_engine
    from analytics.store import AnalyticsStore

    settings = _settings(args)
    months = settings.retention_months if args.months is None else args.months
    if not 1 <= months <= 120:
        raise BadInput(f"--months must be a whole number of months from 1 to 120, not {months}")
    cutoff = datetime.now(UTC) - timedelta(days=round(months * 30.44))
    done = AnalyticsStore(make_engine(settings.db_url)).retain(cutoff)
    print(f"Deleted {done['conversations']} conversations ({done['turns']} turns) started before "
          f"{cutoff.date()}; their daily counts are kept.")
    return 0


def cmd_db_erase(args: argparse.Namespace) -> int:
    from analytics.db import make_engine
    from analytics.store import AnalyticsStore

    settings = _settings(args)
    turns = AnalyticsStore(make_engine(settings.db_url)).erase(args.conversation_id)
    print(f"Erased conversation {args.conversation_id} ({turns} turns).")
    return 0


def cmd_admin_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from bot.admin.auth import hash_password

    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass(
        "Dashboard password: ")
    if len(password) < 12:
        raise BadInput("use a password of at least 12 characters")
    print(hash_password(password))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="askcouncil", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("crawl", help="crawl a council website and update its index")
    c.add_argument("url")
    c.add_argument("--council", help="council slug (default: ASKCOUNCIL_COUNCIL)")
    c.add_argument("--max-pages", type=int, default=None)
    c.add_argument("--no-progress", action="store_true", help="no progress bars")
    c.add_argument("--every", default=None, metavar="INTERVAL",
                   help="keep running: crawl again every INTERVAL (1d, 6h): a scheduled job")
    c.set_defaults(func=cmd_crawl)

    s = sub.add_parser("serve", help="serve the API, /widget.js and the demo page")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--council")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes behind the port (default: ASKCOUNCIL_WORKERS, 1)")
    s.set_defaults(func=cmd_serve)

    a = sub.add_parser("ask", help="answer one question in the terminal")
    a.add_argument("question")
    a.add_argument("--council")
    a.set_defaults(func=cmd_ask)

    e = sub.add_parser("eval", help="evaluation suite").add_subparsers(dest="verb", required=True)
    er = e.add_parser("run", help="run a question file through the answer pipeline")
    er.add_argument("questions")
    er.add_argument("--council")
    er.add_argument("--out", type=Path, default=None, help="results folder")
    where = er.add_mutually_exclusive_group()
    where.add_argument("--api", default=None,
                       help="ask a running deployment at this URL instead of in process")
    where.add_argument("--site", default=None,
                       help="crawl this site first (into data/eval-site/HOST), then evaluate")
    er.add_argument("--grade-target", type=float, default=None,
                    help="reading grade answers should not exceed (default 9)")
    er.add_argument("--accessibility", action="store_true",
                    help="also check the widget and dashboard in Chromium (axe, keyboard, reflow)")
    er.add_argument("--baselines", action="store_true",
                    help="also run keyword-only and dense-only retrieval, side by side")
    er.set_defaults(func=cmd_eval_run)
    ec = e.add_parser("compare", help="two eval runs side by side")
    ec.add_argument("run_a", type=Path)
    ec.add_argument("run_b", type=Path)
    ec.set_defaults(func=cmd_eval_compare)
    ed = e.add_parser("draft", help="draft questions from the crawled pages, for review")
    ed.add_argument("--from-index", action="store_true", help="draft from the council's index")
    ed.add_argument("--limit", type=int, default=60)
    ed.add_argument("--out", type=Path, default=None, help="write the JSONL here")
    ed.add_argument("--council")
    ed.set_defaults(func=cmd_eval_draft)
    eg = e.add_parser("gate", help="fail when a run scores below eval/baseline.json")
    eg.add_argument("run", type=Path, help="a folder written by eval run")
    eg.add_argument("--set", required=True, help="the question set's name in the baseline")
    eg.add_argument("--baseline", type=Path, default=None)
    eg.add_argument("--raise", dest="raise_floors", action="store_true",
                    help="move floors up to this run's scores")
    eg.add_argument("--lower", action="store_true", help="also move floors down (needs --reason)")
    eg.add_argument("--reason", default=None)
    eg.set_defaults(func=cmd_eval_gate)

    site = sub.add_parser("site", help="static council websites for demos and tests")
    ss = site.add_subparsers(dest="verb", required=True).add_parser(
        "serve", help="serve the bundled sample site (or --root DIR) on loopback")
    ss.add_argument("--port", type=int, default=8001)
    ss.add_argument("--root", default=None)
    ss.set_defaults(func=cmd_site_serve)

    d = sub.add_parser("demo", help="serve the sample site, crawl it, serve the bot")
    d.add_argument("--url", default=None, help="crawl this site instead of the sample site")
    d.add_argument("--council")
    d.add_argument("--max-pages", type=int, default=None)
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--site-port", type=int, default=8001)
    d.set_defaults(func=cmd_demo)

    rep = sub.add_parser("report", help="reports for managers and web editors").add_subparsers(
        dest="verb", required=True)
    rd = rep.add_parser("deflection", help="calls and money avoided, with the working shown")
    rd.add_argument("--since", default="30d", help="30d, 12w, 6m or an ISO date (default 30d)")
    rd.add_argument("--format", choices=["json", "csv", "html"], default="json")
    rd.add_argument("--out", type=Path, default=None, help="write to this file")
    rd.add_argument("--council")
    rd.set_defaults(func=cmd_report_deflection)

    rg = rep.add_parser("gaps", help="unanswered questions grouped into topics for editors")
    rg.add_argument("--since", default="30d", help="30d, 12w, 6m or an ISO date (default 30d)")
    rg.add_argument("--format", choices=["json", "csv", "html"], default="json")
    rg.add_argument("--out", type=Path, default=None, help="write to this file")
    rg.add_argument("--council")
    rg.set_defaults(func=cmd_report_gaps)

    adm = sub.add_parser("admin", help="the dashboard").add_subparsers(dest="verb", required=True)
    hp = adm.add_parser("hash-password", help="print the hash for ASKCOUNCIL_ADMIN_PASSWORD_HASH")
    hp.add_argument("--stdin", action="store_true", help="read the password from standard input")
    hp.set_defaults(func=cmd_admin_hash_password)

    db = sub.add_parser("db", help="analytics database").add_subparsers(dest="verb", required=True)
    db.add_parser("migrate", help="create or upgrade the tables").set_defaults(func=cmd_db_migrate)
    dr = db.add_parser("retain", help="delete conversations past the retention period")
    dr.add_argument("--months", type=int, default=None,
                    help="default: ASKCOUNCIL_RETENTION_MONTHS (13)")
    dr.set_defaults(func=cmd_db_retain)
    de = db.add_parser("erase", help="delete one conversation (a resident's request)")
    de.add_argument("conversation_id")
    de.set_defaults(func=cmd_db_erase)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        return args.func(args)
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
