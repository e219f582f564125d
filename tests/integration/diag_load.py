#!/usr/bin/env python3
"""Drives real sockets into the patterns the diagnosis rules look for, on loopback inside the
test's own network namespace. Every loop is bounded in count and time.

  diag_load.py synflood PORT COUNT SOURCES  bare SYNs from 127.0.1.1..SOURCES to a listener
  diag_load.py synnet PORT COUNT NET16 DST  bare SYNs from COUNT random addresses of the /16
                                           NET16 (e.g. 10.99) to a listener on DST
  diag_load.py timewait PORT COUNT          a client opening and closing COUNT connections
  diag_load.py closewait PORT COUNT         a server that never closes COUNT accepted sockets
  diag_load.py ordinary PORT                a listener, 30 established pairs, 3 TIME_WAIT

Prints READY when the pattern is in place, then holds its sockets (at most HOLD_SECONDS).
"""
import random
import socket
import struct
import sys
import time

HOLD_SECONDS = 60
DEADLINE = time.monotonic() + 30  # no pattern takes longer to build


def check_time():
    if time.monotonic() > DEADLINE:
        sys.exit("diag_load: pattern not built within 30 s")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn_packet(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), seq & 0xFFFF, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + tcp


def listener(port, backlog=4096, addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    return s


def synflood(port, count, sources):
    # Sources are 127.0.1.x: loopback only. The test drops this host's RSTs (nft), otherwise
    # the "clients" would reset each SYN-ACK and the half-open sockets would vanish at once.
    held = [listener(port)]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for i in range(count):
        check_time()
        src = "127.0.1.%d" % (1 + i % sources)
        raw.sendto(syn_packet(src, "127.0.0.1", 20000 + i, port, 1000 + i), ("127.0.0.1", 0))
    held.append(raw)
    return held


def synnet(port, count, net16, dst):
    # Spoofed sources from a test-made range toward an address of the test's namespace; the
    # SYN-ACKs are routed to a neighbour that never answers, so the half-open sockets stay.
    held = [listener(port, 16384, dst)]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rng = random.Random(1299)
    for i, host in enumerate(rng.sample(range(1, 65535), count)):
        check_time()
        src = "%s.%d.%d" % (net16, host >> 8, host & 255)
        raw.sendto(syn_packet(src, dst, 20000 + i % 40000, port, 1000 + i), (dst, 0))
    held.append(raw)
    return held


def timewait(port, count):
    srv = listener(port)
    for _ in range(count):
        check_time()
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = srv.accept()
        c.close()  # the client closes first: its end stays in TIME_WAIT
        a.recv(1)
        a.close()
    return [srv]


def closewait(port, count):
    srv = listener(port)
    held = [srv]
    for _ in range(count):
        check_time()
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = srv.accept()
        c.close()  # the peer hangs up; the server keeps `a` open: CLOSE_WAIT
        held.append(a)
    return held


def ordinary(port):
    srv = listener(port, 128)
    held = [srv]
    for _ in range(30):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = srv.accept()
        held += [c, a]
    for _ in range(3):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = srv.accept()
        c.close()
        a.recv(1)
        a.close()
    return held


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "synflood":
        held = synflood(port, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "synnet":
        held = synnet(port, int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif mode == "timewait":
        held = timewait(port, int(sys.argv[3]))
    elif mode == "closewait":
        held = closewait(port, int(sys.argv[3]))
    elif mode == "ordinary":
        held = ordinary(port)
    else:
        sys.exit("diag_load: unknown mode " + mode)
    print("READY", flush=True)
    time.sleep(HOLD_SECONDS)
    del held


if __name__ == "__main__":
    main()
