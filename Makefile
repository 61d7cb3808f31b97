# The two commands: `make demo` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
URL ?=
PYTEST_ARGS ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test eval-sample eval-realpages eval-gate eval-routing calibrate bench-crawl bench-scale bench-chat bench-load \
	bench-gaps audit lint site

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m askcouncil.embedding  # the embedding model exported for ONNX Runtime, once
	touch $(STAMP)

install: $(STAMP)

## Serve the bundled sample council site, crawl it, and serve the bot with its widget on
## http://127.0.0.1:8000. `make demo URL=https://www.example-council.gov.uk` crawls that site.
demo: $(STAMP)
	$(BIN)/askcouncil demo $(if $(URL),--url $(URL))

## Run the whole test suite (lint first).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

## Evaluate the answer pipeline on the sample site's questions (crawls it first): the development
## set, then the residents' set's tuning and test parts (eval/questions/README.md).
eval-sample: $(STAMP)
	bash scripts/eval-site.sh sample

## Evaluate on ../shared/sites/realpages: ../shared/eval/realpages-dev.jsonl, then the residents'
## set's tuning and test parts.
eval-realpages: $(STAMP)
	bash scripts/eval-site.sh realpages

## The release gate: both evaluations, then their scores against eval/baseline.json (the
## development sets and the residents' test parts, which nothing is tuned on), and the gap
## report on its labelled log (eval/gaplog: both halves against eval.gapmeasure's floors), and
## every realpages chunk's stored vector against the sentence-transformers reference; then the
## council files drafted from both crawls against the hand-written ones, and routing in the
## two-tier test world (eval-routing).
eval-gate: export ASKCOUNCIL_EVAL_ARGS = --accessibility
eval-gate: eval-sample eval-realpages
	$(BIN)/askcouncil eval gate eval-runs/sample --set sample
	$(BIN)/askcouncil eval gate eval-runs/realpages --set realpages
	$(BIN)/askcouncil eval gate eval-runs/sample-residents-test --set sample-residents-test
	$(BIN)/askcouncil eval gate eval-runs/realpages-residents-test --set realpages-residents-test
	ASKCOUNCIL_DATA_DIR=data/eval-sample $(BIN)/python -m eval.gapmeasure --gate --out eval-runs/gaplog.json
	ASKCOUNCIL_DATA_DIR=data/eval-realpages $(BIN)/python -m eval.embedcheck --council realpages
	$(BIN)/python -m eval.councilcheck askcouncil/councils/kestrelford.yaml --data data/eval-sample \
	  --council kestrelford --pages sample_site/site --out eval-runs/draft-sample.json --gate draft-sample
	$(BIN)/python -m eval.councilcheck eval/councils/scarfolk.reference.yaml --data data/eval-realpages \
	  --council realpages --pages ../shared/sites/realpages --out eval-runs/draft-realpages.json \
	  --gate draft-realpages
	$(BIN)/python -m eval.routing --out eval-runs/routing --gate

## Routing in the two-tier test world (eval/worlds.py): realpages split into a district's and a
## county's site, served and crawled together; the labelled questions' tuning and test parts.
eval-routing: $(STAMP)
	$(BIN)/python -m eval.routing --out eval-runs/routing

## Refit the answer/decline model on the tuning questions (needs the crawls eval-gate leaves)
## and print its precision-recall curve on the residents' test parts.
calibrate: $(STAMP)
	bash scripts/calibrate.sh

## Crawl benchmark on ../shared/sites/realpages: pages/s, chunks/s, embedding share, memory,
## and the speed-up of an unchanged re-crawl (medians of BENCH_RUNS runs).
BENCH_RUNS ?= 1
bench-crawl: $(STAMP)
	$(BIN)/python -m benchmarks.crawl --runs $(BENCH_RUNS) --out bench-crawl.json

## Crawl at scale: a generated council site of SCALE_PAGES pages (benchmarks/scalesite.py) crawled
## by `askcouncil crawl` in its own process, then again unchanged, beside realpages: time,
## pages/s, chunks/s and the crawl's peak memory. 10,000 pages take about an hour on 2 cores.
SCALE_PAGES ?= 10000
bench-scale: $(STAMP)
	$(BIN)/python -m benchmarks.scale --pages $(SCALE_PAGES) --with-realpages --out bench-scale.json

## Chat latency benchmark on ../shared/sites/realpages: POST /api/chat over HTTP (extractive
## composer) p50/p95/p99 beside the floor (query embedding plus vector search). DATA=folder reuses
## a crawl (make eval-realpages leaves one in data/eval-realpages); else it crawls first.
DATA ?=
bench-chat: $(STAMP)
	$(BIN)/python -m benchmarks.chat $(if $(DATA),--data-dir $(DATA)) --out bench-chat.json

## The gap report job (askcouncil report refresh-gaps, in its own process) on a month of 2,000,
## 10,000 and 50,000 residents' questions: time of each period's report and the job's peak
## memory. DATA=folder reuses a crawl of the sample site (make eval-gate leaves data/eval-sample).
bench-gaps: $(STAMP)
	$(BIN)/python -m benchmarks.gaps $(if $(DATA),--data-dir $(DATA)) --out bench-gaps.json

## Load and faults on the production topology on loopback (chroma run, a throwaway PostgreSQL
## cluster, askcouncil serve with two workers, the sample site crawled): 2,000 chat requests at
## concurrency 32, then Chroma stopped, PostgreSQL stopped and a crawl killed mid-load. Exits 1
## when a check fails (a 5xx, a turn lost or stored twice, no handoff during an outage).
LOAD_REQUESTS ?= 2000
bench-load: $(STAMP)
	$(BIN)/python -m benchmarks.load --requests $(LOAD_REQUESTS) --concurrency 32 --out bench-load.json

## Known vulnerabilities in the installed dependencies (pip-audit); fails on any found.
audit: $(STAMP)
	$(BIN)/python scripts/audit.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## Rebuild sample_site/site from sample_site/content.
site:
	$(PYTHON) sample_site/build.py
