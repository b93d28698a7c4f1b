#!/usr/bin/env bash
# test-tfjs-cli.sh WASINFER_BINARY - every TF.js row of expected.tsv through
# `wasinfer classify --range 0,1 --json .../model.json` (the model reads its shard from its
# directory), and the one-line error for a model.json whose shard is missing.
set -euo pipefail

BIN=${1:?usage: test-tfjs-cli.sh path/to/wasinfer}
DATA=${WASINFER_DATA:-../shared/data}
LABELS=$DATA/labels/imagenet_1001.txt
if [ ! -f "$DATA/expected.tsv" ] || [ ! -d "$DATA/models/tfjs" ]; then
  echo "test-tfjs-cli: test data not found at '$DATA': set WASINFER_DATA to the folder holding models/ images/ labels/ expected.tsv" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "test-tfjs-cli: python3 is needed to parse the JSON output" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
ok()  { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1" >&2; }

models=$(awk -F'\t' '!/^#/ && $1 ~ /tfjs\/.*model\.json$/ {print $1}' "$DATA/expected.tsv" | sort -u)
[ -n "$models" ] || { echo "test-tfjs-cli: expected.tsv has no TF.js rows" >&2; exit 1; }
for model in $models; do
  images=()
  while IFS=$'\t' read -r _ img _ _; do images+=("$DATA/$img"); done \
    < <(awk -F'\t' -v m="$model" '$1 == m' "$DATA/expected.tsv")
  out=$TMP/out.jsonl
  if ! "$BIN" classify --model "$DATA/$model" --labels "$LABELS" --range 0,1 --top 5 --json \
       "${images[@]}" >"$out" 2>"$TMP/err"; then
    bad "$model: classify failed: $(cat "$TMP/err")"
    continue
  fi
  while IFS=$'\t' read -r _ img accepted label; do
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
    if [ "${verdict%% *}" = yes ]; then ok "$(basename "$img") -> $label: $verdict"; else bad "$(basename "$img") -> $label: $verdict"; fi
  done < <(awk -F'\t' -v m="$model" '$1 == m' "$DATA/expected.tsv")
done

# a model.json without its shard: a one-line error naming the shard, exit status non-zero
mkdir "$TMP/noshard"
cp "$DATA/models/tfjs/mobilenet_v1_025_224_graph/model.json" "$TMP/noshard/"
if "$BIN" classify --model "$TMP/noshard/model.json" --labels "$LABELS" --range 0,1 \
     "$DATA/images/burger.jpg" >/dev/null 2>"$TMP/err"; then
  bad "missing shard: classify succeeded"
elif grep -q "tfjs: shard 'group1-shard1of1': cannot open" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 1 ]; then
  ok "missing shard: $(cat "$TMP/err")"
else
  bad "missing shard: unexpected error: $(cat "$TMP/err")"
fi

echo "test-tfjs-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
