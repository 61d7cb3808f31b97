"""Load and fault runs against the production topology, started on loopback with the commands
docker-compose.yml uses: `chroma run`, PostgreSQL (a throwaway cluster this run starts and stops
itself), `askcouncil crawl` into the Chroma server and `askcouncil serve` with two workers.

    python -m benchmarks.load [--requests 2000] [--concurrency 32] [--out bench-load.json]

Scenarios, each with checks that do not depend on the machine's speed (a failed check exits 1):
- load: N chat requests at concurrency C; no 5xx, every answered turn stored exactly once in
  PostgreSQL; latency percentiles, throughput and each worker's resident memory reported;
- reference: the same with the bot restarted on the sentence-transformers embedding backend
  (the default is ONNX Runtime), so one run compares the two; the bot is then restarted as it was;
- chroma: the Chroma server is stopped a third of the way through and started again at two
  thirds; no 5xx, replies during the outage are `error` with a handoff, answers resume;
- database: PostgreSQL is stopped and started the same way; residents still get answers, and
  once it is back every turn is stored exactly once (the outbox held them);
- crawler: a re-crawl of a changed site is killed (SIGKILL) half-way while the load runs; every
  request is still answered from the live index.
Bounded: each scenario sends a fixed number of requests, to loopback only, and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import (
    REPO,
    ChromaServer,
    Process,
    ThrowawayPostgres,
    exe,
    free_port,
    percentile,
    wait_ready,
    wait_until,
)
from benchmarks.harness import load_questions as _load_questions

QUESTIONS = REPO / "eval" / "questions" / "kestrelford.jsonl"


@dataclass
class Topology:
    """The compose services on loopback: Chroma server, PostgreSQL, the crawled sample site,
    and `askcouncil serve` with its workers."""

    work: Path
    council: str = "kestrelford"
    workers: int = 2
    env: dict[str, str] = field(default_factory=dict)
    chroma: ChromaServer | None = None
    postgres: ThrowawayPostgres | None = None
    bot: Process | None = None
    bot_port: int = 0
    site_root: Path | None = None
    site_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)  # settings for this run only
    _site_server: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.bot_port}"

    def start(self, crawl: bool = True) -> Topology:
        from askcouncil.devsite import SAMPLE_SITE, start_site_server

        self.chroma = ChromaServer(self.work / "chroma", log=self.work / "chroma.log").start()
        self.postgres = ThrowawayPostgres().start()
        self.site_root = self.work / "site"
        shutil.copytree(SAMPLE_SITE, self.site_root)
        self._site_server, self.site_url = start_site_server(self.site_root)
        self.env = {
            **os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "ASKCOUNCIL_ENVIRONMENT": "production", "ASKCOUNCIL_COUNCIL": self.council,
            "ASKCOUNCIL_CHROMA_URL": self.chroma.url, "ASKCOUNCIL_DATABASE_URL": self.postgres.url,
            "ASKCOUNCIL_DATA_DIR": str(self.work / "bot-data"), "ASKCOUNCIL_LLM": "",
            "ASKCOUNCIL_WORKERS": str(self.workers), "ASKCOUNCIL_INDEX_REFRESH_S": "2",
            "ASKCOUNCIL_CONVERSATION_SECRET": "load-test-conversation-secret-0123456789",
            # one load generator from one address: the per-client limit would throttle it
            "ASKCOUNCIL_RATE_LIMIT_CHAT_PER_MINUTE": "100000000",
            "ASKCOUNCIL_RATE_LIMIT_FEEDBACK_PER_MINUTE": "100000000",
            **self.extra_env,
        }
        if crawl:
            self.crawl()
        self.start_bot()
        return self

    def crawl_env(self) -> dict[str, str]:
        return {**self.env, "ASKCOUNCIL_DATA_DIR": str(self.work / "crawler-data")}

    def crawl(self) -> None:
        done = subprocess.run([exe("askcouncil"), "crawl", self.site_url, "--no-progress"],
                              env=self.crawl_env(), capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"crawl failed: {done.stderr[-2000:]}")

    def start_bot(self) -> None:
        self.bot_port = free_port()
        self.bot = Process([exe("askcouncil"), "serve", "--host", "127.0.0.1", "--port",
                            str(self.bot_port)], self.env, self.work / "bot.log")
        wait_ready(self.base)

    def worker_pids(self) -> list[int]:
        """The worker processes under `askcouncil serve` (uvicorn's children, less the
        multiprocessing resource tracker)."""
        if self.bot is None:
            return []
        kids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == self.bot.pid and b"resource_tracker" not in cmdline:
                kids.append(int(stat.parent.name))
        return kids

    def outbox(self) -> dict[str, int]:
        return httpx.get(f"{self.base}/readyz", timeout=10).json()["checks"]["outbox"]

    def stored(self, message_ids: list[str]) -> dict[str, int]:
        """How many of these answers are in PostgreSQL, and how many were stored twice. Each
        load request starts a conversation of its own, so a turn written twice (under any id)
        shows as a conversation holding more than one turn."""
        from sqlalchemy import create_engine, text

        assert self.postgres is not None
        engine = create_engine(self.postgres.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT id, conversation_id FROM turns")).all()
        finally:
            engine.dispose()
        wanted = set(message_ids)
        conversation_of = {r.id: r.conversation_id for r in rows if r.id in wanted}
        turns_in = Counter(r.conversation_id for r in rows)
        return {"asked": len(wanted), "stored": len(conversation_of),
                "stored_twice": sum(1 for c in set(conversation_of.values()) if turns_in[c] > 1)}

    def close(self) -> None:
        for stop in (self.bot.stop if self.bot else None,
                     self.chroma.stop if self.chroma else None,
                     self.postgres.close if self.postgres else None,
                     self._site_server.shutdown if self._site_server else None):
            if stop is not None:
                try:
                    stop()
                except Exception as exc:  # keep stopping the rest
                    print(f"while stopping: {exc}", file=sys.stderr)


@contextmanager
def topology(work: Path | None = None,
             **kwargs: Any) -> Iterator[Topology]:  # noqa: ANN401 - Topology's options
    with tempfile.TemporaryDirectory(prefix="askcouncil-load-") as tmp:
        topo = Topology(work or Path(tmp), **kwargs)
        try:
            yield topo.start()
        finally:
            topo.close()


# -- the load generator -----------------------------------------------------------------------


@dataclass
class Result:
    code: int  # HTTP status; 0 when the request failed before a response
    status: str  # the reply's status ("answered", "error", ...) or the failure
    latency_ms: float
    sent_at: float  # time.perf_counter() when it was sent
    message_id: str | None = None
    handoff: bool = False


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """The sample set's questions (the load's default)."""
    return _load_questions(path)


async def _drive(base: str, questions: list[str], n: int, concurrency: int,
                 at: dict[int, Callable[[], None]], timeout_s: float) -> tuple[list[Result], float]:
    results: list[Result] = []
    fired: list[asyncio.Task[None]] = []
    next_index = 0
    began = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def one(i: int) -> None:
            sent = time.perf_counter()
            try:
                resp = await client.post("/api/chat", json={"message": questions[i % len(
                    questions)]}, headers={"User-Agent": "AskCouncil-loadtest"})
                body = resp.json() if resp.headers.get("content-type", "").startswith(
                    "application/json") else {}
                status = body.get("status") or body.get("error", {}).get("code", "?")
                results.append(Result(resp.status_code, status,
                                      (time.perf_counter() - sent) * 1000, sent,
                                      body.get("message_id"), bool(body.get("handoff"))))
            except httpx.HTTPError as exc:
                results.append(Result(0, type(exc).__name__, (time.perf_counter() - sent) * 1000,
                                      sent))
            done = len(results)
            if done in at:  # a fault at this point of the run, off the event loop
                fired.append(asyncio.create_task(asyncio.to_thread(at[done])))

        async def worker() -> None:
            nonlocal next_index
            while next_index < n:
                i = next_index
                next_index += 1
                await one(i)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - began
        for task in fired:
            await task
    return sorted(results, key=lambda r: r.sent_at), wall


def drive(base: str, questions: list[str], n: int, concurrency: int,
          at: dict[int, Callable[[], None]] | None = None,
          timeout_s: float = 60.0) -> tuple[list[Result], float]:
    """Send ``n`` chat questions with ``concurrency`` in flight; ``at[k]`` runs (in a thread)
    once k replies are in. Returns the results in the order they were sent, and the wall time."""
    return asyncio.run(_drive(base, questions, n, concurrency, at or {}, timeout_s))


def summarise(results: list[Result], wall_s: float) -> dict[str, Any]:
    times = [r.latency_ms for r in results]
    return {
        "requests": len(results),
        "wall_s": round(wall_s, 1),
        "throughput_rps": round(len(results) / wall_s, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
        "max_ms": round(max(times), 1),
        "http": dict(Counter(str(r.code) for r in results)),
        "statuses": dict(Counter(r.status for r in results)),
        "server_errors_5xx": sum(1 for r in results if r.code >= 500),
        "failed_requests": sum(1 for r in results if r.code == 0),
    }


# -- scenarios --------------------------------------------------------------------------------


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """A process's resident memory now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def scenario_reference(topo: Topology, questions: list[str], n: int, concurrency: int
                       ) -> dict[str, Any]:
    """The load scenario with the bot on the sentence-transformers backend, then the bot
    restarted on the settings it had."""
    before = topo.env.get("ASKCOUNCIL_EMBEDDING_BACKEND")
    topo.bot.stop()  # type: ignore[union-attr]
    topo.env["ASKCOUNCIL_EMBEDDING_BACKEND"] = "sentence-transformers"
    try:
        topo.start_bot()
        return scenario_load(topo, questions, n, concurrency)
    finally:
        topo.bot.stop()  # type: ignore[union-attr]
        if before is None:
            topo.env.pop("ASKCOUNCIL_EMBEDDING_BACKEND")
        else:
            topo.env["ASKCOUNCIL_EMBEDDING_BACKEND"] = before
        topo.start_bot()


def _wait_stored(topo: Topology, ids: list[str], timeout_s: float = 120) -> dict[str, int]:
    wait_until(lambda: topo.outbox()["pending"] == 0, timeout_s, "the outbox drained", 0.5)
    return topo.stored(ids)


def scenario_load(topo: Topology, questions: list[str], n: int, concurrency: int
                  ) -> dict[str, Any]:
    drive(topo.base, questions, min(64, n), concurrency)  # warm up every worker
    pids = topo.worker_pids()
    cpu_before = {p: _cpu_s(p) for p in pids}
    results, wall = drive(topo.base, questions, n, concurrency)
    cpu = {p: round(_cpu_s(p) - cpu_before[p], 1) for p in pids}
    out = summarise(results, wall)
    ids = [r.message_id for r in results if r.message_id]
    stored = _wait_stored(topo, ids)
    out.update(stored=stored, workers=len(pids), worker_cpu_s=list(cpu.values()),
               worker_rss_mb=[_rss_mb(p) for p in pids],
               embedding_backend=topo.env.get("ASKCOUNCIL_EMBEDDING_BACKEND", "onnx"))
    out["checks"] = {
        "no_5xx": out["server_errors_5xx"] == 0 and out["failed_requests"] == 0,
        "every_turn_stored_exactly_once": stored["stored"] == stored["asked"] == len(results)
        and stored["stored_twice"] == 0,
        # every worker did a fair part of the work (a socket each spreads connections)
        "every_worker_served": len(pids) == topo.workers
        and min(cpu.values()) >= 0.5 * sum(cpu.values()) / len(pids),
    }
    return out


def _phases(results: list[Result], start: float | None, end: float | None
            ) -> dict[str, list[Result]]:
    """Replies sent before a fault, during it, and after it ended."""
    inf = float("inf")
    s, e = start if start is not None else inf, end if end is not None else inf
    return {"before": [r for r in results if r.sent_at < s],
            "during": [r for r in results if s <= r.sent_at < e],
            "after": [r for r in results if r.sent_at >= e]}


def _share(results: list[Result], status: str) -> float:
    return round(sum(r.status == status for r in results) / len(results), 3) if results else 0.0


def scenario_chroma_outage(topo: Topology, questions: list[str], n: int, concurrency: int
                           ) -> dict[str, Any]:
    assert topo.chroma is not None
    marks: dict[str, float] = {}
    stopped = threading.Event()

    def stop() -> None:
        marks["stopped"] = time.perf_counter()
        topo.chroma.stop()  # type: ignore[union-attr]
        stopped.set()

    def restart() -> None:
        stopped.wait(60)  # the replies come fast during an outage: stopping may still be going on
        topo.chroma.start()  # type: ignore[union-attr]
        marks["started"] = time.perf_counter()

    results, wall = drive(topo.base, questions, n, concurrency,
                          at={n // 3: stop, 2 * n // 3: restart})
    out = summarise(results, wall)
    out["recovered_s"] = recovery(topo, questions, marks["started"], concurrency)
    log = topo.work / "bot.log"
    log_from = log.stat().st_size
    after, _ = drive(topo.base, questions, n // 3, concurrency)
    out["after_error_causes"] = log_causes(log, log_from)  # empty when all went well
    phases = _phases(results, marks.get("stopped"), None)
    phases["after"] = after
    during = [r for r in phases["during"] if r.status == "error"]
    out["phases"] = {k: {"requests": len(v), "answered": _share(v, "answered"),
                         "error": _share(v, "error")} for k, v in phases.items()}
    out["error_replies_p99_ms"] = percentile([r.latency_ms for r in during], 0.99) \
        if during else None
    out["checks"] = {
        "no_5xx": out["server_errors_5xx"] == 0 and out["failed_requests"] == 0,
        "outage_gives_error_with_handoff": bool(during) and all(r.handoff for r in during),
        "error_replies_within_10s": all(r.latency_ms < 10_000 for r in during),
        "answers_resume": _share(after, "error") == 0 and _share(after, "answered") >= 0.5,
    }
    return out


STEADY = 2  # rounds in a row without an error reply: every worker is answering again


def recovery(topo: Topology, questions: list[str], since: float, concurrency: int) -> float:
    """Seconds from a dependency's return until the bot answers again: rounds of
    ``concurrency`` questions at once (connections spread over every worker, and each worker
    retries Chroma on its own, at most every ``ChromaConnection.retry_s`` seconds, so one
    worker answering says nothing of the other) until ``STEADY`` rounds in a row have no
    error reply."""
    streak = [0]

    def answers() -> bool:
        results, _ = drive(topo.base, questions, concurrency, concurrency)
        ok = all(r.status != "error" for r in results)
        streak[0] = streak[0] + 1 if ok else 0
        return streak[0] >= STEADY

    wait_until(answers, 60, "answers again on every worker", 0.05)
    return round(time.perf_counter() - since, 2)


def log_causes(log: Path, since: int) -> dict[str, int]:
    """Why replies failed, from the bot's log after byte ``since``: every line but uvicorn's
    request log, counted, with numbers left out so that the same cause counts once."""
    with log.open("rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    causes = Counter(re.sub(r"\d+", "N", line.strip())[:200] for line in text.splitlines()
                     if line.strip() and not line.startswith("INFO:"))
    return dict(causes.most_common(10))


def scenario_database_outage(topo: Topology, questions: list[str], n: int, concurrency: int
                             ) -> dict[str, Any]:
    assert topo.postgres is not None
    pg = topo.postgres
    marks: dict[str, float] = {}
    stopped = threading.Event()

    def stop() -> None:
        marks["stopped"] = time.perf_counter()
        pg.stop()
        stopped.set()

    def restart() -> None:
        stopped.wait(60)
        marks["pending_at_restart"] = topo.outbox()["pending"]
        pg.start()
        marks["started"] = time.perf_counter()

    results, wall = drive(topo.base, questions, n, concurrency,
                          at={n // 3: stop, 2 * n // 3: restart})
    more, more_wall = drive(topo.base, questions, n // 3, concurrency)  # after it is back
    results, wall = results + more, wall + more_wall
    out = summarise(results, wall)
    phases = _phases(results, marks.get("stopped"), marks.get("started"))
    out["phases"] = {k: {"requests": len(v), "answered": _share(v, "answered")}
                     for k, v in phases.items()}
    out["queued_while_down"] = int(marks.get("pending_at_restart", 0))
    drained_from = time.perf_counter()
    ids = [r.message_id for r in results if r.message_id]
    stored = _wait_stored(topo, ids)
    out["drained_s"] = round(time.perf_counter() - drained_from, 1)
    out["stored"] = stored
    before, during = phases["before"], phases["during"]
    out["checks"] = {
        "no_5xx": out["server_errors_5xx"] == 0 and out["failed_requests"] == 0,
        "answers_go_on": bool(during) and _share(during, "answered") >= _share(before,
                                                                                 "answered") - 0.05,
        "turns_were_queued": out["queued_while_down"] > 0,
        "none_lost_or_duplicated": stored["stored"] == stored["asked"] == len(results)
        and stored["stored_twice"] == 0,
    }
    return out


def scenario_crawler_killed(topo: Topology, questions: list[str], n: int, concurrency: int
                            ) -> dict[str, Any]:
    """Every page of the site changes and the scheduled crawler starts (the compose command);
    it is SIGKILLed as soon as it has written into its new generation. The load runs from
    before the crawl starts until well after the kill."""
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings

    assert topo.site_root is not None and topo.chroma is not None
    for page in topo.site_root.rglob("*.html"):
        page.write_text(page.read_text("utf-8").replace(
            "</main>", "<p>This page was reviewed in November.</p></main>"), "utf-8")
    settings = Settings(chroma_url=topo.chroma.url, council=topo.council, _env_file=None)
    client = open_chroma(settings)
    index = CouncilIndex(client, topo.council)
    live = index.live_name()
    killed: dict[str, Any] = {}

    def staged_chunks() -> int:
        staging = [name for _n, name, done in index.generations() if not done]
        return client.get_collection(staging[-1]).count() if staging else 0

    crawler = Process([exe("askcouncil"), "crawl", topo.site_url, "--no-progress", "--every",
                       "1d"], {**topo.crawl_env(), "ASKCOUNCIL_EMBED_BATCH_SIZE": "8"},
                      topo.work / "crawler.log")

    def kill_once_writing() -> None:
        try:
            wait_until(lambda: staged_chunks() > 0, 300, "the re-crawl writing", 0.05)
            killed["staged_chunks"] = staged_chunks()
            killed["live_then"] = index.live_name()
        finally:
            crawler.kill()

    killer = threading.Thread(target=kill_once_writing)
    killer.start()
    results: list[Result] = []
    wall = 0.0
    try:
        while killer.is_alive():  # load while the crawler starts, fetches and embeds
            more, took = drive(topo.base, questions, 2 * concurrency, concurrency)
            results, wall = results + more, wall + took
        after, took = drive(topo.base, questions, n, concurrency)  # and after the kill
        results, wall = results + after, wall + took
    finally:
        killer.join()
        crawler.kill()
    out = summarise(results, wall)
    gens = index.generations()
    out["generations"] = [{"name": name, "complete": done} for _n, name, done in gens]
    out["staged_chunks_at_kill"] = killed.get("staged_chunks")
    out["checks"] = {
        "no_5xx": out["server_errors_5xx"] == 0 and out["failed_requests"] == 0,
        "killed_mid_crawl": killed.get("live_then") == live and not gens[-1][2],
        "live_index_kept": index.live_name() == live,
        "answers_go_on": out["statuses"].get("error", 0) == 0
        and _share(after, "answered") >= 0.5,
    }
    return out


SCENARIOS = {"load": scenario_load, "reference": scenario_reference,
             "chroma": scenario_chroma_outage,
             "database": scenario_database_outage, "crawler": scenario_crawler_killed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests in the load scenario")
    ap.add_argument("--fault-requests", type=int, default=600,
                    help="requests in each fault scenario")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    questions = load_questions()
    report: dict[str, Any] = {"concurrency": args.concurrency, "workers": args.workers,
                              "cpus": os.cpu_count(), "questions": len(questions)}
    with topology(workers=args.workers) as topo:
        for name in args.scenarios.split(","):
            n = args.requests if name in ("load", "reference") else args.fault_requests
            print(f"scenario {name}: {n} requests at concurrency {args.concurrency}",
                  file=sys.stderr, flush=True)
            report[name] = SCENARIOS[name](topo, questions, n, args.concurrency)
            print(json.dumps({name: report[name]}, indent=2), file=sys.stderr, flush=True)
    failed = [f"{name}.{check}" for name in SCENARIOS if name in report
              for check, ok in report[name]["checks"].items() if not ok]
    report["failed_checks"] = failed
    if "load" in report and "reference" in report:
        report["throughput_vs_reference"] = round(
            report["load"]["throughput_rps"] / report["reference"]["throughput_rps"], 2)
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2), "utf-8")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
