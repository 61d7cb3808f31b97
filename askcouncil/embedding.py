"""Sentence embeddings behind a small protocol, so the crawler and the bot share one model.

Two backends give the same vectors (cosine at least 0.999, ``tests/test_embedding.py``):

- **ONNX Runtime** (the default): the model's transformer, mean pooling and normalisation
  exported once from its own weights into a graph (``export``, in a child process, so the
  process that embeds never imports PyTorch) and cached by the model folder's contents; the
  text is tokenised with the model's own ``tokenizer.json``. Loading takes a fraction of a
  second and one query a few milliseconds.
- **sentence-transformers**: the reference, and the way to use a model the export does not
  handle (one that is not mean-pooled, or has no fast tokenizer).

``load_embedder`` returns a ``LazyEmbedder``: the model is loaded on the first text to embed,
so a re-crawl that embeds nothing never loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from askcouncil.settings import Settings

from askcouncil.errors import ConfigError

EXPORT_VERSION = "1"  # bump when the exported graph changes shape
OPSET = 17
EXPORT_TIMEOUT_S = 600
# Texts run through ONNX Runtime together, at most: its memory for one run grows with the batch
# (attention over 256 tokens), its speed does not. Measured on 2 cores, 256 realpages chunks:
# 8, 16 and 32 at a time embed 12.8, 12.4 and 11.8 chunks/s and peak at 351, 458 and 757 MB.
ONNX_BATCH = 8


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """sentence-transformers model loaded from a local path or (online) a hub name.

    Vectors are L2-normalised, so Chroma's cosine distance is ``1 - dot``.
    """

    def __init__(self, model: str, *, offline: bool = True, batch_size: int = 32,
                 threads: int | None = None) -> None:
        if offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        _need_pytorch("sentence_transformers")
        if threads:
            import torch

            torch.set_num_threads(threads)
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


class OnnxEmbedder:
    """The model run in ONNX Runtime from a graph exported from its own weights (``graph_for``).
    Texts are embedded in batches of similar length (as sentence-transformers does), so short
    texts are not padded to the longest of the call."""

    def __init__(self, model: str, cache_dir: Path, *, offline: bool = True,
                 batch_size: int = 32, threads: int | None = None) -> None:
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = model_folder(model, offline)
        graph = graph_for(folder, cache_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads(1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(str(graph), options,
                                             providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length(folder))
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("[PAD]") or 0)
        self._np = np
        self.name = model
        self.batch_size = min(batch_size, ONNX_BATCH)

    def _batch(self, texts: list[str]) -> Any:  # noqa: ANN401 - a numpy array
        np = self._np
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        np = self._np
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            part = order[start:start + self.batch_size]
            vectors = self._batch([texts[i] for i in part])
            if not out.shape[1]:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._batch([text])[0].tolist()


class LazyEmbedder:
    """An embedder loaded on the first text to embed (by ``load``), once, whichever thread
    asks first."""

    def __init__(self, name: str, load: Callable[[], Embedder],
                 cache_dir: Path | None = None) -> None:
        self.name = name
        self.cache_dir = cache_dir  # where work derived from the model may be kept (routing)
        self._load = load
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def model(self) -> Embedder:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._load()
        return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model().embed_documents(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model().embed_query(text)


NO_PYTORCH = ("PyTorch is not installed (the slim Docker image leaves it out: build the image "
              "with --build-arg WITH_PYTORCH=1, or pip install the project with its full "
              "dependencies); it is needed for ASKCOUNCIL_EMBEDDING_BACKEND=sentence-transformers "
              "and to export a model other than the bundled one to ONNX")


def _need_pytorch(*modules: str) -> None:
    import importlib

    try:
        for name in ("torch", "transformers", *modules):
            importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(NO_PYTORCH) from exc


def default_threads(workers: int) -> int:
    """The cores shared out among ``workers`` processes, at least one each."""
    return max(1, (os.cpu_count() or 1) // workers)


def load_embedder(settings: Settings) -> LazyEmbedder:
    """The settings' model on the settings' backend, loaded when first needed."""
    model = settings.model_name_or_path
    threads = settings.embed_threads or default_threads(settings.workers)
    if settings.embedding_backend == "onnx":
        def load() -> Embedder:
            return OnnxEmbedder(model, settings.model_cache_path, offline=settings.hf_offline,
                                batch_size=settings.embed_batch_size, threads=threads)
    else:
        def load() -> Embedder:
            return SentenceTransformerEmbedder(model, offline=settings.hf_offline,
                                               batch_size=settings.embed_batch_size,
                                               threads=threads)
    return LazyEmbedder(model, load, settings.model_cache_path)


def prepare(settings: Settings) -> Path | None:
    """Export the settings' model for ONNX Runtime now (an image build, an install), so the
    first process that embeds finds it; None for the sentence-transformers backend."""
    if settings.embedding_backend != "onnx":
        return None
    return graph_for(model_folder(settings.model_name_or_path, settings.hf_offline),
                     settings.model_cache_path)


def model_folder(model: str, offline: bool = True) -> Path:
    """The model's local folder: ``model`` itself, or a hub name's downloaded snapshot."""
    folder = Path(model)
    if folder.is_dir():
        return folder
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=offline))
    except Exception as exc:
        raise ConfigError(f"cannot find embedding model {model!r}: give a local folder, or a "
                          f"hub name with ASKCOUNCIL_HF_OFFLINE=false ({exc})") from exc


def max_length(folder: Path) -> int:
    """The longest input, in tokens, the model reads (sentence-transformers' setting)."""
    config = folder / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return int(json.loads((folder / "config.json").read_text()).get("max_position_embeddings",
                                                                    512))


def check_exportable(folder: Path) -> None:
    """The export reproduces a mean-pooled, normalised model with a fast tokenizer only."""
    if not (folder / "tokenizer.json").exists():
        raise ConfigError(f"{folder} has no tokenizer.json: use "
                          "ASKCOUNCIL_EMBEDDING_BACKEND=sentence-transformers for this model")
    pooling = folder / "1_Pooling" / "config.json"
    modes = json.loads(pooling.read_text()) if pooling.exists() else {}
    modules = (folder / "modules.json").read_text() if (folder / "modules.json").exists() else ""
    if not modes.get("pooling_mode_mean_tokens") or "Normalize" not in modules:
        raise ConfigError(f"{folder} is not a mean-pooled, normalised sentence model: use "
                          "ASKCOUNCIL_EMBEDDING_BACKEND=sentence-transformers for this model")


def fingerprint(folder: Path) -> str:
    """What the exported graph depends on: the model folder's files, names and contents (not
    their times: the same model installed again, or copied into another image stage, finds
    the graph exported from it; about 0.1 s for the bundled model's 90 MB)."""
    digest = hashlib.sha256(f"{EXPORT_VERSION}:{OPSET}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}:".encode())
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()[:16]


def graph_for(folder: Path, cache_dir: Path) -> Path:
    """The model's ONNX graph in ``cache_dir``, exported first if it is not there (once, under
    a lock, by a child process: several bot workers starting together export it once)."""
    check_exportable(folder)
    graph = cache_dir / f"{folder.name}-{fingerprint(folder)}.onnx"
    if graph.exists():
        return graph
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".export.lock"):
        if not graph.exists():
            partial = graph.with_suffix(f".{os.getpid()}.part")
            run = subprocess.run([sys.executable, "-m", "askcouncil.embedding", str(folder),
                                  str(partial)], capture_output=True, text=True,
                                 timeout=EXPORT_TIMEOUT_S, check=False)
            if run.returncode != 0 or not partial.exists():
                partial.unlink(missing_ok=True)
                if NO_PYTORCH in run.stderr:
                    raise ConfigError(
                        f"the embedding model {folder} has no ONNX graph in {cache_dir} and "
                        f"this installation cannot export one: {NO_PYTORCH}")
                raise ConfigError(f"cannot export {folder} to ONNX ({run.stderr.strip()[-500:]}); "
                                  "ASKCOUNCIL_EMBEDDING_BACKEND=sentence-transformers needs no "
                                  "export")
            partial.replace(graph)
    return graph


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export(folder: Path, out: Path) -> None:
    """Export the model (transformer, mean pooling over the attention mask, L2 normalisation)
    to an ONNX graph with the batch and the sequence length free."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _need_pytorch()
    import torch
    from transformers import AutoModel

    class Sentence(torch.nn.Module):
        def __init__(self, model: Any) -> None:  # noqa: ANN401
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any  # noqa: ANN401
                    ) -> Any:  # noqa: ANN401
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    model = Sentence(AutoModel.from_pretrained(str(folder), attn_implementation="eager")).eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    axes = {"batch": 0, "tokens": 1}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad():
        torch.onnx.export(model, (ids, ids, torch.zeros_like(ids)), str(out),
                          input_names=names, output_names=["embedding"],
                          dynamic_axes={**{n: {v: k for k, v in axes.items()} for n in names},
                                        "embedding": {0: "batch"}},
                          opset_version=OPSET, dynamo=False)


if __name__ == "__main__":
    # `python -m askcouncil.embedding`: prepare the settings' model (the Dockerfile runs it);
    # with MODEL_FOLDER OUT: the child process graph_for runs to export it
    import warnings

    warnings.filterwarnings("ignore")
    if len(sys.argv) == 3:
        export(Path(sys.argv[1]), Path(sys.argv[2]))
    else:
        from askcouncil.routing import senses_for
        from askcouncil.settings import Settings

        settings = Settings()
        print(prepare(settings) or "the sentence-transformers backend needs no export")
        # the routing catalogue embedded now too, so that no bot process starts by doing it
        print(senses_for(load_embedder(settings)).warm() or "no cache folder for routing")
