#!/usr/bin/env bash
# The service with --backend wasm, over HTTP on 127.0.0.1 (curl as the client):
#  - every MobileNet V2 row of expected.tsv is answered with an accepted top-1, the same as the
#    native CLI's top-1;
#  - a trapping request (X-Wasinfer-Debug: trap) gets 500 with the trap named, an endless one
#    (X-Wasinfer-Debug: spin) gets 504, each twice (both workers), and the next requests
#    succeed: the sandboxes were rebuilt;
#  - malformed images get 4xx, not 500, and the service goes on;
#  - /v1/models names the wasm backend.
# Usage: test-serve-wasm.sh NATIVE_CLI WASM_DIR   (WASINFER_DATA: the data folder)
set -u
CLI="$1"
WASM_DIR="$2"
DATA="${WASINFER_DATA:-../shared/data}"
MODEL="models/tf/mobilenet_v2_1.0_224_frozen.pb"
WORK=$(mktemp -d)
PID=""
failures=0
passes=0

cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
check() { # check <description> <condition result 0/1>
  if [ "$2" -eq 0 ]; then passes=$((passes + 1)); else failures=$((failures + 1)); echo "FAIL: $1" >&2; fi
}
die() { echo "FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -x "$CLI" ] || die "native CLI missing: $CLI (build it with make)"
[ -f "$WASM_DIR/wasinfer.wasm" ] || die "wasm module missing: $WASM_DIR/wasinfer.wasm (build it with make wasm)"
[ -f "$DATA/$MODEL" ] || die "test data missing: $DATA/$MODEL (set WASINFER_DATA)"
command -v curl >/dev/null || die "curl missing (make setup installs it)"

"$CLI" serve --backend wasm --wasm-module "$WASM_DIR/wasinfer.wasm" --wasm-debug-exports \
  --wasm-time-budget-ms 2000 --threads 2 --host 127.0.0.1 --port 0 \
  --model "$DATA/$MODEL" --labels "$DATA/labels/imagenet_1001.txt" >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 600); do
  grep -q "Listening on" "$WORK/out" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/err" >&2; PID=""; die "the service exited at start"; }
  sleep 0.2
done
PORT=$(sed -n 's/^Listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/out")
[ -n "$PORT" ] || die "the service did not start listening within 120 s"
URL="http://127.0.0.1:$PORT"

post() { # post <file> [header] -> body in $WORK/body, prints the status code
  curl -s -o "$WORK/body" -w '%{http_code}' --max-time 120 -X POST -H 'Content-Type: application/octet-stream' \
    ${2:+-H "$2"} --data-binary "@$1" "$URL/v1/classify"
}
top1() { sed -n 's/^{"top": \[{"index": \([0-9]*\),.*/\1/p' "$1"; }

# Answers on expected.tsv, against the native CLI.
while IFS=$'\t' read -r model image accepted _; do
  [ "$model" = "$MODEL" ] || continue
  code=$(post "$DATA/$image")
  got=$(top1 "$WORK/body")
  native=$("$CLI" classify --json --top 1 --model "$DATA/$model" "$DATA/$image" 2>/dev/null |
           sed -n 's/^{"image": "[^"]*", "top": \[{"index": \([0-9]*\),.*/\1/p')
  ok=1
  [ "$code" = 200 ] && [ -n "$got" ] && [ "$got" = "$native" ] && [[ ",$accepted," == *",$got,"* ]] && ok=0
  check "$image: HTTP $code, top-1 '$got', native '$native', accepted $accepted" $ok
done <"$DATA/expected.tsv"

# Trap and endless loop, twice each (two workers), each followed by a good request.
for action in trap spin trap spin; do
  want=500; [ "$action" = spin ] && want=504
  code=$(post "$DATA/images/parrot.jpg" "X-Wasinfer-Debug: $action")
  ok=1
  [ "$code" = "$want" ] && { [ "$action" = spin ] && grep -q "time budget" "$WORK/body" ||
                             grep -q "unreachable" "$WORK/body"; } && ok=0
  check "debug $action: HTTP $code ($(cat "$WORK/body")), expected $want" $ok
  code=$(post "$DATA/images/parrot.jpg")
  ok=1; [ "$code" = 200 ] && [ "$(top1 "$WORK/body")" = 89 ] && ok=0
  check "request after debug $action: HTTP $code ($(head -c 200 "$WORK/body"))" $ok
done

# Malformed images: client errors, and the service goes on.
printf '\xff\xd8\xff\xe0 not really a jpeg' >"$WORK/fake.jpg"
head -c 3000 "$DATA/images/burger.jpg" >"$WORK/truncated.jpg"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x7f\xff\xff\xff\x7f\xff\xff\xff\x08\x02\0\0\0' >"$WORK/huge.png"
for f in fake.jpg truncated.jpg huge.png; do
  code=$(post "$WORK/$f")
  ok=1; [[ "$code" =~ ^4[0-9][0-9]$ ]] && ok=0
  check "malformed $f: HTTP $code ($(cat "$WORK/body")), expected 4xx" $ok
done
code=$(post "$DATA/images/burger.jpg")
ok=1; [ "$code" = 200 ] && [ "$(top1 "$WORK/body")" = 934 ] && ok=0
check "request after malformed images: HTTP $code" $ok

models=$(curl -s --max-time 30 "$URL/v1/models")
ok=1; [[ "$models" == *'"backend": "wasm"'* ]] && ok=0
check "/v1/models names the wasm backend: $models" $ok

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
