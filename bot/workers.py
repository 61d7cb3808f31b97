"""Several bot worker processes on one port, each with a listening socket of its own
(SO_REUSEPORT), so the kernel spreads connections across them evenly.

With one shared socket (uvicorn's own ``workers=N``) whichever worker wakes first accepts every
waiting connection, and a client that keeps its connections open (a load balancer, the load
benchmark) ends up on one worker: measured here, 98% of the CPU time went to one of two. A
socket per worker splits connections by their address hash instead.

The parent only supervises: a worker that dies is started again, and SIGTERM or SIGINT stops
them all gracefully (each finishes its requests and writes what its outbox holds).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from typing import Any

from askcouncil.errors import ConfigError
from askcouncil.settings import Settings

log = logging.getLogger(__name__)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def check_port_free(host: str, port: int) -> None:
    """Fail at once, with the reason, when nothing could listen on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when the supervisor dies, even by SIGKILL, so no worker is
    left holding the port on its own."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _worker(host: str, port: int, settings: Settings, options: dict[str, Any]) -> None:
    import uvicorn

    from bot.app import create_app

    _die_with_parent()
    sock = listening_socket(host, port)
    config = uvicorn.Config(create_app(settings), **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, settings: Settings, options: dict[str, Any]) -> None:
    """Run ``settings.workers`` processes, each serving ``create_app(settings)`` (the settings
    travel to each worker as they are, so options given on the command line reach them), until
    SIGTERM or SIGINT."""
    # Fail here, at once, if the port is taken (the probe has no SO_REUSEPORT, so that a second
    # `askcouncil serve` cannot quietly share the port with this one's workers).
    check_port_free(host, port)
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        proc = spawn.Process(target=_worker, args=(host, port, settings, options), daemon=False)
        proc.start()
        return proc

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    procs = [start() for _ in range(settings.workers)]
    try:
        while not stopping:
            time.sleep(0.5)
            for i, proc in enumerate(procs):
                if not proc.is_alive() and not stopping:
                    log.error("bot worker %s exited (code %s); starting another", proc.pid,
                              proc.exitcode)
                    time.sleep(1.0)
                    procs[i] = start()
    finally:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                proc.terminate()  # SIGTERM: uvicorn finishes its requests and shuts down
        for proc in procs:
            proc.join(20)
            if proc.is_alive():
                proc.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
