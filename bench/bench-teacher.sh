#!/bin/sh
# bench-teacher.sh: times the AudioSet teacher (EfficientAT mn04_as) in
# libirmas: its front-end and network on a 3 s window, one thread, and the
# CPU per second of audio that gives; then, when /usr/bin/python3 has
# PyTorch, the same network in torch.nn on the same log-mel input
# (bench/teacher_torch.py), whose probabilities must agree within 1e-4.
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
scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
"$bench" --teacher "$dir" "$scratch"
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
    /usr/bin/python3 "$here/teacher_torch.py" "$dir" "$scratch"
else
    echo "PyTorch not importable by /usr/bin/python3 (apt-get install python3-torch); skipping the comparison"
fi
