"""Crawl benchmark: serve a static council site on loopback, crawl it into a fresh index, then
crawl it again unchanged, and report pages/s, chunks/s, the embedding share of the time, peak
memory and the speed-up of the unchanged re-crawl, for each embedding backend in one run (the
sentence-transformers reference, then ONNX Runtime, the default). Not a test: the machines are
noisy, so run it a few times and compare medians.

    python -m benchmarks.crawl [--site DIR] [--runs N] [--delay S] [--backends B,B]
                               [--out results.json]

DIR defaults to a fresh build of ../shared/sites/realpages (built with its own script for the
loopback address).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from askcouncil.devsite import start_site_server
from askcouncil.embedding import Embedder, load_embedder
from askcouncil.settings import Settings
from benchmarks.harness import build_realpages, free_port
from crawler.crawl import CrawlReport
from crawler.job import run_crawl


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def one_run(url: str, embedder: Embedder, delay: float) -> dict[str, Any]:
    """A first crawl into a fresh data folder, then an unchanged re-crawl, each as
    ``askcouncil crawl`` runs it (crawler.job.run_crawl: lock, crawl state, site report)."""
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), council="bench", crawl_delay_s=delay,
                            _env_file=None)

        def timed() -> tuple[CrawlReport, float]:
            began = time.perf_counter()
            outcome = run_crawl(settings, url, progress=False, embedder=embedder,
                                say=lambda _text: None)
            return outcome.report, time.perf_counter() - began

        first, first_s = timed()
        again, again_s = timed()
    return {
        "pages": first.pages_fetched,
        "chunks": first.chunks_written,
        "first_crawl_s": round(first_s, 2),
        "fetch_s": round(first.seconds_fetching, 2),
        "embed_s": round(first.seconds_embedding, 2),
        "pages_per_s": round(first.pages_fetched / first_s, 2),
        "chunks_per_s_embedding": round(first.chunks_written / first.seconds_embedding, 2),
        "embedding_share": round(first.seconds_embedding / first_s, 3),
        "recrawl_s": round(again_s, 2),
        "recrawl_chunks_written": again.chunks_written,
        "recrawl_not_modified": len(again.not_modified),
        "recrawl_speedup": round(first_s / again_s, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=None, help="static site folder to serve")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between requests")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--backends", default="sentence-transformers,onnx",
                    help="embedding backends, comma-separated (ASKCOUNCIL_EMBEDDING_BACKEND)")
    args = ap.parse_args()
    backends = args.backends.split(",")

    with tempfile.TemporaryDirectory() as tmp:
        if args.site is None:
            port = free_port()
            root = build_realpages(Path(tmp) / "site", port)
        else:
            root, port = args.site, 0
        server, url = start_site_server(root, port=port)
        try:
            runs: dict[str, list[dict[str, Any]]] = {}
            for backend in backends:
                embedder = load_embedder(Settings(embedding_backend=backend, _env_file=None))
                embedder.embed_query("loaded before the clock starts")
                runs[backend] = [one_run(url, embedder, args.delay) for _ in range(args.runs)]
        finally:
            server.shutdown()

    by_backend: dict[str, dict[str, Any]] = {
        backend: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
        for backend, rs in runs.items()}
    summary: dict[str, Any] = {**by_backend[backends[-1]], "backends": by_backend}
    if len(backends) > 1:
        old, new = by_backend[backends[0]], by_backend[backends[-1]]
        summary["embedding_speedup"] = round(
            new["chunks_per_s_embedding"] / old["chunks_per_s_embedding"], 2)
        summary["first_crawl_speedup"] = round(old["first_crawl_s"] / new["first_crawl_s"], 2)
    summary["runs"] = args.runs
    summary["delay_s"] = args.delay
    summary["peak_rss_mb"] = round(peak_rss_mb(), 1)  # of this process, both backends loaded
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2), "utf-8")


if __name__ == "__main__":
    main()
