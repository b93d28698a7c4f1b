#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang-19, -fsanitize=fuzzer,address,undefined) in build-fuzz/
# and runs each for SECONDS (default 60), one after the other, at low priority.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      TARGET: model-load tflite tfjs onnx image-decode classify labels
#                                               json multipart addr-guard (default: all)
#   FUZZ_JOBS=2 scripts/fuzz.sh 600 image-decode    two libFuzzer workers for one target
#   scripts/fuzz.sh --replay [TARGET...]        no fuzzing: every stored input of fuzz/corpus/<target>/
#                                               once through the clang-built harness (`make
#                                               test-sanitize` runs this: clang's UBSan reports
#                                               what gcc's does not, e.g. NULL + 0)
#
# New interesting inputs go to build-fuzz/corpus/<target>/ (not committed); the stored seeds in
# fuzz/corpus/<target>/ are read, never written. A crash leaves its input in
# build-fuzz/artifacts/<target>/ and stops the script with the command that reproduces it.
# To keep a finding: minimise it (see docs/fuzzing.md), fix the bug, and commit the input as
# fuzz/corpus/<target>/crash-<defect> so `make test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

REPLAY=0
if [[ ${1:-} == --replay ]]; then
  REPLAY=1
  shift
  SECONDS_PER_TARGET=0
else
  SECONDS_PER_TARGET=${1:-60}
  shift || true
fi
ALL_TARGETS=(model-load tflite tfjs onnx image-decode classify labels json multipart addr-guard)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${ALL_TARGETS[@]}")
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_JOBS:-1}
PARALLEL=()
((JOBS > 1)) && PARALLEL=(-jobs="$JOBS" -workers="$JOBS") # logs in fuzz-<n>.log

CLANG=$(command -v clang-19 || true)
if [[ -z "$CLANG" ]]; then
  echo "fuzz.sh: clang-19 not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if ! ls /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  echo "fuzz.sh: libFuzzer's runtime is missing: apt-get install libclang-rt-19-dev" \
       "(scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# Shifts recover (and are reported unless fuzz/ubsan.supp suppresses them: a known stb_image
# 2.27 defect); every other check stops the run.
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fsanitize-recover=shift"
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DWI_FUZZ_LIBFUZZER=ON >/dev/null
nice cmake --build "$BUILD" -j"${JOBS_BUILD:-$(nproc)}" --target $(printf 'fuzz-%s ' "${TARGETS[@]}")

# Per-target input size caps: models and images need room, the text parsers do not.
max_len() {
  case "$1" in
    model-load|tflite|tfjs|onnx) echo 65536 ;;
    image-decode|classify) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

command -v llvm-symbolizer >/dev/null && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/fuzz/ubsan.supp}
if ((REPLAY)); then
  for t in "${TARGETS[@]}"; do
    artifacts="$BUILD/artifacts/$t/"
    mkdir -p "$artifacts"
    count=$(find "fuzz/corpus/$t" -type f | wc -l)
    # Files, not the folder: libFuzzer runs each once and never writes into the stored corpus.
    # The slowest stored input takes about 1.2 s here (an image-decode bomb); 60 s per input
    # still catches a hang without failing CI on a loaded machine.
    if ! find "fuzz/corpus/$t" -type f -print0 | sort -z |
         xargs -0 "$BUILD/tests/fuzz/fuzz-$t" -timeout=60 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
           -artifact_prefix="$artifacts" >"$BUILD/replay-$t.log" 2>&1; then
      grep -E "runtime error|ERROR|SUMMARY|Running: " "$BUILD/replay-$t.log" | tail -n 20 >&2
      echo "fuzz.sh: replaying fuzz/corpus/$t failed (log: $BUILD/replay-$t.log)" >&2
      exit 1
    fi
    echo "fuzz.sh: fuzz/corpus/$t: $count inputs replayed under clang's ASan + UBSan"
  done
  exit 0
fi

for t in "${TARGETS[@]}"; do
  work="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  dict=()
  [[ -f "fuzz/$t.dict" ]] && dict=(-dict="fuzz/$t.dict")
  echo "== fuzz-$t for ${SECONDS_PER_TARGET}s"
  if ! nice "$BUILD/tests/fuzz/fuzz-$t" "$work" "fuzz/corpus/$t" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -max_len="$(max_len "$t")" -artifact_prefix="$artifacts" \
        "${dict[@]}" "${PARALLEL[@]}" -print_final_stats=1 2>&1 | tail -n 40; then
    echo "fuzz.sh: fuzz-$t found a failure; inputs in $artifacts" >&2
    echo "  reproduce: $BUILD/tests/fuzz/fuzz-$t $artifacts<file>" >&2
    echo "  or with gcc: build-asan/tests/fuzz/replay-$t $artifacts<file>" >&2
    exit 1
  fi
done
