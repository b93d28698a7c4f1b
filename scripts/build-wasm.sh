#!/usr/bin/env bash
# Builds the wasm32-wasi artifacts (what `make wasm` runs): a SIMD128 and a scalar variant of
# the reactor module and of the WASI command, copied to build/wasm/:
#   wasinfer.wasm  wasinfer-cli.wasm  wasinfer-scalar.wasm  wasinfer-cli-scalar.wasm
# Build trees: build-wasm-simd/ and build-wasm-scalar/. JOBS (default: nproc) caps parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${JOBS:-$(nproc)}"
OUT="${WASM_OUT:-build/wasm}"
mkdir -p "$OUT"

build_variant() { # build_variant <dir> <ON|OFF> <suffix>
  local dir="$1" simd="$2" suffix="$3"
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/wasm32-wasi.cmake \
        -DCMAKE_BUILD_TYPE=Release -DWI_WASM_SIMD="$simd" >/dev/null
  cmake --build "$dir" -j "$JOBS"
  local name
  for name in wasinfer wasinfer-cli; do
    if [ -f "$dir/$name.wasm" ]; then
      cp -f "$dir/$name.wasm" "$OUT/$name$suffix.wasm"
    else
      echo "build-wasm: $dir/$name.wasm was not built (are its sources there yet?)" >&2
    fi
  done
}

build_variant build-wasm-simd ON ""
build_variant build-wasm-scalar OFF "-scalar"
ls -l "$OUT"/*.wasm 2>/dev/null || true
