#!/usr/bin/env bash
# bench/load.sh - load on `wasinfer serve` over loopback with wrk (Debian's wrk 4.1).
#
# Starts the service on a free port with the MobileNet V2 1.0 model, POSTs one image as raw
# bytes to /v1/classify at 1, 2 and 8 concurrent connections, and prints requests/s, p50/p99
# latency, non-2xx answers and the service's peak RSS (VmHWM) as a Markdown table, plus the
# bound to compare with: workers / single-request latency.
#
#   bench/load.sh                       # 10 s per level, workers = cores
#   DURATION=30s CONNS="1 2 4 8" bench/load.sh
# Environment: WASINFER_DATA (../shared/data), WASINFER_BIN (build/wasinfer), MODEL, IMAGE,
# DURATION, CONNS, WORKERS.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${WASINFER_DATA:-../shared/data}
BIN=${WASINFER_BIN:-build/wasinfer}
MODEL=${MODEL:-$DATA/models/tf/mobilenet_v2_1.0_224_frozen.pb}
LABELS=$DATA/labels/imagenet_1001.txt
IMAGE=${IMAGE:-$DATA/images/grace_hopper.jpg}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-"1 2 8"}
WORKERS=${WORKERS:-$(nproc)}

for f in "$BIN" "$MODEL" "$LABELS" "$IMAGE"; do
  [ -e "$f" ] || { echo "load.sh: missing $f (build with make; set WASINFER_DATA)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (make setup installs it)" >&2; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --model "$MODEL" --labels "$LABELS" --host 127.0.0.1 --port 0 --threads "$WORKERS" \
  --quiet >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 300); do
  grep -q "Listening on" "$WORK/out" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/err" >&2; PID=""; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/^Listening on //p' "$WORK/out")
[ -n "$URL" ] || { echo "load.sh: the service did not start" >&2; exit 1; }

# Warm up (first-touch of every worker's arena), and one request's own timing breakdown.
for _ in $(seq 1 $((2 * WORKERS))); do
  curl -s -o "$WORK/one" -H 'Content-Type: image/jpeg' --data-binary "@$IMAGE" "$URL/v1/classify?top_k=1"
done
ONE=$(cat "$WORK/one")

cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "image/jpeg"
local f = assert(io.open("$IMAGE", "rb"))
wrk.body = f:read("*a")
f:close()
LUA

echo "wasinfer serve load: $(basename "$MODEL"), image $(basename "$IMAGE"), $WORKERS workers, $(nproc) cores, $DURATION per level"
echo "one request: $ONE"
echo
echo "| connections | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---:|---:|---:|---:|---:|"
P50_1=""
for c in $CONNS; do
  t=$((c < 2 ? c : 2))
  wrk -t "$t" -c "$c" -d "$DURATION" --latency -s "$WORK/post.lua" "$URL/v1/classify?top_k=1" >"$WORK/wrk.$c"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.$c")
  # wrk prints latencies with a unit (us, ms, s): normalise to ms.
  to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.1f", n }'; }
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.$c")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.$c")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.$c")
  [ -n "$P50_1" ] || P50_1=$p50
  echo "| $c | $rps | $p50 | $p99 | ${non2xx:-0} |"
done
echo
HWM=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$PID/status")
echo "service peak RSS (VmHWM): $HWM"
awk -v w="$WORKERS" -v p="$P50_1" 'BEGIN { if (p > 0) printf "bound: %d workers / %.1f ms single-request p50 = %.1f requests/s\n", w, p, w * 1000 / p }'
