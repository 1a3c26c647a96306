#!/bin/bash
# real-sets.sh: rebuilds the default model's training corpora and every
# evaluation set from a clean checkout, the registry samples and ../shared,
# split by source: no recording source is on both sides.
#
#   scripts/real-sets.sh [--out DIR] [--samples DIR] [--build DIR] [SET...]
#
#   --out DIR      where the corpora go (default: corpus; keep it outside
#                  the repository, they are about 3 GB)
#   --samples DIR  scripts/fetch-samples.sh's output (default: DIR/samples;
#                  fetched there when missing)
#   --build DIR    the meson build folder holding irmas-synth (build)
#   SET...         only these sets (default: all of them, in this order)
#
# Training side (sources named in models/README.md):
#   train-sf        FluidR3_GM and TimGM6mb renders (Debian soundfonts)
#   train-sf2       more renders of those two and sf_GMbank (csound-soundfont,
#                   fetched by fetch-samples.sh into DIR/samples/soundfonts)
#   train-recorded  phrases of ../shared/data/recorded/ (all 12 sources,
#                   all 11 classes), with accompaniment and room
#   train-samples2  phrases of the registry's train-side recordings
#   train-solo-sf   solo phrases of the training soundfonts: no accompaniment,
#                   a light recording chain (as a musician alone on stage)
#   train-solo-rec  solo phrases of ../shared/data/recorded/, the same way
#   val-recorded    the same training recordings as train-recorded and
#                   train-samples2, other phrases (another seed): for
#                   choosing between candidates, never for the model card's
#                   test figures
#   val-sf          other phrases of the training soundfonts (FluidR3_GM and
#                   TimGM6mb), for the same purpose
#   DIR/samples/unlabelled/  real music nobody labelled, as fetch-samples.sh
#                   lays it out (no set to build): irmas-train --unlabelled
# Test side (no source shared with the training side):
#   test-musescore  MuseScore_General renders (a soundfont never trained on)
#   real-test       the registry's test-side FreePats and sonic-pi-samples
#                   recordings
#   real-test2      real-test's sources and the registry's test-side tonejs
#                   recordings (trumpet, nylon guitar, pipe organ)
#   real-solo       real-test2's sources as solo phrases: no accompaniment,
#                   a light recording chain
#   real-test2 and real-solo are also written in two parts, as folders of
#   links: SET-freepats (the clips of the FreePats sources, three quarters
#   of them) and SET-others (the sonic-pi and tonejs recordings)
#   ../shared/data/performed/ is the third test set and needs no building:
#   give it to irmas-eval as it is (its labelled clips are read from their
#   class folders; the unlabelled ones are left out).
#
# The registry's sources and sides are in DIR/samples/LICENSES.txt; the
# shared recordings' in ../shared/data/recorded/SOURCES.md. DIR/SETS.tsv
# lists, for every set, the recording sources it holds; the script stops
# when a test set shares a source with training.
set -euo pipefail
shopt -s inherit_errexit

root=$(cd "$(dirname "$0")/.." && pwd)
out=corpus
samples=
build=build
sets=()

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case $1 in
    --out) out=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "real-sets: unknown option $1" >&2; usage 2 ;;
    *) sets+=("$1"); shift ;;
    esac
done
[ ${#sets[@]} -gt 0 ] || sets=(train-sf train-sf2 train-recorded train-samples2 train-solo-sf
                               train-solo-rec val-recorded val-sf test-musescore real-test
                               real-test2 real-solo)

shared=$root/../shared/data
recorded=$shared/recorded
synth=$build/synth/irmas-synth
[ -x "$synth" ] || { echo "real-sets: $synth: not built; run ninja -C $build" >&2; exit 1; }
[ -f "$recorded/MANIFEST.tsv" ] || {
    echo "real-sets: $recorded/MANIFEST.tsv: missing; the shared recordings" \
         "belong beside the checkout in ../shared/data/recorded" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
samples=${samples:-$out/samples}
[ -f "$samples/LICENSES.txt" ] && [ -d "$samples/unlabelled" ] ||
    "$root/scripts/fetch-samples.sh" --out "$samples"
musescore=/usr/share/sounds/sf3/MuseScore_General.sf3

# The shared recordings in the sampler's layout, <class>/<source>/<file>,
# as symbolic links (nothing is copied), with the registry's train-side
# drum kits for the accompaniment.
link_recorded() {
    local farm=$out/recorded
    rm -rf "$farm"
    mkdir -p "$farm"
    tail -n +2 "$recorded/MANIFEST.tsv" | while IFS=$'\t' read -r file class source _; do
        mkdir -p "$farm/$class/$source"
        ln -s "$recorded/$file" "$farm/$class/$source/${file##*/}"
    done
    ln -s "$samples/train/drums" "$farm/drums"
}

# real-test's sources: the registry's test side without its tonejs sets.
link_test_v1() {
    local v1=$out/samples-v1-test
    rm -rf "$v1"
    mkdir -p "$v1"
    cp -al "$samples/test/." "$v1/"
    rm -r "$v1"/*/tonejs-*
}

# Every recording source (class/source) under a sampler folder.
sources_of() {
    (cd "$1" && find . -mindepth 2 -maxdepth 2 -type d ! -path './drums/*' | sed 's|^\./||' | sort)
}

# SET-freepats and SET-others: links to the clips of SET whose source
# plays FreePats patches (sources.tsv's lead), and to the rest.
split_by_source() {
    local set=$1 part id class lead f
    for part in freepats others; do rm -rf "${out:?}/$set-$part"; done
    tail -n +2 "$out/$set/sources.tsv" | while IFS=$'\t' read -r id class _ lead _; do
        case $lead in */freepats-*) part=freepats ;; *) part=others ;; esac
        mkdir -p "$out/$set-$part/$class"
        for f in "$out/$set/$class/"*"]${id}__"*.wav; do
            if [ -e "$f" ]; then ln -s "$f" "$out/$set-$part/$class/"; fi
        done
    done
}

render() {
    local name=$1; shift
    echo "real-sets: $name" >&2
    rm -rf "${out:?}/$name"
    "$synth" --out "$out/$name" --threads 2 "$@"
}

link_recorded
link_test_v1

# The split, written down and checked: a test source's recording may not
# be a training source's (the shared sources and the registry's have
# different names, so this also catches a --side that moved one).
{
    printf 'set\tside\tsource\n'
    for s in $(sources_of "$out/recorded"); do printf 'train-recorded\ttrain\t%s\n' "$s"; done
    for s in $(sources_of "$samples/train"); do printf 'train-samples2\ttrain\t%s\n' "$s"; done
    for s in $(ls "$samples/unlabelled"); do printf 'unlabelled\ttrain\t%s\n' "$s"; done
    for s in $(sources_of "$out/samples-v1-test"); do printf 'real-test\ttest\t%s\n' "$s"; done
    for s in $(sources_of "$samples/test"); do printf 'real-test2\ttest\t%s\n' "$s"; done
    for s in $(sources_of "$samples/test"); do printf 'real-solo\ttest\t%s\n' "$s"; done
    for d in "$shared"/performed/*/*/; do
        case $d in */licence/|*/unlabelled/) continue ;; esac
        s=${d%/}; printf 'performed\ttest\t%s/%s\n' "${s##*/}" "$(basename "${s%/*}")"
    done
} > "$out/SETS.tsv"
shared_sources=$(awk -F'\t' '$2 == "train" { sub(/.*\//, "", $3); print $3 }' "$out/SETS.tsv" | sort -u)
test_sources=$(awk -F'\t' '$2 == "test" && $1 != "performed" { sub(/.*\//, "", $3); print $3 }' "$out/SETS.tsv" | sort -u)
both=$(comm -12 <(echo "$shared_sources") <(echo "$test_sources"))
[ -z "$both" ] || { echo "real-sets: sources on both sides: $both" >&2; exit 1; }

for set in "${sets[@]}"; do
    case $set in
    train-sf) render "$set" --per-class 300 --seed 1 ;;
    train-sf2) render "$set" --per-class 600 --seed 7 --source-base 2000 \
                   --soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2 \
                   --soundfont /usr/share/sounds/sf2/TimGM6mb.sf2 \
                   --soundfont "$samples/soundfonts/sf_GMbank.sf2" ;;
    train-recorded) render "$set" --per-class 300 --seed 11 --samples "$out/recorded" \
                        --source-base 8000 ;;
    train-samples2) render "$set" --per-class 150 --seed 3 --samples "$samples/train" \
                        --source-base 5000 ;;
    train-solo-sf) render "$set" --per-class 60 --seed 4101 --accompaniment 0 --augment light ;;
    train-solo-rec) render "$set" --per-class 60 --seed 4102 --samples "$out/recorded" \
                        --accompaniment 0 --augment light --source-base 20000 ;;
    val-recorded)
        # Half from each training sampler folder, with seeds no corpus uses.
        render val-recorded-a --per-class 15 --seed 3001 --samples "$out/recorded"
        render val-recorded-b --per-class 15 --seed 3002 --samples "$samples/train"
        rm -rf "${out:?}/val-recorded"
        mkdir -p "$out/val-recorded"
        mv "$out/val-recorded-a" "$out/val-recorded/a"
        mv "$out/val-recorded-b" "$out/val-recorded/b" ;;
    val-sf) render "$set" --per-class 30 --seed 3003 ;;
    test-musescore) render "$set" --per-class 60 --seed 1001 --soundfont "$musescore" ;;
    real-test) render "$set" --per-class 40 --seed 2001 --samples "$out/samples-v1-test" ;;
    real-test2) render "$set" --per-class 40 --seed 2001 --samples "$samples/test"
                split_by_source "$set" ;;
    real-solo) render "$set" --per-class 40 --seed 2001 --samples "$samples/test" \
                   --accompaniment 0 --augment light
               split_by_source "$set" ;;
    *) echo "real-sets: unknown set $set" >&2; usage 2 ;;
    esac
done
echo "real-sets: done; sources per set in $out/SETS.tsv" >&2
