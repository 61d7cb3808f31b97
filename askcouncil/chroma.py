"""The Chroma connection: embedded on disk (``ASKCOUNCIL_CHROMA_URL`` unset) or a ``chroma run``
server, every call to a server with a deadline (chromadb's own HTTP session waits forever), and a
connection that opens on first use and again after a failure."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx

from askcouncil.errors import ConfigError, IndexUnavailable

# chromadb's client and collection, unchecked: their result types are Optional throughout and
# would need a cast at every call, which checks nothing more.
ChromaClient = Any
Collection = Any

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from askcouncil.settings import Settings


def open_chroma(settings: Settings) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in {"http", "https"} or not url.hostname:
            raise ConfigError(f"ASKCOUNCIL_CHROMA_URL must be http(s)://host:port, not {url!r}")
        # chromadb's client constructor calls the server with no deadline, and would wait
        # forever on a hung one: ask first, with ours.
        base = f"{url.scheme}://{url.netloc}"
        try:
            httpx.get(f"{base}/api/v2/heartbeat", timeout=settings.chroma_timeout_s)
        except httpx.HTTPError as exc:
            raise IndexUnavailable(f"Chroma at {base} is not answering: {exc}") from exc
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 80),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        # chromadb's HTTP session waits forever; a hung server must not hold a resident's
        # answer, so every call gets a deadline (it then fails over to an error reply), and
        # after one fails the next ones fail at once for a moment.
        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            session.timeout = httpx.Timeout(settings.chroma_timeout_s)
            if not isinstance(session._transport, FailFast):
                session._transport = FailFast(session._transport)
        return client
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class FailFast(httpx.BaseTransport):
    """Wraps the Chroma client's HTTP transport. A question makes several Chroma calls one
    after another, and every resident asking at that moment makes them too: once a call fails on
    the way to the server (refused, reset, past ``ASKCOUNCIL_CHROMA_TIMEOUT_S``), calls fail at
    once for ``pause_s`` seconds instead of each waiting out the same timeout. Then the next
    call tries the server again."""

    def __init__(self, inner: httpx.BaseTransport, pause_s: float = 2.0) -> None:
        self.inner = inner
        self.pause_s = pause_s
        self.failed_at: float | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.failed_at is not None and time.monotonic() - self.failed_at < self.pause_s:
            raise httpx.ConnectError("Chroma did not answer a moment ago", request=request)
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError:
            self.failed_at = time.monotonic()
            raise
        self.failed_at = None
        return response

    def close(self) -> None:
        self.inner.close()


class ChromaConnection:
    """Chroma, opened on first use rather than at start-up, and opened again after a failure
    (at most every ``retry_s`` seconds), so a bot started while Chroma is down still starts,
    answers with an error status and a handoff, and recovers when Chroma comes back."""

    def __init__(self, settings: Settings, retry_s: float = 5.0) -> None:
        self.settings = settings
        self.retry_s = retry_s
        self._client: ChromaClient | None = None
        self._failed_at: float | None = None

    def client(self) -> ChromaClient:
        if self._client is not None:
            return self._client
        now = time.monotonic()
        if self._failed_at is not None and now - self._failed_at < self.retry_s:
            raise IndexUnavailable("Chroma is not reachable (will retry shortly)")
        try:
            self._client = open_chroma(self.settings)
        except ConfigError:
            raise
        except Exception as exc:
            self._failed_at = now
            raise IndexUnavailable(f"Chroma is not reachable: {exc}") from exc
        self._failed_at = None
        return self._client
