"""``askcouncil serve``, ``demo``, ``site serve`` and ``ask``: the bot served, the sample site,
and one question answered in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import settings_from


def add_parsers(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="serve the API, /widget.js and the demo page")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--council")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes behind the port (default: ASKCOUNCIL_WORKERS, 1)")
    s.set_defaults(func=serve)

    a = sub.add_parser("ask", help="answer one question in the terminal")
    a.add_argument("question")
    a.add_argument("--council")
    a.set_defaults(func=ask)

    site = sub.add_parser("site", help="static council websites for demos and tests")
    ss = site.add_subparsers(dest="verb", required=True).add_parser(
        "serve", help="serve the bundled sample site (or --root DIR) on loopback")
    ss.add_argument("--port", type=int, default=8001)
    ss.add_argument("--root", default=None)
    ss.set_defaults(func=site_serve)

    d = sub.add_parser("demo", help="serve the sample site, crawl it, serve the bot")
    d.add_argument("--url", default=None, help="crawl this site instead of the sample site")
    d.add_argument("--council")
    d.add_argument("--max-pages", type=int, default=None)
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--site-port", type=int, default=8001)
    d.set_defaults(func=demo)


def serve(args: argparse.Namespace) -> int:
    from bot.serve import serve

    serve(settings_from(args), args.host, args.port)
    return 0


def demo(args: argparse.Namespace) -> int:
    from bot.serve import demo

    demo(settings_from(args), args.url, host=args.host, port=args.port,
         site_port=args.site_port, max_pages=args.max_pages)
    return 0


def site_serve(args: argparse.Namespace) -> int:
    from askcouncil.devsite import serve_site

    serve_site(Path(args.root) if args.root else None, port=args.port)
    return 0


def ask(args: argparse.Namespace) -> int:
    from bot.chat import ask_once

    reply = ask_once(settings_from(args), args.question)
    print(f"[{reply.status}]\n{reply.answer}\n")
    for c in reply.citations:
        print(f"[{c['n']}] {c['title']}: {c['section']}\n    {c['url']}")
    if reply.handoff:
        h = reply.handoff
        print(f"Contact: {h['label']} {h['phone'] or ''} {h['hours'] or ''} {h['url'] or ''}")
    return 0
