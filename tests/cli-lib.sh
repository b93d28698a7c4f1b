# cli-lib.sh - shared by the shell tests that drive the `wasinfer` CLI on the real data
# (tests/cli, tests/tflite, tests/tfjs). Source it after `set -euo pipefail`:
#
#   source "$(dirname "$0")/../cli-lib.sh"
#   cli_test_init NAME REQUIRED_PATH...   # DATA, LABELS, TMP, ok/bad/check, or exit 1 saying why
#   check_expected_rows BIN AWK_REGEX RANGE_FN   # every expected.tsv row whose model matches
#   cli_test_finish                       # "N passed, N failed"; fails unless all passed

cli_test_init() {
  TEST_NAME=$1; shift
  DATA=${WASINFER_DATA:-../shared/data}
  LABELS=$DATA/labels/imagenet_1001.txt
  local need
  for need in "$DATA/expected.tsv" "$LABELS" "$@"; do
    if [ ! -e "$need" ]; then
      echo "$TEST_NAME: test data not found ('$need' is missing): set WASINFER_DATA to the folder holding models/ images/ labels/ expected.tsv" >&2
      exit 1
    fi
  done
  command -v python3 >/dev/null || { echo "$TEST_NAME: python3 is needed to parse the JSON output" >&2; exit 1; }
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  passed=0 failed=0
}

ok()    { passed=$((passed + 1)); echo "ok   $1"; }
bad()   { failed=$((failed + 1)); echo "FAIL $1" >&2; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# check_expected_rows BIN AWK_REGEX RANGE_FN: for each model of expected.tsv matching the awk
# regex, one `classify --json --top 5` run over its images (with --range "$(RANGE_FN model)"),
# then each row's top-1 must be among its accepted classes.
check_expected_rows() {
  local bin=$1 regex=$2 range_fn=$3 model m img accepted label out verdict rows=0
  for model in $(awk -F'\t' -v re="$regex" '!/^#/ && $1 ~ re {print $1}' "$DATA/expected.tsv" | sort -u); do
    local images=()
    while IFS=$'\t' read -r _ img _ _; do images+=("$DATA/$img"); done \
      < <(awk -F'\t' -v m="$model" '$1 == m' "$DATA/expected.tsv")
    out=$TMP/$(basename "$model").jsonl
    if ! "$bin" classify --model "$DATA/$model" --labels "$LABELS" --range "$("$range_fn" "$model")" \
         --top 5 --json "${images[@]}" >"$out" 2>"$TMP/err"; then
      bad "$model: classify failed: $(cat "$TMP/err")"
      continue
    fi
    while IFS=$'\t' read -r m img accepted label; do
      rows=$((rows + 1))
      verdict=$(python3 - "$out" "$DATA/$img" "$accepted" <<'PY'
import json, sys
path, image, accepted = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]
for line in open(path):
    o = json.loads(line)
    if o["image"] == image:
        t = o["top"][0]
        ok = t["index"] in accepted and len(o["top"]) == 5
        print(("yes" if ok else "no") + f' top-1 {t["index"]} {t["label"]!r} {t["prob"]:.4f}')
        break
else:
    print("no: image missing from the output")
PY
)
      check "$(basename "$m") $(basename "$img") -> $label: $verdict" test "${verdict%% *}" = yes
    done < <(awk -F'\t' -v m="$model" '$1 == m' "$DATA/expected.tsv")
  done
  [ "$rows" -gt 0 ] || bad "expected.tsv has no rows for models matching $regex"
}

cli_test_finish() {
  echo "$TEST_NAME: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
