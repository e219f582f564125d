#!/usr/bin/env python3
"""Holds a few hundred ESTABLISHED loopback connections for the BPF comparison test: IPv4 from 40
source addresses, IPv6, and a few with unread data (Recv-Q), so that the fast path both counts
connections in the kernel and writes rows for those the queue rules list.

usage: bpf_bulk.py PORT        prints READY, holds the sockets at most 120 s
"""
import socket
import sys
import time

V4_CLIENTS, V4_SOURCES, V6_CLIENTS, QUEUED, QUEUED_BYTES = 400, 40, 100, 5, 4096


def main():
    port = int(sys.argv[1])
    held = []
    for family, host, count in ((socket.AF_INET, "127.0.0.1", V4_CLIENTS),
                                (socket.AF_INET6, "::1", V6_CLIENTS)):
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, port))
        srv.listen(1024)
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
    print("READY", flush=True)
    time.sleep(120)


main()
