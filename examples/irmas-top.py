#!/usr/bin/python3
"""irmas-top.py: print the instrument irmasd hears, a line per window.

    python3 irmas-top.py [PORT]      (default 9000, irmasd's default target)

irmasd sends each window as an OSC bundle holding /irmas/probs,
/irmas/top and /irmas/class/<label>, or only /irmas/silence for a quiet
window; liblo unpacks the bundle and calls a handler for each message this
program asks for. Needs pyliblo (Debian package python3-liblo).
"""
import sys

import liblo


def on_top(path, args):
    """/irmas/top s f: the most likely label and its probability."""
    label, probability = args
    print(f"{label} {probability:.2f}", flush=True)


def on_silence(path, args):
    """/irmas/silence f: the window's level in dBFS."""
    print(f"silence {args[0]:.0f} dBFS", flush=True)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    try:
        server = liblo.Server(port)
    except liblo.ServerError as e:
        sys.exit(f"irmas-top.py: error: cannot listen on UDP port {port}: {e}")
    server.add_method("/irmas/top", "sf", on_top)
    server.add_method("/irmas/silence", "f", on_silence)
    print(f"irmas-top.py: listening on UDP port {port}", file=sys.stderr, flush=True)
    try:
        while True:
            server.recv(1000)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
