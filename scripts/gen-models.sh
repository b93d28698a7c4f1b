#!/usr/bin/env bash
# Generates the MobileNet V2 1.0 / 1.4 models with identical weights in three formats (.pb,
# ONNX, TF.js) into bench/models (gitignored), for the benchmark and for the tests that compare
# the loaders on them. Cached: regenerated only when the generator or its pins change.
#  1. a Python venv outside the repository with tools/requirements.txt (pinned),
#  2. tools/gen-mobilenet/generate.py (numpy + onnx; a few seconds), then ONNX Runtime's
#     outputs on the fixed input (reference_outputs.py), the loader tests' independent reference.
# Environment: WASINFER_VENV (~/.cache/wasinfer/bench-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${WASINFER_VENV:-$HOME/.cache/wasinfer/bench-venv}"
MODELS=bench/models
say() { echo "gen-models: $*" >&2; }

# python_env REQUIREMENTS...: the venv with these pinned requirements (reinstalled only when
# they change). Also used by scripts/bench.sh for the optional TensorFlow check.
python_env() {
  local reqs=("$@") stamp want
  want="$(cat "${reqs[@]}" | sha256sum | cut -c1-16)"
  stamp="$VENV/.wasinfer-$(basename "${reqs[-1]}")"
  [ -x "$VENV/bin/python" ] || { say "creating venv $VENV"; python3 -m venv "$VENV"; }
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing ${reqs[*]} into $VENV"
    local args=()
    for r in "${reqs[@]}"; do args+=(-r "$r"); done
    "$VENV/bin/pip" install -q --disable-pip-version-check "${args[@]}"
    echo "$want" > "$stamp"
  fi
}

# Sourced by scripts/bench.sh for python_env only.
[[ "${BASH_SOURCE[0]}" != "$0" ]] && return 0

python_env tools/requirements.txt
gen_hash="$(cat tools/gen-mobilenet/*.py tools/requirements.txt | sha256sum | cut -c1-16)"
if [ "$(cat "$MODELS/.generator" 2>/dev/null)" != "$gen_hash" ] || [ ! -f "$MODELS/manifest.json" ]; then
  say "generating MobileNet V2 1.0 and 1.4 into $MODELS"
  "$VENV/bin/python" tools/gen-mobilenet/generate.py --out "$MODELS"
  "$VENV/bin/python" tools/gen-mobilenet/reference_outputs.py --models "$MODELS"
  echo "$gen_hash" > "$MODELS/.generator"
fi
