#!/bin/bash
# train-grid.sh: the study's grids of models, trained and scored in one go.
#
#   scripts/train-grid.sh [-C BUILD] --data DIR [--data DIR ...] --out DIR
#                       [--test DIR ...] [--epochs N] [--cells LIST]
#                       [--frames LIST] [--hidden LIST] [--dense LIST]
#                       [--images] [--archs LIST] [--kinds LIST]
#                       [-- EXTRA irmas-train OPTIONS]
#
# Trains one model per combination of cell (rnn lstm gru blstm), |X_t|
# (100 300), H (50 100 150) and dense layer (50 0: the study's 50-unit ReLU
# layer, or none), on raw samples as the study did; or, with --images, the
# study's image models: per architecture (b1 b2 b3 b4) and kind (stack mrp
# crnn) a CNN on stack or MRP images, or a CRNN on MRP images. Then it
# scores each with irmas-eval on every --test set. For model NAME it leaves
# in DIR: NAME.irm, NAME.txt (the trainer's report), NAME.csv (per-epoch
# log), NAME.TEST.json (irmas-eval), and one line in DIR/grid.md, a
# Markdown table: window accuracy / clip accuracy / macro F1 on each test
# set, the held-out (test split) accuracy and the training time. A model
# finished in DIR is not trained again and one interrupted resumes from its
# checkpoint, so an interrupted grid continues where it stopped. This takes
# hours (the whole grid is 48 models): it is a separate command, never a
# test.
set -euo pipefail

build=build
out=
epochs=4
cells="rnn lstm gru blstm"
frames="100 300"
hidden="50 100 150"
dense="50 0"
images=0
archs="b1 b2 b3 b4"
kinds="stack mrp crnn"
data=()
tests=()
extra=()

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case $1 in
    -C) build=$2; shift 2 ;;
    --data) data+=(--data "$2"); shift 2 ;;
    --test) tests+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --cells) cells=${2//,/ }; shift 2 ;;
    --frames) frames=${2//,/ }; shift 2 ;;
    --hidden) hidden=${2//,/ }; shift 2 ;;
    --dense) dense=${2//,/ }; shift 2 ;;
    --images) images=1; shift ;;
    --archs) archs=${2//,/ }; shift 2 ;;
    --kinds) kinds=${2//,/ }; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage 0 ;;
    *) echo "train-grid: $1: unknown option (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$out" ] && [ ${#data[@]} -gt 0 ] || usage 2
for tool in irmas-train irmas-eval; do
    [ -x "$build/tools/$tool" ] || {
        echo "train-grid: $build/tools/$tool not found; build first (ninja -C $build)" >&2
        exit 1
    }
done
mkdir -p "$out"

# "0.412 / 0.409 / 0.390" from an irmas-eval --json report.
scores() {
    /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("%.3f / %.3f / %.3f" % (r["accuracy"], r["clip_accuracy"], r["macro_f1"]))
' "$1"
}

# The held-out accuracy and the seconds spent training, from NAME.txt/.csv.
held_out() { awk '/^accuracy/ { print $2; exit }' "$1"; }
seconds() { awk -F, 'NR > 1 { s += $6 } END { printf "%.0f", s }' "$1"; }

row() {
    local name=$1 line="| $1 | $(held_out "$out/$1.txt")"
    for t in "${tests[@]}"; do
        line+=" | $(scores "$out/$name.$(basename "$t").json")"
    done
    echo "$line | $(seconds "$out/$name.csv") s |"
}

if [ ! -s "$out/grid.md" ]; then
    header="| model | held-out"
    rule="| --- | ---"
    for t in "${tests[@]}"; do header+=" | $(basename "$t")"; rule+=" | ---"; done
    printf '%s | training |\n%s | --- |\n' "$header" "$rule" >"$out/grid.md"
fi

# "NAME irmas-train-options..." for every model of the grid, one a line.
recurrent_models() {
    for cell in $cells; do
        for frame in $frames; do
            for h in $hidden; do
                for d in $dense; do
                    echo "$cell-x$frame-h$h-d$d --model $cell --frame $frame --hidden $h --dense $d"
                done
            done
        done
    done
}

image_models() {
    for arch in $archs; do
        for kind in $kinds; do
            case $kind in
            crnn) echo "crnn-$arch-mrp --model crnn-$arch --image mrp" ;;
            *) echo "cnn-$arch-$kind --model cnn-$arch --image $kind" ;;
            esac
        done
    done
}

# Trains (unless done) and scores one model.
run_model() {
    local name=$1
    shift
    # Finished when the trainer has written its test-split report; a run
    # stopped half way goes on from its last checkpoint.
    if ! grep -q '^accuracy' "$out/$name.txt" 2>/dev/null; then
        echo "== $name" >&2
        if [ -s "$out/$name.irm.ckpt" ]; then
            "$build/tools/irmas-train" --resume "$out/$name.irm.ckpt" \
                >>"$out/$name.txt" 2>>"$out/$name.err"
        else
            "$build/tools/irmas-train" "${data[@]}" "$@" \
                --epochs "$epochs" --patience 0 \
                --log "$out/$name.csv" --out "$out/$name.irm" \
                "${extra[@]}" >"$out/$name.txt" 2>"$out/$name.err"
        fi
    fi
    for t in "${tests[@]}"; do
        json=$out/$name.$(basename "$t").json
        [ -s "$json" ] || "$build/tools/irmas-eval" \
            --model "$out/$name.irm" --data "$t" --json \
            >"$json" 2>>"$out/$name.err"
    done
    grep -q "^| $name |" "$out/grid.md" || row "$name" >>"$out/grid.md"
}

if [ $images = 1 ]; then image_models; else recurrent_models; fi |
    while read -r name options; do
        # shellcheck disable=SC2086 # options is a list of words
        run_model "$name" $options </dev/null
    done
cat "$out/grid.md"
