#!/usr/bin/python3
"""daemon_e2e.py: irmasd end to end, as a user meets it.

Each case is one meson test (`daemon_e2e.py CASE`). The cases run the real
programs: jackd with the dummy backend under a server name of their own,
irmasd, jack_play feeding it rendered clips, oscdump (liblo-tools) receiving
on 127.0.0.1, irmas-view inside tmux. The clips come from daemon_clips
(General MIDI cello and flute), the model from daemon_model (weights set by
hand to tell the two apart), so the top class must follow the instrument.
The image-models case makes untrained models of the other shapes (CNN,
CRNN, statistics baseline) with irmas-model new, and runs irmas-tag and
irmas-eval on them too.

Every wait has a deadline, every process is stopped when the case ends
(pass, fail or exception), and nothing asserts how fast anything ran: a
figure that depends on the machine belongs in bench/. Exit status 77 means
skipped, with the reason printed. IRMAS_TEST_KEEP=1 keeps the scratch folder
(logs, clips, oscdump output) for a look afterwards.
"""
import array
import csv
import fcntl
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import wave

SKIP = 77
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ from Python 3.10 on
HOP = 0.256  # seconds: 16 of the model's 256-sample frames
WINDOW = 1.0  # seconds: daemon_model's default
IMAGE_RATE = 8000  # Hz, and seconds a window, of the image-models case's
IMAGE_WINDOW = 0.5  # models: small, so the case stays quick

# The image-models case's models: what irmas-model new is asked for, what
# irmasd's start-up line says the model reads, and what irmas-tag says. The
# frames (128 raw samples, a 256-sample logmel hop) divide HOP at IMAGE_RATE,
# so every model runs at HOP exactly. 72 pixels is the least B1 fits in.
IMAGE_MODELS = [
    ("cnn-b1", ["--arch", "cnn-b1", "--image", "mrp", "--image-size", "72"],
     "72x72 mrp images (3 channels)"),
    ("crnn-b1", ["--arch", "crnn-b1", "--image", "stack", "--image-size", "72",
                 "--frontend", "raw", "--frame", "128"],
     "72x72 stack images (1 channel) and raw frames (128 features)"),
    ("stats", ["--arch", "stats", "--frontend", "logmel", "--fft", "512",
               "--hop", "256", "--mels", "40"],
     "logmel frames (40 features)"),
]


class Skip(Exception):
    pass


def tool(name):
    return os.environ[name]


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def holds_port(pid, port, kind):
    """True when process pid has a socket bound to port (IPv4 or IPv6),
    read from /proc: another process on that port does not count."""
    proto = "udp" if kind == socket.SOCK_DGRAM else "tcp"
    bound = set()
    for table in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        try:
            with open(table) as f:
                rows = f.readlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                bound.add(f"socket:[{fields[9]}]")
    fds = f"/proc/{pid}/fd"
    try:
        links = [os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds)]
    except OSError:
        return False
    return any(link in bound for link in links)


class TmuxProcess:
    """A program run in a terminal, as a user runs it: a detached tmux
    session of the given size. Gives its pid and, once it has exited, its
    status (poll, wait, send_signal, kill, as Popen's), and the screen."""

    def __init__(self, case, name, args, width=100, height=24):
        self.name = name
        self.session = f"{name}-{os.getpid()}"
        self.status = case.path(name + ".status")
        pid = case.path(name + ".pid")
        # sh writes its pid and becomes the program, which keeps the
        # terminal; the session's shell then writes its status.
        program = " ".join(shlex.quote(a) for a in args)
        shell = (f"sh -c 'echo $$ >{pid}; exec \"$0\" \"$@\"' {program} "
                 f"2>{case.path(name + '.err')}; echo $? >{self.status}")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session,
                        "-x", str(width), "-y", str(height), shell],
                       check=True, env=case.env)
        case.sessions.append(self.session)
        wait_for(f"{name} to start",
                 lambda: os.path.exists(pid) and open(pid).read().strip(), 10)
        self.pid = int(open(pid).read())

    def poll(self):
        if not os.path.exists(self.status):
            return None
        text = open(self.status).read().strip()
        return int(text) if text else None

    def wait(self, timeout):
        try:
            wait_for(f"{self.name} to exit", lambda: self.poll() is not None,
                     timeout)
        except AssertionError as e:
            raise subprocess.TimeoutExpired(self.name, timeout) from e
        return self.poll()

    def send_signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def tmux(self, command, *args):
        subprocess.run(["tmux", command, "-t", self.session, *args], check=True)


class Case:
    """A scratch folder and the processes started in it, all stopped at
    the end."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"irmasd-{name}-")
        self.procs = []
        self.oscdumps = {}
        self.sessions = []
        self.env = dict(os.environ, JACK_DEFAULT_SERVER=f"irmas-test-{os.getpid()}",
                        JACK_NO_AUDIO_RESERVATION="1")
        # jack2 names a client's notification socket after the client
        # alone, so a client name shared with a test running at the same
        # time (another build's suite) would take each other's socket.
        self.client = f"irmasd-{os.getpid()}"

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, name, args, **kw):
        out = open(self.path(name + ".out"), "w")
        err = open(self.path(name + ".err"), "w")
        p = subprocess.Popen(args, stdout=out, stderr=err, env=self.env,
                             stdin=subprocess.DEVNULL, **kw)
        p.name = name
        self.procs.append(p)
        return p

    def run(self, args, timeout=30):
        return subprocess.run(args, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def log(self, name, stream="err"):
        with open(self.path(f"{name}.{stream}")) as f:
            return f.read()

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError(f"{p.name} did not stop within {timeout} s of {sig.name}")

    def close(self, failed):
        for session in self.sessions:
            subprocess.run(["tmux", "kill-session", "-t", session],
                           capture_output=True)
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if failed:
            for name in sorted(os.listdir(self.dir)):
                if name.endswith((".out", ".err")):
                    text = open(self.path(name), errors="replace").read()
                    print(f"----- {name} -----\n{text[-4000:]}")
        if os.environ.get("IRMAS_TEST_KEEP"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # The programs under test and their helpers.

    def clips(self, name, rate, channels, *segments):
        path = self.path(name)
        # Rendering is CPU-bound and slow under ASan on a loaded machine.
        r = self.run([tool("DAEMON_CLIPS"), path, str(rate), str(channels), *segments],
                     timeout=120)
        if r.returncode == SKIP:
            raise Skip(r.stderr.strip())
        assert r.returncode == 0, r.stderr
        return path

    def piano_phrase(self):
        """A 9 s piano phrase at 48 kHz (stereo WAV), rendered by irmas-synth
        from FluidR3_GM, as the plugin tests play it; its path."""
        soundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
        if not os.path.exists(soundfont):
            raise Skip(f"{soundfont} is not installed (fluid-soundfont-gm)")
        r = self.run([tool("IRMAS_SYNTH"), "--out", self.path("piano"), "--per-class",
                      "1", "--classes", "pia", "--seed", "7", "--accompaniment", "0",
                      "--augment", "none", "--seconds", "9", "--excerpts", "1",
                      "--rate", "48000", "--soundfont", soundfont], timeout=120)
        assert r.returncode == 0, r.stderr
        folder = self.path("piano/pia")
        return os.path.join(folder, os.listdir(folder)[0])

    def model(self, name, rate=16000, labels="cello,flute"):
        path = self.path(name)
        r = self.run([tool("DAEMON_MODEL"), path, str(rate), labels])
        assert r.returncode == 0, r.stderr
        return path

    def new_model(self, name, *args, labels="cello,flute"):
        """An untrained model from irmas-model new: random weights, so
        which class wins means nothing."""
        path = self.path(name)
        r = self.run([tool("IRMAS_MODEL"), "new", *args, "--rate", str(IMAGE_RATE),
                      "--window", str(IMAGE_WINDOW), "--classes", labels, "--out", path])
        assert r.returncode == 0, r.stderr
        return path

    def listen(self, name, command, kind=socket.SOCK_DGRAM, timeout=10,
               start=None, refused=None):
        """Starts command(port) on a free port, named name.format(port=port),
        and returns the port and the process once the process holds it. A
        port found free can be taken by another program's socket before the
        listener binds it (every liblo sender binds one), and the listener
        then exits, or, where refused(name) says so from what it printed,
        carries on without it: it is stopped and started again on another.
        start(name, args) starts it (default: self.start); it returns a
        process with pid and poll() as Popen's."""
        start = start or self.start
        for _ in range(5):
            port = free_port(kind)
            named = name.format(port=port)
            p = start(named, command(port))

            def settled():
                if p.poll() is not None or (refused and refused(named)):
                    return "gave up"
                return "listening" if holds_port(p.pid, port, kind) else None
            if wait_for(f"{named} to listen or give up", settled,
                        timeout) == "listening":
                return port, p
            if p.poll() is None:
                self.stop(p)
        raise AssertionError(f"{name} found no free port in 5 tries: "
                             + self.log(named))

    def oscdump(self, proto="udp"):
        """oscdump on a free port (listen); returns the port, its process
        is self.oscdumps[port]."""
        kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
        port, p = self.listen(
            "oscdump-{port}",
            lambda port: ["oscdump", "-L",
                          str(port) if proto == "udp" else f"osc.tcp://:{port}"],
            kind)
        self.oscdumps[port] = p
        return port

    def irmasd(self, *args, name="irmasd"):
        return self.start(name, [tool("IRMASD"), *args])

    def jackd(self, rate=44100, captures=2, synchronous=True):
        if not shutil.which("jackd"):
            raise Skip("jackd is not installed (apt-get install jackd2)")
        # Synchronous (-S), waiting up to 2 s (-t) for a late client: on a
        # loaded machine the dummy server's clock slows down instead of
        # skipping clients that have not run yet, which loses their audio.
        # Asynchronous, it skips them as a server with a real device must.
        mode = ["-S", "-t", "2000"] if synchronous else []
        p = self.start("jackd", ["jackd", "--no-realtime", *mode,
                                 "-n", self.env["JACK_DEFAULT_SERVER"], "-d",
                                 "dummy", "-r", str(rate), "-p", "512",
                                 "-C", str(captures)])
        wait_for("jackd to start", lambda: self.jack_ports(), 15)
        return p

    def jack_ports(self):
        try:
            r = self.run(["jack_lsp"], timeout=5)
        except subprocess.TimeoutExpired:  # a busy server: ask again
            return []
        return r.stdout.split() if r.returncode == 0 else []


def osc_lines(case, port):
    """oscdump's lines: (timetag seconds, path, types, [args])."""
    out = []
    for line in case.log(f"oscdump-{port}", "out").splitlines():
        m = re.match(r"([0-9a-f]{8})\.([0-9a-f]{8}) (\S+) (\S*) ?(.*)$", line)
        if not m:
            continue
        tag = int(m[1], 16) + int(m[2], 16) / 2**32
        args = re.findall(r'"[^"]*"|\S+', m[5])
        out.append((tag, m[3], m[4], [a.strip('"') for a in args]))
    return out


def windows(lines):
    """One (timetag, top label or None for silence, probs) per window
    bundle, in the order they came."""
    result = []
    for i, (tag, path, types, args) in enumerate(lines):
        if path == "/irmas/silence":
            result.append((tag, None, []))
        elif path == "/irmas/probs":
            top = next(a for t, p, _, a in lines[i:] if p == "/irmas/top" and t == tag)
            result.append((tag, top[0], [float(a) for a in args]))
    return result


def assert_distributions(wins, classes=2):
    for tag, top, probs in wins:
        if top is None:
            continue
        assert len(probs) == classes, probs
        assert abs(sum(probs) - 1) < 1e-3, f"probabilities sum to {sum(probs)}"
        assert all(0 <= p <= 1 for p in probs), probs


def runs(labels, shortest=3):
    """The labels with repeats collapsed, ignoring runs shorter than
    shortest (windows that straddle two instruments)."""
    out = []
    i = 0
    while i < len(labels):
        j = i
        while j < len(labels) and labels[j] == labels[i]:
            j += 1
        if j - i >= shortest and (not out or out[-1] != labels[i]):
            out.append(labels[i])
        i = j
    return out


def final_stats(case, name):
    """The last statistics line's windows, bundles sent and failed: the
    final one, which comes once every queue has drained."""
    found = re.findall(r"(\d+) windows \(\d+ silent\), (\d+) bundles sent, (\d+) failed",
                       case.log(name))
    assert found, case.log(name)
    return tuple(int(n) for n in found[-1])


def expected_label(k, segments, window=WINDOW):
    """The segment window k lies in whole, or '' when it straddles two."""
    start, end, t = k * HOP, k * HOP + window, 0.0
    for kind, seconds in segments:
        if t <= start and end <= t + seconds + 1e-9:
            return kind
        t += seconds
    return ""


def segment_args(segments):
    return [f"{kind}:{seconds}" for kind, seconds in segments]


# ---------------------------------------------------------------- the cases

def case_file(case):
    """The file backend as fast as it goes, settings from --config: every
    window arrives, in order, each a distribution; the top class is the
    instrument playing; silence is reported as such."""
    segments = [("cello", 3), ("flute", 3), ("silence", 1.5), ("cello", 2.5)]
    wav = case.clips("clips.wav", 44100, 2, *segment_args(segments))
    model = case.model("model.irm")
    port = case.oscdump()
    config = case.path("irmasd.conf")
    with open(config, "w") as f:
        f.write(f"# set by the test\nhop = {HOP}\nprint = yes\n"
                f"osc = osc.udp://127.0.0.1:{port}\n")
    d = case.irmasd("--config", config, "--input", wav, "--fast", "--model", model)
    assert d.wait(60) == 0, case.log("irmasd")

    total = sum(s for _, s in segments)
    expected = int((total - WINDOW) / HOP + 1e-9) + 1
    wait_for("every window at oscdump",
             lambda: len(windows(osc_lines(case, port))) >= expected, 10)
    lines = osc_lines(case, port)
    wins = windows(lines)
    assert len(wins) == expected, f"{len(wins)} windows, expected {expected}"
    assert_distributions(wins)
    tags = [w[0] for w in wins]
    assert tags == sorted(tags), "timetags out of order"
    assert any(p == "/irmas/classes" and a == ["cello", "flute"] for _, p, _, a in lines)
    assert sum(p == "/irmas/class/flute" for _, p, _, _ in lines) == \
        sum(top is not None for _, top, _ in wins)
    for k, (_, top, _) in enumerate(wins):
        want = expected_label(k, segments)
        if want:
            assert top == (None if want == "silence" else want), \
                f"window {k} ({k * HOP:.2f} s): {top}, expected {want}"
    assert final_stats(case, "irmasd")[:2] == (expected, expected), case.log("irmasd")
    printed = case.log("irmasd", "out").splitlines()
    assert len(printed) == len(wins), f"{len(printed)} lines printed"
    assert "silence" in "".join(printed) and re.search(r"cello +\d\.\d\d", printed[0]), printed[0]
    # The 44.1 kHz file goes to the 16 kHz model through the resampler,
    # and the start-up line says so.
    assert "the input's 44100 Hz converted to 16000 Hz" in case.log("irmasd"), \
        case.log("irmasd")


def case_jack(case):
    """irmasd as a JACK client of a dummy server at 44.1 kHz (the model runs
    at 16 kHz), fed by jack_play: bundles come a hop of audio apart, each a
    distribution, and the top class follows the instrument; SIGUSR1 logs the
    figures; SIGTERM stops it cleanly."""
    case.jackd(44100)
    segments = [("cello", 3), ("flute", 3), ("cello", 3), ("flute", 3)]
    wav = case.clips("clips.wav", 44100, 1, *segment_args(segments))
    model = case.model("model.irm")
    port = case.oscdump()
    d = case.irmasd("--client-name", case.client, "--channels", "1",
                    "--passthrough", "--hop", str(HOP), "--model", model,
                    "--osc", f"osc.udp://127.0.0.1:{port}")
    wait_for("irmasd's JACK ports", lambda: f"{case.client}:in_1" in case.jack_ports(), 15)
    assert f"{case.client}:out_1" in case.jack_ports()
    player = case.start("jack_play", [tool("JACK_PLAY"), wav, f"{case.client}:in_1"])
    assert player.wait(60) == 0, case.log("jack_play")
    # Windows follow the instrument; an xrun that lost audio (frequent on a
    # loaded machine) restarts the windows after it, so how many come varies.
    wait_for("windows of all four segments",
             lambda: runs([w[1] for w in windows(osc_lines(case, port)) if w[1]])
             == ["cello", "flute", "cello", "flute"], 10)
    d.send_signal(signal.SIGUSR1)
    wait_for("the statistics line", lambda: "latency median" in case.log("irmasd"), 10)
    assert case.stop(d) == 0, case.log("irmasd")

    wins = windows(osc_lines(case, port))
    assert_distributions(wins)
    # A hop apart in audio: the 12 s played give at least 40 classified
    # windows (waited for above; half as many with twice the hop). How far
    # apart their timetags are in wall-clock time is not asserted: a loaded
    # machine slows the dummy server's clock and makes it skip late clients.
    tags = [tag for tag, _, _ in wins]
    assert tags == sorted(tags), "window timetags out of order"
    tops = [top for _, top, _ in wins if top]
    assert runs(tops) == ["cello", "flute", "cello", "flute"], runs(tops)
    assert re.search(r"\d+ windows .* 0 frames overrun", case.log("irmasd"))


def case_jack_restart(case):
    """The JACK server goes away and comes back: irmasd says so, keeps
    running, and classifies again once it has reconnected; a --connect port
    the new server lacks is reported once and does not keep irmasd away."""
    jackd = case.jackd(48000)
    wav = case.clips("clips.wav", 48000, 1, "flute:2")
    model = case.model("model.irm")
    port = case.oscdump()
    d = case.irmasd("--client-name", case.client, "--channels", "1",
                    "--connect", "system:capture_2",
                    "--hop", str(HOP), "--model", model, "--osc",
                    f"osc.udp://127.0.0.1:{port}")
    # Stopped while irmasd is still activating, the server would fail
    # irmasd's start-up instead; this tests a server lost while running.
    wait_for("irmasd to listen", lambda: "listening:" in case.log("irmasd"), 15)
    case.stop(jackd)
    wait_for("irmasd to notice", lambda: "went away" in case.log("irmasd"), 15)
    assert d.poll() is None, "irmasd stopped with the server"
    case.procs.remove(jackd)
    case.jackd(48000, captures=1)
    wait_for("irmasd to reconnect", lambda: "is back" in case.log("irmasd"), 20)
    # The missing port is reported just after "is back", once.
    missing = "--connect system:capture_2: cannot connect"
    wait_for("the missing port reported", lambda: missing in case.log("irmasd"), 10)
    wait_for("irmasd's JACK ports", lambda: f"{case.client}:in_1" in case.jack_ports(), 15)
    player = case.start("jack_play", [tool("JACK_PLAY"), wav, f"{case.client}:in_1"])
    assert player.wait(30) == 0, case.log("jack_play")
    wait_for("a flute window after the restart",
             lambda: any(w[1] == "flute" for w in windows(osc_lines(case, port))), 10)
    assert case.log("irmasd").count(missing) == 1, case.log("irmasd")
    assert case.stop(d) == 0


def irmasd_with_frozen_jack(case):
    """irmasd capturing from a JACK server that is then frozen (SIGSTOP);
    the caller lets it run again (SIGCONT). Returns (jackd, irmasd)."""
    jackd = case.jackd(48000)
    model = case.model("model.irm")
    d = case.irmasd("--client-name", case.client, "--channels", "1",
                    "--model", model)
    # Ports exist before the client is active; "listening" comes after
    # jack_activate. Frozen in the middle of a request, the server would
    # hold irmasd there until it ran again, which is not what is tested.
    wait_for("irmasd to listen", lambda: "listening:" in case.log("irmasd"), 15)
    jackd.send_signal(signal.SIGSTOP)
    return jackd, d


def case_jack_stall(case):
    """The JACK server stops cycling without closing its sockets (frozen
    with SIGSTOP): irmasd notices from the missing process cycles, keeps
    running, and reconnects once the server runs again."""
    jackd, d = irmasd_with_frozen_jack(case)
    try:
        wait_for("irmasd to notice the stall",
                 lambda: "no process cycle" in case.log("irmasd"), 30)
        assert d.poll() is None, "irmasd stopped with the server"
    finally:
        jackd.send_signal(signal.SIGCONT)
    wait_for("irmasd to reconnect", lambda: "is back" in case.log("irmasd"), 30)
    assert case.stop(d) == 0


def case_jack_frozen_exit(case):
    """SIGTERM while the JACK server is frozen (SIGSTOP): irmasd still stops
    within seconds, with its statistics line, leaving its client to the
    frozen server instead of waiting on it (it used to wait over 20 s)."""
    jackd, d = irmasd_with_frozen_jack(case)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert case.stop(d, timeout=10) == 0, case.log("irmasd")
        took = time.monotonic() - started
    finally:
        jackd.send_signal(signal.SIGCONT)
    # The server, running again, drops the client irmasd left it, or, when
    # it was frozen in the middle of a cycle waiting for that client, gives
    # up after its own 20 s timeout and stops its driver ("Driver is not
    # running"; jackd's state, which no client can change). Either way it
    # must then stop on SIGTERM by itself: killed, it would leave its entry
    # in JACK's shared registry, which holds few servers. Its exit status
    # is jackd's business: 1 when its driver had stopped.
    def settled():
        if "Driver is not running" in case.log("jackd"):
            return True
        ports = case.jack_ports()  # [] while the server does not answer
        return ports and not any(p.startswith(case.client + ":") for p in ports)
    wait_for("the server to drop irmasd's client or give up on it", settled, 60)
    assert case.stop(jackd, timeout=60) >= 0, case.log("jackd")
    log = case.log("irmasd")
    assert "windows" in log.splitlines()[-2] + log.splitlines()[-1], log
    assert "leaves its client behind" in log, log
    print(f"stopped {took:.1f} s after SIGTERM with the server frozen")


def case_jack_xrun(case):
    """irmasd frozen for a moment (SIGSTOP) misses JACK cycles: the xruns
    and the frames missed are counted in the statistics line, no window
    spans the gap, and no latency is negative. The server runs on while
    irmasd is frozen, as one with a sound card does."""
    case.jackd(48000, synchronous=False)
    model = case.model("model.irm")
    port = case.oscdump()
    d = case.irmasd("--client-name", case.client, "--channels", "1", "--log-interval",
                    "1", "--hop", str(HOP), "--model", model,
                    "--osc", f"osc.udp://127.0.0.1:{port}")
    wait_for("windows", lambda: len(windows(osc_lines(case, port))) >= 3, 20)

    def counts():
        found = re.findall(r"(\d+) xruns \((\d+) frames missed\)", case.log("irmasd"))
        return tuple(map(int, found[-1])) if found else (0, 0)
    # A loaded machine may already have made irmasd late for a cycle or two;
    # the stop's own are counted on top of those.
    xruns_before, frames_before = counts()
    d.send_signal(signal.SIGSTOP)
    time.sleep(1)  # not a measurement: long enough to miss many cycles
    d.send_signal(signal.SIGCONT)

    # The stop lasted a second; the cycles of at least half of it are missed
    # whatever the load.
    def missed():
        xruns, frames = counts()
        return frames - frames_before >= 24000 and (xruns, frames)
    try:
        xruns, frames = wait_for("half a second of frames missed in the statistics",
                                 missed, 30)
    except AssertionError:
        raise AssertionError(f"before the stop {xruns_before} xruns, {frames_before} "
                             f"frames missed; after it {counts()}")
    gap = (frames - frames_before) / 48000
    print(f"{xruns - xruns_before} xruns, {frames - frames_before} frames missed "
          f"({gap:.2f} s)")
    # The windows start again after the gap: the first after it ends a whole
    # window after the audio resumed, not a hop after the last one before.
    wait_for("windows after the gap",
             lambda: gap_in(windows(osc_lines(case, port))), 20)
    assert case.stop(d) == 0, case.log("irmasd")
    latencies = re.findall(r"latency median (-?[\d.]+) ms, p99 (-?[\d.]+) ms", case.log("irmasd"))
    assert all(float(v) >= 0 for pair in latencies for v in pair), latencies


def gap_in(wins):
    """Whether two windows in a row are half a second (the least the stop
    above loses) and a whole window apart. Windows a hop apart follow each
    other; a hop and the gap apart, one spans it (the stop's second plus a
    hop is less, unless the machine overslept by a quarter of a second)."""
    tags = [w[0] for w in wins]
    return any(b - a >= 0.5 + WINDOW for a, b in zip(tags, tags[1:]))


def portaudio_jack_device(case):
    r = case.run([tool("IRMASD"), "--backend", "portaudio", "--list-devices"])
    for line in r.stdout.splitlines():
        m = re.match(r"[ *]\s*(\d+)\s+(.*)\s+\(JACK Audio Connection Kit", line)
        if m:
            return m[1]
    raise Skip("this PortAudio has no JACK host API (devices: "
               + (r.stdout.strip() or r.stderr.strip()) + ")")


def case_portaudio(case):
    """The PortAudio backend through PortAudio's JACK host API."""
    case.jackd(44100)
    device = portaudio_jack_device(case)
    wav = case.clips("clips.wav", 44100, 1, "cello:3", "flute:3")
    model = case.model("model.irm")
    port = case.oscdump()
    before = set(case.jack_ports())
    d = case.irmasd("--backend", "portaudio", "--device", device, "--channels", "1",
                    "--hop", str(HOP), "--model", model, "--osc",
                    f"osc.udp://127.0.0.1:{port}")
    inputs = wait_for("PortAudio's JACK input port",
                      lambda: [p for p in set(case.jack_ports()) - before if "in" in p], 15)
    player = case.start("jack_play", [tool("JACK_PLAY"), wav, sorted(inputs)[0]])
    assert player.wait(30) == 0, case.log("jack_play")
    # Silent windows come before the player starts: wait for the instruments.
    wait_for("windows of both instruments",
             lambda: runs([w[1] for w in windows(osc_lines(case, port)) if w[1]])
             == ["cello", "flute"], 15)
    assert case.stop(d) == 0, case.log("irmasd")
    wins = windows(osc_lines(case, port))
    assert_distributions(wins)
    assert runs([top for _, top, _ in wins if top]) == ["cello", "flute"]


def case_reload(case):
    """SIGHUP: a corrupt model, and a FIFO in its place, are refused and the
    old one keeps running; a good one at another rate and with other labels
    takes over, and windows keep coming a hop apart."""
    wav = case.clips("clips.wav", 44100, 1, *segment_args([("cello", 2), ("flute", 2)] * 4))
    model = case.model("model.irm")
    port = case.oscdump()
    d = case.irmasd("--input", wav, "--hop", str(HOP), "--model", model, "--osc",
                    f"osc.udp://127.0.0.1:{port}")
    wait_for("the first windows", lambda: len(windows(osc_lines(case, port))) >= 2, 15)

    good = open(model, "rb").read()
    with open(model + ".tmp", "wb") as f:
        f.write(good[: len(good) // 2])
    os.replace(model + ".tmp", model)
    d.send_signal(signal.SIGHUP)
    wait_for("the refusal", lambda: "keeps running" in case.log("irmasd"), 10)
    seen = len(windows(osc_lines(case, port)))
    wait_for("windows from the old model", lambda: len(windows(osc_lines(case, port))) > seen + 2, 10)
    assert d.poll() is None

    # A FIFO at the model's path: opening it would wait for a writer forever.
    fifo = case.path("fifo")
    os.mkfifo(fifo)
    os.replace(fifo, model)
    d.send_signal(signal.SIGHUP)
    wait_for("the FIFO refused", lambda: "is not a regular file" in case.log("irmasd"), 10)
    seen = len(windows(osc_lines(case, port)))
    wait_for("windows after the FIFO", lambda: len(windows(osc_lines(case, port))) > seen + 2, 10)
    os.unlink(model)

    other = case.model("other.irm", 22050, "low,high")
    os.replace(other, model)
    d.send_signal(signal.SIGHUP)
    wait_for("the new labels", lambda: any(w[1] in ("low", "high")
                                           for w in windows(osc_lines(case, port))), 10)
    assert case.stop(d) == 0, case.log("irmasd")
    lines = osc_lines(case, port)
    assert any(p == "/irmas/classes" and a == ["low", "high"] for _, p, _, a in lines)
    wins = windows(lines)
    assert_distributions(wins)
    gaps = [b[0] - a[0] for a, b in zip(wins, wins[1:])]
    assert max(gaps) < 2.5 * HOP, f"a gap of {max(gaps):.2f} s between windows"


def case_targets(case):
    """Targets that refuse (TCP to a closed port, UDP to nobody) or go away
    (a TCP receiver that quits) do not stop irmasd or the other targets."""
    wav = case.clips("clips.wav", 44100, 1, "cello:2", "flute:2")
    model = case.model("model.irm")
    nobody, closed = free_port(), free_port(socket.SOCK_STREAM)
    port, tcp = case.oscdump(), case.oscdump("tcp")
    leaving = case.oscdumps[tcp]
    d = case.irmasd("--input", wav, "--hop", str(HOP), "--model", model,
                    "--osc", f"osc.tcp://127.0.0.1:{closed}",
                    "--osc", f"osc.udp://127.0.0.1:{nobody}",
                    "--osc", f"osc.tcp://127.0.0.1:{tcp}",
                    "--osc", f"osc.udp://127.0.0.1:{port}")
    wait_for("windows at the TCP receiver",
             lambda: windows(osc_lines(case, tcp)), 15)
    case.stop(leaving)
    assert d.wait(30) == 0, case.log("irmasd")
    log = case.log("irmasd")
    assert f"osc.tcp://127.0.0.1:{closed}: cannot send" in log, log
    wins = windows(osc_lines(case, port))
    assert len(wins) == int((4 - WINDOW) / HOP) + 1 or len(wins) == int((4 - WINDOW) / HOP), len(wins)


def case_stuck_target(case):
    """A receiver that stops reading (a UNIX socket nobody reads: its
    sender blocks in the kernel, as with a TCP peer that never reads) holds
    up neither the worker with the file backend, which waits for a full
    queue only so long, nor the other target, nor SIGTERM."""
    wav = case.clips("clips.wav", 44100, 1, "cello:5", "flute:5")
    model = case.model("model.irm")
    hop = HOP / 4  # many windows, to fill the stuck target's queue
    expected = int((10 - WINDOW) / hop + 1e-9) + 1
    for run in ("ends", "term"):
        port = case.oscdump()
        stuck = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        stuck.bind(case.path(f"stuck-{run}.sock"))
        try:
            d = case.irmasd("--input", wav, "--fast", "--hop", str(hop), "--model",
                            model, "--osc", f"osc.unix://{case.path(f'stuck-{run}.sock')}",
                            "--osc", f"osc.udp://127.0.0.1:{port}", name=f"irmasd-{run}")
            if run == "ends":
                try:
                    assert d.wait(90) == 0, case.log("irmasd-ends")
                except subprocess.TimeoutExpired:
                    raise AssertionError("irmasd hung on a target that does not read")
                assert "has taken nothing" in case.log("irmasd-ends")
                windows_done, sent, failed = final_stats(case, "irmasd-ends")
                assert windows_done == expected and failed > 0, case.log("irmasd-ends")
                wait_for("every window at oscdump",
                         lambda: len(windows(osc_lines(case, port))) >= expected, 10)
                assert len(windows(osc_lines(case, port))) == expected
            else:
                wait_for("windows", lambda: windows(osc_lines(case, port)), 15)
                assert case.stop(d, timeout=30) == 0, case.log("irmasd-term")
                assert final_stats(case, "irmasd-term")
        finally:
            stuck.close()


def case_print_blocked(case):
    """--print into a pipe nobody reads: the windows keep flowing, irmasd
    ends with the input, and every line is either printed or counted as
    not printed."""
    wav = case.clips("clips.wav", 44100, 1, "cello:5", "flute:5")
    model = case.model("model.irm")
    hop = HOP / 4  # more lines than the pipe holds
    expected = int((10 - WINDOW) / hop + 1e-9) + 1
    port = case.oscdump()
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
    try:
        d = subprocess.Popen([tool("IRMASD"), "--input", wav, "--fast", "--print", "--hop",
                              str(hop), "--model", model, "--osc", f"osc.udp://127.0.0.1:{port}"],
                             stdout=write_end, stderr=open(case.path("irmasd.err"), "w"),
                             stdin=subprocess.DEVNULL, env=case.env)
        d.name = "irmasd"
        case.procs.append(d)
        os.close(write_end)
        try:
            assert d.wait(90) == 0, case.log("irmasd")
        except subprocess.TimeoutExpired:
            raise AssertionError("irmasd hung on a standard output nobody reads")
        os.set_blocking(read_end, False)
        printed = b""
        while chunk := os.read(read_end, 65536):
            printed += chunk
    finally:
        os.close(read_end)
    wait_for("every window at oscdump",
             lambda: len(windows(osc_lines(case, port))) >= expected, 10)
    assert len(windows(osc_lines(case, port))) == expected
    dropped = re.findall(r"(\d+) lines not printed", case.log("irmasd"))
    assert dropped, case.log("irmasd")
    lines = printed.decode().splitlines()
    assert int(dropped[-1]) > 0 and len(lines) + int(dropped[-1]) == expected, \
        f"{len(lines)} lines printed, {dropped[-1]} not, of {expected}"


def case_nan(case):
    """NaN samples and silence never put a NaN on the wire: NaN counts as
    0 and silence becomes /irmas/silence with a finite level."""
    segments = [("nan", 2), ("silence", 2), ("cello", 2), ("nan", 1.5)]
    wav = case.clips("clips.wav", 44100, 1, *segment_args(segments))
    model = case.model("model.irm")
    port = case.oscdump()
    d = case.irmasd("--input", wav, "--fast", "--hop", str(HOP), "--model", model,
                    "--osc", f"osc.udp://127.0.0.1:{port}")
    assert d.wait(60) == 0, case.log("irmasd")
    wait_for("the windows", lambda: len(windows(osc_lines(case, port))) >= 26, 10)
    text = case.log(f"oscdump-{port}", "out")
    assert not re.search(r"nan|inf", text, re.I), "a NaN or infinity reached the wire"
    lines = osc_lines(case, port)
    silences = [float(a[0]) for _, p, _, a in lines if p == "/irmas/silence"]
    assert silences and all(-121 <= s <= 0 for s in silences), silences
    assert_distributions(windows(lines))


def printed_times(case, name):
    """The stream times at the start of irmasd --print's lines."""
    return [float(m[1]) for line in case.log(name, "out").splitlines()
            if (m := re.match(r"\s*(\d+\.\d+) s ", line))]


def check_daemon_on(case, name, model, reads, wav, segments):
    """irmasd --fast on one model: its start-up line says what the model
    reads and that each window is computed whole; a bundle every hop, each
    a distribution, or silence where the clip is silent; a clean exit."""
    port = case.oscdump()
    log = f"irmasd-{name}"
    d = case.irmasd("--input", wav, "--fast", "--print", "--hop", str(HOP), "--model",
                    model, "--osc", f"osc.udp://127.0.0.1:{port}", name=log)
    assert d.wait(60) == 0, case.log(log)
    said = f"read as {reads}, every {HOP:.3f} s, each window computed whole"
    assert said in case.log(log), case.log(log)

    total = sum(s for _, s in segments)
    expected = int((total - IMAGE_WINDOW) / HOP + 1e-9) + 1
    wait_for(f"{name}'s windows at oscdump",
             lambda: len(windows(osc_lines(case, port))) >= expected, 10)
    lines = osc_lines(case, port)
    wins = windows(lines)
    assert len(wins) == expected, \
        f"{name}: {len(wins)} windows, expected {expected}"
    assert_distributions(wins)
    assert any(p == "/irmas/classes" and a == ["cello", "flute"] for _, p, _, a in lines)
    for k, (_, top, _) in enumerate(wins):
        want = expected_label(k, segments, IMAGE_WINDOW)
        assert not want or (top is None) == (want == "silence"), \
            f"{name}: window {k} ({k * HOP:.2f} s): {top}, expected {want}"
    times = printed_times(case, log)
    assert len(times) == len(wins), f"{name}: {len(times)} lines printed, {len(wins)} windows"
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    assert all(abs(g - HOP) < 0.011 for g in gaps), f"{name}: windows {gaps} s apart"
    assert "(null)" not in case.log(log, "out")


def check_tools_on(case, name, model, reads, clips, data):
    """irmas-tag and irmas-eval on one model: status 0, the model
    described, a distribution per window, a report whose counts add up."""
    tag = [tool("IRMAS_TAG"), "--model", model, "--hop", str(HOP), *clips]
    r = case.run(tag)
    assert r.returncode == 0 and "(null)" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert f"reads {reads}\n" in r.stdout, r.stdout
    r = case.run(tag + ["--csv"])
    assert r.returncode == 0, r.stderr
    rows = [row for row in csv.DictReader(io.StringIO(r.stdout)) if row["kind"] == "window"]
    per_clip = int((1.5 - IMAGE_WINDOW) / HOP + 1e-9) + 1
    assert len(rows) == per_clip * len(clips), f"{name}: {len(rows)} windows tagged"
    for row in rows:
        assert abs(float(row["cello"]) + float(row["flute"]) - 1) < 1e-3, row

    evaluate = [tool("IRMAS_EVAL"), "--model", model, "--data", data, "--hop", str(HOP),
                "--threads", "1"]
    r = case.run(evaluate)
    assert r.returncode == 0 and "(null)" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert f"reads {reads}\n" in r.stdout and "accuracy" in r.stdout, r.stdout
    r = case.run(evaluate + ["--json"])
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["files"] == len(clips) and report["skipped"] == 0, report
    assert report["labels"] == ["cello", "flute"], report
    decisions = per_clip * len(clips)
    assert sum(map(sum, report["confusion"])) == report["decisions"] == decisions, report
    assert 0 <= report["accuracy"] <= 1, report


def case_image_models(case):
    """The study's image models and the statistics baseline run like any
    other model: a CNN on recurrence plots, a CRNN on stacked images and the
    stats baseline, untrained (so which class wins means nothing), in
    irmasd, irmas-tag and irmas-eval; and SIGHUP swaps one shape for
    another while irmasd runs in real time, the windows still a hop apart."""
    segments = [("cello", 2), ("flute", 2), ("silence", 1), ("cello", 1)]
    wav = case.clips("clips.wav", 44100, 1, *segment_args(segments))
    clips = []
    for kind in ("cello", "flute"):
        os.makedirs(case.path(f"data/{kind}"))
        clips.append(case.clips(f"data/{kind}/{kind}.wav", 44100, 1, f"{kind}:1.5"))
    models = {}
    for name, args, reads in IMAGE_MODELS:
        models[name] = case.new_model(name + ".irm", *args)
        check_daemon_on(case, name, models[name], reads, wav, segments)
        check_tools_on(case, name, models[name], reads, clips, case.path("data"))

    live = case.path("live.irm")
    shutil.copy(models["stats"], live)
    wav = case.clips("live.wav", 44100, 1, "cello:2", "flute:2")
    port = case.oscdump()
    d = case.irmasd("--input", wav, "--hop", str(HOP), "--model", live, "--osc",
                    f"osc.udp://127.0.0.1:{port}")
    wait_for("the first windows", lambda: len(windows(osc_lines(case, port))) >= 2, 15)
    os.replace(case.new_model("cnn.irm", *IMAGE_MODELS[0][1], labels="low,high"), live)
    d.send_signal(signal.SIGHUP)
    wait_for("the CNN's labels", lambda: any(w[1] in ("low", "high")
                                             for w in windows(osc_lines(case, port))), 10)
    assert d.wait(30) == 0, case.log("irmasd")
    assert f"read as {IMAGE_MODELS[0][2]}" in case.log("irmasd"), case.log("irmasd")
    wins = windows(osc_lines(case, port))
    assert_distributions(wins)
    gaps = [b[0] - a[0] for a, b in zip(wins, wins[1:])]
    assert max(gaps) < 2.5 * HOP, f"a gap of {max(gaps):.2f} s between windows"
    assert abs(sorted(gaps)[len(gaps) // 2] - HOP) < 0.1 * HOP, gaps


def case_settings(case):
    """Settings that cannot work stop irmasd at once, with a non-zero
    status and one message that names the culprit."""
    model = case.model("model.irm")
    wav = case.clips("clips.wav", 44100, 1, "cello:1.5")
    low_rate = case.clips("low.wav", 8000, 1, "cello:1.5")
    corrupt = case.path("corrupt.irm")
    with open(corrupt, "wb") as f:
        f.write(open(model, "rb").read()[:100])
    fifo = case.path("fifo.irm")
    os.mkfifo(fifo)
    file_args = ["--input", wav, "--fast", "--model", model]
    expectations = [
        (["--hop", "soon"], 2, "--hop 'soon'"),
        (["--frobnicate"], 2, "unknown flag '--frobnicate'"),
        (file_args + ["--osc", "udp:/127.0.0.1"], 2, "not an OSC URL"),
        (file_args + ["--osc", "osc.udp://no-such-host.invalid:9000"], 1, "cannot resolve host"),
        (["--input", wav, "--model", case.path("missing.irm")], 1, "missing.irm"),
        (["--input", wav, "--model", corrupt], 1, "corrupt.irm"),
        (["--input", wav, "--model", fifo], 1, "fifo.irm is not a regular file"),
        (["--input", case.path("missing.wav"), "--model", model], 1, "missing.wav"),
        (["--input", low_rate, "--model", model], 1, "give it audio at"),
        (["--backend", "portaudio", "--device", "no such device", "--model", model], 1,
         "no input device 'no such device'"),
        (["--backend", "jack", "--model", model], 1, "cannot reach the JACK server"),
        (["--backend", "jack", "--client-name", "x" * 80, "--model", model], 1,
         "80 characters, but JACK allows"),
        (file_args + ["--osc", "osc.udp://127.0.0.1:70000"], 1, "port 70000 is out of range"),
        (file_args + ["--osc", "osc.udp://[::1]:9000"], 1, "IPv4"),
        (file_args + ["--hop", "1.5"], 1, "--hop 1.5 s is longer than the model's window"),
    ]
    for args, status, message in expectations:
        r = case.run([tool("IRMASD"), *args], timeout=30)
        assert r.returncode == status, f"{args}: status {r.returncode}, expected {status}\n{r.stderr}"
        assert message in r.stderr, f"{args}: message lacks '{message}':\n{r.stderr}"
    r = case.run([tool("IRMASD"), "--help"])
    assert r.returncode == 0 and "--osc URL" in r.stdout and "--no-incremental" not in r.stdout
    assert case.run([tool("IRMASD"), "--version"]).stdout.startswith("irmasd ")


def case_view(case):
    """irmas-view in a terminal, fed by irmasd: a bar per class, the top
    instrument named, and a warning once the bundles stop; q quits."""
    if not shutil.which("tmux"):
        raise Skip("tmux is not installed")
    wav = case.clips("clips.wav", 44100, 1, "cello:2.5")
    model = case.model("model.irm")
    port, view = case.listen(
        "view-{port}", lambda port: [tool("IRMAS_VIEW"), "--port", str(port)],
        start=lambda name, args: TmuxProcess(case, name, args))
    d = case.irmasd("--input", wav, "--hop", str(HOP), "--model", model, "--osc",
                    f"osc.udp://127.0.0.1:{port}")
    text = wait_for("bars with cello on top",
                    lambda: (lambda s: s if re.search(r"top: *cello", s) else None)(
                        view.screen()), 15)
    assert re.search(r"cello\s.*#{10,}", text), text
    assert re.search(r"flute\s", text), text
    assert d.wait(30) == 0
    wait_for("the no-data warning", lambda: "no data for" in view.screen(), 10)
    # Each class's recent history as a sparkline after its probability
    # (block characters in a UTF-8 terminal, an ASCII ramp otherwise).
    assert re.search(r"cello\s+#+\.*\s+\d\.\d\d\s+[\u2581-\u2588_.\-=+*#@]{3,}",
                     view.screen()), view.screen()
    # A terminal too small for every class: the header and the status line
    # stay on screen and the most probable class is shown; nothing wraps.
    view.tmux("resize-window", "-x", "30", "-y", "4")

    def small_screen():
        lines = view.screen().rstrip("\n").splitlines()
        return lines if len(lines) == 4 and "flute" not in "".join(lines) else None
    lines = wait_for("the view redrawn at 30 x 4", small_screen, 10)
    small = "\n".join(lines)
    assert lines[0].startswith("irmas-view"), small
    assert lines[2].startswith("cello"), small
    assert re.search(r"no data|windows", lines[-1]), small
    view.tmux("send-keys", "q")
    assert view.wait(10) == 0, case.log(f"view-{port}")


def case_view_idle(case):
    """irmas-view with its standard input at its end (as under a script or
    a service) and no bundles coming: it waits quietly, drawing its screen
    once, instead of polling the ended input and redrawing in a busy loop:
    less than 5 % of a core over 3 s once started (a busy loop takes about
    a whole core)."""
    port, view = case.listen("view-{port}",
                             lambda port: [tool("IRMAS_VIEW"), "--port", str(port)])

    def cpu_seconds():
        with open(f"/proc/{view.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    time.sleep(0.5)
    started = cpu_seconds()
    time.sleep(3)
    cpu = cpu_seconds() - started
    assert case.stop(view) == 0, case.log(f"view-{port}")
    screen = case.log(f"view-{port}", "out")
    frames = screen.count("\x1b[H")
    print(f"3 s idle: {cpu:.2f} s CPU, {len(screen)} bytes, {frames} screens drawn")
    assert frames == 1, f"{frames} screens drawn for an unchanging view"
    assert cpu < 0.15, f"{cpu:.2f} s of CPU in 3 s idle"


def case_examples(case):
    """The OSC receivers in examples/ as a user runs them: the Pure Data
    patch under pd -nogui and the Python receiver each print the top
    instrument of every window irmasd sends, and say silence for a quiet
    one, the same as irmasd's own --print."""
    pd = shutil.which("pd")
    if not pd:
        raise Skip("pd is not installed (Debian package puredata-core)")
    if case.run(["/usr/bin/python3", "-c", "import liblo"]).returncode != 0:
        raise Skip("pyliblo is not installed (Debian package python3-liblo)")
    examples = tool("EXAMPLES")
    segments = [("cello", 2), ("flute", 2), ("silence", 1.5)]
    wav = case.clips("clips.wav", 44100, 1, *segment_args(segments))
    model = case.model("model.irm")
    with open(os.path.join(examples, "irmas-top.pd")) as f:
        patch = f.read()
    assert "netreceive -u -b 9000" in patch, \
        "the patch no longer listens with netreceive -u -b 9000"

    def pd_on(port):
        """pd opening a copy of the patch listening on port instead of
        irmasd's default."""
        copy = case.path(f"irmas-top-{port}.pd")
        with open(copy, "w") as f:
            f.write(patch.replace("netreceive -u -b 9000", f"netreceive -u -b {port}"))
        return [pd, "-nogui", "-noaudio", "-nomidi", "-stderr", "-open", copy]
    # pd carries on when netreceive cannot have its port, and says so.
    pd_port, _ = case.listen("pd-{port}", pd_on, timeout=30,
                             refused=lambda name: "listen failed" in case.log(name))
    py_port, _ = case.listen("python-{port}", lambda port: [
        "/usr/bin/python3", os.path.join(examples, "irmas-top.py"), str(port)], timeout=30)
    wait_for("irmas-top.py to listen",
             lambda: "listening" in case.log(f"python-{py_port}"), 30)
    d = case.irmasd("--input", wav, "--fast", "--model", model, "--hop", str(HOP),
                    "--print", "--osc", f"osc.udp://127.0.0.1:{pd_port}",
                    "--osc", f"osc.udp://127.0.0.1:{py_port}")
    assert d.wait(60) == 0, case.log("irmasd")
    printed = case.log("irmasd", "out").splitlines()
    want = ["silence" if "(silence" in line else line.split()[2] for line in printed]
    assert "silence" in want and "cello" in want and "flute" in want, printed

    python, pd_log = f"python-{py_port}", f"pd-{pd_port}"

    def py_heard():
        return re.findall(r"^(\w+) (?:\d\.\d\d|-?\d+ dBFS)$",
                          case.log(python, "out"), re.M)
    wait_for("every window at irmas-top.py", lambda: len(py_heard()) >= len(want), 10)
    assert py_heard() == want, case.log(python, "out")

    def pd_heard():
        pattern = r"^(?:top: (?:list |symbol )?(\w+) [\d.e-]+|(silence): -?[\d.e-]+)$"
        return [m.group(1) or m.group(2)
                for m in re.finditer(pattern, case.log(pd_log), re.M)]
    wait_for("every window at the Pd patch", lambda: len(pd_heard()) >= len(want), 10)
    assert pd_heard() == want, case.log(pd_log)
    assert "index" not in case.log(pd_log), "the patch shows /irmas/top/index as a label"
    print(f"{len(want)} windows: irmasd --print, the Pd patch and irmas-top.py agree")


def plugin_host_env(env):
    """env for a plugin host that is not an ASan build loading one of our
    plugins that is: the ASan runtime preloaded, the host's leaks not ours."""
    if os.environ.get("PLUGIN_HOST_PRELOAD"):
        env = dict(env, LD_PRELOAD=os.environ["PLUGIN_HOST_PRELOAD"],
                   ASAN_OPTIONS="detect_leaks=0")
    return env


def case_lv2_jalv(case):
    """The LV2 plugin in jalv, a real LV2 host, on a JACK server at 48 kHz:
    a piano phrase played into its stereo pair comes out of its outputs, and
    its control outputs, at the end, rank piano first with probabilities
    that sum to 1 (jalv's "monitors" command prints them). The plugin runs
    its default, the default model, on jalv's worker thread."""
    jalv = shutil.which("jalv")
    if not jalv:
        raise Skip("jalv is not installed (Debian package jalv)")
    bundles = tool("LV2_BUNDLES")
    if not os.path.isdir(bundles):
        raise Skip("the LV2 plugin is not built (no lv2-dev)")
    stereo = case.piano_phrase()
    with wave.open(stereo) as w:
        frames = array.array("h", w.readframes(w.getnframes()))
    mono = array.array("h", ((frames[i] + frames[i + 1]) // 2
                             for i in range(0, len(frames), 2)))
    phrase = case.path("piano.wav")
    with wave.open(phrase, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(mono.tobytes())

    case.jackd(rate=48000)
    name = f"irmas-lv2-{os.getpid()}"
    out = open(case.path("jalv.out"), "w")
    err = open(case.path("jalv.err"), "w")
    host = subprocess.Popen([jalv, "-n", name, "-x", "urn:irmasd:lv2:tagger"],
                            stdin=subprocess.PIPE, stdout=out, stderr=err, text=True,
                            env=plugin_host_env(dict(case.env, LV2_PATH=bundles)))
    host.name = "jalv"
    case.procs.append(host)
    wait_for("jalv's ports", lambda: f"{name}:in" in case.jack_ports(), 30)
    assert f"{name}:out" in case.jack_ports()
    # Into both sides of its stereo pair, as from a stereo track.
    wait_for("jalv's right input", lambda: f"{name}:in_r" in case.jack_ports(), 30)
    r = case.run([tool("JACK_PLAY"), phrase, f"{name}:in", f"{name}:in_r"], timeout=120)
    assert r.returncode == 0, r.stderr
    # jalv answers "monitors" with every output's value, and quits at the
    # end of its input, writing out what it buffered.
    host.stdin.write("monitors\n")
    host.stdin.close()
    assert host.wait(30) == 0, case.log("jalv")
    values = {k: float(v) for k, v in re.findall(
        r"^>? *(\w+) = (-?[\d.]+)$", case.log("jalv", "out"), re.M)}
    labels = "cel cla flu gac gel org pia sax tru vio voi".split()
    print(f"jalv: top {values['top']:.0f}, " +
          " ".join(f"{c} {values[c]:.2f}" for c in labels))
    ranked = sorted(labels, key=lambda c: values[c], reverse=True)
    assert values["top"] == labels.index(ranked[0]), values
    assert ranked[0] == "pia", values
    assert abs(sum(values[c] for c in labels) - 1) < 1e-3, values


def osc_string(text):
    data = text.encode() + b"\0"
    return data + b"\0" * (-len(data) % 4)


def osc_encode(path, *args):
    """An OSC message: ints as i, floats as f, strings as s."""
    types = "," + "".join("i" if isinstance(a, int) else "f" if isinstance(a, float)
                          else "s" for a in args)
    body = b"".join(struct.pack(">i", a) if isinstance(a, int) else
                    struct.pack(">f", a) if isinstance(a, float) else osc_string(a)
                    for a in args)
    return osc_string(path) + osc_string(types) + body


def osc_decode(data):
    """The messages of a datagram (a bundle's, or the one it is), each as
    (path, types, [args])."""
    def string(at):
        end = data.index(b"\0", at)
        return data[at:end].decode(), end + 1 + (-(end + 1 - at) % 4)
    if data.startswith(b"#bundle\0"):
        out, at = [], 16
        while at < len(data):
            size = struct.unpack(">i", data[at:at + 4])[0]
            out += osc_decode(data[at + 4:at + 4 + size])
            at += 4 + size
        return out
    path, at = string(0)
    types, at = string(at)
    args = []
    for t in types[1:]:
        if t in "if":
            args.append(struct.unpack(">" + t, data[at:at + 4])[0])
            at += 4
        elif t == "d":
            args.append(struct.unpack(">d", data[at:at + 8])[0])
            at += 8
        elif t == "s":
            value, at = string(at)
            args.append(value)
    return [(path, types[1:], args)]


def case_control(case):
    """irmasd's OSC control port as a visualiser or a control surface uses
    it: /irmas/info describes the model, /irmas/subscribe makes the sender a
    target (plain messages with the capture time, under the instance's
    prefix, as --osc-bundles off and --osc-prefix ask), /irmas/set/...
    changes settings live and answers with the value in force, anything
    refused is answered with /irmas/error and irmasd goes on, and
    /irmas/unsubscribe stops the windows."""
    wav = case.clips("clips.wav", 44100, 1, "cello:20")
    model = case.model("model.irm")
    port, d = case.listen(
        "irmasd",
        lambda port: [tool("IRMASD"), "--input", wav, "--model", model, "--hop", str(HOP),
                      "--osc-listen", str(port), "--osc-bundles", "off",
                      "--osc-prefix", "/stage/left",
                      "--osc", f"osc.udp://127.0.0.1:{free_port()}"],
        timeout=15)
    wait_for("the control port", lambda: "control: listening" in case.log("irmasd"), 15)
    me = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    me.bind(("127.0.0.1", 0))
    me.settimeout(5)

    def ask(data, answer):
        """Sends data; returns the first message at address answer."""
        me.sendto(data, ("127.0.0.1", port))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for message in osc_decode(me.recv(65536)):
                if message[0] == answer:
                    return message
        raise AssertionError(f"no {answer} came back")

    path, types, args = ask(osc_encode("/irmas/info"), "/irmas/info")
    assert types == "siffss" and args[0] == model and args[1] == 16000, args
    assert abs(args[2] - HOP) < 0.02 and args[3] == 1.0 and args[4:] == ["cello", "flute"], args

    path, _, args = ask(osc_encode("/irmas/subscribe"), "/irmas/subscribed")
    assert args[0] == f"osc.udp://127.0.0.1:{me.getsockname()[1]}", args
    deadline = time.monotonic() + 10
    seen = {}
    while time.monotonic() < deadline and "/stage/left/irmas/top/index" not in seen:
        for m in osc_decode(me.recv(65536)):
            seen[m[0]] = m
    top = seen["/stage/left/irmas/top/index"]
    assert top[1] == "ifd" and top[2][0] == 0, top  # cello, with the capture time
    assert abs(top[2][2] - time.time()) < 30, top
    assert "/stage/left/irmas/probs" in seen and "/irmas/probs" not in seen, seen.keys()

    # From a shell, as a user would (oscsend's answer port closes at once).
    r = case.run(["oscsend", "localhost", str(port), "/irmas/set/smooth", "f", "1.5"])
    assert r.returncode == 0, r.stderr
    wait_for("oscsend's setting", lambda: "control: /irmas/set/smooth 1.5"
             in case.log("irmasd"), 10)
    assert ask(osc_encode("/irmas/set/smooth", 2.0), "/irmas/set/smooth")[2] == [2.0]
    assert ask(osc_encode("/irmas/set/gate", "off"), "/irmas/set/gate")[2] == ["off"]
    error = ask(osc_encode("/irmas/set/gate", 5.0), "/irmas/error")[2][0]
    assert "dBFS" in error, error
    error = ask(b"this is not OSC at all", "/irmas/error")[2][0]
    assert "not an OSC message" in error, error
    error = ask(osc_encode("/irmas/launch"), "/irmas/error")[2][0]
    assert "unknown address" in error, error
    hop = ask(osc_encode("/irmas/set/hop", 0.5), "/irmas/set/hop")[2][0]
    assert 0.4 < hop <= 0.5, hop
    assert abs(ask(osc_encode("/irmas/info"), "/irmas/info")[2][2] - hop) < 1e-6

    ask(osc_encode("/irmas/unsubscribe"), "/irmas/unsubscribed")
    time.sleep(1.5)  # what was already on its way
    me.settimeout(0.1)
    try:
        while True:
            me.recv(65536)
    except socket.timeout:
        pass
    me.settimeout(2)
    try:
        late = osc_decode(me.recv(65536))
        raise AssertionError(f"windows after unsubscribing: {late}")
    except socket.timeout:
        pass
    assert d.poll() is None, "irmasd stopped"
    assert case.stop(d) == 0, case.log("irmasd")
    assert case.log("irmasd").count("control: refused") == 3, case.log("irmasd")


def case_short_file(case):
    """A file shorter than the model's window is classified once, padded
    with silence, and irmasd says so, as irmas-tag and irmas-eval do."""
    wav = case.clips("short.wav", 44100, 1, "flute:0.6")
    model = case.model("model.irm")
    d = case.irmasd("--input", wav, "--fast", "--print", "--model", model,
                    "--osc", f"osc.udp://127.0.0.1:{free_port()}")
    assert d.wait(60) == 0, case.log("irmasd")
    assert "shorter than the model's 1.00 s window: classified once" in case.log("irmasd")
    printed = case.log("irmasd", "out").splitlines()
    assert len(printed) == 1 and "flute" in printed[0], printed
    assert final_stats(case, "irmasd")[:2] == (1, 1), case.log("irmasd")


def case_plugin_equals_daemon(case):
    """The plugins and irmasd give the same probabilities for the same audio
    at the same hop: a piano phrase at 48 kHz (so both resample) through
    irmasd's file backend, its bundles read by oscdump, and through the Vamp
    plugin in vamp-simple-host; window by window within 1e-5."""
    host = shutil.which("vamp-simple-host")
    plugins = tool("VAMP_PLUGINS")
    if not host or not os.path.isdir(plugins):
        raise Skip("vamp-simple-host or the Vamp plugin is missing (vamp-examples, vamp-plugin-sdk)")
    phrase = case.piano_phrase()
    model = tool("DEFAULT_MODEL")
    port = case.oscdump()
    d = case.irmasd("--input", phrase, "--fast", "--model", model, "--hop", "0.5",
                    "--osc", f"osc.udp://127.0.0.1:{port}")
    assert d.wait(120) == 0, case.log("irmasd")
    expected = final_stats(case, "irmasd")[0]
    wait_for("every window at oscdump",
             lambda: len(windows(osc_lines(case, port))) >= expected, 10)
    daemon = [probs for _, _, probs in windows(osc_lines(case, port))]
    env = plugin_host_env(dict(case.env, VAMP_PATH=plugins, IRMAS_MODEL=model))
    r = subprocess.run([host, "irmas:irmas:probabilities", phrase], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    plugin = [[float(v) for v in line.split(":", 1)[1].split()]
              for line in r.stdout.splitlines() if ":" in line]
    assert len(daemon) >= 10 and len(plugin) >= len(daemon), (len(daemon), len(plugin))
    worst = max(abs(a - b) for dw, pw in zip(daemon, plugin) for a, b in zip(dw, pw))
    print(f"{len(daemon)} windows at 48 kHz: largest difference {worst:.2e}")
    assert worst < 1e-5, f"irmasd and the Vamp plugin differ by {worst}"


def case_systemd(case):
    """The system unit and the user-session unit pass systemd-analyze verify
    (with ExecStart pointed at the irmasd just built, since the installed
    path does not exist here)."""
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        raise Skip("systemd-analyze is not installed")
    probe = case.path("probe.service")
    with open(probe, "w") as f:
        f.write("[Service]\nExecStart=/bin/true\n")
    if case.run([analyze, "verify", probe]).returncode != 0:
        raise Skip("systemd-analyze verify does not work in this environment")
    for source, folder in (("IRMASD_UNIT", "system"), ("IRMASD_USER_UNIT", "user")):
        os.makedirs(case.path(folder), exist_ok=True)
        unit = case.path(os.path.join(folder, "irmasd.service"))
        with open(tool(source)) as f:
            text = f.read()
        text = re.sub(r"^ExecStart=\S+", f"ExecStart={tool('IRMASD')}", text, flags=re.M)
        with open(unit, "w") as f:
            f.write(text)
        r = case.run([analyze, "verify", unit])
        assert r.returncode == 0 and not r.stderr.strip(), f"{folder} unit: {r.stderr}"
        print(f"{folder} unit: verified")
        if folder == "system":
            r = case.run([analyze, "security", "--offline=yes", unit])
            if r.returncode == 0:
                print(r.stdout.strip().splitlines()[-1])


CASES = {name[5:].replace("_", "-"): f for name, f in globals().items()
         if name.startswith("case_")}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print(f"usage: daemon_e2e.py {'|'.join(CASES)}")
        return 2
    name = sys.argv[1]
    case = Case(name)
    failed = True
    try:
        CASES[name](case)
        failed = False
        return 0
    except Skip as e:
        failed = False
        print(f"skipped: {e}")
        return SKIP
    finally:
        case.close(failed)


if __name__ == "__main__":
    sys.exit(main())
