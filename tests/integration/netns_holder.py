#!/usr/bin/env python3
"""Holds sockets inside whatever network namespace it is started in (the test starts it with
`ip netns exec`), on loopback only: a listener on PORT and LEAK connections whose client side
closed while this side never closes (CLOSE_WAIT, the leak), plus one open connection. Prints
"READY" when they are in place and then waits until killed, at most 120 s."""
import socket
import sys
import time

port, leak = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(64)
held = []
for _ in range(leak):
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    c.close()  # the peer's FIN: `a` is now in CLOSE_WAIT, and we never close it
    held.append(a)
keep = socket.create_connection(("127.0.0.1", port))
kept, _ = srv.accept()
held += [keep, kept]
print("READY", flush=True)
time.sleep(120)
