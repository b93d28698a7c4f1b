#!/usr/bin/env bash
# What `make run` does (after building): classify the sample images in $WASINFER_DATA/images
# (default ../shared/data) with TF-slim MobileNet V2 1.0 through build/wasinfer, then serve that
# model over HTTP on 127.0.0.1:3000 (WASINFER_PORT overrides) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${WASINFER_DATA:-../shared/data}
BIN=${WASINFER_BIN:-build/wasinfer}
MODEL=$DATA/models/tf/mobilenet_v2_1.0_224_frozen.pb
LABELS=$DATA/labels/imagenet_1001.txt

if [ ! -f "$MODEL" ] || [ ! -f "$LABELS" ] || [ ! -d "$DATA/images" ]; then
  cat >&2 <<MSG
make run: no model data at '$DATA'.
  It needs $MODEL,
  $LABELS and photos in $DATA/images/.
  Set WASINFER_DATA to a folder holding models/ images/ labels/, for example:
    WASINFER_DATA=/path/to/shared/data make run
MSG
  exit 1
fi
if [ ! -x "$BIN" ]; then
  echo "make run: $BIN is not built; run 'make' first" >&2
  exit 1
fi

shopt -s nullglob
images=("$DATA"/images/*.jpg "$DATA"/images/*.jpeg "$DATA"/images/*.png)
if [ ${#images[@]} -eq 0 ]; then
  echo "make run: no .jpg, .jpeg or .png images in $DATA/images" >&2
  exit 1
fi
PORT=${WASINFER_PORT:-3000}
"$BIN" classify --model "$MODEL" --labels "$LABELS" --top 3 "${images[@]}"
cat <<MSG

Starting the prediction service (Ctrl-C stops it). Try, from another terminal:
  curl -s --data-binary @$DATA/images/grace_hopper.jpg -H 'Content-Type: image/jpeg' http://127.0.0.1:$PORT/v1/classify
  curl -s http://127.0.0.1:$PORT/v1/models
MSG
exec "$BIN" serve --model "$MODEL" --labels "$LABELS" --host 127.0.0.1 --port "$PORT"
