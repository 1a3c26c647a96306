#!/bin/sh
# bench/bench-mpi.sh: data-parallel training throughput, one process
# against MPI ranks, and the time the ranks spend summing gradients.
#
#     bench/bench-mpi.sh [-C BUILD_DIR] [-n CLIPS] [-e EPOCHS] [-r RANKS]
#
# Renders a two-class corpus with irmas-synth (CLIPS clips a class,
# default 60), then trains the study's best LSTM (H = 100 on |X_t| = 100 raw
# samples, 3 s windows, batch 32, one worker thread a rank) for EPOCHS
# epochs (default 2) on 1 process and on RANKS ranks (default 2) under
# mpirun. Prints, for each, the training windows per second of the last
# epoch (the training part alone, as irmas-train reports it), the seconds
# of it spent in MPI_Allreduce, and the allreduce payload of one step (the
# model's weights as float32: every rank sends and receives that much).
# On one machine the ranks share its cores; the figures say how the sums
# cost against the compute, which is what a cluster scales on.
set -eu
cd "$(dirname "$0")/.."
build=build clips=60 epochs=2 ranks=2
usage="usage: $0 [-C BUILD_DIR] [-n CLIPS] [-e EPOCHS] [-r RANKS]"
while getopts C:n:e:r: flag; do
    case $flag in
    C) build=$OPTARG ;;
    n) clips=$OPTARG ;;
    e) epochs=$OPTARG ;;
    r) ranks=$OPTARG ;;
    *) echo "$usage" >&2; exit 2 ;;
    esac
done
train=$build/tools/irmas-train
for tool in "$train" "$build/synth/irmas-synth" "$build/tools/irmas-model"; do
    [ -x "$tool" ] || { echo "$0: $tool is missing; build first (ninja -C $build)" >&2; exit 1; }
done
command -v mpirun >/dev/null ||
    { echo "$0: mpirun is missing (Debian: apt-get install openmpi-bin)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1

"$build/synth/irmas-synth" --out "$work/data" --per-class "$clips" --seed 3 \
    --classes cel,flu 2>"$work/synth.log" ||
    { cat "$work/synth.log" >&2; exit 1; }

set -- --data "$work/data" --model lstm --frame 100 --hidden 100 --dense 0 \
    --mixdown --seed 1 --batch 32 --threads 1 --epochs "$epochs"

# report NAME ERR: the last epoch's figures from irmas-train's stderr.
report() {
    examples=$(sed -n 's/.*: \([0-9]*\) training, .*/\1/p' "$2" | head -1)
    seconds=$(sed -n 's/.*(\([0-9.]*\) s training).*/\1/p' "$2" | tail -1)
    summing=$(sed -n 's/^[0-9]* ranks; \([0-9.]*\) s of the epoch summing.*/\1/p' "$2" | tail -1)
    awk -v name="$1" -v n="$examples" -v s="$seconds" -v c="${summing:-0}" \
        'BEGIN { printf "%-9s %6.1f windows/s  (%d windows in %.2f s; %.2f s summing)\n", name, n / s, n, s, c }'
}

"$train" "$@" --out "$work/one.irm" >/dev/null 2>"$work/one.err" ||
    { cat "$work/one.err" >&2; exit 1; }
mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$train" "$@" \
    --out "$work/many.irm" >/dev/null 2>"$work/many.err" ||
    { cat "$work/many.err" >&2; exit 1; }
report "1 rank" "$work/one.err"
report "$ranks ranks" "$work/many.err"
steps=$(( ($(sed -n 's/.*: \([0-9]*\) training, .*/\1/p' "$work/one.err" | head -1) + 31) / 32 ))
"$build/tools/irmas-model" info "$work/one.irm" |
    sed -n 's/^parameters *\([0-9]*\) (\(.*\) of float32)/allreduce payload: \1 floats (\2) a step, '"$steps"' steps an epoch/p'
"$build/tools/irmas-model" diff "$work/one.irm" "$work/many.irm" | tail -1 |
    sed 's/^largest */largest weight difference, 1 rank against '"$ranks"': /'
