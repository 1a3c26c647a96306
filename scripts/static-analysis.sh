#!/bin/sh
# static-analysis.sh: cppcheck over every C source of the project, as CI
# runs it (tools/test.sh). Exits non-zero on any finding of the classes
# below; scripts/cppcheck.supp lists the known false positives and why.
#
#     scripts/static-analysis.sh [BUILD_DIR]   (BUILD_DIR holds config.h and
#                                               irmas/version.h; default build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
command -v cppcheck >/dev/null ||
    { echo "static-analysis.sh: cppcheck is missing: scripts/deps.sh installs it" >&2; exit 2; }
[ -f "$build/config.h" ] ||
    { echo "static-analysis.sh: $build/config.h is missing: build first (meson setup $build)" >&2; exit 2; }
cppcheck --quiet --std=c11 --enable=warning,portability,performance \
    -D_GNU_SOURCE -DKERNELS_TABLE=kernels_portable \
    -I engine -I include -I "$build" -I "$build/include" \
    --suppressions-list=scripts/cppcheck.supp --inline-suppr \
    --template='{file}:{line}: {severity}: {message} [{id}]' \
    --error-exitcode=1 \
    engine data train daemon plugin/host_tagger.c tools synth
echo "static-analysis.sh: cppcheck found nothing"
