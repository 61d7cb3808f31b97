"""Chat latency benchmark: ``POST /api/chat`` over HTTP against ``askcouncil serve`` with the
extractive composer, one request at a time, beside the floor (query embedding plus vector search
alone, in process), for each embedding backend in one run (ONNX Runtime, the default, and the
sentence-transformers reference). Not a test: the machines are noisy, so compare medians and
ratios.

    python -m benchmarks.chat [--data-dir DIR --council SLUG] [--rounds N] [--out bench-chat.json]

Without --data-dir it builds ../shared/sites/realpages for a loopback port, serves it and crawls
it into a temporary folder first. The questions are those of ../shared/eval/realpages-dev.jsonl
(or --questions), each asked in a new conversation, N rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from askcouncil.settings import Settings
from benchmarks.harness import SHARED, build_realpages, free_port, load_questions, summary

TARGET_P50_MS, TARGET_P95_MS = 80.0, 200.0
TARGET_QUERY_EMBED_P50_MS = 3.0  # issue 19
TARGET_RATIO_TO_FLOOR = 2.0
BACKENDS = ("onnx", "sentence-transformers")  # the default first: before PyTorch is loaded


def crawl_realpages(data_dir: Path, council: str) -> None:

    from askcouncil.devsite import start_site_server

    port = free_port()
    root = build_realpages(data_dir / "site", port)
    server, url = start_site_server(root, port=port)
    try:
        env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(data_dir), "ASKCOUNCIL_COUNCIL": council}
        subprocess.run([sys.executable, "-m", "cli", "crawl", url, "--no-progress"],
                       env=env, check=True)
    finally:
        server.shutdown()


def floor(settings: Settings, questions: list[str], rounds: int
          ) -> tuple[list[float], list[float]]:
    """Query embedding plus a k=20 vector search: what any answer costs at least; and the
    query embedding alone."""
    from askcouncil.chroma import open_chroma
    from askcouncil.embedding import load_embedder
    from askcouncil.index import CouncilIndex

    embedder = load_embedder(settings)
    index = CouncilIndex(open_chroma(settings), settings.council)
    for q in questions[:5]:  # warm up
        index.query(embedder.embed_query(q), 20)
    times, embedding = [], []
    for _ in range(rounds):
        for q in questions:
            began = time.perf_counter()
            vector = embedder.embed_query(q)
            embedded = time.perf_counter()
            index.query(vector, 20)
            times.append((time.perf_counter() - began) * 1000)
            embedding.append((embedded - began) * 1000)
    return times, embedding


def over_http(settings: Settings, questions: list[str], rounds: int) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(settings.data_dir),
           "ASKCOUNCIL_COUNCIL": settings.council, "ASKCOUNCIL_LLM": "",
           "ASKCOUNCIL_EMBEDDING_BACKEND": settings.embedding_backend,
           # one client asking as fast as it can: the per-client limit would throttle it
           "ASKCOUNCIL_RATE_LIMIT_CHAT_PER_MINUTE": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError("askcouncil serve did not become ready")
            for q in questions[:5]:
                client.post("/api/chat", json={"message": q})
            times: list[float] = []
            statuses: dict[str, int] = {}
            began_all = time.perf_counter()
            for _ in range(rounds):
                for q in questions:
                    began = time.perf_counter()
                    resp = client.post("/api/chat", json={"message": q})
                    times.append((time.perf_counter() - began) * 1000)
                    status = resp.json()["status"] if resp.status_code == 200 else resp.status_code
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
            wall = time.perf_counter() - began_all
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {**summary(times), "requests": len(times), "statuses": statuses,
            "throughput_rps": round(len(times) / wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="a folder already crawled")
    ap.add_argument("--council", default="realpages")
    ap.add_argument("--questions", type=Path, default=SHARED / "eval" / "realpages-dev.jsonl")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--backends", default=",".join(BACKENDS),
                    help="embedding backends to measure, comma-separated; the first is the one "
                         "the top-level figures give (default: onnx, then the reference)")
    args = ap.parse_args()
    questions = load_questions(args.questions)

    backends: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        if args.data_dir is None:
            crawl_realpages(data_dir, args.council)
        for backend in args.backends.split(","):
            settings = Settings(data_dir=data_dir, council=args.council, _env_file=None,
                                embedding_backend=backend)
            times, embedding = floor(settings, questions, args.rounds)
            floor_ms, embed_ms = summary(times), summary(embedding)
            chat = over_http(settings, questions, args.rounds)
            backends[backend] = {
                "chat_http": chat, "floor_embed_plus_search": floor_ms,
                "query_embedding": embed_ms,
                "ratio_p50_to_floor": round(chat["p50_ms"] / floor_ms["p50_ms"], 2)}

    default = backends[args.backends.split(",")[0]]
    chat = default["chat_http"]
    result = {
        **default,
        "backends": backends,
        "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS,
                    "query_embedding_p50_ms": TARGET_QUERY_EMBED_P50_MS,
                    "ratio_p50_to_floor": TARGET_RATIO_TO_FLOOR,
                    "met": chat["p50_ms"] <= TARGET_P50_MS and chat["p95_ms"] <= TARGET_P95_MS,
                    "query_embedding_met":
                        default["query_embedding"]["p50_ms"] <= TARGET_QUERY_EMBED_P50_MS,
                    "ratio_met": default["ratio_p50_to_floor"] <= TARGET_RATIO_TO_FLOOR},
        "questions": len(questions),
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
