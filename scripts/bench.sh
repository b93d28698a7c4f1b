#!/usr/bin/env bash
# `make bench`: the side-by-side benchmark of issue 5 (docs/benchmarks.md).
#  1-2. the generated MobileNet V2 1.0 / 1.4 models in bench/models (scripts/gen-models.sh:
#     a pinned venv outside the repository, cached), checked in TensorFlow and onnxruntime
#     with BENCH_VERIFY=1,
#  3. the peer runtimes from bench/package-lock.json (npm ci, exact versions),
#  4. build-bench/wasinfer-run, the native runner, against $BUILD/libwasinfer.a,
#  5. node bench/compare.mjs: interleaved rounds of every runtime on both sizes, results in
#     bench/results/ (results.json, results.md, latency.svg).
# Environment: BENCH_ROUNDS (8), BENCH_RUNS (20), BENCH_WARMUP (3), BENCH_TOLERANCE (1e-4), BENCH_RUNNERS (0), BENCH_ENGINE_COMMIT, BENCH_SIZES (1.0,1.4), BENCH_ONLY (ids),
# BENCH_VERIFY (0), WASINFER_VENV (~/.cache/wasinfer/bench-venv), BUILD (build).
# Extra arguments go to compare.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="${BUILD:-build}"
VENV="${WASINFER_VENV:-$HOME/.cache/wasinfer/bench-venv}"
MODELS=bench/models
say() { echo "bench: $*" >&2; }

# ---- 1-2. the venv and the generated models (scripts/gen-models.sh, cached) ----
bash scripts/gen-models.sh
source scripts/gen-models.sh   # python_env, for the optional TensorFlow check below
if [ "${BENCH_VERIFY:-0}" = 1 ]; then
  python_env tools/requirements.txt tools/gen-mobilenet/requirements-verify.txt
  TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" tools/gen-mobilenet/verify.py --models "$MODELS" \
    --reference ../shared/data/models/tf/mobilenet_v2_1.0_224_frozen.pb 2> >(grep -v '^WARNING\|^I0000\|^To enable' >&2)
fi

# ---- 3. peers from npm, exactly as locked (onnxruntime-node's CPU binary ships in the
#         package; its install script only fetches GPU providers, which we skip) ----
if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  say "installing the peer runtimes (npm ci in bench/)"
  (cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip \
     npm ci --no-audit --no-fund --loglevel=error)
fi

# ---- 4. the native runner (times and dumps wasinfer on the harness's input) ----
if [ -f "$BUILD/libwasinfer.a" ]; then
  mkdir -p build-bench
  rm -f build-bench/wasinfer-run
  cc -O2 -std=c11 -Wall -Wextra -Iinclude bench/native/wasinfer-run.c "$BUILD/libwasinfer.a" \
     -lpthread -lm -o build-bench/wasinfer-run 2> build-bench/wasinfer-run.log ||
    say "the native runner does not link against $BUILD/libwasinfer.a yet (build-bench/wasinfer-run.log): native rows skipped"
else
  say "$BUILD/libwasinfer.a not built: native wasinfer rows will be skipped (run make native)"
fi

# ---- 5. the run ----
say "load before: $(uptime)"
BUILD="$BUILD" node bench/compare.mjs "$@"
say "load after: $(uptime)"
