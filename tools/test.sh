#!/bin/sh
# tools/test.sh: the README's test command, and what CI runs.
#
# On a fresh Debian 12 machine (as root) it installs the Debian packages the
# build and the tests need, builds with -Werror, runs the whole suite, then
# builds it again with AddressSanitizer and UndefinedBehaviorSanitizer and
# runs it once more. It ends with one line, "N passed, N failed", counting
# both runs, and exits non-zero if anything failed.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh

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

run_suite build -Dwerror=true
run_suite build-asan -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized

# One closing line a reader (and CI) can count, from meson's own logs.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for log in sys.argv[1:]:
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
