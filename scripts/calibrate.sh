#!/usr/bin/env bash
# Refit the answer/decline model (bot/pipeline/decision.json) on the tuning questions only, and
# print its precision-recall curve on the residents' test parts, which it never sees:
#   make eval-gate          # (or eval-sample and eval-realpages) leaves both crawls in data/
#   bash scripts/calibrate.sh
# Rows of signals go to eval-runs/calibration/. docs/quality.md explains the method.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SHARED=${ASKCOUNCIL_SHARED:-../shared}
OUT=eval-runs/calibration
mkdir -p "$OUT"
for d in data/eval-sample data/eval-realpages; do
  [ -d "$d" ] || { echo "$d is missing: run make eval-sample eval-realpages first" >&2; exit 2; }
done
measure() { ASKCOUNCIL_DATA_DIR=$1 $BIN/python -m eval.calibrate measure "${@:3}" --council "$2"; }
measure data/eval-sample kestrelford eval/questions/kestrelford.jsonl \
  eval/questions/kestrelford-residents-tune.jsonl --out "$OUT/sample-tune.jsonl"
measure data/eval-sample kestrelford eval/questions/kestrelford-residents-test.jsonl \
  --out "$OUT/sample-test.jsonl"
measure data/eval-realpages realpages "$SHARED/eval/realpages-dev.jsonl" \
  eval/questions/realpages-residents-tune.jsonl --out "$OUT/realpages-tune.jsonl"
measure data/eval-realpages realpages eval/questions/realpages-residents-test.jsonl \
  --out "$OUT/realpages-test.jsonl"
$BIN/python -m eval.calibrate fit "$OUT/sample-tune.jsonl" "$OUT/realpages-tune.jsonl" \
  --out bot/pipeline/decision.json
echo "On the test parts (never fitted on):"
$BIN/python -m eval.calibrate curve "$OUT/sample-test.jsonl" "$OUT/realpages-test.jsonl"
