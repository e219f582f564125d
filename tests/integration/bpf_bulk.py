#!/usr/bin/env python3
"""Holds the sockets the BPF comparison test adds to the other holders' table, so that the fast
path both counts sockets in the kernel and writes rows for the rest:
  - ESTABLISHED loopback connections: IPv4 from 40 source addresses, IPv6, and a few with unread
    data (Recv-Q: rows for the queue rules);
  - request sockets (SYN_RECV) of IPv6 and IPv4-mapped clients on a dual-stack listener on
    PORT+1, whose handshake's last ACK the test drops (nft);
  - TIME_WAIT sockets of IPv6 clients (this host the client: ephemeral port toward PORT+2), of
    IPv4-mapped and IPv4 servers (the accepted end closes first on PORT+3 and PORT+4).

usage: bpf_bulk.py PORT        prints READY, holds the sockets at most 120 s
"""
import socket
import sys
import time

V4_CLIENTS, V4_SOURCES, V6_CLIENTS, QUEUED, QUEUED_BYTES = 400, 40, 100, 5, 4096
HALF_OPEN, TIME_WAIT = 30, 30
DEADLINE = time.monotonic() + 30


def listener(family, host, port, backlog=1024):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6 and host == "::":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((host, port))
    s.listen(backlog)
    return s


def established(port, held):
    for family, host, count in ((socket.AF_INET, "127.0.0.1", V4_CLIENTS),
                                (socket.AF_INET6, "::1", V6_CLIENTS)):
        srv = listener(family, host, port)
        held.append(srv)
        for i in range(count):
            c = socket.socket(family, socket.SOCK_STREAM)
            if family == socket.AF_INET:
                c.bind(("127.0.3.%d" % (1 + i % V4_SOURCES), 0))
            c.connect((host, port))
            a, _ = srv.accept()
            if i < QUEUED:
                c.sendall(b"x" * QUEUED_BYTES)  # never read by the accepted end
            held.extend((c, a))


def half_open(port, held):
    # The clients complete their side (the SYN-ACK arrives); their last ACK is dropped, so the
    # listener keeps a request socket for each, retransmitting its SYN-ACK.
    held.append(listener(socket.AF_INET6, "::", port))
    for i in range(HALF_OPEN):
        family, host, src = ((socket.AF_INET6, "::1", "::1") if i % 2 else
                             (socket.AF_INET, "127.0.0.1", "127.0.4.%d" % (1 + i % 10)))
        c = socket.socket(family, socket.SOCK_STREAM)
        c.bind((src, 0))
        c.settimeout(3)
        c.connect((host, port))
        held.append(c)


def time_wait(port, held):
    # IPv6, the client closes first: the client's end (an ephemeral port) stays in TIME_WAIT.
    srv = listener(socket.AF_INET6, "::1", port)
    held.append(srv)
    for _ in range(TIME_WAIT):
        c = socket.create_connection(("::1", port))
        a, _ = srv.accept()
        c.close()
        a.recv(1)
        a.close()
    # IPv4-mapped on a dual-stack listener, and IPv4: the server closes first, its end (the
    # service port) stays in TIME_WAIT.
    for family, host, dst, lport in ((socket.AF_INET6, "::", "::ffff:127.0.0.1", port + 1),
                                     (socket.AF_INET, "127.0.0.1", "127.0.0.1", port + 2)):
        srv = listener(family, host, lport)
        held.append(srv)
        for i in range(TIME_WAIT):
            c = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET,
                              socket.SOCK_STREAM)
            if family == socket.AF_INET:
                c.bind(("127.0.5.%d" % (1 + i % 5), 0))
            c.connect((dst, lport))
            a, _ = srv.accept()
            a.close()
            c.recv(1)
            c.close()


def main():
    port = int(sys.argv[1])
    held = []
    established(port, held)
    half_open(port + 1, held)
    time_wait(port + 2, held)
    if time.monotonic() > DEADLINE:
        sys.exit("bpf_bulk: sockets not built within 30 s")
    print("READY", flush=True)
    time.sleep(120)


main()
