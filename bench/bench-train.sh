#!/bin/sh
# bench/bench-train.sh: how long one training epoch takes, irmas-train
# against PyTorch on the same model, data and batches.
#
#     bench/bench-train.sh [-C BUILD_DIR] [-m MODEL] [-n CLIPS] [-t THREADS] [DATA_DIR]
#
# MODEL is lstm (the default), the study's best: an LSTM with H = 100
# reading |X_t| = 100 raw samples a step, 3 s windows at 44.1 kHz (1323
# steps); or cnn-mel, the shipped default's network: the 96 x 96 log-mel
# CNN (models/README.md), which PyTorch trains on the same images. Batch
# 32 for both.
# DATA_DIR defaults to a corpus rendered here with sox: CLIPS (default 40)
# stereo 3-second clips of each of four classes (sine, square, sawtooth,
# triangle at fixed frequencies, without dither, so the corpus is the same
# on every run), so 8 * CLIPS examples, 80 % of them trained on.
#
# irmas-train runs one epoch on THREADS worker threads (default 2) and
# exports its initial weights, standardised frames and batch order
# (--export); bench/train_torch.py then trains the identical model on
# them with torch.set_num_threads(THREADS), when /usr/bin/python3 can
# import torch. Dropout is off (--dropout 0) so the two runs compute the
# same numbers: their mean training losses must agree, which the output
# shows. Times are the training part of the epoch only (no data loading,
# no validation).
set -eu
cd "$(dirname "$0")/.."
build=build clips=40 threads=2 model=lstm
usage="usage: $0 [-C BUILD_DIR] [-m lstm|cnn-mel] [-n CLIPS] [-t THREADS] [DATA_DIR]"
while getopts C:m:n:t: flag; do
    case $flag in
    C) build=$OPTARG ;;
    m) model=$OPTARG ;;
    n) clips=$OPTARG ;;
    t) threads=$OPTARG ;;
    *) echo "$usage" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
train=$build/tools/irmas-train
[ -x "$train" ] || { echo "$0: $train is missing; build first (ninja -C $build)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# render_corpus DIR: CLIPS clips per class, each channel its own pitch.
render_corpus() {
    command -v sox >/dev/null || { echo "$0: sox is needed to render the corpus (apt-get install sox), or pass DATA_DIR" >&2; exit 1; }
    for wave in sine square sawtooth triangle; do
        mkdir -p "$1/$wave"
        i=0
        while [ $i -lt "$clips" ]; do
            left=$((110 + 37 * i)) right=$((130 + 41 * i))
            sox -D -n -r 44100 -c 2 -b 16 "$1/$wave/$wave$i.wav" \
                synth 3 $wave $left $wave $right gain -6
            i=$((i + 1))
        done
    done
}

data=${1:-}
if [ -z "$data" ]; then
    data=$work/corpus
    echo "rendering $((4 * clips)) stereo clips of 3 s with sox"
    render_corpus "$data"
fi

case $model in
lstm) shape="--model lstm --frame 100 --hidden 100"
      what="LSTM |X_t| = 100, H = 100" ;;
cnn-mel) shape="--model cnn-mel --image logmel --image-size 96 --norm none"
         what="CNN on 96 x 96 log-mel images" ;;
*) echo "$usage" >&2; exit 2 ;;
esac
echo "irmas-train: one epoch, $what, batch 32, $threads threads"
# shellcheck disable=SC2086 # $shape is a list of flags
"$train" --data "$data" --out "$work/model.irm" $shape \
    --batch 32 --dropout 0 --epochs 1 --threads "$threads" \
    --split-by file --val-fraction 0.1 --test-fraction 0.1 \
    --export "$work/export" --log "$work/log.csv" 2>"$work/stderr" >/dev/null ||
    { cat "$work/stderr" >&2; exit 1; }
ours=$(sed -n 's/^epoch 1\/1 .*(\([0-9.]*\) s training).*/\1/p' "$work/stderr")
our_loss=$(sed -n '2s/^[^,]*,\([^,]*\),.*/\1/p' "$work/log.csv")
examples=$(sed -n 's/^examples //p' "$work/export/meta.txt")
echo "irmas-train  $ours s for $examples examples, mean loss $our_loss"

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "PyTorch is not installed (apt-get install python3-torch); no comparison"
    exit 0
fi
echo "PyTorch: the same model, weights, data and batches"
set -- $(/usr/bin/python3 bench/train_torch.py "$work/export" "$threads")
theirs=$3 their_loss=$5
echo "PyTorch      $theirs s for $examples examples, mean loss $their_loss"
awk -v ours="$ours" -v theirs="$theirs" 'BEGIN {
    printf "irmas-train takes %.3f of PyTorch'"'"'s time (%.1f times as fast)\n",
           ours / theirs, theirs / ours }'
