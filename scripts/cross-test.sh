#!/bin/sh
# cross-test.sh: builds libirmas, irmasd and their Check tests for another
# CPU and runs them there under qemu-user, on a Debian 12 machine (as
# root), then checks that irmasd there says what it says here.
#
#     scripts/cross-test.sh aarch64
#
# It installs what it needs (the cross compiler, qemu-user, and the arm64
# -dev packages of the engine's and the daemon's libraries through dpkg's
# multiarch), builds with -Dparts=daemon into build-aarch64/ with
# scripts/cross/aarch64.ini, and runs
#   1. the engine's and the daemon's Check tests (the layers on every
#      instruction set the emulated CPU runs: NEON's four-float kernels
#      there, against the same references as on x86-64);
#   2. irmasd itself (the file backend, --fast) on a clip the native build
#      renders, with the shipped model, sending OSC to a native oscdump; its
#      probabilities must match the native irmasd's within 1e-5 (oscdump
#      prints six decimals).
# The native build is build/ (made here if missing). Not part of
# tools/test.sh: the installs alone take minutes.
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
# liblo-dev is not co-installable across architectures (Debian 12): its
# arm64 package is unpacked into the build folder instead, beside the
# arm64 library (liblo7) installed the usual way.
packages="gcc-$arch-linux-gnu qemu-user liblo-tools libc6-dev:$debian_arch
  libopenblas-dev:$debian_arch libfftw3-dev:$debian_arch
  zlib1g-dev:$debian_arch libsndfile1-dev:$debian_arch check:$debian_arch
  libsamplerate0-dev:$debian_arch libjack-jackd2-dev:$debian_arch
  portaudio19-dev:$debian_arch libsystemd-dev:$debian_arch
  liblo7:$debian_arch"
missing=
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-remove $missing
fi

build=build-$arch
lo=$(pwd)/$build/liblo-$debian_arch
if [ ! -f "$lo/liblo.pc" ]; then
    rm -rf "$lo"
    mkdir -p "$lo/root"
    (cd "$lo" && apt-get download -q "liblo-dev:$debian_arch" 2>/dev/null)
    dpkg-deb -x "$lo"/liblo-dev_*.deb "$lo/root"
    libdir=/usr/lib/$arch-linux-gnu
    ln -sf "$libdir/liblo.so.7" "$lo/root$libdir/liblo.so"
    sed "s|^prefix=.*|prefix=$lo/root/usr|" \
        "$lo/root$libdir/pkgconfig/liblo.pc" >"$lo/liblo.pc"
fi

options="--cross-file scripts/cross/$arch.ini -Dparts=daemon -Dwerror=true
  -Dpkg_config_path=$lo"
# shellcheck disable=SC2086
if [ -f "$build/build.ninja" ]; then
    meson setup --reconfigure "$build" $options >/dev/null
else
    meson setup "$build" $options >/dev/null
fi
ninja -C "$build"

# The programs run on the arm64 C library of dpkg's multiarch (its loader
# is /lib/ld-linux-aarch64.so.1), never on the cross compiler's copy in
# /usr/aarch64-linux-gnu: mixing that loader with the multiarch libraries
# hangs the first pthread_create. OpenBLAS on one thread, and the emulated
# CPU a Cortex-A72 (a Raspberry Pi 4's) rather than qemu's default, whose
# SVE OpenBLAS would pick and qemu runs slowly. Emulated, every test runs
# some ten times slower: meson's timeouts and Check's own (each test's,
# CK_TIMEOUT_MULTIPLIER) are stretched alike.
export OPENBLAS_NUM_THREADS=1 QEMU_CPU=cortex-a72 CK_TIMEOUT_MULTIPLIER=10
meson test -C "$build" --print-errorlogs --num-processes 2 \
    --timeout-multiplier 10

# 2. irmasd under qemu against irmasd here.
if [ ! -f build/build.ninja ]; then
    meson setup build >/dev/null
fi
ninja -C build daemon/irmasd tests/daemon_clips
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
build/tests/daemon_clips "$work/clip.wav" 44100 2 cello:4 flute:4 silence:1
# tag NAME IRMASD...: the /irmas/probs lines irmasd sends, in NAME.osc.
port=$((20000 + $$ % 20000))
tag() {
    name=$1
    shift
    oscdump "$port" >"$work/$name.osc" &
    echo $! >"$work/oscdump.pid"
    sleep 0.5
    "$@" --backend file --fast --input "$work/clip.wav" \
        --model models/default.irm --osc "osc.udp://127.0.0.1:$port" \
        >"$work/$name.out" 2>"$work/$name.err" ||
        { cat "$work/$name.err" >&2; exit 1; }
    sleep 0.5
    kill "$(cat "$work/oscdump.pid")"
    wait "$(cat "$work/oscdump.pid")" 2>/dev/null || true
    rm -f "$work/oscdump.pid"
    grep ' /irmas/probs ' "$work/$name.osc" | cut -d' ' -f2- >"$work/$name.probs"
}
tag native build/daemon/irmasd
tag "$arch" qemu-"$arch" "$build/daemon/irmasd"
awk -v arch="$arch" '
    NR == FNR { here[FNR] = $0; n = FNR; next }
    {
        m = FNR
        split(here[FNR], a, " ")
        split($0, b, " ")
        for (i = 3; i in b; i++) {
            d = a[i] - b[i]
            if (d < 0) d = -d
            if (d > worst) worst = d
        }
    }
    END {
        if (n == 0 || n != m) {
            printf "FAIL: %d windows here, %d on %s\n", n, m, arch
            exit 1
        }
        printf "%s irmasd: %d windows, largest difference from x86-64 %.2g: %s\n",
               arch, n, worst, worst <= 1e-5 ? "PASS" : "FAIL"
        exit worst <= 1e-5 ? 0 : 1
    }' "$work/native.probs" "$work/$arch.probs"
