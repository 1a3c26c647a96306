#!/bin/sh
# test_train_grid.sh: scripts/train-grid.sh trains a grid, scores it and
# writes its table; run again it trains nothing; a model whose run was cut
# short resumes from its checkpoint.
#
# One tiny model (a vanilla RNN, 8 units, one epoch) on a two-class corpus
# rendered here, scored on a second rendered set: what a user running the
# study's grid sees, at a size the suite can afford.
#
# Usage: test_train_grid.sh TRAIN_GRID BUILD_DIR IRMAS_SYNTH
set -eu
# Arguments may be relative to the build folder; this runs elsewhere.
grid=$(realpath "$1") build=$(realpath "$2") synth=$(realpath "$3")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-train-grid.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
cd "$scratch"

fail() { echo "test_train_grid: $*" >&2; exit 1; }

"$synth" --out data --per-class 8 --seed 5 --classes cel,flu 2>synth.log ||
    { cat synth.log >&2; exit 1; }
"$synth" --out test --per-class 3 --seed 6 --classes cel,flu 2>synth.log ||
    { cat synth.log >&2; exit 1; }

run_grid() {
    "$grid" -C "$build" --data data --test test --out out --epochs 1 \
        --cells rnn --frames 300 --hidden 8 --dense 0 \
        -- --mixdown --threads 1 --seed 1 >grid.out 2>grid.err ||
        { cat grid.err >&2; fail "train-grid.sh failed"; }
}

name=rnn-x300-h8-d0
row="^| $name | [0-9.]* | [0-9.]* / [0-9.]* / [0-9.]* | [0-9]* s |\$"

run_grid
grep -q "^== $name" grid.err || fail "the model was not trained"
for f in $name.irm $name.csv $name.txt $name.test.json; do
    [ -s "out/$f" ] || fail "out/$f is missing"
done
[ "$(wc -l <out/grid.md)" -eq 3 ] || { cat out/grid.md; fail "grid.md is not one row"; }
grep -q "$row" out/grid.md || { cat out/grid.md; fail "no scored row in grid.md"; }
cmp -s grid.out out/grid.md || fail "the table printed is not grid.md"
cp out/grid.md first.md

# Finished models are left alone.
run_grid
! grep -q "^==" grid.err || fail "a finished model was trained again"
cmp -s first.md out/grid.md || fail "grid.md changed on a second run"

# Cut short: no report yet, no scores, no row; the checkpoint is there.
sed -i '/^accuracy/,$d' "out/$name.txt"
sed -i "/^| $name /d" out/grid.md
rm "out/$name.test.json"
run_grid
grep -q "resuming after epoch" "out/$name.err" || fail "the model did not resume"
grep -q '^accuracy' "out/$name.txt" || fail "no report after resuming"
cmp -s first.md out/grid.md || { cat out/grid.md; fail "the row differs after resuming"; }
echo "train-grid.sh: trained, scored, left alone and resumed $name"
