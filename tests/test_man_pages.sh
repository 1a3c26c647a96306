#!/bin/sh
# test_man_pages.sh: every program has a manual page that man renders
# without a warning and that describes every option the program's --help
# lists; irmasd.conf(5) describes every setting of the configuration file.
#
#     test_man_pages.sh MANDIR PROGRAM...
# where MANDIR holds the built pages (NAME.1, irmasd.conf.5).
set -u
mandir=$1
shift
failures=0
text=$(mktemp)
trap 'rm -f "$text"' EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

if ! command -v man >/dev/null; then
    echo "skipped: man is not installed (Debian package man-db)"
    exit 77
fi

# options_of TEXT: the long options (--name) a help text mentions, one a line.
options_of() {
    grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# renders PAGE: man formats PAGE with no warning; the text is left in $text,
# one line a paragraph.
renders() {
    warnings=$(MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null)
    [ -z "$warnings" ] || fail "$1: man warns: $warnings"
    MANWIDTH=1000 man -l "$1" >"$text" 2>/dev/null
    grep -q '^NAME' "$text" || fail "$1: renders without a NAME section"
}

for program in "$@"; do
    name=$(basename "$program")
    page="$mandir/$name.1"
    if [ ! -f "$page" ]; then
        fail "$name has no manual page ($page)"
        continue
    fi
    renders "$page"
    help=$("$program" --help 2>&1)
    # irmas-model's commands each have their own --help.
    [ "$name" = irmas-model ] && help="$help $("$program" new --help 2>&1)"
    for option in $(printf '%s\n' "$help" | options_of); do
        grep -q -- "$option" "$text" ||
            fail "$name: --help lists $option, its manual page does not"
    done
    echo "$name: page renders and describes $(printf '%s\n' "$help" | options_of | wc -l) options"
done

# irmasd.conf(5): every setting of the file, i.e. irmasd's long options but
# those the file cannot hold.
conf="$mandir/irmasd.conf.5"
renders "$conf"
for program in "$@"; do
    [ "$(basename "$program")" = irmasd ] || continue
    for option in $("$program" --help 2>&1 | options_of); do
        setting=${option#--}
        case $setting in config|help|version|list-devices) continue ;; esac
        grep -qw -- "$setting" "$text" ||
            fail "irmasd.conf(5) does not describe the setting $setting"
    done
done

[ "$failures" -eq 0 ] || exit 1
echo "all pages render and describe every option"
