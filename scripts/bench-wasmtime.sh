#!/usr/bin/env bash
# Wasmtime numbers for docs/wasmtime.md (a benchmark, not a test):
#   1. wasinfer-wasmhost bench: module compile, load from the cached artifact, instance from
#      scratch and from the post-load snapshot, classify latency in Wasmtime;
#   2. the same image classified natively (build/wasinfer classify) and in Node
#      (hosts/node/bench/bench.mjs), for the latency comparison;
#   3. service throughput, native and --backend wasm, with wrk (POST of one JPEG, 127.0.0.1).
# Usage: scripts/bench-wasmtime.sh [BUILD_DIR]   (RUNS, WRK_SECONDS, THREADS to adjust)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
DATA="${WASINFER_DATA:-../shared/data}"
MODEL="$DATA/models/tf/mobilenet_v2_1.0_224_frozen.pb"
IMAGE="$DATA/images/grace_hopper.jpg"
WASM="build/wasm/wasinfer.wasm"
RUNS="${RUNS:-20}"
WRK_SECONDS="${WRK_SECONDS:-10}"
THREADS="${THREADS:-2}"

echo "== Wasmtime (wasinfer-wasmhost bench, $RUNS runs)"
"$BUILD/wasinfer-wasmhost" bench --module "$WASM" --model "$MODEL" --runs "$RUNS" "$IMAGE"
echo "== Wasmtime with the service's epoch checks (wasinfer-wasmhost bench --epochs)"
"$BUILD/wasinfer-wasmhost" bench --epochs --module "$WASM" --model "$MODEL" --runs "$RUNS" "$IMAGE" |
  grep -E "epoch_interruption|classify_ms"

echo "== native (build/wasinfer classify, one process per run: decode + preprocess + infer)"
for _ in 1 2 3; do
  "$BUILD/wasinfer" classify --json --top 1 --model "$MODEL" "$IMAGE" "$IMAGE" "$IMAGE" "$IMAGE" "$IMAGE" |
    sed -n 's/.*"decode": \([0-9.]*\), "preprocess": \([0-9.]*\), "infer": \([0-9.]*\).*/\1 \2 \3/p'
done | awk '{ t = $1 + $2 + $3; print t }' | sort -n | awk '{ a[NR] = $1 } END { print "native classify_ms (median of " NR ") " a[int((NR + 1) / 2)] }'

if command -v node >/dev/null && [ -f hosts/node/bench/bench.mjs ]; then
  echo "== Node (hosts/node/bench/bench.mjs)"
  node hosts/node/bench/bench.mjs --model "$MODEL" --image "$IMAGE" --runs "$RUNS" --native "$BUILD/wasinfer" || true
fi

serve_throughput() { # serve_throughput <backend>
  local out err pid port lua
  out=$(mktemp) err=$(mktemp) lua=$(mktemp --suffix=.lua)
  "$BUILD/wasinfer" serve --backend "$1" --wasm-module "$WASM" --threads "$THREADS" --quiet \
    --host 127.0.0.1 --port 0 --model "$MODEL" >"$out" 2>"$err" &
  pid=$!
  for _ in $(seq 1 600); do grep -q "Listening on" "$out" && break; sleep 0.2; done
  port=$(sed -n 's/^Listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$out")
  cat >"$lua" <<EOF
local f = io.open("$IMAGE", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
wrk.headers["Content-Type"] = "image/jpeg"
f:close()
EOF
  echo "== service --backend $1, $THREADS workers, wrk -t2 -c$THREADS -d${WRK_SECONDS}s"
  wrk -t2 -c"$THREADS" -d"${WRK_SECONDS}s" -s "$lua" "http://127.0.0.1:$port/v1/classify" |
    grep -E "Requests/sec|Latency|requests in|Non-2xx"
  kill -TERM "$pid"
  wait "$pid" || true
  rm -f "$out" "$err" "$lua"
}
serve_throughput native
serve_throughput wasm
