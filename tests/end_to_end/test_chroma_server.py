"""The production topology's vector store: a real `chroma run` server, reached through
ASKCOUNCIL_CHROMA_URL, for the crawl and for answers; and what residents get when it stops."""

from fastapi.testclient import TestClient

from analytics.db import make_engine, migrate
from analytics.store import AnalyticsStore
from askcouncil.chroma import ChromaConnection, open_chroma
from askcouncil.index import CouncilIndex
from askcouncil.settings import Settings
from bot.app import create_app
from bot.chat import Bot
from bot.services import Services
from crawler.crawl import CrawlOptions, crawl


def test_crawl_and_answer_through_a_chroma_server(tmp_path, sample_site, embedder, monkeypatch,
                                                   chroma_server) -> None:
    monkeypatch.setenv("ASKCOUNCIL_CHROMA_URL", chroma_server.url)
    monkeypatch.setenv("ASKCOUNCIL_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(_env_file=None)
    assert settings.chroma_url == chroma_server.url
    client = open_chroma(settings)
    report = crawl(sample_site, CouncilIndex(client, settings.council), embedder,
                   CrawlOptions.from_settings(settings, progress=False, delay_s=0.0))
    assert report.chunks_written > 100
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store

    engine = make_engine(settings.db_url)
    migrate(engine)
    bot = Bot(settings, Services(embedder, ChromaConnection(settings)), AnalyticsStore(engine))
    with TestClient(create_app(settings, bot)) as http:
        body = http.post("/api/chat", json={"message": "How much is a garden waste bin?"}).json()
        assert body["status"] == "answered"
        assert "£49 a year" in body["answer"]
        assert http.get("/readyz").status_code == 200


def test_chroma_server_down_gives_an_error_reply_not_a_500(tmp_path, sample_site, embedder,
                                                           chroma_server) -> None:
    settings = Settings(chroma_url=chroma_server.url, data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), settings.council)
    crawl(sample_site, index, embedder, CrawlOptions.from_settings(
        settings, progress=False, delay_s=0.0, max_pages=8))
    engine = make_engine(settings.db_url)
    migrate(engine)
    bot = Bot(settings, Services(embedder, ChromaConnection(settings)), AnalyticsStore(engine))
    with TestClient(create_app(settings, bot)) as http:
        assert http.post("/api/chat", json={"message": "bins"}).status_code == 200
        chroma_server.stop()
        resp = http.post("/api/chat", json={"message": "How do I report a missed bin?"})
        assert resp.status_code == 200
        body = resp.json()
        assert body["status"] == "error"
        assert body["handoff"]["label"] == "Waste and recycling"
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["chroma"].startswith("unreachable")
        # The turn is still logged, so the outage shows in analytics.
        assert bot.writer.flush() == 0
        assert bot.store.status_counts().get("error") == 1


def test_bot_starts_while_chroma_is_down_and_recovers(tmp_path, sample_site, embedder) -> None:
    from bot.chat import build_bot
    from tests.conftest import ChromaServer, free_port

    port = free_port()
    settings = Settings(chroma_url=f"http://127.0.0.1:{port}", data_dir=tmp_path / "data",
                        _env_file=None)
    bot = build_bot(settings, embedder=embedder)  # nothing listens on the port yet
    bot.services.chroma.retry_s = 0
    with TestClient(create_app(settings, bot)) as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/readyz").status_code == 503
        down = http.post("/api/chat", json={"message": "Who gets free school meals?"}).json()
        assert down["status"] == "error" and down["handoff"]["phone"]

        server = ChromaServer(tmp_path / "chroma-late", port=port)
        try:
            crawl(sample_site, CouncilIndex(open_chroma(settings), settings.council), embedder,
                  CrawlOptions.from_settings(settings, progress=False, delay_s=0.0,
                                             max_pages=10))
            up = http.post("/api/chat", json={"message": "Who gets free school meals?"}).json()
            assert up["status"] == "answered", up
            assert "reception, year 1 and year 2" in up["answer"]
            assert http.get("/readyz").status_code == 200
        finally:
            server.stop()
