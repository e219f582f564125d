#!/usr/bin/env python3
"""Connection churn for the history benchmark (issue 15): RATE new and RATE closed connections a
second on loopback, for at most SECONDS, on top of what `populate` holds.

  churn.py RATE SECONDS

Keeps about RATE*2 connections open: each tick opens one (a distinct client address and port,
so no TIME_WAIT collision) and closes the oldest (the client first: it leaves a TIME_WAIT, as
real short-lived clients do). Prints READY once the pool is full. Bounded in time and count.
"""
import socket
import sys
import time

rate, seconds = int(sys.argv[1]), float(sys.argv[2])
assert 1 <= rate <= 1000 and 0 < seconds <= 3600
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.4.0.1", 9000))
srv.listen(4096)
pool = []
n = 0


def open_one():
    global n
    n += 1
    c = socket.socket()
    # 127.5.x.y: 65,000 addresses, one port each: a 4-tuple is never reused within the run
    c.bind(("127.5.%d.%d" % ((n // 250) % 250, 1 + n % 250), 20000 + n % 20000))
    c.connect(("127.4.0.1", 9000))
    a, _ = srv.accept()
    pool.append((c, a))


def close_one():
    c, a = pool.pop(0)
    c.close()
    a.close()


for _ in range(rate * 2):
    open_one()
print("READY", flush=True)
tick = 1.0 / rate
deadline = time.monotonic() + seconds
nxt = time.monotonic()
while time.monotonic() < deadline and n < 3600 * 1000:
    open_one()
    close_one()
    nxt += tick
    delay = nxt - time.monotonic()
    if delay > 0:
        time.sleep(delay)
