# One image for the bot, the crawler job and the Chroma server (the chromadb package ships
# `chroma run`), so every service runs exactly the commands the tests run on loopback.
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
# The CPU build of PyTorch first: the exact pin, without CUDA packages.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY askcouncil askcouncil
COPY bot bot
COPY crawler crawler
COPY analytics analytics
COPY eval eval
COPY widget widget
COPY cli cli
COPY sample_site sample_site
RUN pip install .
# The embedding model exported once for ONNX Runtime (the default backend), inside the image:
# a worker starts without PyTorch and without writing anywhere but /data
ENV ASKCOUNCIL_MODEL_CACHE_DIR=/opt/askcouncil/models
RUN python -m askcouncil.embedding
RUN useradd --create-home askcouncil && mkdir -p /data && chown askcouncil /data
USER askcouncil
ENV ASKCOUNCIL_DATA_DIR=/data
EXPOSE 8000
CMD ["askcouncil", "serve", "--host", "0.0.0.0", "--port", "8000"]
