"""Measure routing: whether the body a reply names as running the service is the right one.

The two-tier test world (``eval.worlds.build_two_tier``) is served on two loopback ports and
crawled into one index for Scarfolk District Council, whose reviewed council file
(``eval/councils/scarfolk-district.yaml``) lists both sites. Each question of the labelled sets
(``eval/questions/scarfolk-routing-PART.jsonl``: the district, the county, town and parish
councils, the DWP, HMRC, the NHS, the police, the DVLA) is asked through the real pipeline.
``tune`` and ``tune2`` were tuned on from the start; each later part was written by writers who
saw no code and no other part, measured once as it came, and only then used for tuning and
learned from (``LEARNED``: the catalogue keeps their questions, ``--learn``); the ``HELD_OUT``
parts are never learned from or tuned on (``eval/questions/README.md``).

The body a reply names is the one it says runs the service (``TurnContext.run_by``: before an
answer or in a handoff, "This service is run by Scarfolkshire County Council, not by Scarfolk
District Council.", or the county's safeguarding line a district's bot gives for a child or
adult at risk), or the district when it names none (a reply to someone at risk of suicide gives
999 and the crisis lines and names nobody). A reply is right when that body is the question's and,
for another body, the reply's text says its name.

    python -m eval.routing [--out eval-runs/routing] [--shared ../shared] [--gate]
    python -m eval.routing --learn   # askcouncil/councils/services-asked.yaml from LEARNED
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from askcouncil.council import ContactLine, Council
from askcouncil.settings import Settings
from eval.worlds import COUNCILS, build_two_tier, council_file

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions"
# The parts the catalogue learns residents' questions from (``--learn``), and the held-out ones
# that measure routing: written later by other writers, never learned from or tuned on.
LEARNED = ("tune", "tune2", "test", "holdout", "holdout2", "holdout3", "holdout4", "holdout5",
           "holdout6", "holdout7")
HELD_OUT = ("holdout8",)
PARTS = (*LEARNED, *HELD_OUT)
SLUG = "scarfolk-district"


def named_body(run_by: ContactLine | None, council: Council) -> str:
    """The label of the body a reply names: "district" (none named), "county", "parish", or the
    key of a national body in bodies.yaml; "other: NAME" for any other."""
    from askcouncil.routing import body_roles

    if run_by is None:
        return "district"
    names = dict(body_roles())
    for key in ("county", "parish"):
        partner = council.partner(key)
        if partner is not None:
            names[partner.body or ""] = key
    return names.get(run_by.body or "", f"other: {run_by.body}")


def score(records: list[dict[str, Any]], ask: Callable[[str], Any], council: Council
          ) -> list[dict[str, Any]]:
    results = []
    for record in records:
        reply = ask(record["question"])
        run_by = reply.context.run_by
        named = named_body(run_by, council)
        said = run_by is None or (run_by.body or "").lower() in reply.answer.lower()
        results.append({"id": record["id"], "question": record["question"],
                        "expected": record["body"], "named": named, "said": said,
                        "right": named == record["body"] and said, "status": reply.status,
                        "on_site": record.get("on_site"), "answer": reply.answer[:400]})
    return results


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_body: dict[str, list[bool]] = {}
    for r in results:
        by_body.setdefault(r["expected"], []).append(r["right"])
    right = sum(r["right"] for r in results)
    return {"questions": len(results), "right": right,
            "accuracy": round(right / len(results), 3) if results else None,
            "by_body": {b: {"questions": len(v), "accuracy": round(sum(v) / len(v), 3)}
                        for b, v in sorted(by_body.items())},
            "answered": sum(r["status"] == "answered" for r in results),
            "confusion": dict(Counter(f"{r['expected']} -> {r['named']}" for r in results
                                      if not r["right"]).most_common())}


def read_part(part: str) -> list[dict[str, Any]]:
    path = QUESTIONS / f"scarfolk-routing-{part}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def learn(parts: tuple[str, ...] = LEARNED, out: Path | None = None) -> dict[str, list[str]]:
    """File each labelled question of ``parts`` under the service of its body that the written
    catalogue finds it closest to (its meaning, and the service's words as ``Council.route``
    weighs them) and write them for the catalogue (``ASKED``): what residents asked, in their
    words, as examples of each service."""
    import yaml

    from askcouncil.council import WORD_WEIGHT
    from askcouncil.embedding import load_embedder
    from askcouncil.routing import ASKED, Senses, load_catalogue

    catalogue = load_catalogue(asked=None)
    senses = Senses(load_embedder(Settings(_env_file=None)), catalogue)
    seen = {text.lower() for s in catalogue.services for text in (s.name, *s.examples)}
    records = [r for part in parts for r in read_part(part)]
    vectors = senses.embedder.embed_documents([r["question"] for r in records])
    asked: dict[str, list[str]] = {s.name: [] for s in catalogue.services}
    for record, vector in zip(records, vectors, strict=True):
        text = record["question"].lower()
        if text in seen:
            continue
        seen.add(text)
        close = senses.by_service(vector)
        mine = {s.name: close[s] + WORD_WEIGHT * s.words.score(text)
                for s in catalogue.services if s.role == record["body"]}
        if mine:
            asked[max(mine, key=mine.__getitem__)].append(record["question"])
    path = out or ASKED
    header = ("# Generated by `python -m eval.routing --learn`: the labelled routing questions of "
              "the parts below\n# (eval/questions/scarfolk-routing-PART.jsonl), each under the "
              "service of its labelled body that\n# the written catalogue (services.yaml) finds "
              "closest, by meaning and words. Review by moving\n# a question to another service "
              "of its body; regenerating files them anew.\n")
    body = yaml.safe_dump({"parts": list(parts),
                           "services": {k: v for k, v in asked.items() if v}},
                          allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, "utf-8")
    return asked


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_routing(shared: Path, out: Path | None = None,
                parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    """Build and serve the two-tier world, crawl it, ask every question; the results by part."""
    from askcouncil.council import load_council
    from askcouncil.devsite import start_site_server
    from askcouncil.embedding import load_embedder
    from bot.chat import build_bot
    from crawler.job import run_crawl, site_urls

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ports = {"district": _free_port(), "county": _free_port()}
        urls = {k: f"http://127.0.0.1:{p}/" for k, p in ports.items()}
        district, county = build_two_tier(shared, root / "sites", urls["district"],
                                          urls["county"])
        servers = [start_site_server(site, port=ports[key])[0]
                   for key, site in (("district", district), ("county", county))]
        try:
            council_file(COUNCILS / f"{SLUG}.yaml", root / "councils", urls)
            settings = Settings(_env_file=None, data_dir=root / "data", council=SLUG,
                                councils_dir=root / "councils")
            embedder = load_embedder(settings)
            for url in site_urls(settings):
                run_crawl(settings, url, progress=False, embedder=embedder,
                          say=lambda _text: None, offer_draft=False)
            council = load_council(SLUG, settings.councils_path)
            bot = build_bot(settings, with_store=False, embedder=embedder)
            try:
                result: dict[str, Any] = {}
                for part in parts:
                    scored = score(read_part(part), bot.chat, council)
                    result[part] = {"summary": summary(scored), "results": scored}
            finally:
                bot.close()
        finally:
            for server in servers:
                server.shutdown()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(result, indent=2), "utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    p.add_argument("--out", type=Path, default=Path("eval-runs/routing"))
    p.add_argument("--part", choices=[*PARTS, "all"], default="all")
    p.add_argument("--gate", action="store_true", help="fail below eval/baseline.json's floors "
                   "for each part (routing-PART)")
    p.add_argument("--learn", action="store_true", help="write the catalogue's residents' "
                   f"questions (askcouncil/councils/services-asked.yaml) from {', '.join(LEARNED)}")
    args = p.parse_args(argv)
    if args.learn:
        asked = learn()
        print(f"{sum(map(len, asked.values()))} questions filed under "
              f"{sum(bool(v) for v in asked.values())} services")
        return 0
    parts = PARTS if args.part == "all" else (args.part,)
    result = run_routing(args.shared, args.out, parts)
    for part in parts:
        s = result[part]["summary"]
        print(f"{part}: {s['right']}/{s['questions']} right ({s['accuracy']:.1%}); answered "
              f"{s['answered']}; by body: " + ", ".join(
                  f"{b} {v['accuracy']:.0%} of {v['questions']}" for b, v in s["by_body"].items()))
        if s["confusion"]:
            print("  wrong: " + ", ".join(f"{k} ({n})" for k, n in s["confusion"].items()))
    print(f"Results: {args.out / 'results.json'}")
    if args.gate:
        from eval.gate import check, load

        failed = False
        sets = load()["sets"]
        for part in parts:
            if f"routing-{part}" not in sets:
                continue
            problems = check(result[part]["summary"], sets[f"routing-{part}"]["floors"])
            for problem in problems:
                print(f"gate routing-{part}: {problem}")
            failed = failed or bool(problems)
            if not problems:
                print(f"gate routing-{part}: every floor met")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
