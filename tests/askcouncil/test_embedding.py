"""The ONNX Runtime embedder (the default) against the sentence-transformers reference, its
one-time export, and its loading only when something needs embedding."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from askcouncil.embedding import (
    LazyEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    fingerprint,
    graph_for,
    load_embedder,
)
from askcouncil.errors import ConfigError
from askcouncil.settings import Settings, default_embedding_model

ODD = ["", " ", "bins", "Pryd mae fy miniau'n cael eu casglu? Treth y Cyngor 💷",
       "council tax " * 400,  # longer than the model reads: cut at 256 tokens by both
       "<script>alert(1)</script> £35.50 for 3 items, 07700 900123, SW1A 1AA",
       "ÀÉÎÕÜ ñ ß ø — “quotes” ‘single’ … tab\there\nnew line"]


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(default_embedding_model())


def test_onnx_gives_the_reference_vectors_for_every_chunk_of_the_sample_site(
        crawled, embedder, reference) -> None:
    """Every chunk the crawl stored (with the default backend), and odd texts, against
    sentence-transformers: cosine at least 0.999 (realpages: eval.embedcheck in the gate)."""
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex

    settings, _ = crawled
    chunks, stored = CouncilIndex(open_chroma(settings), settings.council).vectors()
    assert len(chunks) > 100
    texts = [c.embed_text for c in chunks]
    expected = np.asarray(reference.embed_documents(texts + ODD))
    assert np.asarray(embedder.embed_documents(texts + ODD)).shape == expected.shape
    assert (np.asarray(stored) * expected[:len(texts)]).sum(axis=1).min() >= 0.999
    mine = np.asarray(embedder.embed_documents(ODD))
    assert (mine * expected[len(texts):]).sum(axis=1).min() >= 0.999
    # one query alone (no padding) is the same vector as in a batch
    assert float(np.dot(embedder.embed_query(ODD[3]), expected[len(texts) + 3])) >= 0.999
    assert embedder.embed_documents([]) == []


def test_the_model_is_loaded_only_when_something_needs_embedding() -> None:
    loads: list[int] = []

    class Model:
        name = "m"

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[1.0] for _ in texts]

        def embed_query(self, text: str) -> list[float]:
            return [1.0]

    def load() -> Model:
        loads.append(1)
        return Model()

    lazy = LazyEmbedder("m", load)
    assert lazy.embed_documents([]) == [] and not lazy.loaded and not loads
    assert lazy.embed_query("x") == [1.0] and lazy.embed_documents(["a", "b"]) == [[1.0], [1.0]]
    assert loads == [1]
    real = load_embedder(Settings(_env_file=None))
    assert isinstance(real, LazyEmbedder) and not real.loaded
    assert real.name == default_embedding_model()


def test_a_process_that_embeds_with_onnx_never_imports_pytorch(embedder) -> None:
    """The bot's workers hold ONNX Runtime, not PyTorch (hundreds of MB each)."""
    embedder.embed_query("warm the cache")  # the graph is exported before the child starts
    code = ("import sys\nfrom askcouncil.embedding import load_embedder\n"
            "from askcouncil.settings import Settings\n"
            "e = load_embedder(Settings(_env_file=None))\n"
            "assert len(e.embed_query('when are my bins collected')) == 384\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


# A sitecustomize for child processes (and theirs: the export runs in one): PyTorch and its
# family cannot be imported, as in the slim Docker image.
WITHOUT_PYTORCH = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "transformers", "sentence_transformers", "onnx"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Missing())
"""


def test_without_pytorch_the_bundled_model_still_embeds_and_the_rest_says_why(
        embedder, tmp_path) -> None:
    """The slim Docker image leaves PyTorch out: the bundled model's exported graph answers;
    the reference backend, or a model with no graph yet, is refused with what to do."""
    embedder.embed_query("warm the cache")  # the graph is exported before the child starts
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WITHOUT_PYTORCH)
    code = (
        "from askcouncil.embedding import load_embedder\n"
        "from askcouncil.errors import ConfigError\n"
        "from askcouncil.settings import Settings\n"
        "assert len(load_embedder(Settings(_env_file=None)).embed_query('bins')) == 384\n"
        "for kwargs in ({'embedding_backend': 'sentence-transformers'},\n"
        f"               {{'model_cache_dir': {str(tmp_path / 'empty')!r}}}):\n"
        "    try:\n"
        "        load_embedder(Settings(_env_file=None, **kwargs)).embed_query('bins')\n"
        "    except ConfigError as exc:\n"
        "        print('refused:', exc)\n"
        "import sys; print('imported:', sorted(m for m in ('torch', 'transformers') "
        "if m in sys.modules))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=False, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    refused = [line for line in run.stdout.splitlines() if line.startswith("refused:")]
    assert len(refused) == 2, run.stdout + run.stderr
    assert all("PyTorch is not installed" in r and "WITH_PYTORCH=1" in r for r in refused)
    assert "cannot export one" in refused[1]
    assert "imported: []" in run.stdout


def test_the_graph_is_found_by_the_model_s_contents_not_its_file_times(tmp_path) -> None:
    """The slim image installs the model again and copies in the graph exported in the first
    stage: the same files at other times must name the same graph."""
    source = Path(default_embedding_model())
    copy = tmp_path / "model"
    shutil.copytree(source, copy)
    for path in copy.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert fingerprint(copy) == fingerprint(source)


def _linked_model(folder: Path) -> Path:
    """A copy of the bundled model's folder made of links (no 90 MB copy)."""
    source = Path(default_embedding_model())
    folder.mkdir()
    for path in source.rglob("*"):
        target = folder / path.relative_to(source)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return folder


def test_the_graph_is_exported_once_and_again_when_the_model_changes(tmp_path) -> None:
    model = _linked_model(tmp_path / "model")
    cache = tmp_path / "cache"
    graph = graph_for(model, cache)
    made = graph.stat().st_mtime_ns
    assert graph_for(model, cache) == graph and graph.stat().st_mtime_ns == made
    assert [p.name for p in cache.glob("*.onnx")] == [graph.name]
    e = OnnxEmbedder(str(model), cache, threads=1)
    assert e._session.get_session_options().intra_op_num_threads == 1
    assert len(e.embed_query("bins")) == 384
    before = fingerprint(model)
    (model / "README.md").unlink()
    (model / "README.md").write_text("a new revision of the model")
    assert fingerprint(model) != before
    assert graph_for(model, cache) != graph


def test_a_model_the_export_cannot_reproduce_is_refused_plainly(tmp_path) -> None:
    model = _linked_model(tmp_path / "model")
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.unlink()
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False,
                                   "pooling_mode_cls_token": True}))
    with pytest.raises(ConfigError, match="sentence-transformers"):
        graph_for(model, tmp_path / "cache")
    (model / "tokenizer.json").unlink()
    with pytest.raises(ConfigError, match="no tokenizer.json"):
        graph_for(model, tmp_path / "cache")


def test_a_failed_export_says_so_and_leaves_nothing_half_written(tmp_path) -> None:
    model = _linked_model(tmp_path / "model")
    (model / "model.safetensors").unlink()
    (model / "model.safetensors").write_bytes(b"not weights")
    cache = tmp_path / "cache"
    with pytest.raises(ConfigError, match="cannot export"):
        graph_for(model, cache)
    assert not [p for p in cache.iterdir() if p.suffix in {".onnx", ".part"}]
