#!/bin/sh
# scripts/fuzz.sh [SECONDS]: builds the libFuzzer targets (tests/fuzz) with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz, and
# runs each for SECONDS (default 30) from its seed corpus in
# tests/fuzz/seeds/NAME.
#
# What a run finds new is kept in build-fuzz/corpus/NAME, so a later run
# starts from it. An input that crashes a target, hangs it (over 10 s) or
# makes it use over 2 GB is saved as build-fuzz/crashes/NAME-crash-...,
# and the script prints one line per target, "fuzz NAME: ok" or
# "fuzz NAME: FAILED (...)", and exits non-zero if any failed. Reproduce a
# saved input with build-fuzz/tests/fuzz/fuzz_NAME FILE.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-30}
targets="model model_layers audio_file options osc_url control teacher_index"

if [ -f build-fuzz/build.ninja ]; then
    CC=clang meson setup --reconfigure build-fuzz >/dev/null
else
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz $(for t in $targets; do echo "tests/fuzz/fuzz_$t"; done) \
    >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p build-fuzz/crashes
failed=0
for t in $targets; do
    corpus=build-fuzz/corpus/$t
    mkdir -p "$corpus"
    log=build-fuzz/fuzz-$t.log
    if build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/crashes/$t-" \
        "$corpus" "tests/fuzz/seeds/$t" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "fuzz $t: ok (${runs:-?} inputs in ${seconds} s)"
    else
        saved=$(sed -n 's/.*Test unit written to //p' "$log" | head -n 1)
        echo "fuzz $t: FAILED (${saved:-see $log}; log in $log)"
        failed=$((failed + 1))
    fi
done
exit $((failed > 0))
