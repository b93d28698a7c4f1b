#!/usr/bin/env bash
# Builds the wasm32-wasi artifacts (what `make wasm` runs): a SIMD128, a relaxed-SIMD and a scalar
# variant of the reactor module and of the WASI command, copied to build/wasm/:
#   wasinfer.wasm          wasinfer-cli.wasm           SIMD128 (every current engine)
#   wasinfer-relaxed.wasm  wasinfer-cli-relaxed.wasm   + relaxed SIMD's fused multiply-add (the
#                                                      Node host takes it where V8 validates it)
#   wasinfer-scalar.wasm   wasinfer-cli-scalar.wasm    no SIMD
# Build trees: build-wasm-simd/, build-wasm-relaxed/, build-wasm-scalar/. JOBS (default: nproc)
# caps parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS="${JOBS:-$(nproc)}"
OUT="${WASM_OUT:-build/wasm}"
mkdir -p "$OUT"

build_variant() { # build_variant <dir> <SIMD ON|OFF> <RELAXED ON|OFF> <suffix>
  local dir="$1" simd="$2" relaxed="$3" suffix="$4"
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/wasm32-wasi.cmake \
        -DCMAKE_BUILD_TYPE=Release -DWI_WASM_SIMD="$simd" -DWI_WASM_RELAXED="$relaxed" >/dev/null
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

build_variant build-wasm-simd ON OFF ""
build_variant build-wasm-relaxed ON ON "-relaxed"
build_variant build-wasm-scalar OFF OFF "-scalar"
ls -l "$OUT"/*.wasm 2>/dev/null || true
