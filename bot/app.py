"""The FastAPI application. ``create_app(settings)`` builds it; its lifespan opens the embedding
model, Chroma and the database. Importing this module does no work."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from askcouncil.embedding import Embedder
from askcouncil.routing import senses_for
from askcouncil.settings import Settings
from bot.admin.routes import install as install_admin
from bot.chat import Bot, build_bot
from bot.errors import install_error_handlers
from bot.routes import router
from bot.security import Protect
from bot.services import no_index_message

log = logging.getLogger(__name__)


def _warn_if_no_index(bot: Bot, council: str) -> None:
    """Say at start-up when the council has no index (in a thread: a Chroma server that is down
    must not hold up the start)."""
    try:
        if not bot.services.index(council).exists():
            log.warning("%s", no_index_message(council))
    except Exception as exc:  # /readyz reports it too
        log.warning("Chroma is not reachable at start-up: %s", exc)


def _warm_routing(bot: Bot) -> None:
    """Read (or, where the model cache holds none, embed) the routing catalogue's vectors now
    rather than on a resident's question (in a thread: embedding is seconds of work; a model
    that will not load is reported by the first question)."""
    try:
        senses_for(bot.services.embedder).warm()
    except Exception as exc:
        log.warning("routing catalogue not warmed: %s", exc)


def create_app(settings: Settings | None = None, bot: Bot | None = None, *,
               embedder: Embedder | None = None) -> FastAPI:
    """The app. ``bot`` is the caller's (tests, the accessibility check); without one the
    lifespan builds it, with ``embedder`` if given (else the settings' model is loaded)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.bot = bot or build_bot(settings, embedder=embedder)
        threading.Thread(target=_warn_if_no_index, args=(app.state.bot, settings.council),
                         daemon=True, name="index-check").start()
        warming = threading.Thread(target=_warm_routing, args=(app.state.bot,), daemon=True,
                                   name="routing-warm")
        warming.start()
        yield
        # a process that exits while the model is mid-batch in ONNX Runtime aborts (SIGABRT):
        # let the warm-up finish first (seconds, once)
        warming.join(timeout=120)
        if bot is None:  # a bot passed in belongs to the caller
            app.state.bot.close()

    app = FastAPI(
        title="Ask Council",
        version="0.1.0",
        description="Answers residents' questions from the council's own website, with "
        "numbered citations and a handoff to the right contact when the site does not answer.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Protect (headers, size limit, rate limits) inside CORS, so that its 413 and 429 answers
    # carry CORS headers and the widget can read them.
    app.add_middleware(Protect, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    if settings.trusted_proxies:
        # Outermost, so every other layer sees the resident's address: taken from
        # X-Forwarded-For only on a connection from a trusted proxy, read from the right past
        # the trusted proxies (the left-most entry is whatever the client sent).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    install_error_handlers(app)
    app.include_router(router)
    install_admin(app)
    return app


@contextmanager
def serve_in_background(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL.
    For checks that need a real HTTP server in the same process (accessibility, tests)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(300):
            if server.started:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the app did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
