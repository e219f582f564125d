#!/usr/bin/env python3
"""Many misbehaving HTTP clients at once for serve_abuse.sh. Loopback only (127.0.0.0/8), every
count and every wait bounded.

usage: http_flood.py PORT slow N FIRST LAST SECONDS
           N connections spread over source addresses 127.0.0.FIRST..127.0.0.LAST, each sending
           one request-head line per second and never finishing; prints READY once they are open,
           then after SECONDS prints "closed K of N" (K: closed by the server)
       http_flood.py PORT idle N FIRST LAST SECONDS
           the same, but the connections send nothing at all
"""
import selectors
import socket
import sys
import time


def open_conns(port, n, first, last, deadline):
    conns = []
    span = last - first + 1
    for i in range(n):
        if time.monotonic() > deadline:
            break
        s = socket.socket()
        s.bind(("127.0.0.%d" % (first + i % span), 0))
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        conns.append(s)
    return conns


def main():
    port, mode, n, first, last, seconds = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                           int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    assert mode in ("slow", "idle") and 0 < n <= 2000 and 1 <= first <= last <= 254 and seconds <= 60
    start = time.monotonic()
    conns = open_conns(port, n, first, last, start + 30)
    print("READY %d" % len(conns), flush=True)
    sel = selectors.DefaultSelector()
    for s in conns:
        sel.register(s, selectors.EVENT_READ)
    closed = set()
    line = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if mode == "slow":
            for s in conns:
                if s in closed:
                    continue
                try:
                    s.send(b"GET /metrics HTTP/1.1\r\n" if line == 0 else b"X-Slow: %d\r\n" % line)
                except OSError:
                    closed.add(s)
            line += 1
        tick = time.monotonic() + 1
        while time.monotonic() < min(tick, end):
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data or s in closed:
                    closed.add(s)
                    sel.unregister(s)
                elif data:
                    # an answer (408) comes before the close: keep reading to the end
                    pass
    print("closed %d of %d" % (len(closed), len(conns)), flush=True)
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
