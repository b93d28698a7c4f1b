#!/usr/bin/env bash
# test-cli.sh WASINFER_BINARY - the `wasinfer` command line end to end on the real models:
# every expected.tsv row of the .pb models through `classify --json`, the reference
# probabilities, inspect, bench, and the one-line errors and exit codes.
set -euo pipefail

BIN=${1:?usage: test-cli.sh path/to/wasinfer}
source "$(dirname "$0")/../cli-lib.sh"
V2=${WASINFER_DATA:-../shared/data}/models/tf/mobilenet_v2_1.0_224_frozen.pb
cli_test_init test-cli "$V2"

# The pixel range each model was trained on (from the data README).
range_of() { case $1 in *tfhub*) echo 0,1 ;; *) echo -1,1 ;; esac; }

# ---- every expected.tsv row of the .pb models, one CLI run per model ----
check_expected_rows "$BIN" '\\.pb$' range_of

# ---- reference probabilities with the v2 1.0 model ----
"$BIN" classify --model "$V2" --labels "$LABELS" --json "$DATA/images/grace_hopper.jpg" \
  "$DATA/images/golden-retriever.jpeg" >"$TMP/v2.jsonl"
probe() { # image index expected-prob
  python3 - "$TMP/v2.jsonl" "$@" <<'PY'
import json, sys
path, image, index, want = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
for line in open(path):
    o = json.loads(line)
    if o["image"].endswith(image):
        t = o["top"][0]
        print(f'{t["label"]} {t["prob"]:.4f}')
        sys.exit(0 if t["index"] == index and abs(t["prob"] - want) <= 0.02 else 1)
sys.exit(1)
PY
}
check "grace_hopper.jpg: military uniform at 0.93 +- 0.02 ($(probe grace_hopper.jpg 653 0.93 || true))" \
  probe grace_hopper.jpg 653 0.93
check "golden-retriever.jpeg: golden retriever at 0.99 +- 0.02 ($(probe golden-retriever.jpeg 208 0.99 || true))" \
  probe golden-retriever.jpeg 208 0.99
check "json timing_ms has load, decode, preprocess, infer" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
t = o["timing_ms"]
sys.exit(0 if all(isinstance(t[k], (int, float)) and t[k] >= 0 for k in ("load", "decode", "preprocess", "infer")) else 1)
' "$TMP/v2.jsonl"

# ---- text output, and JSON string escaping of odd file names ----
"$BIN" classify --model "$V2" --labels "$LABELS" --top 3 "$DATA/images/burger.jpg" >"$TMP/text"
check "text output names the class" grep -q "cheeseburger" "$TMP/text"
check "text output has 3 classes" test "$(grep -c '^  0\.' "$TMP/text")" -eq 3
check "text output has timings" grep -q "decode .* ms, preprocess .* ms, infer .* ms" "$TMP/text"
weird=$TMP/'we"ird\na me.jpg'
cp "$DATA/images/burger.jpg" "$weird"
"$BIN" classify --model "$V2" --json --top 1 "$weird" >"$TMP/weird.json"
check "JSON escapes quotes and backslashes in the image name; no labels -> label null" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
sys.exit(0 if o["image"] == sys.argv[2] and o["top"][0]["label"] is None and o["top"][0]["index"] == 934 else 1)
' "$TMP/weird.json" "$weird"

# ---- errors: one line on stderr naming the file, non-zero exit ----
expect_error() { # what expected-exit expected-stderr-fragment command...
  local what=$1 want=$2 fragment=$3; shift 3
  local rc=0
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  local lines; lines=$(wc -l <"$TMP/err")
  if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qF -- "$fragment" "$TMP/err"; then
    ok "$what (exit $rc: $(cat "$TMP/err"))"
  else
    bad "$what: exit $rc (want $want), $lines stderr lines (want 1), stderr: $(cat "$TMP/err")"
  fi
}
head -c 20000 "$DATA/images/grace_hopper.jpg" >"$TMP/grace.jpg"
printf 'not an image' >"$TMP/text.jpg"
: >"$TMP/empty.jpg"
expect_error "truncated JPEG" 1 "wasinfer: $TMP/grace.jpg: image: truncated JPEG" \
  "$BIN" classify --model "$V2" "$TMP/grace.jpg"
expect_error "not an image" 1 "wasinfer: $TMP/text.jpg: image: unknown format" \
  "$BIN" classify --model "$V2" "$TMP/text.jpg"
expect_error "empty image" 1 "wasinfer: $TMP/empty.jpg: image: empty" \
  "$BIN" classify --model "$V2" "$TMP/empty.jpg"
expect_error "missing image" 1 "wasinfer: $TMP/nope.jpg: cannot open" \
  "$BIN" classify --model "$V2" "$TMP/nope.jpg"
expect_error "missing model" 1 "wasinfer: $TMP/nope.pb: cannot open" \
  "$BIN" classify --model "$TMP/nope.pb" "$DATA/images/burger.jpg"
expect_error "an image as the model" 1 "wasinfer: $DATA/images/burger.jpg: " \
  "$BIN" classify --model "$DATA/images/burger.jpg" "$DATA/images/burger.jpg"
head -n 1000 "$LABELS" >"$TMP/short-labels.txt"
expect_error "labels that do not match the classes" 1 "1000 labels, but the model has 1001 classes" \
  "$BIN" classify --model "$V2" --labels "$TMP/short-labels.txt" "$DATA/images/burger.jpg"
expect_error "missing labels file" 1 "wasinfer: $TMP/nope.txt: cannot open" \
  "$BIN" classify --model "$V2" --labels "$TMP/nope.txt" "$DATA/images/burger.jpg"
expect_error "unknown option" 2 "unknown option '--frobnicate'" \
  "$BIN" classify --frobnicate --model "$V2" "$DATA/images/burger.jpg"
expect_error "option without its value" 2 "option '--top' needs a value" \
  "$BIN" classify --model "$V2" "$DATA/images/burger.jpg" --top
expect_error "bad --top" 2 "--top must be" "$BIN" classify --model "$V2" --top 0 "$DATA/images/burger.jpg"
expect_error "bad --range" 2 "--range must be" "$BIN" classify --model "$V2" --range 0,2 "$DATA/images/burger.jpg"
expect_error "bad --resize" 2 "--resize must be" "$BIN" classify --model "$V2" --resize lanczos "$DATA/images/burger.jpg"
expect_error "no image" 2 "no IMAGE given" "$BIN" classify --model "$V2"
expect_error "no model" 2 "--model is required" "$BIN" classify "$DATA/images/burger.jpg"
expect_error "unknown command" 2 "unknown command 'frob'" "$BIN" frob
expect_error "inspect without a model" 2 "expected one MODEL" "$BIN" inspect
expect_error "bench with a bad --runs" 2 "--runs must be" "$BIN" bench --model "$V2" --runs x
# one bad image among good ones: the good ones are still classified, the exit says failure
rc=0
"$BIN" classify --model "$V2" --json "$DATA/images/burger.jpg" "$TMP/text.jpg" "$DATA/images/parrot.jpg" \
  >"$TMP/mixed" 2>"$TMP/err" || rc=$?
check "a bad image among good ones: exit 1, one error line, two results" \
  test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1 -a "$(wc -l <"$TMP/mixed")" -eq 2
check "--help prints usage and exits 0" bash -c '"$1" classify --help | grep -q "usage: wasinfer classify"' _ "$BIN"
check "wasinfer --help lists the commands" bash -c '"$1" --help | grep -q "inspect"' _ "$BIN"

# ---- inspect and bench ----
"$BIN" inspect "$V2" >"$TMP/inspect"
check "inspect shows the input" grep -qE "^  input +float32 +\[1,224,224,3\]" "$TMP/inspect"
check "inspect shows the output" grep -qE "MobilenetV2/Predictions/Reshape_1 +float32 +\[1,1001\]" "$TMP/inspect"
check "inspect shows parameters, MACs, arena" bash -c 'grep -q "^parameters " "$1" && grep -q "^MACs " "$1" && grep -q "^arena " "$1"' _ "$TMP/inspect"
"$BIN" bench --model "$V2" --runs 3 --warmup 1 --json >"$TMP/bench.json"
check "bench --json has every key" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
keys = ("load_ms", "first_ms", "median_ms", "p90_ms", "peak_rss_mb", "runs", "threads", "model")
ok = all(k in o for k in keys) and o["runs"] == 3 and o["threads"] == 1 and 0 < o["median_ms"] <= o["p90_ms"] and o["peak_rss_mb"] > 0
sys.exit(0 if ok else 1)
' "$TMP/bench.json"
"$BIN" bench --model "$V2" --runs 2 --warmup 0 --profile --json >"$TMP/profile.json"
check "bench --profile --json lists every node of the optimized graph" python3 -c '
import json, re, sys
o = json.loads(open(sys.argv[1]).read())
nodes = int(re.search(r"ops after optimization \((\d+) nodes", open(sys.argv[2]).read()).group(1))
p = o["profile"]
ok = len(p) == nodes and all(e["name"] and e["kind"] and e["ms"] >= 0 for e in p) and sum(e["ms"] for e in p) > 0
sys.exit(0 if ok else 1)
' "$TMP/profile.json" "$TMP/inspect"
"$BIN" bench --model "$V2" --runs 2 --warmup 0 --profile >"$TMP/profile.txt"
check "bench --profile prints the node table" grep -qE "^ +[0-9.]+ +[0-9.]+%  Conv2D\+BatchNorm\+Relu6 +MobilenetV2/[A-Za-z0-9_/]+$" "$TMP/profile.txt"

cli_test_finish
