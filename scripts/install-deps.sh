#!/usr/bin/env bash
# Installs every Debian package the project needs, by name, idempotently.
# Called by `make setup`, which both README commands run first.
set -euo pipefail

DEB_PACKAGES=(
  build-essential cmake pkg-config
  clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32   # wasm32-wasi toolchain
  libstb-dev                                            # image decoding (stb_image)
  libmicrohttpd-dev libcurl4-openssl-dev                # HTTP service and URL fetching
  libcmocka-dev                                         # C unit-test framework
  wrk curl                                              # load benchmark, tests' HTTP client
  nodejs                                                # Node host (node:wasi, node --test)
  python3 python3-venv python3-pip                      # test tools: Pillow reference, model generator venv
  time                                                  # make bench: each runtime's peak RSS, from outside
  libclang-rt-19-dev                                    # scripts/fuzz.sh: libFuzzer + native ASan/UBSan runtimes for clang
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user # scripts/test-aarch64.sh: the NEON build under qemu
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Pillow for tests/image (pinned in tools/requirements.txt). Only Pillow: the rest of that file
# is the benchmark's, installed into its own venv by scripts/bench.sh.
pil_pin=$(grep -i '^pillow==' "$(dirname "$0")/../tools/requirements.txt")
if ! python3 -c "import PIL,sys; sys.exit(PIL.__version__ != '${pil_pin#*==}')" 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  python3 -m pip --version >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-pip
  python3 -m pip install -q "$pil_pin" 2>/dev/null || python3 -m pip install -q --break-system-packages "$pil_pin"
fi

# Wasmtime CLI + C API (issue 6), pinned, cached outside the clone: a no-op once built (the first build compiles wasmtime-cli, ~11 min on 2 cores).
bash "$(dirname "$0")/install-wasmtime.sh"

# scripts/test-aarch64.sh links its tests with cmocka for arm64: a multiarch package, so arm64 is
# added as a foreign architecture (once; only when the package is missing).
if ! dpkg-query -W -f='${Status}' libcmocka-dev:arm64 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
  echo "install-deps: installing libcmocka-dev:arm64" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libcmocka-dev:arm64
fi
