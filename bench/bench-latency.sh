#!/bin/sh
# bench/bench-latency.sh: what irmasd costs and how late it is, for a model.
#
#     bench/bench-latency.sh [-C BUILD_DIR] [-s SECONDS] [-H HOP] [-r RATE] [MODEL]
#
# Runs irmasd's file backend on SECONDS (default 20) of rendered cello and
# flute at RATE Hz (default 44100; most JACK setups run 48000, and then the
# figures include irmasd's resampler, converting to the model's rate), with
# a window every HOP seconds (default 0.5), twice with the streaming
# classifier and twice recomputing every window whole (--no-incremental):
#   - paced in real time, as a device delivers audio, for the latency: from
#     the moment a window's last sample enters the (stand-in) audio callback
#     to the moment its OSC bundle has left, median and 99th percentile;
#   - as fast as it goes (--fast), for the worker's CPU seconds per second
#     of audio (the real-time factor; 1/RTF is how many times faster than
#     real time one core keeps up).
# The figures are irmasd's own statistics line at exit. MODEL defaults to
# models/default.irm, or, while that does not exist, the tests' hand-made
# model (tests/daemon_model), which the output says.
set -eu
cd "$(dirname "$0")/.."
build=build seconds=20 hop=0.5 rate=44100
while getopts C:s:H:r: flag; do
    case $flag in
    C) build=$OPTARG ;;
    s) seconds=$OPTARG ;;
    H) hop=$OPTARG ;;
    r) rate=$OPTARG ;;
    *) echo "usage: $0 [-C BUILD_DIR] [-s SECONDS] [-H HOP] [-r RATE] [MODEL]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
irmasd=$build/daemon/irmasd
for program in "$irmasd" "$build/tests/daemon_clips" "$build/tests/daemon_model"; do
    [ -x "$program" ] || { echo "$0: $program is missing; build first (ninja -C $build)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
model=${1:-models/default.irm}
if [ ! -f "$model" ] && [ $# -eq 0 ]; then
    echo "note: models/default.irm does not exist yet; measuring the tests' hand-made model"
    model=$work/model.irm
    "$build/tests/daemon_model" "$model" 16000
fi
half=$(awk "BEGIN { print $seconds / 2 }")
"$build/tests/daemon_clips" "$work/clips.wav" "$rate" 2 "cello:$half" "flute:$half"

# run_irmasd FLAGS...: irmasd's closing statistics line.
run_irmasd() {
    "$irmasd" --input "$work/clips.wav" --model "$model" --log-interval 0 --hop "$hop" \
        --osc "osc.udp://127.0.0.1:9" "$@" 2>"$work/log" >/dev/null
    grep -h 'windows (' "$work/log" | tail -n 1
}

# figure LINE WHAT: one number from a statistics line.
figure() {
    case $2 in
    cpu) echo "$1" | sed -n 's/.*CPU \([0-9.]*\) s per s.*/\1/p' ;;
    median) echo "$1" | sed -n 's/.*latency median \([0-9.]*\) ms.*/\1/p' ;;
    p99) echo "$1" | sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' ;;
    esac
}

echo "audio: $seconds s at $rate Hz, stereo; OSC to a UDP port nobody reads"
for mode in streaming recomputed; do
    extra=""
    [ $mode = recomputed ] && extra=--no-incremental
    # shellcheck disable=SC2086
    fast=$(run_irmasd --fast $extra)
    grep -h '^irmasd: model' "$work/log"
    # shellcheck disable=SC2086
    paced=$(run_irmasd $extra)
    cpu=$(figure "$fast" cpu)
    eval "${mode}_cpu=$cpu"
    eval "${mode}_rt=$(awk "BEGIN { printf \"%.0f\", 1 / $cpu }")"
    eval "${mode}_median=$(figure "$paced" median)"
    eval "${mode}_p99=$(figure "$paced" p99)"
done
# shellcheck disable=SC2154 # set by eval above
{
    printf '%-34s %12s %12s\n' "" streaming recomputed
    printf '%-34s %12s %12s\n' "CPU s per s of audio (RTF)" "$streaming_cpu" "$recomputed_cpu"
    printf '%-34s %11sx %11sx\n' "faster than real time, one core" "$streaming_rt" "$recomputed_rt"
    printf '%-34s %12s %12s\n' "latency median, ms" "$streaming_median" "$recomputed_median"
    printf '%-34s %12s %12s\n' "latency p99, ms" "$streaming_p99" "$recomputed_p99"
}
