#!/bin/sh
# tools/run.sh: the README's first command.
#
# On a fresh Debian 12 machine (as root) it installs the Debian packages the
# build and irmasd need (only those missing), builds, and starts irmasd on
# the default model (models/default.irm), printing a line per window (the
# top instrument and every probability) while it sends OSC to
# osc.udp://127.0.0.1:9000 (watch it with build/tools/irmas-view).
#
# It listens to a running JACK server if there is one, else to PortAudio's
# default input device, else to a demo recording of several instruments in
# turn, rendered here with fluidsynth. Arguments are passed on to irmasd.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
. scripts/deps.sh

# shellcheck disable=SC2086
deps_install $IRMAS_BUILD_PACKAGES $IRMAS_RUN_PACKAGES

if [ -d build ]; then
    meson setup --reconfigure build >/dev/null
else
    meson setup build >/dev/null
fi
ninja -C build

model=models/default.irm
if [ ! -f "$model" ]; then
    cat >&2 <<MSG
run.sh: $model does not exist yet. Make one before running irmasd:
  train it with build/tools/irmas-train (docs/training.md),
  or, to try the pipeline with an untrained model, write a random one with
  build/tools/irmas-model new (README, "Models and the model file");
then run tools/run.sh again, or irmasd --model FILE.
MSG
    exit 1
fi

# demo_midi FILE: a MIDI file in which eight IRMAS instruments play a short
# phrase each, four seconds apiece: piano, violin, flute, trumpet, organ,
# acoustic guitar, clarinet, cello.
demo_midi() {
    out=$1
    track=$(mktemp)
    # shellcheck disable=SC2059 # the octal escape is the format
    byte() { for b in "$@"; do printf "\\$(printf %03o "$b")"; done; }
    # A MIDI delta time (ticks, below 16384) as a variable-length number.
    delta() {
        if [ "$1" -lt 128 ]; then byte "$1"
        else byte $((128 | $1 / 128)) $(($1 % 128)); fi
    }
    {
        byte 0 255 81 3 7 161 32            # 120 beats a minute
        for instrument in "0 60" "40 67" "73 79" "56 67" "19 60" "24 55" "71 62" "42 43"; do
            # shellcheck disable=SC2086 # program and first note
            set -- $instrument
            byte 0 192 "$1"                     # program change
            for step in 0 4 7 12 7 4 0 0; do    # eight half-second notes
                byte 0 144 $(($2 + step)) 96    # note on
                delta 96; byte 128 $(($2 + step)) 0   # note off
            done
        done
        byte 0 255 47 0                     # end of track
    } >"$track"
    length=$(wc -c <"$track")
    {
        printf 'MThd'; byte 0 0 0 6 0 0 0 1 0 96
        printf 'MTrk'
        byte $((length / 16777216 % 256)) $((length / 65536 % 256)) \
             $((length / 256 % 256)) $((length % 256))
        cat "$track"
    } >"$out"
    rm -f "$track"
}

soundfont() {
    for f in /usr/share/sounds/sf3/MuseScore_General.sf3 \
             /usr/share/sounds/sf2/FluidR3_GM.sf2 \
             /usr/share/sounds/sf2/TimGM6mb.sf2; do
        [ -r "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

# Where to listen: JACK, then PortAudio's default input, then the demo.
irmasd=build/daemon/irmasd
if jack_lsp >/dev/null 2>&1; then
    echo "run.sh: listening to the running JACK server"
    source_args="--backend jack"
    jack_lsp | grep -q '^system:capture_1$' &&
        source_args="$source_args --connect system:capture_1"
elif $irmasd --backend portaudio --list-devices 2>/dev/null | grep -q '^\*'; then
    echo "run.sh: listening to PortAudio's default input device:"
    $irmasd --backend portaudio --list-devices 2>/dev/null | grep '^\*'
    source_args="--backend portaudio"
else
    demo=build/demo.wav
    if [ ! -f "$demo" ]; then
        echo "run.sh: no capture device; rendering a demo recording ($demo)"
        demo_midi build/demo.mid
        fluidsynth -ni -q -F "$demo" -r 44100 -g 0.6 "$(soundfont)" build/demo.mid
    fi
    echo "run.sh: no capture device; playing $demo (piano, violin, flute, trumpet, organ, guitar, clarinet, cello)"
    source_args="--backend file --input $demo"
fi
echo "run.sh: model $model (the shipped default; models/README.md is its card):"
build/tools/irmas-model info "$model" | grep -E '^(front-end|image|classes|layers)' |
    sed 's/^/run.sh:   /'
# shellcheck disable=SC2086
exec $irmasd $source_args --model "$model" --print \
    --osc osc.udp://127.0.0.1:9000 "$@"
