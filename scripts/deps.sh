# scripts/deps.sh: the Debian packages irmasd needs, and a function that
# installs the missing ones. Sourced by tools/run.sh and tools/test.sh so the
# two Quick start commands agree on what a fresh Debian 12 machine lacks.

# To build irmasd, its tools and its LV2 and Vamp plugins.
IRMAS_BUILD_PACKAGES="gcc meson ninja-build pkg-config scdoc
  libopenblas-dev libfftw3-dev zlib1g-dev
  libsndfile1-dev libsamplerate0-dev liblo-dev
  portaudio19-dev libjack-jackd2-dev libsystemd-dev
  libfluidsynth-dev libpng-dev libcairo2-dev libncurses-dev nettle-dev
  g++ lv2-dev vamp-plugin-sdk
  libopenmpi-dev"

# To run it: a JACK server, the soundfonts irmas-synth and the demo render
# from, the OSC command-line tools, and mpirun for training and tagging on
# several processes (MPI is optional: without libopenmpi-dev everything
# builds and runs as one process).
IRMAS_RUN_PACKAGES="jackd2 liblo-tools fluid-soundfont-gm timgm6mb-soundfont
  musescore-general-soundfont fluidsynth openmpi-bin"

# To test it: Check, terminal and process tools the end-to-end tests drive,
# systemd-analyze for the units, man for the manual pages, Pure Data and
# pyliblo for the example OSC receivers, lilv, jalv, the Vamp SDK's host
# and Sonic Visualiser under Xvfb for the plugins, clang with Debian 12's
# libFuzzer (the same LLVM version, 14) for scripts/fuzz.sh, and cppcheck
# for scripts/static-analysis.sh.
IRMAS_TEST_PACKAGES="check tmux procps psmisc systemd python3 file man-db
  puredata-core python3-liblo liblilv-dev lilv-utils jalv vamp-examples
  sonic-visualiser xvfb xauth
  clang libfuzzer-14-dev cppcheck"

# deps_install PACKAGE...: installs whichever of the packages are missing.
deps_install() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "Installing:$missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: these Debian packages are missing:$missing; run as root or install them with apt-get" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || return 1
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
}
