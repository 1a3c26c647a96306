#!/bin/sh
# test_cli.sh: every program speaks the same command-line language: -h and
# --help print the usage and exit 0, --version prints "NAME VERSION" and
# exits 0, an unknown flag exits 2 and a runtime error exits 1, each with
# "NAME: error: ..." on stderr (the program's name, not its path).
#
#     test_cli.sh VERSION PROGRAM...
set -u
version=$1
shift
scratch=$(mktemp -d "${TMPDIR:-/tmp}/irmas-cli.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect STATUS STREAM PATTERN NAME ARGS...: runs NAME with ARGS, wants exit
# STATUS and the extended regular expression PATTERN in STREAM (out|err).
expect() {
    want=$1 stream=$2 pattern=$3 program=$4
    shift 4
    "$program" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
    got=$?
    name=$(basename "$program")
    [ "$got" -eq "$want" ] ||
        fail "$name $*: exit $got, wanted $want: $(head -c 300 "$scratch/err")"
    grep -Eq "$pattern" "$scratch/$stream" ||
        fail "$name $*: no /$pattern/ on std$stream: $(head -c 300 "$scratch/$stream")"
}

for program in "$@"; do
    name=$(basename "$program")
    expect 0 out '^[Uu]sage: ' "$program" --help
    expect 0 out '^[Uu]sage: ' "$program" -h
    expect 0 out "^$name $version\$" "$program" --version
    expect 2 err "^$name: error: " "$program" --no-such-flag
    # The program's name opens every line it writes about the bad flag.
    ! grep -q '/' "$scratch/err" || ! grep -q "^[^ ]*/$name" "$scratch/err" ||
        fail "$name: names itself by its path: $(head -1 "$scratch/err")"
    # A runtime error: something a user may well get wrong.
    missing="$scratch/missing"
    case $name in
    irmasd) set -- --input "$missing.wav" ;;
    irmas-train) set -- --data "$missing" --out "$scratch/model.irm" ;;
    irmas-eval) set -- --data "$missing" ;;
    irmas-tag) set -- --model "$missing.irm" "$missing.wav" ;;
    irmas-model) set -- info "$missing.irm" ;;
    irmas-view) set -- --url "osc.udp://no-such-host.invalid:9" ;;
    irmas-image) set -- --kind stack "$missing.wav" "$scratch/out.png" ;;
    irmas-synth) set -- --out "$scratch/corpus" --per-class 1 --soundfont "$missing.sf2" ;;
    *) fail "$name: no runtime error to try"; continue ;;
    esac
    expect 1 err "^$name: error: " "$program" "$@"
    echo "$name: --help, -h, --version, a bad flag and a runtime error as expected"
done
[ "$failures" -eq 0 ]
