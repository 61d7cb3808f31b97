"""Serving the bot, wired once: :func:`serve` runs the app (one process, or supervised workers)
for ``askcouncil serve`` and the demo; :func:`demo` is what ``make demo`` runs: the sample site
(unless a URL is given), a crawl with a progress bar, then :func:`serve`.

Both return when the server stops (SIGINT or SIGTERM: uvicorn finishes its requests first).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from askcouncil.embedding import Embedder
from askcouncil.errors import ConfigError
from askcouncil.settings import Settings
from bot.workers import check_port_free, serve_workers

log = logging.getLogger(__name__)

# uvicorn's options for every way of serving. uvicorn's own proxy headers are off: by default it
# believes X-Forwarded-For from any loopback peer; the app trusts only ASKCOUNCIL_TRUSTED_PROXIES.
UVICORN_OPTIONS: dict[str, Any] = {"log_level": "info", "timeout_graceful_shutdown": 10,
                                   "proxy_headers": False}


def _say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def stop_signals_end_cleanly() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the signal again for
    whatever handler was there before it: Python's default would end the process by SIGTERM
    (status 143) or with a KeyboardInterrupt. Here a stop that was asked for, and carried out,
    ends the command normally (status 0)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def with_conversation_secret(settings: Settings) -> Settings:
    """Settings with a conversation secret: the configured one, or one made now and handed to
    every worker (a worker's own would refuse the tokens the others signed)."""
    import secrets

    from pydantic import SecretStr

    if settings.conversation_secret is not None:
        return settings
    if settings.environment == "production":
        log.warning("ASKCOUNCIL_CONVERSATION_SECRET is not set: this server signs conversations "
                    "with a secret of its own, so a follow-up that reaches another replica (or "
                    "comes after a restart) starts a new conversation")
    return settings.model_copy(update={"conversation_secret": SecretStr(secrets.token_hex(32))})


def check_workers(settings: Settings) -> None:
    if settings.workers > 1 and not settings.chroma_url:
        raise ConfigError("several workers need a Chroma server (ASKCOUNCIL_CHROMA_URL): "
                          "embedded Chroma on disk is for one process")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, *,
          embedder: Embedder | None = None, say: Callable[[str], None] = _say) -> None:
    """Serve the API, /widget.js and the demo page until SIGINT or SIGTERM. ``settings.workers``
    above 1 runs supervised worker processes (they need a Chroma server). ``embedder`` lends a
    loaded model to a single-process server (the demo's crawl has one)."""
    import uvicorn

    from bot.app import create_app

    check_workers(settings)
    settings = with_conversation_secret(settings)
    if settings.workers == 1:
        check_port_free(host, port)
        with stop_signals_end_cleanly():
            uvicorn.run(create_app(settings, embedder=embedder), host=host, port=port,
                        **UVICORN_OPTIONS)
        return
    say(f"Serving on http://{host}:{port} with {settings.workers} workers")
    serve_workers(host, port, settings, UVICORN_OPTIONS)


def demo(settings: Settings, url: str | None = None, *, host: str = "127.0.0.1",
         port: int = 8000, site_port: int = 8001, max_pages: int | None = None,
         say: Callable[[str], None] = _say) -> None:
    """Serve the bundled sample council site on ``site_port`` (unless ``url``), crawl it with a
    progress bar, then serve the bot and its widget on ``port`` until SIGINT or SIGTERM."""
    from askcouncil.devsite import start_site_server
    from bot.recheck import after_crawl
    from crawler.job import run_crawl

    check_workers(settings)  # before the crawl, as every check that would stop serve()
    check_port_free(host, port)
    site = None
    if not url:
        check_port_free(host, site_port)
        site, url = start_site_server(host=host, port=site_port)
        say(f"Sample council site: {url}")
    try:
        outcome = run_crawl(settings, url, max_pages=max_pages, progress=True,
                            after=after_crawl, say=say)
        say(f"\nAsk Council: http://{host}:{port}/  (Ctrl+C to stop)\n")
        serve(settings, host, port, embedder=outcome.embedder, say=say)
    finally:
        if site is not None:
            site.shutdown()
