"""The embedding backend against the reference: every chunk of a crawled index, as the crawl
stored it (ONNX Runtime by default), against sentence-transformers' vector for the same text.

    ASKCOUNCIL_DATA_DIR=data/eval-realpages python -m eval.embedcheck --council realpages

Exits 1 when any chunk's cosine is below ``MIN_COSINE`` (``make eval-gate`` runs it on the
realpages crawl)."""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

MIN_COSINE = 0.999


def main() -> None:
    from askcouncil.chroma import open_chroma
    from askcouncil.embedding import SentenceTransformerEmbedder
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings

    ap = argparse.ArgumentParser(prog="python -m eval.embedcheck")
    ap.add_argument("--council", default=None)
    args = ap.parse_args()
    settings = Settings()
    index = CouncilIndex(open_chroma(settings), args.council or settings.council)
    chunks, stored = index.vectors()
    if not chunks:
        raise SystemExit(f"no chunks in {settings.data_dir} for {index.council}: crawl it first")
    began = time.perf_counter()
    reference = SentenceTransformerEmbedder(settings.model_name_or_path,
                                            batch_size=settings.embed_batch_size)
    expected = np.asarray(reference.embed_documents([c.embed_text for c in chunks]))
    cosines = (np.asarray(stored) * expected).sum(axis=1)
    worst = int(np.argmin(cosines))
    result = {"backend": settings.embedding_backend, "chunks": len(chunks),
              "min_cosine": round(float(cosines[worst]), 6),
              "median_cosine": round(float(np.median(cosines)), 6),
              "below": int((cosines < MIN_COSINE).sum()), "worst": chunks[worst].cite_url,
              "reference_seconds": round(time.perf_counter() - began, 1)}
    print(json.dumps(result, indent=1))
    if result["below"]:
        raise SystemExit(f"{result['below']} chunks' vectors differ from the reference "
                         f"(cosine below {MIN_COSINE})")


if __name__ == "__main__":
    main()
