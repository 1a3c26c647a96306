#!/bin/sh
# test_default_model.sh: the shipped default model still tells instruments
# apart on sounds it never trained on.
#
# It renders a small cross-soundfont set from MuseScore_General (the
# soundfont kept out of all training) with a fixed seed, evaluates
# models/default.irm on it with irmas-eval, and fails if window accuracy
# falls below a floor well above chance (1/11). The floor sits below the
# accuracy measured when the model was shipped (models/README.md), so it
# catches a broken engine, front-end or model file, not noise.
#
# Usage: test_default_model.sh IRMAS_SYNTH IRMAS_EVAL IRMAS_MODEL MODEL FLOOR
set -eu
synth=$1 eval=$2 model_tool=$3 model=$4 floor=$5
soundfont=/usr/share/sounds/sf3/MuseScore_General.sf3

scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-default-model.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

"$model_tool" check "$model"
"$synth" --out "$scratch/musescore" --per-class 3 --seed 4242 \
    --soundfont "$soundfont" --threads 2 2>"$scratch/synth.log" ||
    { cat "$scratch/synth.log" >&2; exit 1; }
"$eval" --model "$model" --data "$scratch/musescore" --json >"$scratch/eval.json"

python3 - "$scratch/eval.json" "$floor" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
floor = float(sys.argv[2])
accuracy = result["accuracy"]
print(f"window accuracy on {sum(map(sum, result['confusion']))} MuseScore "
      f"windows: {accuracy:.3f} (floor {floor}, chance {1 / 11:.3f})")
sys.exit(0 if accuracy >= floor else 1)
PY
