"""``askcouncil eval run|compare|draft|gate``: the evaluation suite."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from askcouncil.errors import BadInput
from cli.common import settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
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
    er.set_defaults(func=run)

    ec = e.add_parser("compare", help="two eval runs side by side")
    ec.add_argument("run_a", type=Path)
    ec.add_argument("run_b", type=Path)
    ec.set_defaults(func=compare)

    ed = e.add_parser("draft", help="draft questions from the crawled pages, for review")
    ed.add_argument("--from-index", action="store_true", help="draft from the council's index")
    ed.add_argument("--limit", type=int, default=60)
    ed.add_argument("--out", type=Path, default=None, help="write the JSONL here")
    ed.add_argument("--council")
    ed.set_defaults(func=draft)

    eg = e.add_parser("gate", help="fail when a run scores below eval/baseline.json")
    eg.add_argument("run", type=Path, help="a folder written by eval run")
    eg.add_argument("--set", required=True, help="the question set's name in the baseline")
    eg.add_argument("--baseline", type=Path, default=None)
    eg.add_argument("--raise", dest="raise_floors", action="store_true",
                    help="move floors up to this run's scores")
    eg.add_argument("--lower", action="store_true", help="also move floors down (needs --reason)")
    eg.add_argument("--reason", default=None)
    eg.set_defaults(func=gate)


def run(args: argparse.Namespace) -> int:
    from eval.runner import HttpBot, crawl_site, run_baselines, run_eval

    if args.baselines and args.api:
        raise BadInput("--baselines changes retrieval in process: it cannot ask a deployment "
                       "(--api); use --site or a crawled data folder")
    settings = settings_from(args)
    if args.site:
        settings = crawl_site(settings, args.site)
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


def compare(args: argparse.Namespace) -> int:
    from eval.runner import compare

    print(compare(args.run_a, args.run_b))
    return 0


def gate(args: argparse.Namespace) -> int:
    from eval.gate import BASELINE, gate, move_floors

    baseline = args.baseline or BASELINE
    if args.raise_floors or args.lower:
        changes = move_floors(args.run, args.set, baseline, lower=args.lower, reason=args.reason)
        print("\n".join(changes) or "No floor changed.")
        return 0
    problems = gate(args.run, args.set, baseline)
    for p in problems:
        print(f"FAIL {args.set}: {p}")
    if problems:
        return 1
    print(f"{args.set}: every score is at or above its floor in {baseline}.")
    return 0


def draft(args: argparse.Namespace) -> int:
    from eval.draft import draft_from_index

    if not args.from_index:
        raise BadInput("say where to draft from: --from-index (the council's crawled pages)")
    records = draft_from_index(settings_from(args), limit=args.limit)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"{len(records)} draft questions written to {args.out}: review each before use.")
    else:
        print(text, end="")
    return 0
