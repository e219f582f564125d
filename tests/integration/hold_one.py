#!/usr/bin/env python3
"""Opens one ESTABLISHED loopback connection, prints "READY <client port> <server port>" and holds
it until killed or a bounded time passes. Used to show a connection appearing between refreshes.

usage: hold_one.py [SECONDS [PROCESS_NAME]]  (the name, which may hold control characters, is
written to /proc/self/comm: what netstat -p and connwatch -p show)
With HOLD_ONE_TRIGGER=FILE in the environment it prints WAITING, then connects only once FILE
exists (so a test can open the connection at a precise moment without paying python's start)."""
import os
import socket
import sys
import time

if len(sys.argv) > 2:
    with open("/proc/self/comm", "wb") as f:
        f.write(sys.argv[2].encode("utf-8", "surrogateescape")[:15])

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
trigger = os.environ.get("HOLD_ONE_TRIGGER")
if trigger:
    print("WAITING", flush=True)
    for _ in range(3000):  # 30 s at most
        if os.path.exists(trigger):
            break
        time.sleep(0.01)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(srv.getsockname())
a, _ = srv.accept()
srv.close()
print("READY", c.getsockname()[1], a.getsockname()[1], flush=True)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
