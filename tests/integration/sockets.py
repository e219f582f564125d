#!/usr/bin/env python3
"""Holds real sockets in chosen TCP states on loopback, for the integration tests.

Prints READY once every socket is in place, then holds them until it is killed or a bounded
time passes (never forever). Only loopback addresses are used.
"""
import socket
import sys
import time

HOLD_SECONDS = 120


def pair(family, host, server):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((host, server.getsockname()[1]))
    a, _ = server.accept()
    return c, a


def scenario(held):
    for family, host, any_host in ((socket.AF_INET, "127.0.0.1", "127.0.0.1"),
                                   (socket.AF_INET6, "::1", "::1")):
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.bind((any_host, 0))
        srv.listen(64)
        held.append(srv)
        # ESTABLISHED, both ends
        held.extend(pair(family, host, srv))
        # TIME_WAIT: the client closes first, then the server; the client keeps TIME_WAIT
        c, a = pair(family, host, srv)
        c.close()
        time.sleep(0.05)
        a.close()
        # CLOSE_WAIT on the server end, FIN_WAIT2 on the client end
        c, a = pair(family, host, srv)
        c.close()
        held.append(a)
        # connected and unconnected UDP
        u = socket.socket(family, socket.SOCK_DGRAM)
        u.bind((host, 0))
        u.connect((host, 9))
        held.append(u)
        v = socket.socket(family, socket.SOCK_DGRAM)
        v.bind((host, 0))
        held.append(v)
    # a dual-stack listener that sees an IPv4 client (IPv4-mapped addresses on tcp6)
    d = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    d.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    d.bind(("::", 0))
    d.listen(8)
    held.append(d)
    held.extend(pair(socket.AF_INET, "127.0.0.1", d))


def main():
    held = []
    scenario(held)
    time.sleep(0.2)  # let FIN/ACK exchanges settle
    print("READY", flush=True)
    time.sleep(HOLD_SECONDS)


if __name__ == "__main__":
    main()
