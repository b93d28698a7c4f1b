#!/usr/bin/env bash
# Inference only, the same wasinfer-cli.wasm in Wasmtime (the pinned CLI) and in Node (node:wasi),
# interleaved: issue 6's "inference in Wasmtime no slower than in Node" (a benchmark, not a test).
# Each round runs both engines once, as fresh processes, in alternating order, each timing
# `bench --runs RUNS` on its own fixed input; the summary gives the median over rounds of each
# engine's median and minimum, and the paired ratio (per round, Wasmtime's median over Node's,
# measured seconds apart: the figure least moved by other load on the machine).
# Usage: scripts/bench-wasm-engines.sh [MODEL]   (ROUNDS=6, RUNS=30, WASINFER_WASM_DIR=build/wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${WASINFER_DATA:-../shared/data}"
MODEL="$(realpath "${1:-$DATA/models/tf/mobilenet_v2_1.0_224_frozen.pb}")"
ROUNDS="${ROUNDS:-6}"
RUNS="${RUNS:-30}"
WASM_DIR="$(realpath "${WASINFER_WASM_DIR:-build/wasm}")"
WASMTIME="$(bash scripts/install-wasmtime.sh --print-prefix)/bin/wasmtime"
[ -x "$WASMTIME" ] || { echo "bench-wasm-engines: no Wasmtime CLI at $WASMTIME (run scripts/install-deps.sh)" >&2; exit 1; }
[ -f "$WASM_DIR/wasinfer-cli.wasm" ] || { echo "bench-wasm-engines: no $WASM_DIR/wasinfer-cli.wasm (run make wasm)" >&2; exit 1; }

field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }
run_wasmtime() {
  "$WASMTIME" run --dir="$(dirname "$MODEL")" "$WASM_DIR/wasinfer-cli.wasm" \
    bench --model "$(dirname "$MODEL")/$(basename "$MODEL")" --runs "$RUNS" --json
}
run_node() {
  WASINFER_WASM_DIR="$WASM_DIR" node hosts/node/bin/wasinfer.js bench --model "$MODEL" --runs "$RUNS" --json
}

echo "model $MODEL, $ROUNDS rounds x $RUNS runs; Wasmtime $("$WASMTIME" --version | cut -d' ' -f2), Node $(node --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-9s %10s %10s\n' round engine median_ms min_ms
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  order="wasmtime node"
  [ $((r % 2)) -eq 0 ] && order="node wasmtime"
  for engine in $order; do
    json=$("run_$engine")
    med=$(echo "$json" | field median_ms) min=$(echo "$json" | field min_ms)
    printf '%-6s %-9s %10s %10s\n' "$r" "$engine" "$med" "$min"
    echo "$r $engine $med $min" >>"$results"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { med[$2, $1] = $3; mn[$2, $1] = $4; rounds[$1] = 1 }
  END {
    n = 0
    for (r in rounds) { n++; wm[n] = med["wasmtime", r]; nm[n] = med["node", r]; wn[n] = mn["wasmtime", r]; nn[n] = mn["node", r]; pr[n] = med["wasmtime", r] / med["node", r] }
    printf "summary: Wasmtime median %.2f ms (min %.2f), Node median %.2f ms (min %.2f); ratio of medians %.3f, paired ratio %.3f, ratio of mins %.3f\n",
      median(wm, n), median(wn, n), median(nm, n), median(nn, n), median(wm, n) / median(nm, n), median(pr, n), median(wn, n) / median(nn, n)
  }' "$results"
