"""Gap report job benchmark: ``askcouncil report refresh-gaps`` (the job a crawl runs after it)
on a month of a large council's questions, as a council would run it, in its own process: wall
time, the time of each period's report and the job's peak resident memory, for several sizes (the
memory should not grow with the number of questions). Not a test: too slow for CI.

    python -m benchmarks.gaps [--sizes 2000,10000,50000] [--data-dir DIR] [--out bench-gaps.json]

The questions are the labelled log's (eval/gaplog: 560 on subjects the sample site lacks, 480 a
page answers), varied (greetings, sign-offs, place names, dropped words, typos) and spread over
the last 28 days: the log's gap questions declined, its covered ones answered with confidence
55% of the time (citing their page) and declined otherwise. Without --data-dir the bundled sample
site is crawled into a temporary folder first (the job reads its index for the site's words).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.harness import REPO, exe

GREETINGS = ["", "", "", "hi, ", "hello ", "Good morning, ", "quick question: ", "please "]
ENDINGS = ["", "", "", " thanks", " thank you", " cheers", "?", " asap"]
PLACES = ["", "", "", " on Heron Way", " near the Millbrook estate", " in Kestrelford",
          " on Station Road", " by the High Street"]


def vary(text: str, rng: random.Random) -> str:
    """One resident's way of asking it: a greeting, a place, a dropped word, a typo."""
    words = text.rstrip("?.!").split()
    if len(words) > 4 and rng.random() < 0.3:
        del words[rng.randrange(1, len(words))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return rng.choice(GREETINGS) + " ".join(words) + rng.choice(PLACES) + rng.choice(ENDINGS)


def fill(db_url: str, n: int, seed: int = 7) -> dict[str, int]:
    """``n`` residents' questions over the last 28 days in the database."""
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore, TurnRecord
    from eval.gapmeasure import load

    rng = random.Random(seed)
    log = [m for m in load() if not m.get("follows")]
    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    now = datetime.now(UTC)
    counts = {"questions": n, "declined": 0, "answered": 0}
    batch: list[TurnRecord] = []
    for _ in range(n):
        m = rng.choice(log)
        answered = m["kind"] == "covered" and rng.random() < 0.55
        counts["answered" if answered else "declined"] += 1
        cited = [{"n": 1, "url": f"http://127.0.0.1/{m['page']}", "title": m["page"],
                  "section": "", "snippet": ""}] if answered else []
        cid = str(uuid.UUID(int=rng.getrandbits(128)))
        batch.append(TurnRecord(
            message_id=str(uuid.UUID(int=rng.getrandbits(128))), conversation_id=cid,
            council="kestrelford", question=vary(m["text"], rng), answer="x",
            status="answered" if answered else "no_answer", citations=cited, handoff=None,
            retrieval_scores=[], confidence=0.8 if answered else 0.0, latency_ms=50.0,
            timings_ms={}, created_at=now - timedelta(seconds=rng.uniform(60, 28 * 86400))))
        if len(batch) == 2000:
            store.record_turns(batch)
            batch = []
    if batch:
        store.record_turns(batch)
    engine.dispose()
    return counts


def crawl_sample(data_dir: Path) -> None:
    from askcouncil.devsite import start_site_server

    server, url = start_site_server(host="127.0.0.1", port=0)
    try:
        subprocess.run([exe("askcouncil"), "crawl", url, "--no-progress"], check=True,
                       capture_output=True, env={**os.environ,
                                                 "ASKCOUNCIL_DATA_DIR": str(data_dir),
                                                 "ASKCOUNCIL_COUNCIL": "kestrelford"})
    finally:
        server.shutdown()


JOB = ("import json, resource, sys, time\n"
       "from cli.main import main\n"
       "t = time.monotonic()\n"
       "code = main(['report', 'refresh-gaps'])\n"
       "print('RESULT', json.dumps({'code': code, 'seconds': time.monotonic() - t,\n"
       "      'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")


def run_job(data_dir: Path, db_url: str) -> dict[str, Any]:
    """The job in its own process, as a council's scheduler runs it."""
    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(data_dir), "ASKCOUNCIL_COUNCIL": "kestrelford",
           "ASKCOUNCIL_DATABASE_URL": db_url, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", JOB], check=True, capture_output=True,
                          text=True, env=env, cwd=REPO)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    said = [x for x in done.stdout.splitlines() if x.startswith("Gap report")]
    return {**json.loads(line.removeprefix("RESULT ")), "said": said}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.gaps")
    ap.add_argument("--sizes", default="2000,10000,50000")
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="a crawl of the sample site (else one is made)")
    ap.add_argument("--out", type=Path, default=Path("bench-gaps.json"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "crawl"
        if args.data_dir is None:
            crawl_sample(data)
        for n in sizes:
            db_url = f"sqlite:///{tmp}/gaps-{n}.sqlite3"
            started = time.monotonic()
            counts = fill(db_url, n)
            filled = time.monotonic() - started
            job = run_job(data, db_url)
            from analytics.db import make_engine
            from analytics.store import AnalyticsStore

            store = AnalyticsStore(make_engine(db_url))
            periods = {}
            for days in (7, 30, 90):
                row = store.latest_gap_report("kestrelford", days)
                if row is not None:
                    periods[days] = {"seconds": row.seconds,
                                     "gap_questions": row.report["gap_questions"],
                                     "topics": len(row.report["topics"]),
                                     "bot_missed_questions": row.report["bot_missed_questions"]}
            result = {**counts, "fill_s": round(filled, 1), "job_s": round(job["seconds"], 1),
                      "peak_rss_mb": round(job["peak_rss_mb"]), "periods": periods}
            results.append(result)
            print(json.dumps(result), flush=True)
    largest, smallest = results[-1], results[0]
    out = {"machine": f"{os.cpu_count()} cores", "date": datetime.now(UTC).date().isoformat(),
           "runs": results,
           "peak_rss_ratio_largest_to_smallest": round(largest["peak_rss_mb"]
                                                       / smallest["peak_rss_mb"], 2)}
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}))


if __name__ == "__main__":
    main()
