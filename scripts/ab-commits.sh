#!/usr/bin/env bash
# Native A/B of two commits (a benchmark, not a test): builds each commit's CLI in its own git
# worktree (build-ab/<commit>/, Release), then runs `wasinfer bench` of both in alternating
# order, ROUNDS times, as fresh processes. Prints each commit's median of per-process medians
# and the paired ratio (per round, NEW's median over BASE's, measured seconds apart; the median
# over rounds): on a machine shared with other load, the paired ratio is the figure to read.
# Usage: scripts/ab-commits.sh BASE [NEW=HEAD] [MODEL]   (ROUNDS=10, RUNS=40, THREADS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="$(git rev-parse --short "${1:?usage: scripts/ab-commits.sh BASE [NEW] [MODEL]}")"
NEW="$(git rev-parse --short "${2:-HEAD}")"
MODEL="$(realpath "${3:-bench/models/mobilenet_v2_1.4_224_frozen.pb}")"
ROUNDS="${ROUNDS:-10}" RUNS="${RUNS:-40}" THREADS="${THREADS:-1}"
[ -f "$MODEL" ] || { echo "ab-commits: no model $MODEL (make models)" >&2; exit 1; }

build_commit() { # build_commit <commit>: prints the path of its wasinfer binary
  local dir="build-ab/$1"
  if [ ! -x "$dir/build/wasinfer" ]; then
    rm -rf "$dir"
    git worktree add --detach "$dir/src" "$1" >/dev/null 2>&1
    cmake -S "$dir/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$dir/build" -j "$(nproc)" --target wasinfer_cli >/dev/null
    git worktree remove --force "$dir/src"
  fi
  echo "$dir/build/wasinfer"
}
bin_base=$(build_commit "$BASE")
bin_new=$(build_commit "$NEW")

median_of() { "$1" bench --model "$MODEL" --threads "$THREADS" --runs "$RUNS" --json |
  sed -n 's/.*"median_ms": \([0-9.]*\).*/\1/p'; }
echo "model $MODEL, $THREADS thread(s), $ROUNDS rounds x $RUNS runs; base $BASE, new $NEW"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then b=$(median_of "$bin_base"); n=$(median_of "$bin_new")
  else n=$(median_of "$bin_new"); b=$(median_of "$bin_base"); fi
  echo "round $r: base $b ms, new $n ms"
  echo "$b $n" >>"$results"
done
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { n++; b[n] = $1; w[n] = $2; p[n] = $2 / $1 }
  END { printf "summary: base median %.3f ms, new median %.3f ms; paired ratio new/base %.3f\n", median(b, n), median(w, n), median(p, n) }' "$results"
