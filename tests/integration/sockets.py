#!/usr/bin/env python3
"""Holds real sockets in chosen TCP states on loopback, for the integration tests.

usage: sockets.py [SCENARIO...]     (default: basic)
  basic      ESTABLISHED, LISTEN, TIME_WAIT, CLOSE_WAIT, FIN_WAIT2, connected and unconnected UDP,
             IPv4, IPv6 and an IPv4-mapped pair on a dual-stack listener
  handshake  SYN_SENT (the SYN is dropped) and SYN_RECV (the final ACK is dropped), IPv4 and IPv6
  closing    LAST_ACK (the last ACK is dropped) and CLOSING (a simultaneous close whose ACKs are
             dropped), IPv4 and IPv6
  addresses  fixed ports 7001-7008 on several addresses for the filter tests: IPv4 on 127.0.0.x,
             IPv6 on ::1 and on 2001:db8::1 / 2001:db8:1::2 (the test adds them to lo), a
             dual-stack listener and UDP socket that see IPv4-mapped peers, a TIME_WAIT socket
handshake and closing add nftables rules and so need root inside a private network namespace
(tests/integration/lib.sh in_private_netns): the rules then vanish with the namespace.

Prints READY once every socket is in place, then holds them until it is killed or a bounded
time passes (never forever). Only loopback addresses are used.
"""
import socket
import subprocess
import sys
import time

HOLD_SECONDS = 120
LOOPBACKS = ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
# Fixed ports for the nftables rules; the namespace is private, so they are free.
PORT_SYN_SENT, PORT_SYN_RECV, PORT_LAST_ACK, PORT_CLOSING = 5001, 5002, 5003, 5004


def pair(family, host, server):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((host, server.getsockname()[1]))
    a, _ = server.accept()
    return c, a


def listener(family, host, port=0):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    return s


def basic(held):
    for family, host in LOOPBACKS:
        srv = listener(family, host)
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


def nft(script):
    subprocess.run(["nft", "-f", "-"], input=script, text=True, check=True)


def nft_chain(name):
    # An output hook sees every loopback packet once, in both directions. One chain per scenario,
    # so a scenario can rewrite its rules without touching another's.
    nft("add table inet cwtest\n"
        f"add chain inet cwtest {name} {{ type filter hook output priority 0; policy accept; }}\n")


def wait_for(what, predicate, seconds=8.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"sockets.py: {what} not reached after {seconds} s")


def count_state(ss_state, port):
    out = subprocess.run(["ss", "-tanH", "state", ss_state, f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def handshake(held):
    # SYN_SENT: nothing listens and the SYN is dropped, so no RST comes back either.
    # SYN_RECV: the client's pure ACK (the handshake's last step) never reaches the listener.
    nft_chain("handshake")
    nft(f"add rule inet cwtest handshake tcp dport {PORT_SYN_SENT} tcp flags & (syn|ack) == syn drop\n"
        f"add rule inet cwtest handshake tcp dport {PORT_SYN_RECV} tcp flags & (syn|ack) == ack drop\n")
    for family, host in LOOPBACKS:
        c = socket.socket(family, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex((host, PORT_SYN_SENT))
        held.append(c)
        srv = listener(family, host, PORT_SYN_RECV)
        held.append(srv)
        c = socket.socket(family, socket.SOCK_STREAM)
        c.settimeout(3)
        c.connect((host, PORT_SYN_RECV))  # the client side completes: SYN-ACK arrived
        held.append(c)
    wait_for("SYN_RECV", lambda: count_state("syn-recv", PORT_SYN_RECV) == 2)


def closing(held):
    pairs = []
    for family, host in LOOPBACKS:
        # LAST_ACK: the client closes (server CLOSE_WAIT); every packet to the server is then
        # dropped, so the server's FIN is never acknowledged after it closes too.
        srv = listener(family, host, PORT_LAST_ACK)
        c, a = pair(family, host, srv)
        srv.close()
        c.close()
        held.append(a)
        pairs.append(a)
        # CLOSING: both ends close while all their packets are dropped (FIN_WAIT1 on both);
        # then only the client's FIN may pass. The server, still waiting for the ACK of its own
        # FIN, sees the client's FIN first: a simultaneous close, CLOSING. Its ACK and its FIN
        # retransmissions are dropped, so it stays there, and the client stays in FIN_WAIT1.
        srv = listener(family, host, PORT_CLOSING)
        c, a = pair(family, host, srv)
        srv.close()
        held.extend((c, a))
        pairs.extend((c, a))
    wait_for("CLOSE_WAIT", lambda: count_state("close-wait", PORT_LAST_ACK) == 2)
    nft_chain("closing")
    nft(f"add rule inet cwtest closing tcp dport {PORT_LAST_ACK} drop\n"
        f"add rule inet cwtest closing tcp dport {PORT_CLOSING} drop\n"
        f"add rule inet cwtest closing tcp sport {PORT_CLOSING} drop\n")
    for s in pairs:
        s.close()  # the kernel keeps them as orphans
    wait_for("LAST_ACK", lambda: count_state("last-ack", PORT_LAST_ACK) == 2)
    nft("flush chain inet cwtest closing\n"
        f"add rule inet cwtest closing tcp dport {PORT_LAST_ACK} drop\n"
        f"add rule inet cwtest closing tcp sport {PORT_CLOSING} drop\n"
        f"add rule inet cwtest closing tcp dport {PORT_CLOSING} tcp flags & fin == 0 drop\n")
    wait_for("CLOSING", lambda: count_state("closing", PORT_CLOSING) == 2)


def bound_pair(family, server, client_host):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.bind((client_host, 0))
    c.connect(server.getsockname()[:2])
    a, _ = server.accept()
    return c, a


def addresses(held):
    v4a = listener(socket.AF_INET, "127.0.0.1", 7001)
    held.append(v4a)
    for _ in range(2):
        held.extend(bound_pair(socket.AF_INET, v4a, "127.0.0.2"))
    c, a = bound_pair(socket.AF_INET, v4a, "127.0.0.2")
    c.close()  # the client end keeps TIME_WAIT
    time.sleep(0.05)
    a.close()
    v4b = listener(socket.AF_INET, "127.0.0.3", 7002)
    held.append(v4b)
    held.extend(bound_pair(socket.AF_INET, v4b, "127.0.0.1"))
    v6a = listener(socket.AF_INET6, "::1", 7003)
    held.append(v6a)
    held.extend(bound_pair(socket.AF_INET6, v6a, "::1"))
    v6b = listener(socket.AF_INET6, "2001:db8::1", 7004)
    held.append(v6b)
    held.extend(bound_pair(socket.AF_INET6, v6b, "2001:db8:1::2"))
    dual = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    dual.bind(("::", 7005))
    dual.listen(8)
    held.append(dual)
    for host, family in (("127.0.0.4", socket.AF_INET), ("::1", socket.AF_INET6)):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.bind((host, 0))
        c.connect(("127.0.0.1" if family == socket.AF_INET else "::1", 7005))
        a, _ = dual.accept()
        held.extend((c, a))
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        u = socket.socket(family, socket.SOCK_DGRAM)
        u.bind((host, 7006))
        held.append(u)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.2", 7007))
    u.connect(("127.0.0.1", 7006))
    held.append(u)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", 7008))
    u.connect(("::ffff:127.0.0.1", 7006))
    held.append(u)


SCENARIOS = {"basic": basic, "handshake": handshake, "closing": closing, "addresses": addresses}


def main():
    names = sys.argv[1:] or ["basic"]
    held = []
    for name in names:
        SCENARIOS[name](held)
    time.sleep(0.2)  # let FIN/ACK exchanges settle
    print("READY", flush=True)
    time.sleep(HOLD_SECONDS)


if __name__ == "__main__":
    main()
