#!/usr/bin/env python3
"""Times how long the live screen takes to act on a key (issue 12, section 4).

usage: key_latency.py NAME KEYS BINARY [ARGS...]

Runs BINARY ARGS on a pseudo-terminal of 200x50 (no tmux in between: tmux's own send-keys and
capture-pane cost 20-40 ms each, more than what is measured). After the first refresh is on the
screen and 3 s more, KEYS times: waits a random 0-1 s (so that presses land anywhere in the
refresh cycle), writes `?` and times until the help box's title is in the output, then `x` and
4-5 s of rest (the box closed whenever the key is read). Then `q`, timed until the process has
exited. Prints one line: NAME, the median, 90th percentile and maximum key latency in ms, the q
latency, the last "refresh takes" the header showed, and the peak resident memory (VmHWM) just
before q. The output is read all the while, so
the program never blocks on a full terminal."""
import os
import pty
import random
import re
import select
import signal
import statistics
import struct
import sys
import time

import fcntl
import termios

HELP_TITLE = b"connwatch live: keys"


def vm_hwm_kb(pid):
    """The program's peak resident memory so far (VmHWM), in KiB, or "?"."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return line.split()[1]
    except OSError:
        pass
    return "?"


def main():
    name, keys, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        os.environ.update(TERM="xterm-256color", LC_ALL="C.UTF-8")
        os.execvp(argv[0], argv)
    buf = bytearray()
    alive = True

    def pump(seconds, pattern=None, start=0):
        """Reads output for up to seconds; returns the time pattern appeared after start, or None."""
        nonlocal alive
        end = time.monotonic() + seconds
        while alive:
            if pattern is not None and buf.find(pattern, start) >= 0:
                return time.monotonic()
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:  # EIO: the program ended
                    data = b""
                if not data:
                    alive = False
                buf.extend(data)
        return None

    if pump(300, b"Every ") is None:
        os.kill(pid, signal.SIGKILL)
        sys.exit(f"{name}: no screen after 300 s")
    pump(3)
    lat = []
    for _ in range(keys):
        pump(random.random())
        mark = len(buf)
        t0 = time.monotonic()
        os.write(fd, b"?")
        t1 = pump(120, HELP_TITLE, mark)
        if t1 is None:
            os.kill(pid, signal.SIGKILL)
            sys.exit(f"{name}: ? not answered within 120 s")
        lat.append((t1 - t0) * 1000)
        pump(random.random())
        os.write(fd, b"x")
        pump(4 + random.random())
    refresh = re.findall(rb"refresh takes ([0-9.]+s)", bytes(buf))
    hwm = vm_hwm_kb(pid)
    pump(random.random())
    t0 = time.monotonic()
    os.write(fd, b"q")
    pump(120)  # until the pty closes: the program has ended
    os.waitpid(pid, 0)
    q_ms = (time.monotonic() - t0) * 1000
    lat.sort()
    p90 = lat[min(len(lat) - 1, int(0.9 * len(lat)))]
    print(f"{name}: keys={len(lat)} median_ms={statistics.median(lat):.1f} p90_ms={p90:.1f} "
          f"max_ms={lat[-1]:.1f} q_ms={q_ms:.1f} "
          f"header_refresh={refresh[-1].decode() if refresh else 'within-interval'} "
          f"vmhwm_kb={hwm}")


if __name__ == "__main__":
    main()
