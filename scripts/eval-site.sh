#!/usr/bin/env bash
# Serve a council website on a free loopback port, crawl it into its own data folder and run
# its question files through `askcouncil eval run`, one results folder each under eval-runs/:
#   scripts/eval-site.sh sample      # the bundled sample site: eval/questions/kestrelford.jsonl
#                                    # (-> eval-runs/sample) and the residents' set's tuning and
#                                    # test parts (-> eval-runs/sample-residents-tune, -test)
#   scripts/eval-site.sh realpages   # ../shared/sites/realpages: ../shared/eval/realpages-dev.jsonl
#                                    # (-> eval-runs/realpages) and the residents' set's parts
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SHARED=${ASKCOUNCIL_SHARED:-../shared}
which=${1:?sample or realpages}
PORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

case "$which" in
  sample)
    ROOT=sample_site/site; COUNCIL=kestrelford; QUESTIONS=eval/questions/kestrelford.jsonl
    RESIDENTS=eval/questions/kestrelford-residents ;;
  realpages)
    ROOT=$WORK/site; COUNCIL=realpages; QUESTIONS=$SHARED/eval/realpages-dev.jsonl
    RESIDENTS=eval/questions/realpages-residents
    python3 "$SHARED/sites/build_realpages.py" --base-url "http://127.0.0.1:$PORT" --out "$ROOT" >/dev/null ;;
  *) echo "usage: $0 sample|realpages" >&2; exit 2 ;;
esac

export ASKCOUNCIL_DATA_DIR=${ASKCOUNCIL_DATA_DIR:-data/eval-$which}
export ASKCOUNCIL_COUNCIL=$COUNCIL
$BIN/askcouncil site serve --root "$ROOT" --port "$PORT" >/dev/null &
SERVER=$!
for _ in $(seq 50); do
  $BIN/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
$BIN/askcouncil crawl "http://127.0.0.1:$PORT/" --no-progress
$BIN/askcouncil eval run "$QUESTIONS" --out "eval-runs/$which" ${ASKCOUNCIL_EVAL_ARGS:-}
for part in tune test; do
  $BIN/askcouncil eval run "$RESIDENTS-$part.jsonl" --out "eval-runs/$which-residents-$part"
done
