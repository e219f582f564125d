#!/usr/bin/env python3
"""Holds sockets on well-known service ports, so that netstat and ss without -n print names
(localhost:ssh, [::]:submission, localhost:bootpc): the input of the import-with-names tests.

Inside a private network namespace only (tests/integration/lib.sh in_private_netns): it binds
privileged ports on 127.0.0.1, ::1 and the wildcard addresses. Prints READY once every socket is
in place, then holds them until killed or a bounded time passes (never forever).

Per family: listeners on ssh (22), smtp (25), http (80); ESTABLISHED pairs to ssh and http;
a TIME_WAIT from smtp; CLOSE_WAIT (server end) and FIN_WAIT2 (client end) on http; an unconnected
UDP socket on domain (53) and a connected one from bootpc (68) to ntp (123). Also [::]:submission
(587) and 0.0.0.0:http-alt (8080) listeners, and a UNIX socket (skipped by import).
"""
import socket
import time

HOLD_SECONDS = 120
held = []


def listener(family, host, port, kind=socket.SOCK_STREAM):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    held.append(s)
    return s


def pair(family, host, server):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((host, server.getsockname()[1]))
    a, _ = server.accept()
    return c, a


for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    ssh = listener(family, host, 22)
    smtp = listener(family, host, 25)
    http = listener(family, host, 80)
    held.extend(pair(family, host, ssh))
    held.extend(pair(family, host, http))
    c, a = pair(family, host, smtp)  # TIME_WAIT on the client end
    c.close()
    time.sleep(0.05)
    a.close()
    c, a = pair(family, host, http)  # CLOSE_WAIT on the server end, FIN_WAIT2 on the client
    c.close()
    held.append(a)
    listener(family, host, 53, socket.SOCK_DGRAM)
    u = socket.socket(family, socket.SOCK_DGRAM)
    u.bind((host, 68))
    u.connect((host, 123))
    held.append(u)
listener(socket.AF_INET6, "::", 587)
listener(socket.AF_INET, "0.0.0.0", 8080)
unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
unix.bind("\0connwatch-test")
unix.listen(1)
held.append(unix)
time.sleep(0.2)  # let the FIN_WAIT2/CLOSE_WAIT handshakes settle
print("READY", flush=True)
time.sleep(HOLD_SECONDS)
