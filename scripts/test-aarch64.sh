#!/usr/bin/env bash
# The aarch64 (NEON) build of the library and its C tests, run under qemu-aarch64 on this x86-64
# machine (docs/kernels.md, "aarch64 / NEON"). Installs nothing: scripts/install-deps.sh does
# (`make setup`); a missing tool is an error naming the Debian package, never a skip.
#   scripts/test-aarch64.sh [extra ctest arguments]     (BUILD_AARCH64=dir, JOBS=n override)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_AARCH64:-$root/build-aarch64}"
jobs="${JOBS:-2}"

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=("aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu)")
[ -e /usr/aarch64-linux-gnu/lib/libc.so ] || missing+=("the aarch64 C library (package libc6-dev-arm64-cross)")
command -v qemu-aarch64 >/dev/null || command -v qemu-aarch64-static >/dev/null ||
  missing+=("qemu-aarch64 (package qemu-user)")
[ -e /usr/lib/aarch64-linux-gnu/libcmocka.so ] ||
  missing+=("cmocka for arm64 (package libcmocka-dev:arm64, after dpkg --add-architecture arm64)")
command -v cmake >/dev/null || missing+=("cmake (package cmake)")
if ((${#missing[@]})); then
  echo "test-aarch64: cannot build or run the aarch64 tests; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "test-aarch64: scripts/install-deps.sh (make setup) installs them" >&2
  exit 1
fi

cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64.cmake" \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
# Only the library and the test programs: `all` also holds the CLI's HTTP service, whose
# libraries (libmicrohttpd, libcurl) this machine has for x86-64 only.
cmake --build "$build" --target wi-test-programs -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
