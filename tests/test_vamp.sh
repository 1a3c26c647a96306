#!/bin/sh
# test_vamp.sh: the Vamp plugin as a researcher runs it, through the SDK's
# host (vamp-simple-host) on a rendered piano phrase at 48 kHz: 11
# probabilities per hop that sum to 1 with piano on top, and a piano
# segment on the instrument output; and, on the same phrase at the model's
# own rate, the same probabilities as irmas-tag within 1e-5. Then, when
# it is installed, Sonic Visualiser under Xvfb adds the plugin's instrument
# layer to the phrase and exports it: a piano segment.
#
#     test_vamp.sh PLUGIN_DIR IRMAS_SYNTH IRMAS_TAG MODEL
set -eu
plugins=$1 synth=$2 tag=$3 model=$4
if ! command -v vamp-simple-host >/dev/null; then
    echo "skipped: vamp-simple-host is not installed (Debian package vamp-examples)"
    exit 77
fi
soundfont=/usr/share/sounds/sf2/FluidR3_GM.sf2
if [ ! -f "$soundfont" ]; then
    echo "skipped: $soundfont is not installed (Debian package fluid-soundfont-gm)"
    exit 77
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-vamp.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
export VAMP_PATH="$plugins" IRMAS_MODEL="$model"

# Runs a Vamp host, with the ASan runtime preloaded when the plugin is an
# ASan build (PLUGIN_HOST_PRELOAD; the host's own leaks are not ours).
as_host() {
    if [ -n "${PLUGIN_HOST_PRELOAD:-}" ]; then
        LD_PRELOAD="$PLUGIN_HOST_PRELOAD" ASAN_OPTIONS=detect_leaks=0 "$@"
    else
        "$@"
    fi
}
host() { as_host vamp-simple-host "$@"; }

# phrase RATE: a 9 s piano phrase at RATE Hz; prints its path.
phrase() {
    "$synth" --out "$scratch/$1" --per-class 1 --classes pia --seed 7 \
        --accompaniment 0 --augment none --seconds 9 --excerpts 1 \
        --rate "$1" --soundfont "$soundfont" >/dev/null 2>&1
    ls "$scratch/$1"/pia/*.wav
}

host -l | grep -q '"irmas"' ||
    { echo "FAIL: vamp-simple-host does not list the plugin in $plugins"; exit 1; }

at48=$(phrase 48000)
host irmas:irmas:probabilities "$at48" >"$scratch/probs.txt" 2>"$scratch/host.err" ||
    { cat "$scratch/host.err"; exit 1; }
host irmas:irmas:instrument "$at48" >"$scratch/segments.txt" 2>>"$scratch/host.err" ||
    { cat "$scratch/host.err"; exit 1; }
at44=$(phrase 44100)
host irmas:irmas:probabilities "$at44" >"$scratch/probs44.txt" 2>>"$scratch/host.err"
"$tag" --model "$model" --hop 0.5 --json "$at44" >"$scratch/tag.json"

python3 - "$scratch" <<'PY'
import json, sys
scratch = sys.argv[1]
labels = "cel cla flu gac gel org pia sax tru vio voi".split()

def rows(name):
    out = []
    for line in open(f"{scratch}/{name}"):
        if ":" not in line:
            continue
        time, values = line.split(":", 1)
        out.append((float(time), [float(v) for v in values.split()]))
    return out

probs = rows("probs.txt")
assert len(probs) >= 10, f"{len(probs)} windows in 9 s at a 0.5 s hop"
for time, p in probs:
    assert len(p) == 11, f"{time:.2f} s: {len(p)} values, not 11"
    assert abs(sum(p) - 1) < 1e-4, f"{time:.2f} s: probabilities sum to {sum(p)}"
tops = [labels[p.index(max(p))] for _, p in probs]
print(f"48 kHz: {len(probs)} windows, top classes {' '.join(tops)}")
assert tops.count("pia") > len(tops) / 2, "piano is not on top in most windows"

segments = [line.rsplit(":", 1)[1].strip() for line in open(f"{scratch}/segments.txt")
            if ":" in line]
print(f"segments: {segments}")
assert "pia" in segments, "no piano segment"

# At the model's rate neither side resamples: the same streaming classifier
# on the same samples gives the same numbers.
tagged = json.load(open(f"{scratch}/tag.json"))["files"][0]["windows"]
probs44 = rows("probs44.txt")
worst = 0.0
for k, w in enumerate(tagged):
    time, p = probs44[k]
    assert abs(time - w["end"]) < 1e-3, f"window {k}: ends at {time} here, {w['end']} in irmas-tag"
    worst = max(worst, abs(p[labels.index(w["label"])] - w["probability"]))
print(f"44.1 kHz: {len(tagged)} windows, largest difference from irmas-tag {worst:.2e}")
assert worst < 1e-5, f"the plugin and irmas-tag differ by {worst}"
PY

# Sonic Visualiser, as a researcher would use it, run by an OSC script:
# open the phrase, add the plugin's instrument layer, export it. Its own
# settings in a scratch HOME: no first-run network question, plugins in
# its own process (so an ASan build loads with the preloaded runtime).
if ! command -v sonic-visualiser >/dev/null || ! command -v xvfb-run >/dev/null; then
    echo "Sonic Visualiser part skipped: sonic-visualiser or xvfb-run is not installed"
    exit 0
fi
mkdir -p "$scratch/home/.config/sonic-visualiser"
cat >"$scratch/home/.config/sonic-visualiser/Sonic Visualiser.conf" <<EOF
[Preferences]
network-permission-4.5=false
network-permission-4.5.1=false
run-vamp-plugins-in-process=true
EOF
# Two exports, the second after plenty of time, so that a slow machine
# still gets the finished layer.
cat >"$scratch/session.osc" <<EOF
/open $at48
2
/transform vamp:irmas:irmas:instrument
8
/exportlayer $scratch/layer1.csv
12
/exportlayer $scratch/layer2.csv
1
/quit
EOF
HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/home" as_host timeout 120 \
    xvfb-run -a sonic-visualiser --no-audio --no-splash \
    --osc-script "$scratch/session.osc" >"$scratch/sv.log" 2>&1 ||
    { tail -20 "$scratch/sv.log"; echo "FAIL: Sonic Visualiser did not finish"; exit 1; }
layer=$scratch/layer2.csv
[ -s "$layer" ] || layer=$scratch/layer1.csv
[ -s "$layer" ] || { tail -20 "$scratch/sv.log"; echo "FAIL: no layer exported"; exit 1; }
echo "Sonic Visualiser's instrument layer:"
cat "$layer"
grep -q ',pia$' "$layer" || { echo "FAIL: no piano segment in the layer"; exit 1; }
