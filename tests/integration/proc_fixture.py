#!/usr/bin/env python3
"""Writes DIR/net/{tcp,tcp6,udp,udp6} in /proc/net format with chosen state counts, for tests
that need a state mix no real test could make cheaply (thousands of TIME_WAIT, a SYN flood).

usage: proc_fixture.py DIR STATE:COUNT[:LOCALPORT] ...   (STATE is the kernel number in hex)
Remote addresses are spread over 127.0.0.0/8 (file content only; nothing is contacted).
"""
import os
import sys

HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
          "timeout inode\n")


def main():
    d = sys.argv[1]
    os.makedirs(os.path.join(d, "net"), exist_ok=True)
    lines = []
    n = 0
    for spec in sys.argv[2:]:
        parts = spec.split(":")
        st, count = int(parts[0], 16), int(parts[1])
        lport = int(parts[2]) if len(parts) > 2 else 443
        for i in range(count):
            remote = "%02X%02X%02X7F" % (i % 250 + 1, (i // 250) % 250 + 1, 1)
            rport = 0 if st == 0x0A else 30000 + i % 30000
            ra = "00000000:0000" if st == 0x0A else "%s:%04X" % (remote, rport)
            inode = 0 if st in (0x03, 0x06) else 50000 + n
            lines.append("%4d: 0100007F:%04X %s %02X 00000000:00000000 00:00000000 00000000"
                         "     0        0 %d 1 0000000000000000 20 4 30 10 -1\n"
                         % (n, lport, ra, st, inode))
            n += 1
    with open(os.path.join(d, "net", "tcp"), "w") as f:
        f.write(HEADER + "".join(lines))
    for name in ("tcp6", "udp", "udp6"):
        with open(os.path.join(d, "net", name), "w") as f:
            f.write(HEADER)


if __name__ == "__main__":
    main()
