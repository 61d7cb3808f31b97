"""The harness every benchmark and the tests share: free loopback ports, waiting for a server,
child processes stopped by PID, `chroma run`, a throwaway PostgreSQL cluster, the question files
and the realpages site. Not product code: it is not installed with the packages."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99), "mean_ms": round(statistics.fmean(values), 1)}


def load_questions(path: Path) -> list[str]:
    """The first turn of each record of a question file (the eval's JSONL format)."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out.append(record.get("question") or record["turns"][0])
    return out


def build_realpages(out: Path, port: int) -> Path:
    """../shared/sites/realpages built for a loopback port (its own script)."""
    script = SHARED / "sites" / "build_realpages.py"
    subprocess.run([sys.executable, str(script), "--base-url", f"http://127.0.0.1:{port}",
                    "--out", str(out)], check=True, capture_output=True)
    return out


def exe(name: str) -> str:
    """A command from this virtual environment, else from PATH."""
    return str(BIN / name) if (BIN / name).exists() else (shutil.which(name) or name)


def wait_until(check: Callable[[], bool], timeout_s: float, what: str,
               every_s: float = 0.2) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(every_s)
    raise TimeoutError(f"{what} not reached in {timeout_s:.0f} s")


def wait_ready(base: str, timeout_s: float = 180) -> None:
    """Until the bot at ``base`` answers /readyz with 200."""
    wait_until(lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200, timeout_s,
               f"{base}/readyz")


def port_open(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """A child process stopped by PID (SIGTERM, then SIGKILL)."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None,
                 log: Path | None = None) -> None:
        self.args = args
        self._log = log.open("ab") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(args, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL to the process and its children (a crash, not a shutdown)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout_s: float = 20.0) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not subprocess.DEVNULL:
            self._log.close()  # type: ignore[union-attr]


class ChromaServer:
    """`chroma run` as compose runs it, on loopback; stop and start again on the same port."""

    def __init__(self, path: Path, port: int | None = None, log: Path | None = None) -> None:
        self.path, self.port, self.log = path, port or free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: Process | None = None

    def start(self) -> ChromaServer:
        env = {**os.environ, "RUST_LOG": "warn", "ANONYMIZED_TELEMETRY": "False"}
        self.process = Process([exe("chroma"), "run", "--host", "127.0.0.1", "--port",
                                str(self.port), "--path", str(self.path)], env, self.log)
        wait_until(lambda: port_open(self.port), 60, "chroma run listening")
        return self

    def stop(self) -> None:
        process = self.process
        if process:
            process.stop()
            if self.process is process:
                self.process = None


def postgres_bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
    if found.returncode == 0 and (Path(found.stdout.strip()) / "initdb").exists():
        return Path(found.stdout.strip())
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    if not versions:
        raise FileNotFoundError("PostgreSQL's initdb was not found (install postgresql)")
    return versions[-1].parent


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a new temporary folder, on a free loopback port, that
    this run may stop and start (the machine's shared server is never touched). As root, the
    server runs as the `postgres` user, which PostgreSQL requires."""

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="askcouncil-pg-"))  # reachable from /tmp
        self.data = self.root / "pgdata"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self._as, str(self.bindir / tool), *args], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout,
                                                f"{tool}: {done.stderr.strip()[-1000:]}")

    def start(self) -> ThrowawayPostgres:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
