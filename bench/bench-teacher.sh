#!/bin/sh
# bench-teacher.sh: times the AudioSet teacher (EfficientAT mn04_as) in
# libirmas: its front-end and network on a 3 s window, one thread, and the
# CPU per second of audio that gives.
#
# It builds nothing: it runs bench_layers --teacher from an existing build
# folder (default build/) on the weights in DIR (default
# ../shared/teachers/efficientat-mn04 beside the source tree, or
# $IRMAS_TEACHER_DIR).
#
# Usage: bench/bench-teacher.sh [BUILD_DIR [DIR]]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
dir=${2:-${IRMAS_TEACHER_DIR:-$here/../../shared/teachers/efficientat-mn04}}
bench="$build/bench/bench_layers"
if [ ! -x "$bench" ]; then
    echo "bench-teacher.sh: $bench not found; build first (ninja -C $build)" >&2
    exit 1
fi
if [ ! -r "$dir/weights.f32" ]; then
    echo "bench-teacher.sh: no teacher weights in $dir (weights.f32, tensors.tsv: EfficientAT's mn04_as; see docs/training.md, \"The AudioSet teacher\")" >&2
    exit 1
fi
"$bench" --teacher "$dir"
