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
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 80),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


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
    """Chunks of one council's website in one Chroma collection."""

    def __init__(self, client: Any, council: str) -> None:
        self.client = client
        self.council = council
        self.name = f"council-{council}"

    def _collection(self, create: bool = False) -> Any:
        try:
            if create:
                return self.client.get_or_create_collection(
                    self.name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:  # chromadb raises several types for "missing" and "down"
            msg = f"index for council {self.council!r} unavailable: {exc}"
            raise IndexUnavailable(msg) from exc

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

    def set_site_info(self, info: dict[str, Any]) -> None:
        col = self._collection(create=True)
        col.modify(metadata={"site": json.dumps(info)})

    def upsert(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        if not chunks:
            return
        col = self._collection(create=True)
        step = 500
        for i in range(0, len(chunks), step):
            part = chunks[i : i + step]
            col.upsert(
                ids=[c.id for c in part],
                embeddings=embeddings[i : i + step],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def delete_pages(self, urls: list[str]) -> int:
        if not urls:
            return 0
        col = self._collection(create=True)
        ids = col.get(where={"url": {"$in": urls}}, include=[])["ids"]
        if ids:
            col.delete(ids=ids)
        return len(ids)

    def page_hashes(self) -> dict[str, str]:
        """URL -> page hash for every indexed page (used to skip unchanged pages)."""
        if not self.exists():
            return {}
        got = self._collection().get(include=["metadatas"])
        return {m["url"]: m.get("page_hash", "") for m in got["metadatas"]}

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

    def heartbeat(self) -> None:
        try:
            self.client.heartbeat()
        except Exception as exc:
            raise IndexUnavailable(f"Chroma is not reachable: {exc}") from exc
