"""Scale benchmark: a council-sized site (benchmarks.scalesite, 10,000 pages by default) built
into a temporary folder and served on loopback, crawled by ``askcouncil crawl`` in its own
process as a council runs it (a fresh data folder, the product's crawl delay unless --delay),
then crawled again unchanged. For each crawl: wall time, pages, chunks, pages/s, chunks/s and the
crawl process's peak resident memory, and the first crawl's time over the re-crawl's.
``--with-realpages`` measures ../shared/sites/realpages the same way, for comparison. Not a
test: a first crawl of 10,000 pages embeds about 50,000 chunks (most of an hour on 2 cores).

    python -m benchmarks.scale [--pages 10000 | --pages 1000,2000] [--delay S] [--seed N]
                               [--with-realpages] [--out bench-scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from askcouncil.devsite import start_site_server
from benchmarks.harness import REPO, build_realpages, exe, free_port
from benchmarks.scalesite import build_site

SUMMARY = {  # figures read from the crawl's summary (crawler.crawl.CrawlReport.summary)
    "pages_fetched": r"pages fetched: (\d+)",
    "not_modified": r"not modified since the last crawl[^:]*: (\d+)",
    "answered_304": r"answered 304: (\d+)",
    "not_requested": r"not requested, sitemap lastmod unchanged: (\d+)",
    "failed": r"failed: (\d+)",
    "pages_unchanged": r"pages unchanged: (\d+)",
    "chunks_written": r"chunks written: (\d+)",
    "chunks_carried": r"carried over unchanged: (\d+)",
    "fetch_s": r"time: fetching ([\d.]+)s",
    "embed_s": r"embedding ([\d.]+)s",  # after the fetching
    "embed_ahead_s": r"\(and ([\d.]+)s embedding \d+ chunks while fetching\)",
    "chunks_embedded_ahead": r"embedding (\d+) chunks while fetching",
}


def read_summary(text: str) -> dict[str, float]:
    found = {key: re.search(pattern, text) for key, pattern in SUMMARY.items()}
    return {key: float(m.group(1)) if "_s" in key else int(m.group(1))
            for key, m in found.items() if m}


def crawl_process(url: str, data_dir: Path, log: Path, *, council: str, max_pages: int,
                  delay: float | None) -> dict[str, Any]:
    """``askcouncil crawl URL`` in a process of its own: its wall time, what its summary says,
    and its peak resident memory (from wait4 on that process alone, not the largest of all the
    children this benchmark has had)."""
    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(data_dir), "ASKCOUNCIL_COUNCIL": council,
           "ASKCOUNCIL_CRAWL_MAX_PAGES": str(max_pages), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    if delay is not None:
        env["ASKCOUNCIL_CRAWL_DELAY_S"] = str(delay)
    with log.open("w") as out:
        began = time.perf_counter()
        proc = subprocess.Popen([exe("askcouncil"), "crawl", url, "--no-progress"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    said = log.read_text("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"askcouncil crawl exited {proc.returncode}:\n{said[-3000:]}")
    got: dict[str, Any] = {"seconds": round(seconds, 1), **read_summary(said)}
    got["peak_rss_mb"] = round(usage.ru_maxrss / 1024)  # kB on Linux
    return got


def measure(name: str, root: Path, port: int, work: Path, *, delay: float | None,
            max_pages: int) -> dict[str, Any]:
    """A first crawl of the site at ``root`` (served on ``port``) and an unchanged re-crawl."""
    server, url = start_site_server(root, port=port)
    data = work / f"data-{name}"
    try:
        passes = {}
        for which in ("first", "recrawl"):
            print(f"{name}: {which} crawl ...", flush=True)
            got = crawl_process(url, data, work / f"{name}-{which}.log", council="scale",
                                max_pages=max_pages, delay=delay)
            pages = got.get("pages_fetched", 0) + got.get("not_modified", 0)
            chunks = got.get("chunks_written", 0)
            got |= {"pages": pages, "chunks": chunks,
                    "pages_per_s": round(pages / got["seconds"], 2),
                    "chunks_per_s": round(chunks / got["seconds"], 2)}
            passes[which] = got
    finally:
        server.shutdown()
        server.server_close()
    first, again = passes["first"], passes["recrawl"]
    return {"site": name, "pages_in_site": len(list(root.rglob("*.html"))),
            "first": first, "recrawl": again,
            "recrawl_ratio": round(first["seconds"] / again["seconds"], 1)}


def table(results: list[dict[str, Any]]) -> str:
    head = ("site", "crawl", "pages", "chunks", "time s", "pages/s", "chunks/s", "peak RSS MB",
            "first/re-crawl")
    rows = [head]
    for r in results:
        for which in ("first", "recrawl"):
            p = r[which]
            rows.append((r["site"], which, str(p["pages"]), str(p["chunks"]), f"{p['seconds']:.1f}",
                         f"{p['pages_per_s']:.1f}", f"{p['chunks_per_s']:.1f}",
                         str(p["peak_rss_mb"]), f"{r['recrawl_ratio']}x" if which == "recrawl"
                         else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def run(sizes: list[int], *, seed: int = 19, delay: float | None = None,
        with_realpages: bool = False, work: Path | None = None) -> dict[str, Any]:
    """Build, serve and crawl each size (and realpages); the results as the JSON report."""
    results = []
    with tempfile.TemporaryDirectory(prefix="askcouncil-scale-", dir=work) as tmp:
        for n in sizes:
            port = free_port()
            root = Path(tmp) / f"site-{n}"
            began = time.perf_counter()
            build_site(root, f"http://127.0.0.1:{port}", n, seed)
            built = round(time.perf_counter() - began, 1)
            result = measure(f"scale-{n}", root, port, Path(tmp), delay=delay,
                             max_pages=max(50_000, 2 * n))
            results.append({**result, "build_s": built})
            print(json.dumps(result), flush=True)
        if with_realpages:
            port = free_port()
            root = build_realpages(Path(tmp) / "realpages", port)
            results.append(measure("realpages", root, port, Path(tmp), delay=delay,
                                   max_pages=50_000))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=REPO).stdout.strip()
    if subprocess.run(["git", "status", "--porcelain", "--", "askcouncil", "crawler"],
                      capture_output=True, text=True, cwd=REPO).stdout.strip():
        commit += " with uncommitted changes to askcouncil/ or crawler/"
    return {"machine": f"{os.cpu_count()} cores", "date": datetime.now(UTC).date().isoformat(),
            "commit": commit, "seed": seed,
            "delay_s": delay if delay is not None else "the product's default",
            "runs": results}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default="10000", help="site size, or sizes: 1000,2000")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--delay", type=float, default=None,
                    help="seconds between requests (default: ASKCOUNCIL_CRAWL_DELAY_S's)")
    ap.add_argument("--with-realpages", action="store_true",
                    help="also crawl ../shared/sites/realpages")
    ap.add_argument("--work", type=Path, default=None, help="folder for the temporary files")
    ap.add_argument("--out", type=Path, default=Path("bench-scale.json"))
    args = ap.parse_args()
    report = run([int(s) for s in args.pages.split(",")], seed=args.seed, delay=args.delay,
                 with_realpages=args.with_realpages, work=args.work)
    args.out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(table(report["runs"]))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
