#!/bin/sh
# test_install.sh: libirmas as a user gets it. Installs the build into a
# scratch root (meson install --destdir), builds examples/tag-wav.c against
# the installed headers and library through pkg-config, linked both to the
# shared and to the static library, and checks that
#   - the shared library exports nothing but irmas_* symbols;
#   - the example, run on a WAV with the installed default model, prints
#     the same windows and probabilities as irmas-tag --csv.
#
#     test_install.sh BUILD_DIR SOURCE_DIR IRMAS_TAG
set -u
build=$1 source=$2 irmas_tag=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
root=$scratch/root

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

meson install -C "$build" --no-rebuild --quiet --destdir "$root" \
    >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log" >&2; fail "meson install --destdir failed"; }

pc=$(find "$root" -name irmas.pc | head -n 1)
[ -n "$pc" ] || fail "no irmas.pc installed"
shared=$(find "$root" -name libirmas.so | head -n 1)
static=$(find "$root" -name libirmas.a | head -n 1)
[ -n "$shared" ] && [ -n "$static" ] ||
    fail "libirmas.so and libirmas.a are not both installed"
[ -n "$(find "$root" -path '*/include/irmas/irmas.h')" ] ||
    fail "irmas/irmas.h is not installed"
[ -n "$(find "$root" -path '*/include/irmas/osc.h')" ] ||
    fail "irmas/osc.h is not installed"
model=$(find "$root" -path '*/share/irmasd/default.irm' | head -n 1)
[ -n "$model" ] || fail "the default model is not installed"

# Only the public interface is exported.
others=$(nm -D --defined-only "$shared" | awk '{ print $3 }' | grep -v '^irmas_')
[ -z "$others" ] || fail "libirmas.so exports more than irmas_*: $others"
echo "libirmas.so exports $(nm -D --defined-only "$shared" | wc -l) symbols, all irmas_*"

# Built as a user builds it: pkg-config finds the installed files.
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
flags=$(pkg-config --cflags irmas sndfile samplerate) ||
    fail "pkg-config does not know irmas"
cc -std=c17 -Wall -Wextra -Werror $flags "$source/examples/tag-wav.c" \
    $(pkg-config --libs irmas sndfile samplerate) -o "$scratch/tag-wav" ||
    fail "examples/tag-wav.c does not build against the installed library"
cc -std=c17 -Wall -Wextra -Werror $flags "$source/examples/tag-wav.c" \
    "$static" $(pkg-config --static --libs irmas) \
    $(pkg-config --libs sndfile samplerate) -o "$scratch/tag-wav-static" ||
    fail "examples/tag-wav.c does not link with the installed static library"
LD_LIBRARY_PATH=$(dirname "$shared") ldd "$scratch/tag-wav" |
    grep -q "$root.*libirmas.so" ||
    fail "tag-wav does not run with the installed libirmas.so"

# Five seconds of a bright 220 Hz tone, mono, 44.1 kHz.
/usr/bin/python3 - "$scratch/tone.wav" <<'EOF' || fail "cannot write a WAV"
import math, struct, sys, wave
rate = 44100
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(b"".join(
        struct.pack("<h", int(12000 * sum(math.sin(2 * math.pi * 220 * k * i / rate) / k
                                          for k in range(1, 8))))
        for i in range(5 * rate)))
EOF

LD_LIBRARY_PATH=$(dirname "$shared") "$scratch/tag-wav" "$model" \
    "$scratch/tone.wav" >"$scratch/example.csv" ||
    fail "tag-wav failed on a WAV"
"$scratch/tag-wav-static" "$model" "$scratch/tone.wav" >"$scratch/static.csv" ||
    fail "the statically linked tag-wav failed"
cmp -s "$scratch/example.csv" "$scratch/static.csv" ||
    fail "the shared and static builds of tag-wav disagree"
"$irmas_tag" --model "$model" --csv --gate off "$scratch/tone.wav" |
    awk -F, '$2 == "window"' | cut -d, -f3- >"$scratch/tag.csv"
rows=$(wc -l <"$scratch/example.csv")
[ "$rows" -gt 0 ] || fail "tag-wav printed no window"
[ "$rows" -eq "$(wc -l <"$scratch/tag.csv")" ] ||
    fail "tag-wav printed $rows windows, irmas-tag $(wc -l <"$scratch/tag.csv")"
paste -d, "$scratch/example.csv" "$scratch/tag.csv" | awk -F, '
    { n = NF / 2
      if ($3 != $(n + 3)) { print "window " NR ": " $3 " against " $(n + 3); bad = 1 }
      for (i = 1; i <= n; i++) if (i != 3) {
          d = $i - $(n + i); if (d < 0) d = -d
          if (d > 2e-4) { print "window " NR " column " i ": " $i " against " $(n + i); bad = 1 }
      } }
    END { exit bad }' >&2 ||
    fail "tag-wav and irmas-tag disagree"
echo "tag-wav (shared and static) and irmas-tag agree on $rows windows:"
head -n 2 "$scratch/example.csv"
