#!/bin/sh
# tools/test.sh: the README's test command, and what CI runs.
#
# On a fresh Debian 12 machine (as root) it installs the Debian packages the
# build and the tests need, builds with -Werror, runs the whole suite, then
# builds it again with AddressSanitizer and UndefinedBehaviorSanitizer and
# runs it once more, then runs every fuzz target briefly (scripts/fuzz.sh,
# FUZZ_SECONDS each, default 15). It ends with one line, "N passed, N
# failed", counting both runs and each fuzz target, and exits non-zero if
# anything failed.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh

# shellcheck disable=SC2086
deps_install $IRMAS_BUILD_PACKAGES $IRMAS_RUN_PACKAGES $IRMAS_TEST_PACKAGES

run_suite() { # run_suite BUILD_DIR MESON_OPTIONS...
    dir=$1; shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir"
    meson test -C "$dir" --print-errorlogs --num-processes 2 || true
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

run_suite build -Dwerror=true
run_suite build-asan -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized

mkdir -p build-fuzz
scripts/fuzz.sh "${FUZZ_SECONDS:-15}" | tee build-fuzz/fuzz-summary.txt || true

# One closing line a reader (and CI) can count, from meson's own logs and
# the fuzz lines.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
    build-fuzz/fuzz-summary.txt <<'PY'
import json, sys
passed = failed = skipped = 0
fuzz_lines = [line for line in open(sys.argv[3]) if line.startswith("fuzz ")]
passed += sum(1 for line in fuzz_lines if ": ok" in line)
failed += sum(1 for line in fuzz_lines if ": ok" not in line)
if not fuzz_lines:
    failed += 1  # scripts/fuzz.sh did not get as far as running a target
for log in sys.argv[1:3]:
    for line in open(log):
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
PY
