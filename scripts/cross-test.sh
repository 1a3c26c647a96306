#!/bin/sh
# cross-test.sh: builds libirmas and its Check tests for another CPU and
# runs them there under qemu-user, on a Debian 12 machine (as root).
#
#     scripts/cross-test.sh aarch64
#
# It installs what it needs (the cross compiler, qemu-user, and the arm64
# -dev packages of the engine's libraries through dpkg's multiarch), builds
# with -Dengine_only=true into build-aarch64/ with scripts/cross/aarch64.ini,
# and runs the engine's tests (the layers on every instruction set the
# emulated CPU runs: NEON's four-float kernels there, against the same
# references as on x86-64). Not part of tools/test.sh: the installs alone
# take minutes.
set -eu
cd "$(dirname "$0")/.."
arch=${1:-}
case $arch in
aarch64) debian_arch=arm64 ;;
*) echo "usage: scripts/cross-test.sh aarch64" >&2; exit 2 ;;
esac

if ! dpkg --print-foreign-architectures | grep -qx "$debian_arch"; then
    dpkg --add-architecture "$debian_arch"
    apt-get update -q
fi
packages="gcc-$arch-linux-gnu qemu-user libc6-dev:$debian_arch
  libopenblas-dev:$debian_arch libfftw3-dev:$debian_arch
  zlib1g-dev:$debian_arch libsndfile1-dev:$debian_arch check:$debian_arch"
missing=
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-remove $missing
fi

build=build-$arch
if [ -d "$build" ]; then
    meson setup --reconfigure "$build" --cross-file "scripts/cross/$arch.ini" \
        -Dengine_only=true -Dwerror=true >/dev/null
else
    meson setup "$build" --cross-file "scripts/cross/$arch.ini" \
        -Dengine_only=true -Dwerror=true >/dev/null
fi
ninja -C "$build"
# Check's forked test processes hang under qemu-user, so the tests run in
# one process each (CK_FORK=no); OpenBLAS on one thread, and the emulated
# CPU a Cortex-A72 (a Raspberry Pi 4's) rather than qemu's default, whose
# SVE OpenBLAS would pick and qemu runs slowly.
CK_FORK=no OPENBLAS_NUM_THREADS=1 QEMU_CPU=cortex-a72 \
    meson test -C "$build" --print-errorlogs --num-processes 2 \
    --timeout-multiplier 10
