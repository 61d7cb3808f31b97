"""Split a written question set once, by page, into a tuning part and a test part.

    python3 scripts/split_questions.py SOURCE.jsonl [SOURCE.jsonl ...] --out eval/questions/NAME

writes NAME-tune.jsonl and NAME-test.jsonl. Every question about one page lands in the same part
(the page is the first expected page of the question, or of its first turn), so the test part
asks about pages the tuning never saw questions on; questions with no page (unanswerable ones)
are split by their id. The part comes from a hash, so it never depends on the order of the file
or on how the pipeline scores: run it once when a set is written, and never move a question
between parts afterwards."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path


def page_of(record: dict) -> str:
    urls = record.get("turn1_expected_urls") or record.get("expected_urls") or []
    return urls[0].removesuffix("index.html") if urls else f"id:{record['id']}"


def part(record: dict) -> str:
    digest = hashlib.sha256(page_of(record).encode("utf-8")).digest()
    return "test" if digest[0] % 2 else "tune"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+", type=Path)
    ap.add_argument("--out", required=True, help="path prefix, e.g. eval/questions/realpages")
    args = ap.parse_args()
    records = [json.loads(line) for src in args.sources
               for line in src.read_text("utf-8").splitlines() if line.strip()]
    parts: dict[str, list[dict]] = {"tune": [], "test": []}
    for r in records:
        parts[part(r)].append(r)
    for name, rows in parts.items():
        path = Path(f"{args.out}-{name}.jsonl")
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        kinds: dict[str, int] = {}
        for r in rows:
            kind = r["id"].rsplit("-", 1)[-1].rstrip("0123456789")
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"{path}: {len(rows)} questions {kinds}")


if __name__ == "__main__":
    main()
