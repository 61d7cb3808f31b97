"""Shared fixtures. Real components throughout: the real embedding model, Chroma on disk, the
bundled sample site served on loopback, SQLite (and PostgreSQL where available).

``ASKCOUNCIL_REQUIRE_ALL=1`` (set by .ci/run) turns the skips for a missing Chromium or
PostgreSQL into failures, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from benchmarks.harness import free_port  # noqa: F401 - the tests' one free_port

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser

    from askcouncil.embedding import Embedder
    from askcouncil.settings import Settings
    from benchmarks import harness
    from bot.chat import Bot
    from crawler.crawl import CrawlReport

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
REQUIRE_ALL = os.environ.get("ASKCOUNCIL_REQUIRE_ALL") == "1"


# The suite asks hundreds of questions from one address in minutes: the rate limits are tested on
# their own (tests/bot/test_security.py) and lifted elsewhere.
UNLIMITED = {"rate_limit_chat_per_minute": 1_000_000, "rate_limit_feedback_per_minute": 1_000_000,
             "rate_limit_login_per_minute": 1_000_000}
# One conversation secret for the session's bots, as replicas share one in production.
CONVERSATION_SECRET = "test-conversation-secret-0123456789abcdef"


def need(condition: bool, reason: str) -> None:
    """Skip when a test's outside dependency is missing, or fail in CI."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (ASKCOUNCIL_REQUIRE_ALL=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sample_site() -> Iterator[str]:
    from askcouncil.devsite import start_site_server

    server, url = start_site_server()
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The product's embedder: the default backend (ONNX Runtime), loaded once."""
    from askcouncil.embedding import load_embedder
    from askcouncil.settings import Settings

    return load_embedder(Settings(_env_file=None))


@pytest.fixture(scope="session")
def crawled(tmp_path_factory, sample_site, embedder) -> tuple[Settings, CrawlReport]:
    """Settings for a data folder holding a full crawl of the sample site, and its report."""
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings
    from crawler.crawl import CrawlOptions, crawl

    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, environment="test", _env_file=None,
                        conversation_secret=CONVERSATION_SECRET, **UNLIMITED)
    index = CouncilIndex(open_chroma(settings), settings.council)
    opts = CrawlOptions.from_settings(settings, progress=False, delay_s=0.0)
    report = crawl(sample_site, index, embedder, opts)
    return settings, report


@pytest.fixture(scope="session")
def bot(crawled, embedder) -> Bot:
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore
    from askcouncil.chroma import ChromaConnection
    from bot.chat import Bot
    from bot.services import Services

    settings, _ = crawled
    engine = make_engine(settings.db_url)
    migrate(engine)
    return Bot(settings, Services(embedder, ChromaConnection(settings)), AnalyticsStore(engine))


@pytest.fixture(scope="session")
def client(crawled, bot) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from bot.app import create_app

    settings, _ = crawled
    with TestClient(create_app(settings, bot)) as c:
        yield c


def _postgres_admin_url() -> str | None:
    return os.environ.get("ASKCOUNCIL_TEST_POSTGRES_URL") or (
        "postgresql+psycopg://postgres@127.0.0.1:5432/test" if _port_open(5432) else None
    )


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database: SQLite in a temp folder, or PostgreSQL (see postgres_url)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway database created on the shared PostgreSQL server and dropped afterwards
    (the server itself is never stopped)."""
    admin = _postgres_admin_url()
    need(admin is not None, "PostgreSQL is not running on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"askcouncil_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        need(False, f"cannot create a PostgreSQL test database: {exc}")
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def ChromaServer(  # noqa: N802 - reads as the class
        path: Path, port: int | None = None) -> harness.ChromaServer:
    """A real `chroma run` server on a free loopback port, started; stop() ends it by PID."""
    from benchmarks.harness import ChromaServer as Server

    return Server(path, port).start()


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[harness.ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server")
    try:
        yield server
    finally:
        server.stop()




@contextmanager
def live_server(settings: Settings, bot: Bot) -> Iterator[str]:
    """The bot's app on a free loopback port, for browsers and HTTP clients."""
    from bot.app import create_app, serve_in_background

    with serve_in_background(create_app(settings, bot)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (its own browser download does not work here).
    Per module: sync Playwright runs an event loop that other tests' asyncio.run() cannot share."""
    from eval.accessibility import ARGS, CHROMIUM

    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
