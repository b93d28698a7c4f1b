#!/usr/bin/env bash
# test-tfjs-cli.sh WASINFER_BINARY - every TF.js row of expected.tsv through
# `wasinfer classify --range 0,1 --json .../model.json` (the model reads its shard from its
# directory), and the one-line error for a model.json whose shard is missing.
set -euo pipefail

BIN=${1:?usage: test-tfjs-cli.sh path/to/wasinfer}
source "$(dirname "$0")/../cli-lib.sh"
cli_test_init test-tfjs-cli "${WASINFER_DATA:-../shared/data}/models/tfjs"

range_0_1() { echo 0,1; }  # TF.js MobileNets take [0,1] (data README)
check_expected_rows "$BIN" 'tfjs/.*model\\.json$' range_0_1

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

cli_test_finish
