"""The council's search index: one Chroma collection per council (no metadata filters on the
hot path, which cost 25-145 ms a query here), plus the chunk records the keyword index needs.

Chroma is either embedded on disk (``ASKCOUNCIL_CHROMA_URL`` unset) or a ``chroma run`` server.
We always pass our own embeddings: Chroma's default embedding function would download a model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np

from askcouncil.errors import ConfigError, IndexUnavailable


@dataclass(frozen=True)
class Chunk:
    """A section (or part of one) of a council page, ready to embed and cite."""

    id: str
    url: str  # the page URL as crawled (final URL after redirects)
    anchor: str  # fragment for the section: "heading-id" or "page=N" for PDFs
    title: str  # page title
    section: str  # heading path, e.g. "Garden waste collections > When we collect garden waste"
    text: str  # the section text, lists kept as "- item" lines
    page_hash: str  # hash of the whole page's extracted text (unchanged pages are skipped)
    position: int = 0  # order of the chunk within its page
    lang: str = "en"

    @property
    def cite_url(self) -> str:
        return f"{self.url}#{self.anchor}" if self.anchor else self.url

    @property
    def embed_text(self) -> str:
        return f"{self.title}. {self.section}.\n{self.text}"

    def metadata(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "anchor": self.anchor,
            "title": self.title,
            "section": self.section,
            "page_hash": self.page_hash,
            "position": self.position,
            "lang": self.lang,
        }

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        return cls(
            id=chunk_id,
            url=str(meta["url"]),
            anchor=str(meta.get("anchor") or ""),
            title=str(meta.get("title") or ""),
            section=str(meta.get("section") or ""),
            text=text,
            page_hash=str(meta.get("page_hash") or ""),
            position=int(meta.get("position") or 0),
            lang=str(meta.get("lang") or "en"),
        )


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    similarity: float  # cosine similarity of the query to the chunk (dense), 0 when not scored


def open_chroma(settings):  # noqa: ANN001, ANN201 - Settings -> chromadb client
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
        import time

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

    def __init__(self, settings: Any, retry_s: float = 5.0) -> None:
        self.settings = settings
        self.retry_s = retry_s
        self._client: Any = None
        self._failed_at: float | None = None

    def client(self) -> Any:
        import time

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


class CouncilIndex:
    """Chunks of one council's website, in generations: each crawl writes a new Chroma
    collection ``council-<slug>--<n>`` and publishes it only when it is complete. Readers use
    the newest complete generation, so the live index is never half-updated; a crawl that fails
    or is killed leaves an incomplete generation that the next crawl resumes.

    One collection per generation, never a metadata filter on the hot path (a ``where`` filter
    costs 25-145 ms a query here).
    """

    def __init__(self, client: Any, council: str, live: str | None = None) -> None:
        self.client = client
        self.council = council
        self.prefix = f"council-{council}"
        self._live = live

    # -- generations -------------------------------------------------------------------------

    def generations(self) -> list[tuple[int, str, bool]]:
        """(number, collection name, complete) for this council, oldest first."""
        try:
            cols = self.client.list_collections()
        except Exception as exc:
            raise IndexUnavailable(f"Chroma is not reachable: {exc}") from exc
        out = []
        for col in cols:
            name = col.name if hasattr(col, "name") else str(col)
            if name == self.prefix:  # written before generations existed: generation 0
                out.append((0, name, True))
            elif name.startswith(self.prefix + "--"):
                number = name.rsplit("--", 1)[1]
                if number.isdigit():
                    meta = (col.metadata if hasattr(col, "metadata") else None) or {}
                    out.append((int(number), name, meta.get("complete") == "1"))
        return sorted(out)

    def live_name(self) -> str | None:
        complete = [name for _n, name, done in self.generations() if done]
        return complete[-1] if complete else None

    def _collection(self) -> Any:
        name = self._live or self.live_name()
        if name is None:
            raise IndexUnavailable(f"nothing indexed yet for council {self.council!r}")
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:  # chromadb raises several types for "missing" and "down"
            msg = f"index for council {self.council!r} unavailable: {exc}"
            raise IndexUnavailable(msg) from exc

    def begin_update(self) -> IndexUpdate:
        """A generation to write into: the incomplete one a killed crawl left, or a new one."""
        gens = self.generations()
        live = self.live_name()
        newest = gens[-1] if gens else None
        if newest and not newest[2]:
            name = newest[1]  # resume
        else:
            name = f"{self.prefix}--{(newest[0] + 1) if newest else 1}"
        staging = self.client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"complete": "0"},
        )
        live_col = self.client.get_collection(live, embedding_function=None) if live else None
        return IndexUpdate(self, staging, live_col)

    # -- reading -----------------------------------------------------------------------------

    def exists(self) -> bool:
        try:
            self._collection()
        except IndexUnavailable:
            return False
        return True

    def count(self) -> int:
        return int(self._collection().count())

    def site_info(self) -> dict[str, Any]:
        meta = self._collection().metadata or {}
        return json.loads(meta.get("site", "{}"))

    def page_hashes(self) -> dict[str, str]:
        """URL -> page hash for every page in the live index."""
        return {u: v[0] for u, v in self.page_versions().items()}

    def page_versions(self) -> dict[str, tuple[str, int]]:
        """URL -> (page hash, chunk count) for every page in the live index."""
        if not self.exists():
            return {}
        return _page_versions(self._collection())

    def all_chunks(self) -> list[Chunk]:
        got = self._collection().get(include=["documents", "metadatas"])
        return [
            Chunk.from_record(i, d, m)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def query(self, embedding: list[float], k: int) -> list[Hit]:
        col = self._collection()
        res = col.query(
            query_embeddings=[embedding],
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(Chunk.from_record(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]

    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of a query to chunks by id, from their stored vectors (for sections
        that the nearest-neighbour search did not return)."""
        if not ids:
            return {}
        got = self._collection().get(ids=ids, include=["embeddings"])
        q = np.asarray(embedding, dtype=np.float32)
        q /= np.linalg.norm(q) or 1.0
        out = {}
        for chunk_id, vec in zip(got["ids"], got["embeddings"], strict=True):
            v = np.asarray(vec, dtype=np.float32)
            out[chunk_id] = float(q @ v / (np.linalg.norm(v) or 1.0))
        return out

    def heartbeat(self) -> None:
        try:
            self.client.heartbeat()
        except Exception as exc:
            raise IndexUnavailable(f"Chroma is not reachable: {exc}") from exc


def _page_versions(col: Any) -> dict[str, tuple[str, int]]:
    """URL -> (page hash, chunks held): a page cut off half-way has too few chunks."""
    out: dict[str, tuple[str, int]] = {}
    for m in col.get(include=["metadatas"])["metadatas"]:
        digest, count = out.get(m["url"], (m.get("page_hash", ""), 0))
        out[m["url"]] = (digest, count + 1)
    return out


class IndexUpdate:
    """Writes one generation. Nothing a resident sees changes until ``publish``."""

    BATCH = 500

    def __init__(self, index: CouncilIndex, staging: Any, live: Any | None) -> None:
        self.index = index
        self.staging = staging
        self.live = live

    @property
    def name(self) -> str:
        return str(self.staging.name)

    def staged_versions(self) -> dict[str, tuple[str, int]]:
        """Pages already in this generation (a resumed crawl has some), with chunk counts."""
        return _page_versions(self.staging)

    def add(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        for i in range(0, len(chunks), self.BATCH):
            part = chunks[i : i + self.BATCH]
            self.staging.upsert(
                ids=[c.id for c in part],
                embeddings=embeddings[i : i + self.BATCH],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def copy_from_live(self, urls: list[str]) -> int:
        """Carry pages over unchanged, embeddings and all: nothing is embedded again."""
        if self.live is None or not urls:
            return 0
        copied = 0
        for i in range(0, len(urls), 100):
            got = self.live.get(where={"url": {"$in": urls[i : i + 100]}},
                                include=["embeddings", "documents", "metadatas"])
            if got["ids"]:
                self.staging.upsert(ids=got["ids"], embeddings=got["embeddings"],
                                    documents=got["documents"], metadatas=got["metadatas"])
                copied += len(got["ids"])
        return copied

    def delete(self, urls: list[str]) -> None:
        for i in range(0, len(urls), 100):
            ids = self.staging.get(where={"url": {"$in": urls[i : i + 100]}}, include=[])["ids"]
            if ids:
                self.staging.delete(ids=ids)

    def publish(self, site: dict[str, Any]) -> None:
        """Make this generation live. The one it replaces stays one more round (a reader that
        looked it up a moment ago can still use it); older ones are dropped."""
        self.staging.modify(metadata={"complete": "1", "site": json.dumps(site)})
        previous = self.live.name if self.live is not None else None
        for _n, name, _done in self.index.generations():
            if name not in (self.name, previous):
                self.index.client.delete_collection(name)
