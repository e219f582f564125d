#!/usr/bin/env python3
"""Holds a table for bench/summary.sh, on loopback inside the benchmark's own namespace:
N established pairs (spread over child processes: the fd limit is 20,000 per process),
then TW TIME_WAIT and CW CLOSE_WAIT sockets. Prints READY, holds at most 120 s.

usage: summary_populate.py N TW CW
"""
import os
import signal
import socket
import sys
import time

PER_CHILD = 9000  # pairs per process: 18,000 fds, under the 20,000 limit
HOLD = 120


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    return s


def pairs(port, n, close_client=False, close_server=False):
    srv = listener(port)
    held = [srv]
    for i in range(n):
        c = socket.socket()
        # Vary the client address so no one source port range runs out.
        c.bind(("127.0.%d.%d" % (1 + i // 60000 % 200, 1 + i // 250 % 240), 0))
        c.connect(("127.0.0.1", port))
        a, _ = srv.accept()
        if close_client:
            c.close()
            if close_server:
                a.recv(1)
                a.close()
            else:
                held.append(a)
        else:
            held += [c, a]
    return held


def child(port, n, **kw):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        held = pairs(port, n, **kw)
        os.write(w, b"x")
        time.sleep(HOLD)
        del held
        os._exit(0)
    os.close(w)
    if os.read(r, 1) != b"x":
        sys.exit("populate: child failed")
    return pid


def main():
    n, tw, cw = (int(a) for a in sys.argv[1:4])
    kids = []
    port = 20000
    while n > 0:
        kids.append(child(port, min(n, PER_CHILD)))
        n -= PER_CHILD
        port += 1
    if tw:
        kids.append(child(30000, tw, close_client=True, close_server=True))
    if cw:
        kids.append(child(30001, cw, close_client=True))
    print("READY", flush=True)
    try:
        time.sleep(HOLD)
    finally:
        for k in kids:
            os.kill(k, signal.SIGTERM)


if __name__ == "__main__":
    main()
