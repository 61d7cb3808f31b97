"""Crawl benchmark: serve a static council site on loopback, crawl it into a fresh index, then
crawl it again unchanged, and report pages/s, chunks/s, the embedding share of the time, peak
memory and the speed-up of the unchanged re-crawl, for each configuration in one run: by
default the crawl as it was (the sentence-transformers reference, embedding after the fetching),
ONNX Runtime embedding after the fetching, and the default (ONNX Runtime, embedding while
fetching: crawler.ahead). Not a test: the machines are noisy, so run it a few times and compare
medians.

    python -m benchmarks.crawl [--site DIR] [--runs N] [--delay S] [--configs C,C]
                               [--out results.json]

DIR defaults to a fresh build of ../shared/sites/realpages (built with its own script for the
loopback address). --delay defaults to the product's crawl delay, as a council runs it.
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


CONFIGS = "sentence-transformers:after,onnx:after,onnx"  # the first is the crawl as it was


def one_run(url: str, embedder: Embedder, delay: float, ahead: bool) -> dict[str, Any]:
    """A first crawl into a fresh data folder, then an unchanged re-crawl, each as
    ``askcouncil crawl`` runs it (crawler.job.run_crawl: lock, crawl state, site report);
    ``ahead``: embedding while fetching."""
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), council="bench", crawl_delay_s=delay,
                            _env_file=None)

        def timed() -> tuple[CrawlReport, float]:
            began = time.perf_counter()
            outcome = run_crawl(settings, url, progress=False, embedder=embedder,
                                say=lambda _text: None, embed_ahead=ahead)
            return outcome.report, time.perf_counter() - began

        first, first_s = timed()
        again, again_s = timed()
    embedding_s = first.seconds_embedding + first.seconds_embedding_ahead
    return {
        "pages": first.pages_fetched,
        "chunks": first.chunks_written,
        "first_crawl_s": round(first_s, 2),
        "fetch_s": round(first.seconds_fetching, 2),
        "embed_s": round(first.seconds_embedding, 2),  # after the fetching
        "embed_ahead_s": round(first.seconds_embedding_ahead, 2),  # while fetching
        "chunks_embedded_ahead": first.chunks_embedded_ahead,
        "pages_per_s": round(first.pages_fetched / first_s, 2),
        # the model's rate over all the time it spent (slower while it shares the cores with
        # the fetching)
        "chunks_per_s_embedding": round(first.chunks_written / embedding_s, 2),
        "embedding_after_fetching_share": round(first.seconds_embedding / first_s, 3),
        "recrawl_s": round(again_s, 2),
        "recrawl_chunks_written": again.chunks_written,
        "recrawl_not_modified": len(again.not_modified),
        "recrawl_speedup": round(first_s / again_s, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=None, help="static site folder to serve")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--delay", type=float, default=Settings(_env_file=None).crawl_delay_s,
                    help="seconds between requests (default: the product's)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--configs", default=CONFIGS,
                    help="embedding backend (ASKCOUNCIL_EMBEDDING_BACKEND), with ':after' to "
                         "embed only after the fetching; comma-separated, the crawl as it was "
                         "first, the one compared with it last")
    args = ap.parse_args()
    configs = args.configs.split(",")

    with tempfile.TemporaryDirectory() as tmp:
        if args.site is None:
            port = free_port()
            root = build_realpages(Path(tmp) / "site", port)
        else:
            root, port = args.site, 0
        server, url = start_site_server(root, port=port)
        try:
            runs: dict[str, list[dict[str, Any]]] = {}
            embedders: dict[str, Embedder] = {}
            for config in configs:
                backend, _, when = config.partition(":")
                if backend not in embedders:
                    embedders[backend] = load_embedder(Settings(embedding_backend=backend,
                                                                _env_file=None))
                    embedders[backend].embed_query("loaded before the clock starts")
                runs[config] = [one_run(url, embedders[backend], args.delay, when != "after")
                                for _ in range(args.runs)]
        finally:
            server.shutdown()

    by_config: dict[str, dict[str, Any]] = {
        config: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
        for config, rs in runs.items()}
    summary: dict[str, Any] = {**by_config[configs[-1]], "configs": by_config}
    if len(configs) > 1:
        old, new = by_config[configs[0]], by_config[configs[-1]]
        # the models side by side, each embedding after the fetching (the cores to itself)
        after = [c for c in configs if c.endswith(":after")]
        if len(after) > 1:
            summary["embedding_speedup"] = round(
                by_config[after[-1]]["chunks_per_s_embedding"]
                / by_config[after[0]]["chunks_per_s_embedding"], 2)
        summary["first_crawl_speedup"] = round(old["first_crawl_s"] / new["first_crawl_s"], 2)
    summary["runs"] = args.runs
    summary["delay_s"] = args.delay
    summary["peak_rss_mb"] = round(peak_rss_mb(), 1)  # of this process, every backend loaded
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2), "utf-8")


if __name__ == "__main__":
    main()
