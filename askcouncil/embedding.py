"""Sentence embeddings behind a small protocol, so the crawler and the bot share one model."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from askcouncil.settings import Settings

from askcouncil.errors import ConfigError


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """sentence-transformers model loaded from a local path or (online) a hub name.

    Vectors are L2-normalised, so Chroma's cosine distance is ``1 - dot``.
    """

    def __init__(self, model: str, *, offline: bool = True, batch_size: int = 32) -> None:
        if offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(model, device="cpu")
        except OSError as exc:
            raise ConfigError(
                f"cannot load embedding model {model!r}: give a local path, or a hub name "
                f"with ASKCOUNCIL_HF_OFFLINE=false ({exc})"
            ) from exc
        self.name = model
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def load_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    if settings.workers > 1:  # N bot workers share the cores instead of each taking them all
        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 1) // settings.workers))
    return SentenceTransformerEmbedder(
        settings.model_name_or_path,
        offline=settings.hf_offline,
        batch_size=settings.embed_batch_size,
    )
