#!/bin/bash
# scripts/soak.sh: irmasd left running in real time, counted from outside.
#
#     scripts/soak.sh [MINUTES]      (default 10; fractions allowed)
#
# It renders MINUTES of cello and flute in turn (tests/daemon_clips) and a
# test model (tests/daemon_model), then runs irmasd twice on them:
#
#   file  the file backend in real time (no --fast);
#   jack  a JACK client of a dummy server of its own (jackd -d dummy under a
#         unique server name), fed the same file by tests/jack_play.
#
# An OSC receiver (oscdump, liblo-tools) writes down every message; irmasd's
# resident memory is read from /proc every 2 s; its last statistics line
# (printed when it stops; see daemon/daemon_stats.c) gives the windows it made, the
# frames overrun, xruns when it counts them, and the latency of the last
# 4096 windows. For each run it prints windows expected, received and lost,
# overruns and xruns, memory at the start (a quarter into the run and at
# least 10 s, once warmed up) and the end, and the latency median and p99.
#
# Expected windows: the file backend makes one per hop that fits in the
# file, floor((length - window) / hop) + 1, the length chosen so the last
# window ends half a hop before the file does. Under JACK irmasd also
# classifies the silence before and after the file, so every window it
# made must arrive, and at least as many windows as the file holds must be
# classified (not silence): fewer means audio went missing.
#
# The dummy server runs synchronously with a long client timeout, so a
# loaded machine slows its clock rather than skipping late clients: what is
# measured is irmasd, not the machine. Xruns are still reported: irmasd's
# count (every xrun in the graph) is shown, and the server's own "was not
# finished" reports for irmasd's client, which mean it was skipped, fail
# the run.
#
# It exits 0 when nothing was lost and memory stayed within 2 MiB plus 5 %
# of where it started (not judged with IRMAS_ASAN=1, an AddressSanitizer
# build, whose quarantine grows memory by itself), 1 otherwise, 77 when
# jackd, oscdump or a General MIDI soundfont is missing. The programs come
# from build/ unless IRMASD, JACK_PLAY, DAEMON_CLIPS and DAEMON_MODEL name
# them (the test suite does).
# IRMAS_SOAK_KEEP=1 keeps the scratch folder and its logs.
set -u
cd "$(dirname "$0")/.." || exit 2

minutes=${1:-10}
case $minutes in
    ''|*[!0-9.]*|*.*.*|.) echo "usage: scripts/soak.sh [MINUTES]" >&2; exit 2 ;;
esac
irmasd=${IRMASD:-build/daemon/irmasd}
jack_play=${JACK_PLAY:-build/tests/jack_play}
daemon_clips=${DAEMON_CLIPS:-build/tests/daemon_clips}
daemon_model=${DAEMON_MODEL:-build/tests/daemon_model}
hop=0.256      # seconds: 16 of the test model's 256-sample frames
rate=44100     # Hz, of the file and the dummy server
for tool in "$irmasd" "$jack_play" "$daemon_clips" "$daemon_model"; do
    [ -x "$tool" ] || { echo "soak: $tool is not built (ninja -C build)" >&2; exit 2; }
done
for tool in jackd jack_lsp oscdump; do
    command -v $tool >/dev/null ||
        { echo "soak: skipped: $tool is not installed (scripts/deps.sh)"; exit 77; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/irmas-soak-XXXXXX")
pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${IRMAS_SOAK_KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failed=0

# fail MESSAGE: says what went wrong and marks the soak failed.
fail() {
    echo "  FAIL: $*"
    failed=1
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# false after SECONDS.
wait_for() {
    local tries=$(($1 * 10)); shift
    while ! "$@"; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || return 1
        sleep 0.1
    done
}

# calc EXPRESSION: evaluates an awk expression.
calc() { awk "BEGIN { print $1 }"; }

# udp_listening PORT: whether a socket is bound to UDP PORT (IPv4).
udp_listening() {
    awk -v port=":$(printf '%04X' "$1")" 'substr($2, length($2) - 4) == port { found = 1 }
        END { exit !found }' /proc/net/udp
}

# stat_field LINE PATTERN: the number before PATTERN in a statistics line
# ("-" when the field is not there, as xruns in older versions).
stat_field() {
    local n
    n=$(printf '%s\n' "$1" | grep -oE "[0-9.]+ $2" | head -1 | cut -d' ' -f1)
    echo "${n:--}"
}

# ---- what is played

seconds=$(calc "$minutes * 60")
window=1.0     # seconds: daemon_model's default
windows=$(awk -v s="$seconds" -v w=$window -v h=$hop \
    'BEGIN { n = int((s - w) / h) + 1; if (n < 1) n = 1; print n }')
length=$(calc "$window + ($windows - 1) * $hop + $hop / 2")
segments=$(awk -v t="$length" 'BEGIN {
    for (at = 0; at < t - 1e-9; at += 5) {
        d = t - at < 5 ? t - at : 5
        printf "%s:%.6f ", (int(at / 5) % 2 ? "flute" : "cello"), d
    } }')
# shellcheck disable=SC2086
"$daemon_clips" "$dir/soak.wav" $rate 1 $segments 2>"$dir/clips.err"
status=$?
if [ $status -eq 77 ]; then echo "soak: skipped: $(cat "$dir/clips.err")"; exit 77; fi
[ $status -eq 0 ] || { cat "$dir/clips.err" >&2; exit 1; }
"$daemon_model" "$dir/model.irm" 16000 cello,flute || exit 1
echo "soak: $length s of audio ($minutes min), hop $hop s, $windows windows in the file"

# ---- running irmasd, watched

# start_receiver NAME: oscdump on a free UDP port, writing to NAME.osc; sets
# port.
start_receiver() {
    port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    oscdump -L "$port" >"$dir/$1.osc" 2>"$dir/$1.oscdump.err" &
    pids="$pids $!"
    wait_for 10 udp_listening "$port" || { echo "soak: oscdump did not listen" >&2; exit 1; }
}

# sample_rss PID NAME: appends PID's resident memory in KiB to NAME.rss
# every 2 s while it runs.
sample_rss() {
    while [ -e "/proc/$1/status" ]; do
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" >>"$dir/$2.rss" 2>/dev/null
        sleep 2
    done
}

# report NAME SENT_EXPECTED CLASSIFIED_EXPECTED SERVER_XRUNS: reads NAME's
# logs and prints the figures, failing on loss, overruns, a server that
# skipped irmasd, or growth. irmasd's own xrun count is reported, not failed
# on: JACK calls every client's xrun callback when any part of the graph
# (the dummy driver on a loaded machine, say) runs late, whether or not
# irmasd's audio was lost; lost audio shows in the windows and overruns.
report() {
    local name=$1 expected=$2 least=$3 server_xruns=$4
    local line received classified made overrun xruns sendfail median p99
    line=$(grep -E "[0-9]+ windows \(" "$dir/$name.err" | tail -1)
    received=$(grep -cE " /irmas/(probs|silence) " "$dir/$name.osc")
    classified=$(grep -cE " /irmas/probs " "$dir/$name.osc")
    made=$(stat_field "$line" "windows")
    overrun=$(stat_field "$line" "frames overrun")
    xruns=$(stat_field "$line" "xruns?")
    sendfail=$(stat_field "$line" "failed")
    median=$(stat_field "$line" "ms, p99")
    p99=$(printf '%s\n' "$line" | grep -oE "p99 [0-9.]+ ms" | cut -d' ' -f2)
    [ -n "$expected" ] || expected=$made
    echo "soak $name:"
    echo "  windows: expected $expected, made by irmasd $made, received $received" \
         "($classified classified, at least $least expected), lost $((expected - received))"
    echo "  overrun frames $overrun, xruns $xruns (irmasd) $server_xruns (server)," \
         "failed sends $sendfail"
    [ -n "$line" ] || fail "no statistics line from irmasd"
    [ "$received" -eq "$expected" ] || fail "$((expected - received)) windows lost"
    [ "$classified" -ge "$least" ] || fail "$((least - classified)) windows of audio missing"
    [ "$overrun" = 0 ] || fail "$overrun frames overrun"
    case $server_xruns in -|0) ;; *) fail "the server skipped irmasd $server_xruns times" ;; esac
    [ "$sendfail" = 0 ] || fail "$sendfail sends failed"
    local samples start end
    local first warm
    samples=$(wc -l <"$dir/$name.rss")
    [ "$samples" -gt 0 ] || { fail "no memory samples"; return; }
    warm=$((samples / 4 > 5 ? samples / 4 : 5)) # a quarter in, at least 10 s
    [ "$warm" -lt "$samples" ] || warm=$((samples - 1))
    first=$(head -1 "$dir/$name.rss")
    start=$(sed -n "$((warm + 1))p" "$dir/$name.rss")
    end=$(tail -1 "$dir/$name.rss")
    echo "  RSS: start $start KiB ($((warm * 2)) s in; $first KiB at launch)," \
         "end $end KiB ($samples samples, 2 s apart)"
    if [ "${IRMAS_ASAN:-0}" = 1 ]; then
        # AddressSanitizer keeps freed blocks in its quarantine and gives
        # each allocation fresh memory, so resident memory grows with
        # every free; LeakSanitizer judges leaks at exit instead.
        echo "  RSS growth not judged: an AddressSanitizer build"
    elif [ "$end" -gt $((start + 2048 + start / 20)) ]; then
        fail "resident memory grew by $((end - start)) KiB"
    fi
    echo "  latency: median ${median:--} ms, p99 ${p99:--} ms"
}

# The file backend in real time: irmasd exits at the end of the file.
start_receiver file
"$irmasd" --input "$dir/soak.wav" --hop $hop --model "$dir/model.irm" \
    --log-interval 0 --osc "osc.udp://127.0.0.1:$port" >/dev/null 2>"$dir/file.err" &
daemon=$!
sample_rss $daemon file &
wait $daemon || fail "irmasd exited with status $? (see $dir/file.err)"
sleep 1 # the last bundles reach oscdump
report file "$windows" "$windows" "-"

# JACK: a dummy server of its own, irmasd as its client, jack_play feeding
# it the file; irmasd is stopped a second after the file has played.
export JACK_DEFAULT_SERVER="irmas-soak-$$" JACK_NO_AUDIO_RESERVATION=1
jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -S -t 2000 -d dummy -r $rate -p 512 \
    >"$dir/jackd.out" 2>"$dir/jackd.err" &
pids="$pids $!"
wait_for 15 jack_lsp >/dev/null 2>&1 || { echo "soak: jackd did not start" >&2; exit 1; }
start_receiver jack
client="irmasd-soak-$$" # not the server's name: jack2 names sockets after both
"$irmasd" --client-name "$client" --channels 1 --hop $hop --model "$dir/model.irm" \
    --log-interval 0 --osc "osc.udp://127.0.0.1:$port" >/dev/null 2>"$dir/jack.err" &
daemon=$!
pids="$pids $daemon"
sample_rss $daemon jack &
jack_port_there() { jack_lsp 2>/dev/null | grep -qx "$client:in_1"; }
wait_for 15 jack_port_there || { cat "$dir/jack.err" >&2; echo "soak: irmasd did not join" >&2; exit 1; }
"$jack_play" "$dir/soak.wav" "$client:in_1" 2>"$dir/jack_play.err" ||
    fail "jack_play failed: $(cat "$dir/jack_play.err")"
sleep 1
kill -TERM $daemon
wait $daemon || fail "irmasd exited with status $? (see $dir/jack.err)"
sleep 1
server_xruns=$(grep -c "client = $client was not finished" "$dir/jackd.err")
report jack "" "$windows" "$server_xruns"

[ $failed -eq 0 ] && echo "soak: nothing lost" || echo "soak: FAILED"
exit $failed
