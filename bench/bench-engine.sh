#!/bin/sh
# bench-engine.sh: times libirmas's recurrent layers and streaming
# classifier, and the shipped CNN (models/default.irm), and PyTorch on the
# same weights when it is installed.
#
# It builds nothing: it runs bench_layers from an existing build folder
# (default build/), which writes its weights and inputs into a scratch
# folder; bench/layers_torch.py then loads them into torch.nn.LSTM,
# torch.nn.GRU and the CNN's torch.nn layers, times the same forward pass
# and checks that both give the same final hidden state or probabilities.
# With the build's libirmas.so it also times the LSTM's and the GRU's whole
# window through libirmas in the same Python process, in turn with
# PyTorch, so that the ratio does not move with the machine's speed.
#
# Usage: bench/bench-engine.sh [BUILD_DIR]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
bench="$build/bench/bench_layers"
if [ ! -x "$bench" ]; then
    echo "bench-engine.sh: $bench not found; build first (ninja -C $build)" >&2
    exit 1
fi

# The machine, for the README's per-machine table.
echo "CPU: $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "vector flags: $(grep -m 1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
    grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl|asimd)$' | tr '\n' ' ')"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

"$bench" "$scratch" "$here/../models/default.irm"
if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
    lib="$build/engine/libirmas.so"
    [ -f "$lib" ] || lib=
    /usr/bin/python3 "$here/layers_torch.py" "$scratch" ${lib:+"$lib"}
else
    echo "PyTorch not importable by /usr/bin/python3 (apt-get install python3-torch); skipping the comparison"
fi
