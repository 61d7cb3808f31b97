"""The council's search index: one Chroma collection per council (no metadata filters on the
hot path, which cost 25-145 ms a query here), plus the chunk records the keyword index needs.

We always pass our own embeddings: Chroma's default embedding function would download a model.
The chunk records are in ``askcouncil/chunks.py``, the connection in ``askcouncil/chroma.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from askcouncil.chroma import ChromaClient, Collection
from askcouncil.chunks import Chunk, Hit
from askcouncil.errors import IndexUnavailable


class CouncilIndex:
    """Chunks of one council's website, in generations: each crawl writes a new Chroma
    collection ``council-<slug>--<n>`` and publishes it only when it is complete. Readers use
    the newest complete generation, so the live index is never half-updated; a crawl that fails
    or is killed leaves an incomplete generation that the next crawl resumes.

    One collection per generation, never a metadata filter on the hot path (a ``where`` filter
    costs 25-145 ms a query here).
    """

    def __init__(self, client: ChromaClient, council: str, live: str | None = None) -> None:
        self.client = client
        self.council = council
        self.prefix = f"council-{council}"
        self._live = live
        self._pinned: Collection | None = None  # the pinned generation's handle, once found

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

    def _collection(self) -> Collection:
        if self._pinned is not None:  # a turn looks its generation up once, not every read
            return self._pinned
        name = self._live or self.live_name()
        if name is None:
            raise IndexUnavailable(f"nothing indexed yet for council {self.council!r}")
        found = self._open(name)
        if self._live:
            self._pinned = found
        return found

    def _open(self, name: str) -> Collection:
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

    def staged_versions(self) -> dict[str, tuple[str, int]]:
        """URL -> (page hash, chunk count) for every page the incomplete generation a killed
        crawl left holds (the next crawl resumes it), or nothing."""
        gens = self.generations()
        return _page_versions(self._open(gens[-1][1])) if gens and not gens[-1][2] else {}

    def page_hashes(self) -> dict[str, str]:
        """URL -> page hash for every page in the live index."""
        return {u: v[0] for u, v in self.page_versions().items()}

    def page_versions(self) -> dict[str, tuple[str, int]]:
        """URL -> (page hash, chunk count) for every page in the live index."""
        if not self.exists():
            return {}
        return _page_versions(self._collection())

    def all_chunks(self) -> list[Chunk]:
        return list(self.iter_chunks())

    def iter_chunks(self, batch: int | None = None) -> Iterator[Chunk]:
        """Every chunk of the live index, read ``batch`` at a time (a county's index is over
        100,000 chunks: never all in memory at once)."""
        for got in _read(self._collection(), ["documents", "metadatas"], batch):
            yield from _chunks(got)

    def vectors(self) -> tuple[list[Chunk], list[list[float]]]:
        """Every chunk of the live index with the vector it was stored with."""
        chunks: list[Chunk] = []
        vectors: list[list[float]] = []
        for got in _read(self._collection(), ["documents", "metadatas", "embeddings"]):
            chunks.extend(_chunks(got))
            vectors.extend(list(map(float, v)) for v in got["embeddings"])
        return chunks, vectors

    def query(self, embedding: list[float], k: int) -> list[Hit]:
        return self.query_many([embedding], k)[0]

    def query_many(self, embeddings: list[list[float]], k: int) -> list[list[Hit]]:
        """The ``k`` nearest chunks to each embedding, in one request."""
        res = self._collection().query(
            query_embeddings=embeddings,
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
        return [
            [Hit(Chunk.from_record(i, d, m), 1.0 - float(dist))
             for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)]
            for ids, docs, metas, dists in zip(res["ids"], res["documents"], res["metadatas"],
                                               res["distances"], strict=True)
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


def _page_versions(col: Collection) -> dict[str, tuple[str, int]]:
    """URL -> (page hash, chunks held): a page cut off half-way has too few chunks."""
    out: dict[str, tuple[str, int]] = {}
    for got in _read(col, ["metadatas"]):
        for m in got["metadatas"]:
            digest, count = out.get(m["url"], (m.get("page_hash", ""), 0))
            out[m["url"]] = (digest, count + 1)
    return out


def _chunks(got: Any) -> Iterator[Chunk]:  # noqa: ANN401 - a Chroma get result
    for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        yield Chunk.from_record(i, d, m)


READ_BATCH = 2000  # records read from Chroma at a time: reading 15,000 at once took 180 MB


def _read(col: Collection, include: list[str], batch: int | None = None) -> Iterator[Any]:
    """Every record of the collection, ``batch`` (``READ_BATCH``) at a time (Chroma's ``get``
    results)."""
    batch = batch or READ_BATCH
    offset = 0
    while True:
        got = col.get(include=include, limit=batch, offset=offset)
        yield got
        if len(got["ids"]) < batch:
            return
        offset += batch


class IndexUpdate:
    """Writes one generation. Nothing a resident sees changes until ``publish``."""

    BATCH = 500

    def __init__(self, index: CouncilIndex, staging: Collection, live: Collection | None
                 ) -> None:
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
