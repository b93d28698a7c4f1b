#!/usr/bin/env bash
# test-wasm-gemm-forms.sh WASM_DIR WASMTIME_CLI - the wasm GEMM forms give the same bits.
#
# The wasm build has four forms of its GEMM microkernel (rows-splat, rows-load, packed, packed4;
# see src/kernels/f32-ukernels.inc.h) and picks one by timing them on the first inferences of
# the process. Every form must give exactly the same results, so which one an engine picks, and
# when in the run it switches, never shows in the output. Under Wasmtime (the CLI) and Node,
# `wasinfer-cli.wasm classify --json --top 20` over several images (enough work for the timed
# choice to be made during the run) prints the same lines with each form forced
# (WASINFER_WASM_GEMM_TILE x WASINFER_WASM_BROADCAST) as with the timed choice.
set -euo pipefail
source "$(dirname "$0")/../cli-lib.sh"
WASM_DIR=$1 WASMTIME=$2
MODEL=models/tf/mobilenet_v2_1.0_224_frozen.pb
IMAGES="images/grace_hopper.jpg images/cat.jpg images/dogs.jpg images/burger.jpg images/hot_dog.jpg images/husky.jpeg"
cli_test_init test-wasm-gemm-forms "$WASM_DIR/wasinfer-cli.wasm"
NODE_HOST=$(cd "$(dirname "$0")/../../hosts/node" && pwd)/bin/wasinfer.js
for image in $IMAGES; do [ -e "$DATA/$image" ] || { echo "test image missing: $DATA/$image" >&2; exit 1; }; done
[ -x "$WASMTIME" ] || { echo "Wasmtime CLI missing: '$WASMTIME' (run scripts/install-wasmtime.sh)" >&2; exit 1; }
command -v node >/dev/null || { echo "node not found: install it with make setup" >&2; exit 1; }
WASM_DIR=$(cd "$WASM_DIR" && pwd)

# run ENGINE OUT [VAR=VALUE...]: classify from the data folder, timings cut off the lines.
run() {
  local engine=$1 out=$2; shift 2
  local args=(classify --json --top 20 --model "$MODEL" --labels labels/imagenet_1001.txt $IMAGES)
  if [ "$engine" = wasmtime ]; then
    local envs=() kv
    for kv in "$@"; do envs+=(--env "$kv"); done
    (cd "$DATA" && "$WASMTIME" run --dir=. "${envs[@]}" "$WASM_DIR/wasinfer-cli.wasm" "${args[@]}")
  else
    (cd "$DATA" && env "$@" WASINFER_WASM_DIR="$WASM_DIR" node "$NODE_HOST" "${args[@]}")
  fi >"$TMP/raw" 2>"$TMP/err" || { cat "$TMP/err" >&2; return 1; }
  sed 's/, "timing_ms".*//' "$TMP/raw" >"$out"
  [ "$(wc -l <"$out")" -eq 6 ] || { echo "expected 6 result lines, got:" >&2; cat "$TMP/raw" >&2; return 1; }
}

same() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -5 >&2; return 1; }; }

for engine in wasmtime node; do
  check "$engine: timed choice runs" run "$engine" "$TMP/$engine-timed"
  for tile in rows packed packed4; do
    for broadcast in splat load; do
      out=$TMP/$engine-$tile-$broadcast
      check "$engine: $tile/$broadcast runs" run "$engine" "$out" \
        WASINFER_WASM_GEMM_TILE=$tile WASINFER_WASM_BROADCAST=$broadcast
      check "$engine: $tile/$broadcast = timed choice" same "$out" "$TMP/$engine-timed"
    done
  done
done
check "wasmtime = node" same "$TMP/wasmtime-timed" "$TMP/node-timed"
cli_test_finish
