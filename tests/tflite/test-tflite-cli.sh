#!/usr/bin/env bash
# test-tflite-cli.sh BIN: the TFLite models through the `wasinfer` command line:
# - every tflite row of expected.tsv: top-1 among the accepted classes (range [-1,1]: the
#   float model's, and the quantized models' real-valued input domain);
# - the quantized tflite files against the .pb files made from them (data README): the same
#   top-1 and each of the 1000 largest probabilities within 0.06 on six photographs;
# - `wasinfer inspect` on a tflite file; a truncated file is a one-line error.
set -euo pipefail

BIN=${1:?usage: test-tflite-cli.sh path/to/wasinfer}
source "$(dirname "$0")/../cli-lib.sh"
cli_test_init test-tflite-cli "${WASINFER_DATA:-../shared/data}/models/tflite"

# ---- every tflite row of expected.tsv, one CLI run per model ----
range_minus1_1() { echo -1,1; }
check_expected_rows "$BIN" '\\.tflite$' range_minus1_1

# ---- quantized tflite vs the float .pb made from it ----
IMAGES=(burger.jpg golden-retriever.jpeg grace_hopper.jpg parrot.jpg hot_dog.jpg husky.jpeg)
for pair in "mobilenet_v2_1.0_224_quant.tflite mobilenet_v2_1.0_224_frozen.pb" \
            "mobilenet_v1_0.5_160_quant.tflite mobilenet_v1_0.5_160_frozen.pb"; do
  set -- $pair
  paths=()
  for img in "${IMAGES[@]}"; do paths+=("$DATA/images/$img"); done
  "$BIN" classify --model "$DATA/models/tflite/$1" --top 1000 --json "${paths[@]}" >"$TMP/a.jsonl"
  "$BIN" classify --model "$DATA/models/tf/$2" --top 1000 --json "${paths[@]}" >"$TMP/b.jsonl"
  verdict=$(python3 - "$TMP/a.jsonl" "$TMP/b.jsonl" <<'PY'
import json, sys
def load(p):
    out = {}
    for line in open(p):
        o = json.loads(line)
        v = [0.0] * 1001
        for t in o["top"]:
            v[t["index"]] = t["prob"]
        out[o["image"]] = (o["top"][0]["index"], v)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
worst, same = 0.0, True
for img in a:
    worst = max(worst, max(abs(x - y) for x, y in zip(a[img][1], b[img][1])))
    same = same and a[img][0] == b[img][0]
print(("yes" if same and worst <= 0.06 and len(a) == 6 else "no") +
      f" same top-1 on {len(a)} images: {same}, largest probability difference {worst:.4f}")
PY
)
  check "$1 vs $2: $verdict" test "${verdict%% *}" = yes
done

# ---- inspect, and a clean one-line error ----
M=$DATA/models/tflite/mobilenet_v2_1.0_224_quant.tflite
"$BIN" inspect "$M" >"$TMP/inspect" 2>&1 || true
check "inspect names the format, input, output and ops" \
  grep -q "format *tflite" "$TMP/inspect"
check "inspect: input float32 [1,224,224,3], probabilities out" \
  sh -c "grep -q 'float32  \[1,224,224,3\]' '$TMP/inspect' && grep -q '(probabilities)' '$TMP/inspect'"
check "inspect: CONV_2D with fused RELU6" grep -q "CONV_2D+RELU6" "$TMP/inspect"
head -c 3000 "$M" >"$TMP/cut.tflite"
if "$BIN" inspect "$TMP/cut.tflite" >"$TMP/out" 2>"$TMP/err"; then
  bad "a truncated tflite loaded"
else
  check "truncated tflite: one-line error naming tflite ($(head -1 "$TMP/err"))" \
    sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'tflite: ' '$TMP/err'"
fi

cli_test_finish
